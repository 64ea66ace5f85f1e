"""Restriction of processing (UU 27/2022): a restricted person's rows are skipped by every import,
every export that lists people leaves them out, their records cannot be changed by hand, and only
BPJS officers who see them decide."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from coverage import services as coverage_services
from enrolment import services
from enrolment.contributions import contribution_bill
from enrolment.models import (
    Employment,
    Enrolment,
    Program,
    Restriction,
    RosterImport,
    StagedRow,
    Worker,
)
from partners.models import Institution
from tests.enrolment.rosters import roster_file, row
from tests.enrolment.test_result_imports import (
    KPJ,
    PAYMENT,
    REGISTRATION,
    payments,
    results,
    run,
    statuses,
)

SERANG = "Kantor Kemenag Kota Serang"
REASON = "Permintaan subjek data 12-11-2026: keberatan atas keakuratan data"
ON = dt.date.today().strftime("%d-%m-%Y")  # registered today


@pytest.fixture
def serang(reference_data, settings, tmp_path) -> Institution:
    settings.MEDIA_ROOT = tmp_path
    return Institution.objects.get(name=SERANG)


@pytest.fixture
def rostered(serang, serang_partner_admin):
    """Three workers of Kemenag Kota Serang, pending in JKK, JKM and JHT."""
    run(serang_partner_admin, serang, roster_file([row(1), row(2), row(3)]))


def worker(serial: int) -> Worker:
    return Worker.objects.get(nik=row(serial)["NIK"])


def restrict(serial: int, by) -> Restriction:
    return services.worker_restrict(worker=worker(serial), reason=REASON, by=by)


def check(by, institution, rows) -> RosterImport:
    uploaded = services.roster_upload(
        by=by, institution=institution, upload=roster_file(rows), enqueue=False
    )
    return services.roster_validate(import_id=uploaded.pk)


def apply(by, checked: RosterImport) -> RosterImport:
    services.roster_confirm(by=by, roster_import=checked, enqueue=False)
    return services.roster_apply(import_id=checked.pk)


# --- imports -----------------------------------------------------------------------------------


def test_a_restricted_persons_roster_row_is_an_error_and_the_other_rows_apply(
    rostered, serang, serang_partner_admin, branch_officer
):
    restrict(1, branch_officer)
    before = Worker.objects.filter(pk=worker(1).pk).values().get()

    checked = check(
        serang_partner_admin,
        serang,
        [row(1, NAMA_LENGKAP="Nama Diubah", UPAH="3.000.000"), row(2, UPAH="2.500.000"), row(4)],
    )

    issue = checked.issues.get()
    assert (issue.row, issue.column, issue.code, issue.severity) == (
        2,
        "NIK",
        "worker_restricted",
        "error",
    )
    assert issue.value == row(1)["NIK"][:4] + "********" + row(1)["NIK"][12:]
    assert "dibatasi" in issue.message and "hubungi petugas BPJS" in issue.message
    assert (checked.rows_total, checked.rows_valid, checked.rows_error) == (3, 2, 1)
    assert not StagedRow.objects.filter(roster_import_id=checked.pk, nik=row(1)["NIK"]).exists()

    applied = apply(serang_partner_admin, checked)

    assert applied.status == "applied"
    assert Worker.objects.filter(pk=worker(1).pk).values().get() == before
    assert Employment.objects.get(worker=worker(1)).wage == 2_000_000
    assert Employment.objects.get(worker=worker(2)).wage == 2_500_000
    assert Enrolment.objects.filter(worker=worker(4)).count() == 3  # a new worker, enrolled


def test_lifting_the_restriction_lets_the_next_import_through(
    rostered, serang, serang_partner_admin, branch_officer
):
    restrict(1, branch_officer)
    refused = check(serang_partner_admin, serang, [row(1, UPAH="3.000.000")])
    services.roster_cancel(by=serang_partner_admin, roster_import=refused)

    lifted = services.worker_restriction_lift(
        worker=worker(1), reason="Data sudah dikoreksi", by=branch_officer
    )
    checked = check(serang_partner_admin, serang, [row(1, UPAH="3.100.000")])
    apply(serang_partner_admin, checked)

    assert (lifted.lifted_by, lifted.lift_reason) == (branch_officer, "Data sudah dikoreksi")
    assert not checked.issues.exists() and checked.rows_valid == 1
    assert Employment.objects.get(worker=worker(1)).wage == 3_100_000


def test_a_person_restricted_after_the_check_is_skipped_when_the_import_is_applied(
    rostered, serang, serang_partner_admin, kanwil_officer
):
    checked = check(serang_partner_admin, serang, [row(1, UPAH="3.000.000"), row(2)])
    assert checked.rows_valid == 2
    restrict(1, kanwil_officer)

    applied = apply(serang_partner_admin, checked)

    assert (applied.rows_valid, applied.rows_error) == (1, 1)
    assert applied.issues.get().code == "worker_restricted"
    assert Employment.objects.get(worker=worker(1)).wage == 2_000_000


def _waiting_on_a_lock(thread: threading.Thread) -> bool:
    """Whether another backend of this database waits on a lock, polled while `thread` runs."""
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        if not thread.is_alive():
            return False
        time.sleep(0.05)
    return False


def _while_restricting(serial: int, by, act) -> bool:
    """Runs `act` in a thread of its own while a restriction of worker `serial` is set but not yet
    committed, then commits it; whether `act` waited on a lock meanwhile."""
    restricted, commit = threading.Event(), threading.Event()

    def restrict_then_wait_to_commit():
        try:
            with transaction.atomic():
                restrict(serial, by)
                restricted.set()
                commit.wait(timeout=10)
        finally:
            connection.close()

    def acting():
        try:
            act()
        finally:
            connection.close()

    restricting = threading.Thread(target=restrict_then_wait_to_commit)
    restricting.start()
    assert restricted.wait(timeout=10)
    other = threading.Thread(target=acting)
    other.start()
    waited = _waiting_on_a_lock(other)
    commit.set()
    restricting.join()
    other.join()
    return waited


def test_an_apply_under_way_holds_a_restriction_back_until_the_officer_is_asked_to_try_again(
    rostered, branch_officer, transactional_db, monkeypatch
):
    monkeypatch.setattr(services, "RESTRICTION_WAIT", "300ms")
    applying, done = threading.Event(), threading.Event()

    def an_apply_under_way():
        try:
            with transaction.atomic():
                services._hold_restrictions_still()
                applying.set()
                done.wait(timeout=10)
        finally:
            connection.close()

    apply_thread = threading.Thread(target=an_apply_under_way)
    apply_thread.start()
    assert applying.wait(timeout=10)
    try:
        with pytest.raises(services.EnrolmentError, match="Coba lagi"):
            restrict(1, branch_officer)
    finally:
        done.set()
        apply_thread.join()

    assert not Restriction.objects.exists()
    assert restrict(1, branch_officer).is_open  # once the apply is over


def test_an_apply_started_while_a_restriction_is_set_waits_for_it_and_skips_the_person(
    rostered, serang, serang_partner_admin, branch_officer, transactional_db
):
    """Checked before the restriction, applied while it is being set: the apply waits for the
    restriction's transaction, then finds the person restricted and leaves them as they were."""
    checked = check(
        serang_partner_admin, serang, [row(1, UPAH="3.000.000"), row(2, UPAH="3.000.000")]
    )
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)

    waited = _while_restricting(
        1, branch_officer, lambda: services.roster_apply(import_id=checked.pk)
    )

    assert waited  # the apply waited for the restriction's transaction
    checked.refresh_from_db()
    assert (checked.status, checked.rows_valid, checked.rows_error) == ("applied", 1, 1)
    assert checked.issues.get().code == "worker_restricted"
    assert Employment.objects.get(worker=worker(1)).wage == 2_000_000
    assert Employment.objects.get(worker=worker(2)).wage == 3_000_000


