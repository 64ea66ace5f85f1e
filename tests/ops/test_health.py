from django.urls import reverse


def test_healthz_reports_the_database_and_broker_answering(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": True, "broker": True}


def test_system_status_shows_the_queues_and_the_workers_seen(client, national_admin):
    client.force_login(national_admin)
    page = client.get(reverse("ops:status")).content.decode()
    assert "Status sistem" in page
    assert "default" in page and "imports" in page
