"""Restriction of processing (UU 27/2022): a restricted person's rows are skipped by every import,
every export that lists people leaves them out, and only BPJS officers who see them decide."""

from __future__ import annotations

import datetime as dt
import io

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
from enrolment.models import Employment, Enrolment, Restriction, RosterImport, StagedRow, Worker
from partners.models import Institution
from tests.enrolment.rosters import roster_file, row
from tests.enrolment.test_result_imports import KPJ, PAYMENT, REGISTRATION, payments, results, run

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