def test_the_restriction_check_is_one_statement_whatever_the_number_of_rows(
    rostered, serang, serang_partner_admin, branch_officer
):
    restrict(1, branch_officer)
    restrict(2, branch_officer)
    uploaded = services.roster_upload(
        by=serang_partner_admin,
        institution=serang,
        upload=roster_file([row(n) for n in range(1, 201)]),
        enqueue=False,
    )

    with CaptureQueriesContext(connection) as queries:
        checked = services.roster_validate(import_id=uploaded.pk)

    asking = [q["sql"] for q in queries if "enrolment_restriction" in q["sql"]]
    assert len(asking) == 1
    assert checked.issues.filter(code="worker_restricted").count() == 2
    assert (checked.rows_valid, checked.rows_error) == (198, 2)


def test_registration_results_and_payments_skip_a_restricted_person(
    rostered, serang, branch_officer, kanwil_officer
):
    restrict(1, kanwil_officer)

    registered = run(
        branch_officer,
        serang,
        results((1, KPJ[1], ON, ""), (2, KPJ[2], ON, "")),
        REGISTRATION,
    )
    assert registered.issues.get().code == "worker_restricted"
    assert set(Enrolment.objects.filter(worker=worker(1)).values_list("status", flat=True)) == {
        "pending"
    }
    assert worker(1).kpj == "" and worker(2).kpj == KPJ[2]

    services.worker_restriction_lift(worker=worker(1), reason="Selesai", by=kanwil_officer)
    run(branch_officer, serang, results((1, KPJ[1], ON, "")), REGISTRATION)
    restrict(1, kanwil_officer)
    paid = run(
        branch_officer,
        serang,
        payments((KPJ[1], "", "", dt.date.today().strftime("%m-%Y"))),
        PAYMENT,
    )

    assert paid.issues.get().code == "worker_restricted"  # found by its KPJ, then refused
    assert set(Enrolment.objects.filter(worker=worker(1)).values_list("status", flat=True)) == {
        "registered"
    }


