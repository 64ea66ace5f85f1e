"""Registration results and payments from BPJS's core system, through the import machinery."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from enrolment import services
from enrolment.imports.results import parse_month
from enrolment.models import Enrolment, EnrolmentChange, RosterImport, Worker, WorkerChange
from partners.models import Institution
from tests.enrolment.rosters import roster_file, row

D = dt.date
SERANG = "Kantor Kemenag Kota Serang"
REGISTRATION, PAYMENT = RosterImport.Kind.REGISTRATION, RosterImport.Kind.PAYMENT
KPJ = {1: "26041234561", 2: "26041234562", 3: "26041234563"}


@pytest.fixture
def serang(reference_data, settings, tmp_path) -> Institution:
    settings.MEDIA_ROOT = tmp_path
    return Institution.objects.get(name=SERANG)


@pytest.fixture
def rostered(serang, serang_partner_admin):
    """Three workers of Kemenag Kota Serang, pending in JKK, JKM and JHT (the PKS's programs)."""
    run(serang_partner_admin, serang, roster_file([row(1), row(2), row(3)]))


def run(by, institution, upload, kind=RosterImport.Kind.ROSTER) -> RosterImport:
    """Upload, check, confirm and apply, as the worker would; returns the import at its end."""
    uploaded = services.roster_upload(
        by=by, institution=institution, upload=upload, kind=kind, enqueue=False
    )
    checked = services.roster_validate(import_id=uploaded.pk)
    if checked.status != RosterImport.Status.VALIDATED or not checked.rows_valid:
        return checked
    services.roster_confirm(by=by, roster_import=checked, enqueue=False)
    return services.roster_apply(import_id=uploaded.pk)


def csv_file(header: list[str], rows: list[list[str]], name: str = "hasil.csv"):
    lines = [";".join(header)] + [";".join(line) for line in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(), "text/csv")


def results(*lines: tuple[int, str, str, str], name: str = "hasil.csv"):
    """Rows of (serial, KPJ, TGL_TERDAFTAR, ALASAN_TOLAK) in the desk's columns."""
    header = ["NIK", "NAMA_LENGKAP", "KPJ", "TGL_TERDAFTAR", "ALASAN_TOLAK"]
    body = [[row(s)["NIK"], f"Pekerja Uji {s}", kpj, on, why] for s, kpj, on, why in lines]
    return csv_file(header, body, name)


def payments(*lines: tuple[str, str, str, str], name: str = "bayar.csv"):
    """Rows of (KPJ, NIK, PROGRAM, BULAN_LUNAS)."""
    return csv_file(["KPJ", "NIK", "PROGRAM", "BULAN_LUNAS"], [list(line) for line in lines], name)


def statuses(serial: int) -> dict[str, str]:
    return dict(
        Enrolment.objects.filter(worker__nik=row(serial)["NIK"]).values_list(
            "program__code", "status"
        )
    )


def issues(roster_import: RosterImport) -> list[tuple[int, str, str]]:
    return list(roster_import.issues.values_list("row", "column", "code"))


def this_month() -> dt.date:
    return dt.date.today().replace(day=1)


def month_before(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def registered(rostered, serang, branch_officer):
    """Workers 1 and 2 registered in all three programs by a results file."""
    return run(
        branch_officer,
        serang,
        results((1, KPJ[1], "02-11-2026", ""), (2, KPJ[2], "03-11-2026", "")),
        REGISTRATION,
    )


# --- registration results ---


def test_the_exported_file_filled_in_by_the_desk_registers_and_records_refusals(
    client, rostered, serang, branch_officer
):
    client.force_login(branch_officer)
    response = client.get(reverse("enrolment:pending_registrations_export", args=[serang.pk]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Pendaftaran"]
    for line in sheet.iter_rows(min_row=2):
        serial = int(line[1].value.rsplit(" ", 1)[1])
        if serial == 3:
            line[11].value = "NIK tidak valid di Dukcapil"
        else:
            line[9].value, line[10].value = KPJ[serial], "02-11-2026"
    filled = io.BytesIO()
    book.save(filled)

    done = run(
        branch_officer,
        serang,
        SimpleUploadedFile("hasil-pendaftaran.xlsx", filled.getvalue()),
        REGISTRATION,
    )

    assert done.status == "applied", done.message
    assert (done.rows_total, done.rows_valid, done.rows_error) == (3, 3, 0)
    assert done.unknown_columns == []  # the desk's file has no column the import does not know
    assert done.summary == {"registered": 6, "rejected": 3, "kpj_recorded": 2, "rows_changing": 3}
    assert (
        statuses(1)
        == statuses(2)
        == {"JKK": "registered", "JKM": "registered", "JHT": "registered"}
    )
    assert Worker.objects.get(nik=row(1)["NIK"]).kpj == KPJ[1]
    refused = Enrolment.objects.filter(worker__nik=row(3)["NIK"])
    assert {(e.status, e.rejected_reason) for e in refused} == {
        ("pending", "NIK tidak valid di Dukcapil")
    }
    jkk = Enrolment.objects.get(worker__nik=row(1)["NIK"], program__code="JKK")
    assert jkk.registered_on == D(2026, 11, 2)
    change = jkk.history.filter(after="registered").get()
    assert (change.before, change.actor, change.roster_import_id) == (
        "pending",
        branch_officer,
        done.pk,
    )
    assert change.note == f"KPJ {KPJ[1]}, terdaftar 02-11-2026"
    assert WorkerChange.objects.filter(roster_import=done).count() == 2


def test_importing_the_same_results_again_changes_nothing(registered, serang, branch_officer):
    changes_before = EnrolmentChange.objects.count()

    again = run(
        branch_officer,
        serang,
        # the same results, saved again in another order: a new file, nothing new in it
        results((2, KPJ[2], "03-11-2026", ""), (1, KPJ[1], "02-11-2026", ""), name="lagi.csv"),
        REGISTRATION,
    )

    assert again.status == "applied"
    assert again.summary == {}
    assert EnrolmentChange.objects.count() == changes_before
    assert WorkerChange.objects.filter(roster_import=again).count() == 0


def test_the_very_same_file_is_refused_with_a_link_to_the_first(registered, serang, branch_officer):
    with pytest.raises(services.RosterError) as refused:
        services.roster_upload(
            by=branch_officer,
            institution=serang,
            upload=results((1, KPJ[1], "02-11-2026", ""), (2, KPJ[2], "03-11-2026", "")),
            kind=REGISTRATION,
            enqueue=False,
        )
    assert refused.value.code == "duplicate_file" and refused.value.existing == registered


def test_each_row_problem_has_its_code_and_the_good_rows_still_apply(
    rostered, serang, branch_officer
):
    done = run(
        branch_officer,
        serang,
        results(
            (1, KPJ[1], "02-11-2026", ""),
            (2, "", "", ""),  # not processed yet
            (3, KPJ[3], "", "Ditolak"),
            (2, "2604", "02-11-2026", ""),
            (2, KPJ[2], "31-02-2026", ""),
            (2, KPJ[2], "01-01-2099", ""),
            (1, KPJ[1], "02-11-2026", ""),  # the desk's file has a worker of two employers twice
            (1, "26049999999", "02-11-2026", ""),
        ),
        REGISTRATION,
    )

    assert issues(done) == [
        (3, "KPJ", "result_empty"),
        (4, "ALASAN_TOLAK", "result_ambiguous"),
        (5, "KPJ", "kpj_format"),
        (6, "TGL_TERDAFTAR", "registered_on_invalid"),
        (7, "TGL_TERDAFTAR", "registered_on_future"),
        (8, "NIK", "nik_repeated"),
        (9, "NIK", "nik_duplicate_in_file"),
    ]
    assert (done.rows_valid, done.rows_warning, done.rows_error) == (1, 1, 6)
    assert done.status == "applied"
    assert set(statuses(1).values()) == {"registered"}
    assert set(statuses(2).values()) == set(statuses(3).values()) == {"pending"}


def test_what_only_the_database_knows_is_checked_too(
    registered, serang, branch_officer, institution
):
    stranger = row(40, NIK="3673015605900040")
    elsewhere = row(41)
    run(branch_officer, institution("Kantor Kemenag Kabupaten Serang"), roster_file([elsewhere]))
    run(branch_officer, serang, roster_file([row(4)], name="tambahan.csv"))
    Enrolment.objects.filter(worker__nik=row(4)["NIK"], program__code="JHT").delete()

    done = run(
        branch_officer,
        serang,
        csv_file(
            ["NIK", "KPJ", "TGL_TERDAFTAR", "ALASAN_TOLAK", "PROGRAM"],
            [
                [stranger["NIK"], "26040000040", "02-11-2026", "", ""],
                [elsewhere["NIK"], "26040000041", "02-11-2026", "", ""],
                [row(1)["NIK"], "26040000001", "02-11-2026", "", ""],  # has KPJ[1] already
                [row(3)["NIK"], KPJ[2], "02-11-2026", "", ""],  # worker 2's KPJ
                [row(4)["NIK"], "", "", "Data tidak lengkap", "JHT"],  # no JHT enrolment
            ],
        ),
        REGISTRATION,
    )

    assert issues(done) == [
        (2, "NIK", "worker_unknown"),
        (3, "NIK", "worker_not_in_institution"),
        (4, "KPJ", "kpj_conflict"),
        (5, "KPJ", "kpj_taken"),
        (6, "PROGRAM", "enrolment_missing"),
    ]
    assert all(
        "Periksa" in m or "Unggah" in m for m in done.issues.values_list("message", flat=True)
    )
    assert (done.rows_valid, done.rows_error, done.status) == (0, 5, "validated")
    assert Worker.objects.get(nik=row(3)["NIK"]).kpj == ""


def test_only_officers_import_files_of_bpjs(rostered, serang, serang_partner_admin):
    with pytest.raises(services.RosterError, match="BPJS"):
        services.roster_upload(
            by=serang_partner_admin,
            institution=serang,
            upload=results((1, KPJ[1], "02-11-2026", "")),
            kind=REGISTRATION,
            enqueue=False,
        )


def test_a_file_without_the_result_columns_is_refused_listing_them(
    rostered, serang, branch_officer
):
    done = run(
        branch_officer,
        serang,
        csv_file(["NIK", "NAMA"], [[row(1)["NIK"], "Pekerja Uji 1"]]),
        REGISTRATION,
    )

    assert (done.status, done.file_code) == ("refused", "missing_columns")
    assert "KPJ, TGL_TERDAFTAR" in done.message and "NIK, NAMA" in done.message


def test_a_roster_and_a_results_file_of_one_institution_can_wait_side_by_side(
    rostered, serang, branch_officer, serang_partner_admin
):
    services.roster_upload(
        by=serang_partner_admin, institution=serang, upload=roster_file([row(5)]), enqueue=False
    )
    waiting = services.roster_upload(
        by=branch_officer,
        institution=serang,
        upload=results((1, KPJ[1], "02-11-2026", "")),
        kind=REGISTRATION,
        enqueue=False,
    )
    assert waiting.status == "uploaded"


# --- payments ---


def test_payments_make_enrolments_active_or_inactive_by_kpj_or_nik(
    registered, serang, branch_officer
):
    now, before = this_month(), month_before(this_month())

    done = run(
        branch_officer,
        serang,
        payments(
            (KPJ[1], "", "", now.strftime("%m-%Y")),
            ("", row(2)["NIK"], "JKK,JKM", before.strftime("%Y-%m")),
        ),
        PAYMENT,
    )

    assert done.status == "applied", list(done.issues.values_list("code", "message"))
    assert done.summary == {"active": 3, "inactive": 2, "rows_changing": 2}
    assert statuses(1) == {"JKK": "active", "JKM": "active", "JHT": "active"}
    assert statuses(2) == {"JKK": "inactive", "JKM": "inactive", "JHT": "registered"}
    jkk = Enrolment.objects.get(worker__nik=row(2)["NIK"], program__code="JKK")
    assert jkk.paid_through == before
    change = jkk.history.filter(roster_import=done).get()
    assert (change.before, change.after, change.actor) == ("registered", "inactive", branch_officer)
    assert change.note == f"Iuran lunas sampai {before:%m-%Y}"


def test_the_same_payments_again_or_an_older_file_change_nothing(
    registered, serang, branch_officer
):
    now, before = this_month(), month_before(this_month())
    run(branch_officer, serang, payments((KPJ[1], "", "", f"{now:%m-%Y}")), PAYMENT)
    changes = EnrolmentChange.objects.count()

    again = run(
        branch_officer, serang, payments((KPJ[1], "", "", f"{now:%Y-%m}"), name="b.csv"), PAYMENT
    )
    older = run(
        branch_officer,
        serang,
        payments((KPJ[1], "", "", f"{before:%m-%Y}"), name="c.csv"),
        PAYMENT,
    )

    assert again.summary == older.summary == {}
    assert EnrolmentChange.objects.count() == changes
    assert set(statuses(1).values()) == {"active"}


def test_payment_rows_are_checked_against_the_registry(registered, serang, branch_officer):
    now = f"{this_month():%m-%Y}"
    done = run(
        branch_officer,
        serang,
        payments(
            ("", "", "", now),
            (KPJ[1], "", "", "13-2026"),
            (KPJ[1], "", "JP", now),
            ("26040000099", "", "", now),
            (KPJ[1], row(2)["NIK"], "", now),
            ("", row(3)["NIK"], "", now),  # refused at registration: still pending
            (KPJ[2], "", "", ""),
            (KPJ[2], "", "", "01-2099"),
        ),
        PAYMENT,
    )

    assert issues(done) == [
        (2, "KPJ", "worker_missing"),
        (3, "BULAN_LUNAS", "paid_through_invalid"),
        (4, "PROGRAM", "program_not_allowed"),
        (5, "KPJ", "kpj_unknown"),
        (6, "KPJ", "kpj_nik_mismatch"),
        (7, "PROGRAM", "enrolment_not_registered"),
        (8, "BULAN_LUNAS", "paid_through_missing"),
        (9, "BULAN_LUNAS", "paid_through_future"),
    ]
    assert done.rows_valid == 0 and done.status == "validated"


def test_active_enrolments_fall_into_arrears_when_a_month_passes_unpaid(
    registered, serang, branch_officer
):
    now = this_month()
    run(branch_officer, serang, payments((KPJ[1], "", "", f"{now:%m-%Y}")), PAYMENT)
    next_month = (now + dt.timedelta(days=32)).replace(day=1)

    assert services.enrolments_mark_arrears(today=now) == 0
    assert services.enrolments_mark_arrears(today=next_month + dt.timedelta(days=3)) == 3
    assert services.enrolments_mark_arrears(today=next_month + dt.timedelta(days=4)) == 0

    assert set(statuses(1).values()) == {"inactive"}
    change = Enrolment.objects.get(worker__nik=row(1)["NIK"], program__code="JKK").history.first()
    assert (change.before, change.after, change.actor) == ("active", "inactive", None)


@pytest.mark.parametrize(
    ("cell", "month"),
    [
        ("03-2026", D(2026, 3, 1)),
        ("3/2026", D(2026, 3, 1)),
        ("2026-03", D(2026, 3, 1)),
        ("Maret 2026", D(2026, 3, 1)),
        ("agt 2025", D(2025, 8, 1)),
        ("15-03-2026", D(2026, 3, 1)),
        (D(2026, 3, 31), D(2026, 3, 1)),
        (46_112, D(2026, 3, 31).replace(day=1)),
        ("13-2026", None),
        ("Maretan 2026", None),
        ("2026", None),
    ],
)
def test_the_paid_month_is_read_in_the_ways_people_write_it(cell, month):
    assert parse_month(cell) == month
