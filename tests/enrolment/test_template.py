import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from enrolment.imports import COLUMNS, REQUIRED_COLUMNS
from enrolment.imports.columns import map_headers
from enrolment.imports.files import inspect_upload, open_rows
from enrolment.imports.template import roster_template_csv, roster_template_xlsx
from enrolment.models import WorkerCategory
from regions.models import District

pytestmark = pytest.mark.django_db


@pytest.fixture
def template_xlsx(reference_data, tmp_path):
    path = tmp_path / "templat-roster.xlsx"
    path.write_bytes(roster_template_xlsx())
    return path


def example_row(path, fmt):
    assert inspect_upload(path, max_bytes=1024 * 1024) == fmt
    with open_rows(path, fmt) as source:
        header_map = map_headers(source.headers)
        assert header_map.unknown == []
        [(number, values)] = list(source)
    assert number == 2
    return header_map.row_values(values)


def nik_facts(nik: str) -> tuple[str, dt.date, str]:
    """District, birth date and sex written in a NIK (day + 40 for women)."""
    day, sex = int(nik[6:8]), "L"
    if day > 40:
        day, sex = day - 40, "P"
    year = 1900 + int(nik[10:12])
    return f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}", dt.date(year, int(nik[8:10]), day), sex


def test_the_xlsx_template_opens_on_data_with_bold_frozen_template_headers(template_xlsx):
    workbook = load_workbook(template_xlsx)
    assert workbook.sheetnames == ["Data", "Petunjuk", "Daftar"]
    assert workbook.active.title == "Data"
    assert workbook["Daftar"].sheet_state == "hidden"
    data = workbook["Data"]
    assert [cell.value for cell in data[1]] == COLUMNS
    assert all(cell.font.bold for cell in data[1])
    assert data.freeze_panes == "A2"


def test_the_nik_like_columns_are_text_for_the_whole_column(template_xlsx):
    data = load_workbook(template_xlsx)["Data"]
    for column in ("NIK", "KPJ", "NOMOR_INDUK", "NO_HP"):
        letter = data.cell(row=1, column=COLUMNS.index(column) + 1).column_letter
        assert data.column_dimensions[letter].number_format == "@", column
    nik = data.cell(row=2, column=1)
    assert nik.number_format == "@"
    assert nik.data_type == "s"
    assert nik.value == "3673015205900001"


def test_the_drop_downs_offer_sex_and_the_categories_from_the_database(template_xlsx):
    workbook = load_workbook(template_xlsx)
    validations = {
        COLUMNS[next(iter(validation.sqref.ranges)).min_col - 1]: validation
        for validation in workbook["Data"].data_validations.dataValidation
    }
    assert validations["JENIS_KELAMIN"].formula1 == '"L,P"'
    active = WorkerCategory.objects.filter(is_active=True)
    assert validations["KATEGORI"].formula1 == f"'Daftar'!$A$1:$A${active.count()}"
    assert "JKK,JKM" in validations["PROGRAM"].prompt
    names = [row[0].value for row in workbook["Daftar"].iter_rows()]
    assert names == list(active.values_list("name", flat=True))
    assert "Guru Madrasah Diniyah" in names


def test_the_end_reason_offers_the_indonesian_words_and_the_end_date_is_a_date(template_xlsx):
    data = load_workbook(template_xlsx)["Data"]
    validations = {
        COLUMNS[next(iter(validation.sqref.ranges)).min_col - 1]: validation
        for validation in data.data_validations.dataValidation
    }
    reason = validations["ALASAN_BERHENTI"]
    assert reason.type == "list"
    assert reason.formula1 == '"Mengundurkan diri,Kontrak berakhir,Pensiun,Meninggal dunia"'
    letter = data.cell(row=1, column=COLUMNS.index("TGL_BERHENTI") + 1).column_letter
    assert data.column_dimensions[letter].number_format == "DD-MM-YYYY"


def test_the_example_row_is_a_valid_consistent_worker(template_xlsx):
    row = example_row(template_xlsx, "xlsx")
    assert row["NIK"] == "3673015205900001"  # text, not a number Excel would round
    district, birth, sex = nik_facts(row["NIK"])
    assert District.objects.filter(code=district, regency__name="Kota Serang").exists()
    assert row["TANGGAL_LAHIR"] == birth == dt.date(1990, 5, 12)
    assert row["JENIS_KELAMIN"] == sex == "P"
    assert row["KODE_WILAYAH"] == district[:5]
    assert WorkerCategory.objects.filter(name=row["KATEGORI"]).exists()
    assert row["TGL_MULAI_BEKERJA"] > dt.date(birth.year + 18, birth.month, birth.day)
    assert all(row[column] not in ("", None) for column in REQUIRED_COLUMNS)
    assert row["TGL_BERHENTI"] in ("", None) and row["ALASAN_BERHENTI"] in ("", None)  # works


def test_the_instructions_explain_each_column_the_nik_trap_dates_and_row_numbers(template_xlsx):
    sheet = load_workbook(template_xlsx)["Petunjuk"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    text = "\n".join(str(value) for row in rows for value in row if value)
    required = {row[0]: row[1] for row in rows if row[0] in COLUMNS}
    assert list(required) == COLUMNS
    assert [column for column, kind in required.items() if kind == "Wajib"] == REQUIRED_COLUMNS
    assert "3,67301E+15" in text and "Format Cells > Text" in text
    assert "12-05-1990" in text and "04/13/1990" in text
    assert "judul kolom di baris 1" in text and "pekerja pertama di baris 2" in text
    ending = next(line for line in text.splitlines() if line.startswith("Pekerja yang berhenti"))
    assert "TGL_BERHENTI dan ALASAN_BERHENTI" in ending
    assert (
        "diakhiri" in ending
        and "kecuali ia masih bekerja di lembaga atau unit kerja lain" in ending
    )


def test_the_csv_template_has_a_bom_semicolons_and_the_same_example(reference_data, tmp_path):
    content = roster_template_csv()
    assert content.startswith(b"\xef\xbb\xbfNIK;NAMA_LENGKAP;TANGGAL_LAHIR;")
    assert content.count(b"\r\n") == 2
    path = tmp_path / "templat-roster.csv"
    path.write_bytes(content)
    row = example_row(path, "csv")
    assert row["NIK"] == "3673015205900001"
    assert row["TANGGAL_LAHIR"] == "12-05-1990"
    assert row["UPAH"] == "2000000"
    xlsx = io.BytesIO(roster_template_xlsx())
    data = load_workbook(xlsx)["Data"]
    typed = [cell.value for cell in data[2]]
    assert [
        f"{value:%d-%m-%Y}" if isinstance(value, dt.datetime) else str(value or "")
        for value in typed
    ] == [row[column] for column in COLUMNS]