# --- changes by hand ----------------------------------------------------------------------------


def since(restriction: Restriction) -> str:
    """The date the refusal names, as the officer reads it."""
    return re.escape(f"{timezone.localtime(restriction.set_at):%d-%m-%Y}")


def end_employment(client, serial: int):
    employment = Employment.objects.get(worker=worker(serial))
    return client.post(
        reverse("enrolment:employment_end", args=[worker(serial).pk, employment.pk]),
        {"ended_on": dt.date.today().isoformat(), "reason": "resigned"},
        follow=True,
    )


def test_ending_a_restricted_persons_employment_is_refused_with_a_message_on_their_page(
    client, rostered, serang_partner_admin, branch_officer
):
    restriction = restrict(1, branch_officer)
    client.force_login(serang_partner_admin)

    response = end_employment(client, 1)

    assert response.status_code == 200  # the person's page, not an error page
    [message] = response.context["messages"]
    assert message.level_tag == "error" and re.search(since(restriction), str(message))
    assert Employment.objects.get(worker=worker(1)).ended_on is None
    assert set(statuses(1).values()) == {"pending"}


def test_a_restricted_persons_page_offers_no_employment_end_and_says_why(
    client, rostered, serang_partner_admin, branch_officer
):
    client.force_login(serang_partner_admin)
    page = reverse("enrolment:worker_detail", args=[worker(1).pk])
    assert 'data-testid="employment-end"' in client.get(page).content.decode()

    restrict(1, branch_officer)
    shown = client.get(page).content.decode()

    assert 'data-testid="employment-end"' not in shown
    assert "pekerjaan serta kepesertaannya tidak dapat diubah" in shown


