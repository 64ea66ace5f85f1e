from django.conf import settings
from django.urls import reverse

from tests.conftest import pass_second_factor


def login(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def test_demo_user_logs_in_and_lands_on_home(client, kanwil_officer):
    response = login(client, "petugas.kanwil", settings.DEMO_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    pass_second_factor(client, kanwil_officer)  # tests/accounts/test_second_factor.py
    page = client.get(reverse("home"))
    assert "Selamat datang, Rina Marlina" in page.content.decode()


def test_wrong_password_says_what_to_do_in_indonesian(client, kanwil_officer):
    response = login(client, "petugas.kanwil", "salah-sekali")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account_even_with_the_right_one(client, kanwil_officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "petugas.kanwil", "salah-sekali")
    response = login(client, "petugas.kanwil", settings.DEMO_PASSWORD)
    assert response.status_code == 429
    assert "Akun dikunci sementara" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_is_locked_out_the_same_way(client, national_admin):
    admin_login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "admin", "salah-sekali", url=admin_login)
    response = login(client, "admin", settings.DEMO_PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_account_does_not_lock_another(client, kanwil_officer, branch_officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "petugas.kanwil", "salah-sekali")
    response = login(client, "petugas.serang", settings.DEMO_PASSWORD)
    assert response.status_code == 302


def test_idle_session_expires_after_thirty_minutes_and_with_the_browser(client, kanwil_officer):
    login(client, "petugas.kanwil", settings.DEMO_PASSWORD)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 30 * 60
    # Use restarts the idle clock (once a minute: tests/accounts/test_sessions.py).
    assert client.session.get_expire_at_browser_close()


def test_logout_needs_a_post_and_ends_the_session(client, kanwil_officer):
    client.force_login(kanwil_officer)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_change_applies_the_password_rules(client, kanwil_officer):
    client.force_login(kanwil_officer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": settings.DEMO_PASSWORD,
            "new_password1": "12345",
            "new_password2": "12345",
        },
    )
    assert response.status_code == 200
    kanwil_officer.refresh_from_db()
    assert kanwil_officer.check_password(settings.DEMO_PASSWORD)
