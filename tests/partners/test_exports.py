from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrolment.models import Program
from partners.models import Agreement, Contact, Institution
from partners.services import agreement_change_status, agreement_create
from regions.models import Office

D = dt.date
INSTITUTION_HEADERS = [
    "Nama",
    "Jenis",
    "Tingkat",
    "Provinsi",
    "Kabupaten/kota",
    "Lembaga induk",
    "Kantor BPJS penanggung jawab",
    "NPWP",
    "Perjanjian aktif",
    "Alamat",
    "Telepon",
    "E-mail",
    "Narahubung",
]
AGREEMENT_HEADERS = [
    "Judul",
    "Jenis",
    "Status",
    "Lembaga mitra",
    "Provinsi",
    "Kantor BPJS",
    "Nomor dokumen",
    "Tanggal penandatanganan",
    "Berlaku mulai",
    "Berakhir pada",
    "Program",
    "Ruang lingkup",
]


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def export(client, name: str, fmt: str, **query):
    return client.get(reverse(f"partners:{name}_export", args=[fmt]), query)


# --- institutions ------------------------------------------------------------------------------


def test_institution_export_holds_the_filtered_rows_with_indonesian_headers(
    client, kanwil_officer, institution
):
    kemenag = institution("Kantor Kemenag Kota Serang")
    Institution.objects.filter(pk=kemenag.pk).update(npwp="0012345678901000", phone="0254-200123")
    Contact.objects.create(institution=kemenag, name="Ahmad Sobari", position="Kasubbag TU")
    client.force_login(kanwil_officer)

    response = export(client, "institution", "xlsx", q="kota serang")

    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="mitra-{today:%Y-%m-%d}.xlsx"'
    assert xlsx_rows(response) == [
        INSTITUTION_HEADERS,
        [
            "Kantor Kemenag Kota Serang",
            "Kantor Kemenag Kab/Kota",
            "Kabupaten/kota",
            "Banten",
            "Kota Serang",
            "Kanwil Kemenag Provinsi Banten",
            "Kantor Cabang Serang",
            "0012345678901000",
            "Ya",
            None,
            "0254-200123",
            None,
            "Ahmad Sobari, Kasubbag TU",
        ],
    ]


def test_institution_export_applies_every_filter_of_the_list(client, national_admin):
    client.force_login(national_admin)
    office = Office.objects.get(code="kc-ambon").pk
    rows = csv_rows(export(client, "institution", "csv", province="81", office=office))
    assert [row[0] for row in rows] == [
        "Nama",
        "Kantor Kemenag Kota Ambon",
        "Kanwil Kemenag Provinsi Maluku",
    ]


def test_partner_admin_exports_only_what_it_sees(
    client, serang_partner_admin, maluku_partner_admin
):
    client.force_login(serang_partner_admin)
    assert [row[0] for row in xlsx_rows(export(client, "institution", "xlsx"))[1:]] == [
        "Kantor Kemenag Kota Serang"
    ]
    client.force_login(maluku_partner_admin)
    rows = csv_rows(export(client, "institution", "csv", q="serang"))
    assert rows == [INSTITUTION_HEADERS]


def test_an_exported_name_that_looks_like_a_formula_stays_text(client, national_admin):
    Institution.objects.create(
        name='=HYPERLINK("http://evil.example","Klik")',
        kind="lainnya",
        level="lokal",
        province_id="36",
        address="@SUM(A1)",
    )
    client.force_login(national_admin)
    sheet = load_workbook(io.BytesIO(export(client, "institution", "xlsx", q="HYPERLINK").content))
    name, address = sheet.active["A2"], sheet.active["J2"]
    assert (name.value, name.data_type) == ('=HYPERLINK("http://evil.example","Klik")', "s")
    assert (address.value, address.data_type) == ("@SUM(A1)", "s")
    row = csv_rows(export(client, "institution", "csv", q="HYPERLINK"))[1]
    assert row[0] == '\'=HYPERLINK("http://evil.example","Klik")' and row[9] == "'@SUM(A1)"


# --- agreements --------------------------------------------------------------------------------