def test_after_the_lift_the_same_employment_ends(
    client, rostered, serang_partner_admin, branch_officer
):
    restrict(1, branch_officer)
    client.force_login(serang_partner_admin)
    end_employment(client, 1)
    services.worker_restriction_lift(worker=worker(1), reason="Selesai", by=branch_officer)

    response = end_employment(client, 1)

    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert Employment.objects.get(worker=worker(1)).ended_on == dt.date.today()
    assert set(statuses(1).values()) == {"ended"}


def test_registering_a_restricted_persons_enrolment_by_hand_is_refused(
    rostered, branch_officer, kanwil_officer
):
    restriction = restrict(1, kanwil_officer)
    jkk = Enrolment.objects.get(worker=worker(1), program__code="JKK")

    with pytest.raises(services.EnrolmentError, match=since(restriction)):
        services.enrolment_register(
            enrolment=jkk, kpj=KPJ[1], registered_on=dt.date.today(), by=branch_officer
        )

    assert worker(1).kpj == "" and statuses(1)["JKK"] == "pending"


def test_registration_results_uploaded_on_the_page_leave_a_restricted_person_pending(
    client, rostered, serang, branch_officer, kanwil_officer
):
    restrict(1, kanwil_officer)
    client.force_login(branch_officer)

    uploaded = client.post(
        reverse("enrolment:result_upload"),
        {
            "kind": REGISTRATION,
            "institution": serang.pk,
            "file": results((1, KPJ[1], ON, ""), (2, KPJ[2], ON, "")),
        },
    )
    result_import = RosterImport.objects.get(kind=REGISTRATION)
    services.roster_validate(import_id=result_import.pk)  # as the worker would
    page = client.get(uploaded.url)
    confirmed = client.post(reverse("enrolment:roster_confirm", args=[result_import.pk]))
    services.roster_apply(import_id=result_import.pk)

    assert (uploaded.status_code, page.status_code, confirmed.status_code) == (302, 200, 302)
    assert result_import.issues.get().code == "worker_restricted"
    assert worker(1).kpj == "" and set(statuses(1).values()) == {"pending"}
    assert worker(2).kpj == KPJ[2] and set(statuses(2).values()) == {"registered"}


def test_recording_a_restricted_persons_payment_by_hand_is_refused(
    rostered, serang, branch_officer, kanwil_officer
):
    run(branch_officer, serang, results((1, KPJ[1], ON, "")), REGISTRATION)
    restriction = restrict(1, kanwil_officer)
    jkk = Enrolment.objects.get(worker=worker(1), program__code="JKK")

    with pytest.raises(services.EnrolmentError, match=since(restriction)):
        services.enrolment_record_payment(
            enrolment=jkk, paid_through=dt.date.today(), today=dt.date.today(), by=branch_officer
        )

    jkk.refresh_from_db()
    assert (jkk.status, jkk.paid_through) == ("registered", None)


def test_ending_a_restricted_persons_enrolment_by_hand_is_refused(
    rostered, branch_officer, kanwil_officer
):
    restriction = restrict(1, kanwil_officer)
    jkk = Enrolment.objects.get(worker=worker(1), program__code="JKK")

    with pytest.raises(services.EnrolmentError, match=since(restriction)):
        services.enrolment_end(
            enrolment=jkk, ended_on=dt.date.today(), reason="resigned", by=branch_officer
        )

    assert statuses(1)["JKK"] == "pending"


def test_adding_an_enrolment_to_a_restricted_person_is_refused(
    rostered, serang, serang_partner_admin, branch_officer
):
    run(serang_partner_admin, serang, roster_file([row(4, PROGRAM="JKK,JKM")], name="b.csv"))
    restriction = restrict(4, branch_officer)
    agreement = Enrolment.objects.filter(worker=worker(4)).first().agreement

    with pytest.raises(services.EnrolmentError, match=since(restriction)):
        services.enrolment_add(
            worker=worker(4),
            program=Program.objects.get(code="JHT"),
            agreement=agreement,
            by=branch_officer,
        )

    assert set(statuses(4)) == {"JKK", "JKM"}


