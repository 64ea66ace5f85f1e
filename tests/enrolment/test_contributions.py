"""The monthly contribution bill, checked against figures worked out by hand from DOMAIN.md."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AccessLog
from enrolment.contributions import contribution_bill, line_amount
from enrolment.models import Employment, Enrolment, Program, RosterImport, Worker, WorkerCategory
from partners.models import Agreement, Institution
from tests.enrolment.rosters import nik

SERANG = "Kantor Kemenag Kota Serang"
SERANG_PKS = "PKS Kantor Kemenag Kota Serang"
KAB_SERANG = "Kantor Kemenag Kabupaten Serang"
NOV_2026 = dt.date(2026, 11, 1)


@pytest.fixture
def serang(reference_data) -> Institution:
    return Institution.objects.get(name=SERANG)


@pytest.fixture
def pks(reference_data) -> Agreement:
    """The Kota Serang PKS, as the worked check has it: flat Rp2.000.000, JKK risk class 1."""
    agreement = Agreement.objects.get(title=SERANG_PKS)
    Agreement.objects.filter(pk=agreement.pk).update(flat_wage=Decimal("2000000"), jkk_risk_class=1)
    agreement.refresh_from_db()
    return agreement


@pytest.fixture
def employ(serang):
    """Make a worker employed at Kota Serang; registered in the given programs by default."""
    source = RosterImport.objects.create(
        institution=serang,
        original_name="daftar.csv",
        file="rosters/test/daftar.csv",
        sha256="a" * 64,
        size=1,
        status=RosterImport.Status.APPLIED,
    )
    category = WorkerCategory.objects.get(code="GURU_MADIN")
    programs = {program.code: program for program in Program.objects.all()}

    def make(
        serial: int,
        *codes: str,
        wage: int = 3_500_000,
        agreement: Agreement | None = None,
        status: str = Enrolment.Status.REGISTERED,
        registered_on: dt.date = dt.date(2016, 1, 4),
        start_date: dt.date = dt.date(2015, 7, 1),
        ended_on: dt.date | None = None,
        name: str = "",
    ) -> Worker:
        worker = Worker.objects.create(
            nik=nik(serial),
            full_name=name or f"Guru Uji {serial:03d}",
            birth_date=dt.date(1990, 5, 12),
            sex="P",
            kpj=f"{serial:011d}",
        )
        Employment.objects.create(
            worker=worker,
            institution=serang,
            work_unit="MDT Al-Hidayah",
            category=category,
            wage=wage,
            start_date=start_date,
            ended_on=ended_on,
            end_reason="contract_ended" if ended_on else "",
            source_import=source,
        )
        for code in codes:
            Enrolment.objects.create(
                worker=worker,
                program=programs[code],
                agreement=agreement,
                status=status,
                registered_on=None if status == Enrolment.Status.PENDING else registered_on,
            )
        return worker

    return make


@pytest.fixture
def kab_serang(reference_data) -> Institution:
    return Institution.objects.get(name=KAB_SERANG)


@pytest.fixture
def employ_at(kab_serang):
    """Give a worker a second employment: a religious counsellor at Kabupaten Serang as well."""
    source = RosterImport.objects.create(
        institution=kab_serang,
        original_name="penyuluh.csv",
        file="rosters/test/penyuluh.csv",
        sha256="b" * 64,
        size=1,
        status=RosterImport.Status.APPLIED,
    )
    category = WorkerCategory.objects.get(code="PENYULUH_AGAMA")

    def make(
        worker: Worker,
        *,
        start_date: dt.date,
        wage: int = 2_500_000,
        ended_on: dt.date | None = None,
        institution: Institution | None = None,
    ) -> Employment:
        return Employment.objects.create(
            worker=worker,
            institution=institution or kab_serang,
            work_unit="KUA Kecamatan Ciruas",
            category=category,
            wage=wage,
            start_date=start_date,
            ended_on=ended_on,
            end_reason="contract_ended" if ended_on else "",
            source_import=source,
        )

    return make


def by_program(bill) -> dict[str, dict[str, int]]:
    return {line.program: line.amounts for line in bill.lines}


def test_a_kemenag_honorer_on_the_flat_wage_with_jkk_class_1_and_jkm_costs_10800(
    serang, pks, employ
):
    # The actual wage is Rp3.500.000, but the agreement bills on its flat Rp2.000.000.
    employ(1, "JKK", "JKM", agreement=pks)

    bill = contribution_bill(institution=serang, month=NOV_2026)

    # 0,24 % × 2.000.000 = 4.800 and 0,30 % × 2.000.000 = 6.000, both paid by the employer.
    assert by_program(bill) == {"JKK": {"employer": 4800}, "JKM": {"employer": 6000}}
    assert {line.wage_basis for line in bill.lines} == {2_000_000}
    assert bill.grand_total == 10_800
    assert bill.payer_totals == {"employer": 10_800}
    assert bill.missing == []
    assert bill.lines[0].nik == f"{nik(1)[:4]}********{nik(1)[12:]}"


def test_jht_adds_3_7_percent_for_the_employer_and_2_percent_for_the_worker(serang, pks, employ):
    employ(1, "JKK", "JKM", "JHT", agreement=pks)

    bill = contribution_bill(institution=serang, month=NOV_2026)

    # JHT: 3,7 % × 2.000.000 = 74.000 (employer) and 2 % × 2.000.000 = 40.000 (worker).
    assert by_program(bill)["JHT"] == {"employer": 74_000, "worker": 40_000}
    assert bill.totals["JHT"] == {"employer": 74_000, "worker": 40_000, "total": 114_000}
    assert bill.payer_totals == {"employer": 4_800 + 6_000 + 74_000, "worker": 40_000}
    assert bill.grand_total == 124_800
    assert [rate.legal_basis for rate in bill.rates_used if rate.program == "JHT"] == [
        "PP 46/2015",
        "PP 46/2015",
    ]


def test_the_pp_49_2020_relief_cuts_jkk_and_jkm_by_99_percent_in_october_2020(serang, pks, employ):
    employ(1, "JKK", "JKM", agreement=pks)

    bill = contribution_bill(institution=serang, month=dt.date(2020, 10, 1))

    # 0,0024 % × 2.000.000 = 48 and 0,0030 % × 2.000.000 = 60.
    assert by_program(bill) == {"JKK": {"employer": 48}, "JKM": {"employer": 60}}
    assert bill.grand_total == 108
    assert {rate.legal_basis for rate in bill.rates_used} == {
        "PP 49/2020 (relaksasi iuran masa pandemi)"
    }
    after = contribution_bill(institution=serang, month=dt.date(2021, 2, 1))
    assert after.grand_total == 10_800


def test_the_jkk_risk_class_of_the_agreement_sets_the_jkk_rate(serang, pks, employ):
    Agreement.objects.filter(pk=pks.pk).update(jkk_risk_class=3)
    pks.refresh_from_db()
    employ(1, "JKK", agreement=pks)

    bill = contribution_bill(institution=serang, month=NOV_2026)

    assert by_program(bill) == {"JKK": {"employer": 17_800}}  # 0,89 % × 2.000.000
    assert [rate.risk_class for rate in bill.rates_used] == [3]


def test_jp_is_computed_on_the_wage_capped_at_the_ceiling_of_the_month(serang, employ):
    # No agreement: the actual wage, Rp12.000.000, above both ceilings.
    employ(1, "JKK", "JP", wage=12_000_000)

    february = contribution_bill(institution=serang, month=dt.date(2025, 2, 1))
    march = contribution_bill(institution=serang, month=dt.date(2025, 3, 1))

    # Feb 2025: ceiling 10.042.300 → 2 % = 200.846, 1 % = 100.423.
    assert by_program(february)["JP"] == {"employer": 200_846, "worker": 100_423}
    # Mar 2025: ceiling 10.547.400 → 2 % = 210.948, 1 % = 105.474.
    assert by_program(march)["JP"] == {"employer": 210_948, "worker": 105_474}
    # JKK is not capped: 0,24 % × 12.000.000 = 28.800 in both months.
    assert by_program(february)["JKK"] == by_program(march)["JKK"] == {"employer": 28_800}
    jp_line = next(line for line in march.lines if line.program == "JP")
    assert (jp_line.wage_basis, jp_line.base) == (12_000_000, 10_547_400)
    assert [ceiling.amount for ceiling in march.ceilings_used] == [Decimal("10547400")]


def test_each_payers_amount_is_rounded_to_whole_rupiah_half_up():
    # 2 % × 2.000.025 = 40.000,50 → 40.001 (half up, not to even).
    assert line_amount(base=Decimal(2_000_025), percent=Decimal("2.0"), flat=None) == 40_001
    # 0,24 % × 2.000.125 = 4.800,30 → 4.800.
    assert line_amount(base=Decimal(2_000_125), percent=Decimal("0.24"), flat=None) == 4_800
    assert line_amount(base=Decimal(0), percent=None, flat=Decimal("6800")) == 6_800


def test_an_employment_ended_before_the_month_or_starting_after_it_is_not_billed(
    serang, pks, employ
):
    employ(1, "JKK", "JKM", agreement=pks)
    employ(2, "JKK", "JKM", agreement=pks, ended_on=dt.date(2026, 10, 31))
    employ(3, "JKK", "JKM", agreement=pks, ended_on=dt.date(2026, 11, 15))
    employ(4, "JKK", "JKM", agreement=pks, start_date=dt.date(2026, 12, 1))

    bill = contribution_bill(institution=serang, month=NOV_2026)

    assert sorted({line.name for line in bill.lines}) == ["Guru Uji 001", "Guru Uji 003"]
    assert bill.workers == 2
    assert bill.grand_total == 2 * 10_800
    october = contribution_bill(institution=serang, month=dt.date(2026, 10, 1))
    assert october.workers == 3


def test_a_pending_enrolment_is_counted_but_not_billed(serang, pks, employ):
    employ(1, "JKK", "JKM", agreement=pks)
    employ(2, "JKK", "JKM", agreement=pks, status=Enrolment.Status.PENDING)
    employ(3, "JKK", agreement=pks, registered_on=dt.date(2026, 12, 1))  # registered later

    bill = contribution_bill(institution=serang, month=NOV_2026)

    assert bill.pending_count == 2
    assert {line.worker_id for line in bill.lines} == {Worker.objects.get(nik=nik(1)).pk}
    assert bill.grand_total == 10_800


def test_a_program_without_a_rate_that_month_is_reported_missing_not_billed_as_zero(
    serang, pks, employ
):
    employ(
        1,
        "JKK",
        "JKM",
        agreement=pks,
        start_date=dt.date(2015, 1, 2),
        registered_on=dt.date(2015, 1, 5),
    )

    bill = contribution_bill(institution=serang, month=dt.date(2015, 6, 1))  # before PP 44/2015

    assert bill.missing == ["JKK 1", "JKM"]
    assert bill.lines == []
    assert bill.grand_total == 0


@pytest.mark.parametrize("workers", [5, 40])
def test_the_bill_reads_in_four_queries_whatever_the_number_of_workers(
    workers, serang, pks, employ, django_assert_max_num_queries
):
    for serial in range(1, workers + 1):
        employ(serial, "JKK", "JKM", "JHT", agreement=pks)

    with django_assert_max_num_queries(4):
        bill = contribution_bill(institution=serang, month=NOV_2026)

    assert len(bill.lines) == 3 * workers
    assert bill.grand_total == workers * 124_800


def test_the_page_shows_totals_per_program_and_payer_and_the_legal_basis(
    client, serang_partner_admin, serang, pks, employ
):
    employ(1, "JKK", "JKM", agreement=pks)
    client.force_login(serang_partner_admin)

    url = reverse("enrolment:contribution_bill", args=(serang.pk,))
    response = client.get(url, {"bulan": "2026-11"}, HTTP_ACCEPT_LANGUAGE="id")

    page = response.content.decode()
    assert response.status_code == 200
    assert "November 2026" in page
    assert 'data-testid="grand-total">Rp10.800<' in page
    assert "Rp4.800" in page and "Rp6.000" in page
    assert "PP 44/2015" in page
    assert "Tagihan iuran" in page and "Dasar hukum tarif" in page
    assert "JKK (kelompok risiko 1), pemberi kerja: 0,24%" in page
    assert nik(1) not in page
    assert f"{nik(1)[:4]}********{nik(1)[12:]}" in page
    assert "ekspor.xlsx?bulan=2026-11" in page
    assert AccessLog.objects.filter(user=serang_partner_admin, action="view", rows=1).exists()


def test_an_invalid_month_is_a_form_error_not_a_server_error(client, serang_partner_admin, serang):
    client.force_login(serang_partner_admin)
    url = reverse("enrolment:contribution_bill", args=(serang.pk,))

    response = client.get(url, {"bulan": "2026-13"}, HTTP_ACCEPT_LANGUAGE="id")
    export = client.get(
        reverse("enrolment:contribution_bill_export", args=(serang.pk,)), {"bulan": "nov"}
    )

    assert response.status_code == 200
    assert "Isi bulan sebagai tahun dan bulan, misalnya 2026-11." in response.content.decode()
    assert response.context["bill"] is None
    assert export.status_code == 400


def test_the_xlsx_has_the_lines_masked_niks_and_the_totals(
    client, serang_partner_admin, serang, pks, employ
):
    employ(1, "JKK", "JKM", "JHT", agreement=pks, name="=HYPERLINK(1)")
    employ(2, "JKK", "JKM", agreement=pks)
    client.force_login(serang_partner_admin)

    response = client.get(
        reverse("enrolment:contribution_bill_export", args=(serang.pk,)),
        {"bulan": "2026-11"},
        HTTP_ACCEPT_LANGUAGE="id",
    )

    assert response.status_code == 200
    assert f'filename="iuran-{serang.pk}-2026-11-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, lines, totals = rows[0], rows[1:6], rows[6:]
    assert header[-3:] == ("Pemberi kerja", "Pekerja", "Jumlah (Rp)")
    assert len(lines) == 5
    assert {row[1] for row in lines} == {f"{nik(s)[:4]}********{nik(s)[12:]}" for s in (1, 2)}
    formula = next(sheet.iter_rows(min_row=2, max_row=2))
    assert [cell for cell in formula if cell.value == "=HYPERLINK(1)"][0].data_type == "s"
    assert [(row[3], row[-3], row[-2], row[-1]) for row in totals[:-1]] == [
        ("JKK", 9_600, 0, 9_600),
        ("JKM", 12_000, 0, 12_000),
        ("JHT", 74_000, 40_000, 114_000),
    ]
    assert totals[-1][-3:] == (95_600, 40_000, 135_600)
    assert AccessLog.objects.filter(user=serang_partner_admin, action="export", rows=2).exists()


# --- a worker employed at two institutions is billed once -------------------------------------


def test_a_worker_at_two_institutions_is_billed_only_by_the_one_that_employed_them_first(
    serang, kab_serang, pks, employ, employ_at
):
    both = employ(1, "JKK", "JKM", agreement=pks)  # at Kota Serang since July 2015
    employ_at(both, start_date=dt.date(2020, 1, 6))
    only_kab = employ(2, "JKK", "JKM")
    Employment.objects.filter(worker=only_kab).update(institution=kab_serang, wage=2_000_000)

    kota_bill = contribution_bill(institution=serang, month=NOV_2026)
    kab_bill = contribution_bill(institution=kab_serang, month=NOV_2026)

    assert {line.worker_id for line in kota_bill.lines} == {both.pk}
    assert (kota_bill.grand_total, kota_bill.billed_elsewhere) == (10_800, 0)
    assert {line.worker_id for line in kab_bill.lines} == {only_kab.pk}
    assert kab_bill.billed_elsewhere == 1
    assert (kab_bill.workers, kab_bill.grand_total) == (1, 10_800)  # 0,54 % × Rp2.000.000


def test_on_the_same_start_date_the_employment_recorded_first_decides(
    serang, kab_serang, employ, employ_at
):
    worker = employ(1, "JKK", start_date=dt.date(2020, 1, 6))
    employ_at(worker, start_date=dt.date(2020, 1, 6))

    kota_bill = contribution_bill(institution=serang, month=NOV_2026)
    kab_bill = contribution_bill(institution=kab_serang, month=NOV_2026)

    assert [line.worker_id for line in kota_bill.lines] == [worker.pk]
    assert (kab_bill.lines, kab_bill.billed_elsewhere) == ([], 1)


def test_when_the_first_employment_ends_before_the_month_the_second_institution_bills_the_worker(
    serang, kab_serang, employ, employ_at
):
    # No agreement: the wage basis is the wage at the institution that bills.
    worker = employ(1, "JKK", "JKM", ended_on=dt.date(2026, 10, 31))
    employ_at(worker, start_date=dt.date(2020, 1, 6), wage=2_500_000)

    october = contribution_bill(institution=serang, month=dt.date(2026, 10, 1))
    october_kab = contribution_bill(institution=kab_serang, month=dt.date(2026, 10, 1))
    november = contribution_bill(institution=serang, month=NOV_2026)
    november_kab = contribution_bill(institution=kab_serang, month=NOV_2026)

    # October: Kota Serang, on Rp3.500.000: 8.400 + 10.500.
    assert (october.grand_total, october_kab.grand_total) == (18_900, 0)
    assert october_kab.billed_elsewhere == 1
    # November: Kabupaten Serang, on Rp2.500.000: 6.000 + 7.500; Kota Serang no longer employs.
    assert (november.lines, november.billed_elsewhere) == ([], 0)
    assert {line.wage_basis for line in november_kab.lines} == {2_500_000}
    assert (november_kab.grand_total, november_kab.billed_elsewhere) == (13_500, 0)


def test_a_pending_enrolment_is_counted_only_by_the_primary_employer(
    serang, kab_serang, employ, employ_at
):
    worker = employ(1, "JKK", "JKM", status=Enrolment.Status.PENDING)
    employ_at(worker, start_date=dt.date(2020, 1, 6))

    kota_bill = contribution_bill(institution=serang, month=NOV_2026)
    kab_bill = contribution_bill(institution=kab_serang, month=NOV_2026)

    assert (kota_bill.pending_count, kab_bill.pending_count) == (2, 0)
    assert kab_bill.billed_elsewhere == 1


def test_the_bill_of_workers_at_two_institutions_takes_as_many_queries_for_one_as_for_five(
    serang, kab_serang, pks, employ, employ_at
):
    def queries(institution: Institution) -> int:
        with CaptureQueriesContext(connection) as captured:
            contribution_bill(institution=institution, month=NOV_2026)
        return len(captured.captured_queries)

    employ_at(employ(1, "JKK", "JKM", agreement=pks), start_date=dt.date(2020, 1, 6))
    one = (queries(serang), queries(kab_serang))
    for serial in range(2, 6):
        employ_at(employ(serial, "JKK", "JKM", agreement=pks), start_date=dt.date(2020, 1, 6))
    five = (queries(serang), queries(kab_serang))

    assert one == five == (4, 4)
    assert contribution_bill(institution=kab_serang, month=NOV_2026).billed_elsewhere == 5


def test_the_page_and_the_xlsx_say_how_many_workers_are_billed_at_another_institution(
    client, banten_partner_admin, kab_serang, pks, employ, employ_at
):
    for serial in (1, 2):
        employ_at(employ(serial, "JKK", agreement=pks), start_date=dt.date(2020, 1, 6))
    client.force_login(banten_partner_admin)

    page = client.get(
        reverse("enrolment:contribution_bill", args=(kab_serang.pk,)),
        {"bulan": "2026-11"},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    export = client.get(
        reverse("enrolment:contribution_bill_export", args=(kab_serang.pk,)),
        {"bulan": "2026-11"},
        HTTP_ACCEPT_LANGUAGE="id",
    )

    assert page.status_code == 200
    assert page.context["bill"].billed_elsewhere == 2
    notice = page.content.decode().split('data-testid="billed-elsewhere">')[1].split("</div>")[0]
    assert notice.strip().startswith("2 ")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[-1][0] == notice.strip()
    assert rows[-2][-1] == 0  # the grand total: nothing billed here