def record(by, institution: Institution, title: str, number: str, *, activate=False) -> Agreement:
    agreement = agreement_create(
        by=by,
        kind=Agreement.Kind.PKS,
        title=title,
        institution=institution,
        office=institution.office,
        signed_on=D(2025, 1, 10),
        effective_from=D(2025, 2, 1),
        expires_on=D(2027, 1, 31),
        scopes=[Agreement.Scope.COVERAGE, Agreement.Scope.DATA_EXCHANGE],
        programs=list(Program.objects.filter(code__in=["JKM", "JKK"])),
        institution_number=f"B-{number}/Kk.28.01/HM.01/2025",
        office_number=f"PKS/{number}/012025",
    )
    if activate:
        for status in ["in_review", "signed", "active"]:
            agreement_change_status(agreement=agreement, to=status, by=by)
    return agreement


def test_agreement_export_lists_parties_numbers_programs_and_dates(
    client, kanwil_officer, institution
):
    record(kanwil_officer, institution("Kantor Kemenag Kota Serang"), "PKS Kemenag Kota", "17")
    client.force_login(kanwil_officer)
    response = export(client, "agreement", "xlsx", q="PKS Kemenag Kota")
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="perjanjian-{today:%Y-%m-%d}.xlsx"'
    )
    assert xlsx_rows(response) == [
        AGREEMENT_HEADERS,
        [
            "PKS Kemenag Kota",
            "PKS (Perjanjian Kerja Sama)",
            "Draf",
            "Kantor Kemenag Kota Serang",
            "Banten",
            "Kantor Cabang Serang",
            "PKS/17/012025; B-17/Kk.28.01/HM.01/2025",
            "10-01-2025",
            "01-02-2025",
            "31-01-2027",
            "JKK, JKM",
            "Perluasan kepesertaan, Pertukaran data",
        ],
    ]


def test_agreement_export_applies_the_agreement_list_filters_and_scope(
    client, kanwil_officer, maluku_partner_admin, institution
):
    record(
        kanwil_officer, institution("Kantor Kemenag Kota Serang"), "PKS aktif", "1", activate=True
    )
    record(kanwil_officer, institution("Kejaksaan Negeri Serang"), "SKK draf", "2")
    client.force_login(kanwil_officer)
    rows = csv_rows(export(client, "agreement", "csv", status="active"))
    titles = [row[0] for row in rows]
    assert titles[0] == "Judul" and "PKS aktif" in titles and "SKK draf" not in titles
    assert {row[2] for row in rows[1:]} == {"Aktif"}
    client.force_login(maluku_partner_admin)
    maluku_rows = csv_rows(export(client, "agreement", "csv"))
    assert [row[0] for row in maluku_rows] == [
        "Judul",
        "PKS Perlindungan Pegawai Non-ASN Kanwil Kemenag Provinsi Maluku",
    ]


@pytest.mark.parametrize("count", [2, 30])
def test_agreement_export_costs_the_same_queries_for_2_or_30_agreements(
    count, client, national_admin, kanwil_officer, institution, django_assert_max_num_queries
):
    kemenag = institution("Kantor Kemenag Kota Serang")
    for number in range(count):
        record(kanwil_officer, kemenag, f"PKS {number:02d}", str(number))
    client.force_login(national_admin)
    # session, user, the second factor's device, roles, count (for paging), rows, parties,
    # programs, session save (3)
    with django_assert_max_num_queries(11):
        response = export(client, "agreement", "xlsx")
    assert len(xlsx_rows(response)) == count + 9  # the header and 8 demo agreements


@pytest.mark.parametrize("count", [2, 30])
def test_institution_export_costs_the_same_queries_for_few_or_many_rows(
    count, client, national_admin, django_assert_max_num_queries
):
    Institution.objects.bulk_create(
        Institution(name=f"Madrasah {i:02d}", kind="pendidikan", level="lokal", province_id="36")
        for i in range(count)
    )
    client.force_login(national_admin)
    # session, user, the second factor's device, roles, count (for paging), rows, contacts,
    # session save (3)
    with django_assert_max_num_queries(10):
        response = export(client, "institution", "csv")
    assert len(csv_rows(response)) == Institution.objects.count() + 1


def test_an_unknown_export_format_is_not_found(client, national_admin):
    client.force_login(national_admin)
    assert export(client, "institution", "pdf").status_code == 404
    assert export(client, "agreement", "xls").status_code == 404
