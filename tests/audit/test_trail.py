"""The trail: the database records every change of people and agreements, and keeps it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.models import AccessLog
from accounts.services import access_log_record
from audit.models import Event
from audit.selectors import events_of_worker
from enrolment import services
from enrolment.models import Employment, Enrolment, Worker
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"


def _import(user, institution, rows):
    roster_import = services.roster_upload(
        by=user, institution=institution, upload=roster_file(rows), enqueue=False
    )
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=user, roster_import=checked, enqueue=False)
    return services.roster_apply(import_id=roster_import.pk)


def test_an_import_of_1000_rows_leaves_1000_trail_events_tied_to_the_import_and_its_user(
    serang_partner_admin, institution
):
    applied = _import(serang_partner_admin, institution(SERANG), [row(n) for n in range(1, 1001)])

    workers = Event.objects.filter(table_name="enrolment_worker", roster_import=applied)
    assert workers.count() == 1000
    assert set(workers.values_list("action", "actor")) == {("I", serang_partner_admin.pk)}
    assert set(workers.values_list("row_id", flat=True)) == set(
        Worker.objects.values_list("pk", flat=True)
    )
    # Employments and enrolments written in the same statements are in the trail too.
    by_table = {
        table: Event.objects.filter(table_name=table, roster_import=applied).count()
        for table in ("enrolment_employment", "enrolment_enrolment")
    }
    assert by_table == {
        "enrolment_employment": Employment.objects.count(),
        "enrolment_enrolment": Enrolment.objects.count(),
    }
    first = workers.get(row_id=Worker.objects.get(nik=row(1)["NIK"]).pk)
    assert first.after["nik"] == row(1)["NIK"] and first.before is None


def test_a_changed_roster_records_only_the_changed_fields_with_before_and_after(
    serang_partner_admin, institution
):
    _import(serang_partner_admin, institution(SERANG), [row(1), row(2)])
    second = _import(
        serang_partner_admin, institution(SERANG), [row(1, NAMA_LENGKAP="Siti Aminah"), row(2)]
    )
    change = Event.objects.get(table_name="enrolment_worker", action="U")
    assert (change.before, change.after) == (
        {"full_name": "Pekerja Uji 1"},
        {"full_name": "Siti Aminah"},
    )
    assert (change.roster_import, change.actor) == (second, serang_partner_admin)


def test_a_change_made_in_a_request_names_the_user_the_request_and_the_address(
    client, serang_partner_admin, branch_officer, institution
):
    _import(serang_partner_admin, institution(SERANG), [row(1)])
    employment = Employment.objects.get()
    client.force_login(branch_officer)
    response = client.post(
        reverse("enrolment:employment_end", args=[employment.worker_id, employment.pk]),
        {"ended_on": "31-10-2026", "reason": "resigned"},
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302

    ended = Event.objects.get(table_name="enrolment_employment", action="U")
    assert ended.after == {"ended_on": "2026-10-31", "end_reason": "resigned"}
    assert (ended.actor, ended.ip, ended.roster_import) == (branch_officer, "10.20.30.40", None)
    assert len(ended.request_id) == 32
    # The enrolments the ending closed were written by the same request.
    closed = Event.objects.filter(table_name="enrolment_enrolment", action="U")
    assert closed.count() == 3
    assert set(closed.values_list("request_id", flat=True)) == {ended.request_id}


def test_reading_pages_writes_nothing_to_the_connection(client, branch_officer, institution):
    client.force_login(branch_officer)
    client.get(reverse("enrolment:worker_list"))  # the session and its user are loaded
    with _queries() as queries:
        client.get(reverse("enrolment:worker_list"))
    assert not [q for q in queries if "set_config" in q["sql"]]


def test_after_a_request_the_connection_forgets_who_acted(client, branch_officer, institution):
    client.force_login(branch_officer)
    client.post(reverse("enrolment:worker_list"))  # the session write stamps the connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('sinergi.actor_id', true)")
        assert cursor.fetchone()[0] in ("", None)


def test_the_trail_of_a_worker_lists_their_employment_and_enrolments_too(
    serang_partner_admin, institution
):
    _import(serang_partner_admin, institution(SERANG), [row(1), row(2)])
    worker = Worker.objects.get(nik=row(1)["NIK"])
    tables = [event.table_name for event in events_of_worker(worker)]
    assert sorted(tables) == sorted(
        ["enrolment_worker", "enrolment_employment"] + ["enrolment_enrolment"] * 3
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET actor_id = NULL",
        "DELETE FROM audit_event",
        "UPDATE accounts_accesslog SET ip = NULL",
        "DELETE FROM accounts_accesslog",
    ],
)
def test_the_trail_and_the_access_log_refuse_update_and_delete(
    statement, serang_partner_admin, institution
):
    _import(serang_partner_admin, institution(SERANG), [row(1)])
    access_log_record(
        user=serang_partner_admin, action="view", what="a worker", worker=Worker.objects.get()
    )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert Event.objects.exists() and AccessLog.objects.exists()


def test_the_orm_cannot_rewrite_the_trail_either(serang_partner_admin, institution):
    _import(serang_partner_admin, institution(SERANG), [row(1)])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.all().update(request_id="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(pk=Event.objects.first().pk).delete()


def test_an_institution_edit_is_in_the_trail(kanwil_officer, institution):
    serang = institution(SERANG)
    from partners.models import Institution

    Institution.objects.filter(pk=serang.pk).update(declared_potential=1200)
    change = Event.objects.get(table_name="partners_institution", row_id=serang.pk, action="U")
    assert change.after == {"declared_potential": 1200}
    assert change.before == {"declared_potential": serang.declared_potential}
    assert dt.datetime.now(dt.UTC) - change.at < dt.timedelta(minutes=1)


class _queries:
    def __enter__(self):
        from django.test.utils import CaptureQueriesContext

        self.context = CaptureQueriesContext(connection)
        return self.context.__enter__()

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)