def test_the_nightly_arrears_run_still_moves_a_restricted_persons_enrolment(
    rostered, serang, branch_officer, kanwil_officer
):
    this_month = dt.date.today().strftime("%m-%Y")
    run(branch_officer, serang, results((1, KPJ[1], ON, "")), REGISTRATION)
    run(branch_officer, serang, payments((KPJ[1], "", "", this_month)), PAYMENT)
    restrict(1, kanwil_officer)

    services.enrolments_mark_arrears(today=dt.date.today() + dt.timedelta(days=40))

    assert set(statuses(1).values()) == {"inactive"}  # true to the calendar (README)


def test_a_restriction_set_while_an_employment_is_ended_is_not_slipped_past(
    rostered, serang_partner_admin, branch_officer, transactional_db
):
    """The restriction holds the worker's row until it commits; the ending waits for it and then
    reads it, instead of ending the employment of a person restricted a moment before."""
    employment = Employment.objects.get(worker=worker(1))
    refused = []

    def end():
        try:
            services.employment_end(
                employment=employment,
                ended_on=dt.date.today(),
                reason="resigned",
                by=serang_partner_admin,
            )
        except services.EnrolmentError as error:
            refused.append(str(error))

    waited = _while_restricting(1, branch_officer, end)

    assert waited  # the ending waited for the restriction's transaction
    assert len(refused) == 1
    assert Employment.objects.get(worker=worker(1)).ended_on is None


# --- exports -----------------------------------------------------------------------------------


def test_every_export_that_lists_people_leaves_a_restricted_person_out(
    client, rostered, serang, branch_officer, kanwil_officer
):
    run(branch_officer, serang, results((3, KPJ[3], ON, "")), REGISTRATION)
    restrict(1, kanwil_officer)
    restrict(3, kanwil_officer)
    coverage_services.coverage_refresh()
    client.force_login(branch_officer)
    gone, kept = (row(1)["NIK"], row(3)["NIK"]), row(2)["NIK"]

    worker_list = client.get(reverse("enrolment:worker_export", args=["csv"]))
    pending = client.get(reverse("enrolment:pending_registrations_export", args=[serang.pk]))
    drill_down = client.get(
        reverse("coverage:workers_export", args=["lembaga", serang.pk, "csv"]) + "?status=pending"
    )
    sheet = load_workbook(io.BytesIO(pending.content))["Pendaftaran"]
    pending_niks = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]

    assert kept in worker_list.content.decode("utf-8-sig")
    assert not any(nik in worker_list.content.decode("utf-8-sig") for nik in gone)
    assert pending_niks == [kept]
    assert kept in drill_down.content.decode("utf-8-sig")
    assert gone[0] not in drill_down.content.decode("utf-8-sig")
    # the figures still count them: a count names no one
    assert (
        client.get(reverse("coverage:workers", args=["lembaga", serang.pk]) + "?status=pending")
        .context["page"]
        .paginator.count
        == 2
    )


def test_a_restricted_person_gets_no_participant_card(
    client, rostered, serang, branch_officer, kanwil_officer
):
    run(branch_officer, serang, results((1, KPJ[1], ON, "")), REGISTRATION)
    restrict(1, kanwil_officer)
    client.force_login(branch_officer)

    one = client.get(reverse("enrolment:worker_card", args=[worker(1).pk]))
    everyone = client.get(reverse("enrolment:institution_cards", args=[serang.pk]))

    assert one.status_code == 302  # back to the person's page, with the reason
    assert everyone.status_code == 302  # nobody left with a card to print


def test_the_contribution_bill_keeps_a_restricted_persons_amounts_but_not_their_name(
    rostered, serang, branch_officer, kanwil_officer
):
    run(branch_officer, serang, results((1, KPJ[1], ON, "")), REGISTRATION)
    restrict(1, kanwil_officer)

    bill = contribution_bill(institution=serang, month=dt.date.today().replace(day=1))

    lines = [line for line in bill.lines if line.worker_id == worker(1).pk]
    assert lines and all(line.total > 0 for line in lines)
    assert {(line.name, line.nik, line.kpj) for line in lines} == {
        (gettext("(processing restricted)"), "", "")
    }


