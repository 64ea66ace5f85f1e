"""The registration desk's file: pending registrations per institution or agreement, as XLSX."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import AccessLog
from enrolment import services
from enrolment.models import Employment, Enrolment, Worker
from enrolment.registration import HEADERS, LAYOUT, pending_registrations
from partners.models import Agreement, Institution
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"
SERANG_PKS = "PKS Kantor Kemenag Kota Serang"


def apply_roster(by, institution: Institution, serials: range) -> None:
    roster_import = services.roster_upload(
        by=by,
        institution=institution,
        upload=roster_file([row(serial) for serial in serials]),
        enqueue=False,
    )
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=by, roster_import=checked, enqueue=False)
    services.roster_apply(import_id=roster_import.pk)


@pytest.fixture
def serang(reference_data) -> Institution:
    Institution.objects.filter(name=SERANG).update(npp="12345678", npp_division="001")
    return Institution.objects.get(name=SERANG)


@pytest.fixture
def applied(serang_partner_admin, serang, settings, tmp_path):
    """Three workers of Kemenag Kota Serang, pending in JKK, JKM and JHT under the PKS."""
    settings.MEDIA_ROOT = tmp_path
    apply_roster(serang_partner_admin, serang, range(1, 4))


def worker(serial: int) -> Worker:
    return Worker.objects.get(nik=row(serial)["NIK"])


def sheets(response) -> tuple[list[tuple], list[tuple]]:
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Pendaftaran", "Keterangan"]
    return (
        list(book["Pendaftaran"].iter_rows(values_only=True)),
        list(book["Keterangan"].iter_rows(values_only=True)),
    )


def export(client, user, institution: Institution):
    client.force_login(user)
    return client.get(reverse("enrolment:pending_registrations_export", args=[institution.pk]))


def test_the_file_has_the_documented_layout_and_explains_it(
    client, applied, serang, branch_officer
):
    response = export(client, branch_officer, serang)

    assert response.status_code == 200
    today = timezone.localdate()
    assert (
        f'filename="pendaftaran-kemenag-kota-serang-{today:%Y-%m-%d}.xlsx"'
        in response["Content-Disposition"]
    )
    rows, notes = sheets(response)
    assert (
        list(rows[0])
        == HEADERS
        == [
            "NIK",
            "NAMA_LENGKAP",
            "TANGGAL_LAHIR",
            "JENIS_KELAMIN",
            "NPP",
            "DIVISI",
            "UPAH",
            "PROGRAM",
            "KODE_LEMBAGA",
            "KPJ",
            "TGL_TERDAFTAR",
            "ALASAN_TOLAK",
        ]
    )
    documented = [line[:2] for line in notes if line and line[0] in HEADERS]
    assert [column for column, _meaning in documented] == HEADERS
    with translation.override("id"):
        assert documented == [(column, str(meaning)) for column, meaning in LAYOUT]
    text = " ".join(str(value) for line in notes for value in line if value)
    assert "KPJ" in text and "ALASAN_TOLAK" in text and "NIK" in text
    book = load_workbook(io.BytesIO(response.content))
    assert book["Pendaftaran"].freeze_panes == "A2"
    assert all(cell.font.b for cell in book["Pendaftaran"][1])


def test_each_worker_with_pending_enrolments_is_one_row_with_programs_joined(
    client, applied, serang, branch_officer
):
    response = export(client, branch_officer, serang)

    rows, _notes = sheets(response)
    assert len(rows) == 1 + 3
    first = dict(zip(HEADERS, rows[1], strict=True))
    source = row(1)
    assert first == {
        "NIK": source["NIK"],
        "NAMA_LENGKAP": "Pekerja Uji 1",
        "TANGGAL_LAHIR": source["TANGGAL_LAHIR"],
        "JENIS_KELAMIN": source["JENIS_KELAMIN"],
        "NPP": "12345678",
        "DIVISI": "001",
        "UPAH": 2_000_000,
        "PROGRAM": "JKK,JKM,JHT",
        "KODE_LEMBAGA": "kemenag-kota-serang",
        "KPJ": None,
        "TGL_TERDAFTAR": None,
        "ALASAN_TOLAK": None,
    }
    assert [line[1] for line in rows[1:]] == ["Pekerja Uji 1", "Pekerja Uji 2", "Pekerja Uji 3"]


def test_the_nik_is_a_text_cell_with_all_16_digits(client, applied, serang, branch_officer):
    response = export(client, branch_officer, serang)

    sheet = load_workbook(io.BytesIO(response.content))["Pendaftaran"]
    nik_cell, npp_cell, kpj_cell = sheet["A2"], sheet["E2"], sheet["J2"]
    assert nik_cell.value == row(1)["NIK"] and len(nik_cell.value) == 16
    assert nik_cell.data_type == "s" and nik_cell.number_format == "@"
    assert npp_cell.data_type == "s" and npp_cell.number_format == "@"
    assert kpj_cell.number_format == "@"  # the desk types the KPJ into a Text cell


def test_the_flat_wage_of_the_agreement_is_the_wage(client, applied, serang, branch_officer):
    Agreement.objects.filter(title=SERANG_PKS).update(flat_wage=Decimal("2750000.50"))
    Employment.objects.filter(worker=worker(3)).update(wage=4_100_000)
    Enrolment.objects.filter(worker=worker(3)).update(agreement=None)

    rows = {line.nik: line.wage for line in pending_registrations(institution=serang)}

    assert rows == {row(1)["NIK"]: 2_750_001, row(2)["NIK"]: 2_750_001, row(3)["NIK"]: 4_100_000}


def test_registered_workers_and_programs_are_left_out(applied, serang, branch_officer):
    for code in ["JKK", "JKM", "JHT"]:
        services.enrolment_register(
            enrolment=Enrolment.objects.get(worker=worker(1), program__code=code),
            kpj="26041234567",
            registered_on=dt.date(2026, 11, 2),
            by=branch_officer,
        )
    services.enrolment_register(
        enrolment=Enrolment.objects.get(worker=worker(2), program__code="JKK"),
        kpj="26041234568",
        registered_on=dt.date(2026, 11, 2),
        by=branch_officer,
    )

    rows = pending_registrations(institution=serang)

    assert [(line.name, line.programs) for line in rows] == [
        ("Pekerja Uji 2", ["JKM", "JHT"]),
        ("Pekerja Uji 3", ["JKK", "JKM", "JHT"]),
    ]


def test_a_worker_whose_employment_ended_is_left_out(applied, serang):
    # The enrolments are still pending: only the employment's end keeps the worker out.
    Employment.objects.filter(worker=worker(2)).update(
        ended_on=dt.date(2026, 1, 31), end_reason="resigned"
    )

    rows = pending_registrations(institution=serang)

    assert [line.name for line in rows] == ["Pekerja Uji 1", "Pekerja Uji 3"]
    assert Enrolment.objects.filter(worker=worker(2), status="pending").count() == 3


def test_the_agreement_export_has_only_that_agreements_enrolments(
    client, applied, serang, kanwil_officer
):
    pks = Agreement.objects.get(title=SERANG_PKS)
    Enrolment.objects.filter(worker=worker(2)).update(agreement=None)
    Enrolment.objects.filter(worker=worker(3), program__code="JHT").update(agreement=None)
    client.force_login(kanwil_officer)

    response = client.get(
        reverse("enrolment:agreement_pending_registrations_export", args=[pks.pk])
    )

    assert response.status_code == 200
    assert (
        'filename="pendaftaran-pks-kantor-kemenag-kota-serang-' in (response["Content-Disposition"])
    )
    rows, _notes = sheets(response)
    assert [(line[1], line[4], line[7]) for line in rows[1:]] == [
        ("Pekerja Uji 1", "12345678", "JKK,JKM,JHT"),
        ("Pekerja Uji 3", "12345678", "JKK,JKM"),
    ]
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (log.user, log.rows, log.what) == (kanwil_officer, 2, f"pendaftaran tertunda {pks}")


def test_each_export_writes_an_access_log_row_with_the_number_of_people(
    client, applied, serang, branch_officer
):
    export(client, branch_officer, serang)

    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (log.user, log.rows, log.what) == (branch_officer, 3, f"pendaftaran tertunda {SERANG}")


def test_an_institution_without_an_npp_still_exports_with_the_column_empty(
    client, applied, serang, branch_officer
):
    Institution.objects.filter(pk=serang.pk).update(npp="", npp_division="")

    rows, _notes = sheets(export(client, branch_officer, serang))

    assert len(rows) == 4
    assert {(line[4], line[5]) for line in rows[1:]} == {(None, None)}


def test_only_officers_download_the_desk_file(
    client, applied, serang, serang_partner_admin, manager, maluku_partner_admin
):
    assert export(client, serang_partner_admin, serang).status_code == 403
    assert export(client, manager, serang).status_code == 403
    assert export(client, maluku_partner_admin, serang).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_the_query_count_does_not_grow_with_the_number_of_workers(
    client, serang, serang_partner_admin, branch_officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(branch_officer)
    url = reverse("enrolment:pending_registrations_export", args=[serang.pk])
    apply_roster(serang_partner_admin, serang, range(1, 4))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as selector:
        assert len(pending_registrations(institution=serang)) == 3
    apply_roster(serang_partner_admin, serang, range(4, 31))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(selector) == 1
    assert len(many) == len(few)
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).first().rows == 30  # newest


def test_a_name_starting_with_equals_stays_a_text_cell(client, applied, serang, branch_officer):
    Worker.objects.filter(pk=worker(1).pk).update(full_name='=HYPERLINK("http://x")')

    sheet = load_workbook(io.BytesIO(export(client, branch_officer, serang).content))["Pendaftaran"]

    cell = sheet["B2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_officers_find_the_download_on_the_institution_and_agreement_pages(
    client, applied, serang, branch_officer, serang_partner_admin
):
    pks = Agreement.objects.get(title=SERANG_PKS)
    institution_url = reverse("partners:institution_detail", args=[serang.pk])
    agreement_url = reverse("partners:agreement_detail", args=[pks.pk])
    link = reverse("enrolment:pending_registrations_export", args=[serang.pk])
    agreement_link = reverse("enrolment:agreement_pending_registrations_export", args=[pks.pk])

    client.force_login(branch_officer)
    assert link in client.get(institution_url).content.decode()
    assert agreement_link in client.get(agreement_url).content.decode()
    assert "Unduh pendaftaran tertunda (XLSX)" in client.get(institution_url).content.decode()
    client.force_login(serang_partner_admin)
    assert link not in client.get(institution_url).content.decode()
    assert agreement_link not in client.get(agreement_url).content.decode()