def test_the_failed_rows_file_leaves_out_a_restricted_persons_row(
    client, rostered, serang, serang_partner_admin, branch_officer
):
    restrict(1, branch_officer)
    checked = check(serang_partner_admin, serang, [row(1), row(5, NAMA_LENGKAP="")])
    client.force_login(serang_partner_admin)

    response = client.get(reverse("enrolment:roster_failed_rows", args=[checked.pk]))

    data = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Data"]
    niks = [r[0] for r in data.iter_rows(min_row=2, values_only=True)]
    assert niks == [row(5)["NIK"]]
    assert checked.issues.filter(code="worker_restricted").exists()  # the report keeps it


# --- who decides, and the page ----------------------------------------------------------------


def test_only_officers_who_see_the_worker_may_restrict(
    client,
    rostered,
    serang_partner_admin,
    manager,
    maluku_partner_admin,
    national_admin,
    branch_officer,
):
    url = reverse("enrolment:worker_restrict", args=[worker(1).pk])
    refused = {}
    for user in (serang_partner_admin, manager, maluku_partner_admin):
        client.force_login(user)
        refused[user.username] = client.post(url, {"reason": REASON}).status_code
    with pytest.raises(services.EnrolmentError):
        services.worker_restrict(worker=worker(1), reason=REASON, by=serang_partner_admin)
    assert not Restriction.objects.exists()

    client.force_login(national_admin)
    done = client.post(url, {"reason": REASON})

    assert list(refused.values()) == [403, 403, 404]
    assert done.status_code == 302
    restriction = Restriction.objects.get()
    assert (restriction.worker, restriction.set_by, restriction.reason) == (
        worker(1),
        national_admin,
        REASON,
    )


def test_a_restriction_needs_a_reason_and_there_is_one_open_at_a_time(
    client, rostered, branch_officer
):
    client.force_login(branch_officer)
    url = reverse("enrolment:worker_restrict", args=[worker(1).pk])
    client.post(url, {"reason": "   "})
    assert not Restriction.objects.exists()

    restrict(1, branch_officer)
    with pytest.raises(services.EnrolmentError):
        restrict(1, branch_officer)
    with pytest.raises(services.EnrolmentError):
        services.worker_restriction_lift(worker=worker(2), reason="Tidak ada", by=branch_officer)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        Restriction.objects.create(worker=worker(1), reason="Kedua", set_by=branch_officer)


def test_the_workers_page_shows_the_restriction_with_reason_who_and_when_and_its_history(
    client, rostered, branch_officer, kanwil_officer, manager
):
    restriction = restrict(1, kanwil_officer)
    client.force_login(branch_officer)
    page = client.get(reverse("enrolment:worker_detail", args=[worker(1).pk])).content.decode()

    assert 'data-testid="restricted-badge"' in page and REASON in page
    assert str(kanwil_officer) in page
    assert f"{timezone.localtime(restriction.set_at):%d-%m-%Y %H:%M}" in page
    assert reverse("enrolment:worker_restriction_lift", args=[worker(1).pk]) in page
    assert 'name="csrfmiddlewaretoken"' in page

    client.force_login(manager)  # reads the page: the badge, not the reason, no form
    read_only = client.get(reverse("enrolment:worker_detail", args=[worker(1).pk]))
    text = read_only.content.decode()
    assert 'data-testid="restricted-badge"' in text and REASON not in text
    assert 'data-testid="restriction-form"' not in text

    client.force_login(branch_officer)
    client.post(
        reverse("enrolment:worker_restriction_lift", args=[worker(1).pk]), {"reason": "Selesai"}
    )
    after = client.get(reverse("enrolment:worker_detail", args=[worker(1).pk])).content.decode()
    assert 'data-testid="restricted-badge"' not in after
    assert 'data-testid="restrictions"' in after and "Selesai" in after
