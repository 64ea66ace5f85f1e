from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import tablib
from openpyxl import load_workbook

from ops.spreadsheets import dataset_to_csv, dataset_to_xlsx, spreadsheet_response

HOSTILE = [
    '=HYPERLINK("http://evil.example","klik")',
    "+62 812 3456 7890",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def dataset(*rows) -> tablib.Dataset:
    data = tablib.Dataset(headers=["Nama", "Jumlah"])
    for row in rows:
        data.append(row)
    return data


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


@pytest.mark.parametrize("value", HOSTILE)
def test_xlsx_keeps_formula_like_text_as_text(value):
    sheet = sheet_of(dataset_to_xlsx(dataset((value, 1))))
    cell = sheet["A2"]
    # XML reads a carriage return back as a line feed; the cell stays text either way.
    assert cell.value == value.replace("\r", "\n")
    assert cell.data_type == "s"


def test_xlsx_keeps_numbers_as_numbers_and_error_like_text_as_text():
    sheet = sheet_of(dataset_to_xlsx(dataset(("#N/A", 24201), ("Kantor Kemenag Kota Serang", -5))))
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("#N/A", "s")
    assert [sheet["B2"].value, sheet["B3"].value] == [24201, -5]
    assert sheet["B2"].data_type == "n"


def test_xlsx_has_a_bold_frozen_header_row():
    sheet = sheet_of(dataset_to_xlsx(dataset(("Kejaksaan Negeri Serang", 3)), title="mitra"))
    assert [c.value for c in sheet[1]] == ["Nama", "Jumlah"]
    assert all(c.font.bold for c in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "mitra"


def test_xlsx_drops_control_characters_a_worksheet_cannot_hold():
    sheet = sheet_of(dataset_to_xlsx(dataset(("Madrasah\x00 Al-Ikhlas\x1b", 1))))
    assert sheet["A2"].value == "Madrasah Al-Ikhlas"


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_csv_starts_with_a_bom_and_separates_with_semicolons():
    text = dataset_to_csv(dataset(("Kantor Kemenag Kota Serang; Banten", 24201), ("Ambon", None)))
    assert text.startswith("\ufeffNama;Jumlah\r\n")
    assert read_csv(text) == [
        ["Nama", "Jumlah"],
        ["Kantor Kemenag Kota Serang; Banten", "24201"],
        ["Ambon", ""],
    ]


def test_csv_prefixes_formula_like_text_with_a_single_quote():
    text = dataset_to_csv(dataset(*[(value, -5) for value in HOSTILE]))
    rows = read_csv(text)[1:]
    assert [row[0] for row in rows] == [f"'{value}" for value in HOSTILE]
    assert {row[1] for row in rows} == {"-5"}  # a number is not a formula


def test_download_is_named_after_the_list_and_the_day():
    data = dataset(("Kejaksaan Negeri Serang", 1))
    xlsx = spreadsheet_response(data, fmt="xlsx", basename="mitra", today=dt.date(2026, 11, 21))
    assert xlsx["Content-Disposition"] == 'attachment; filename="mitra-2026-11-21.xlsx"'
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sheet_of(xlsx.content)["A2"].value == "Kejaksaan Negeri Serang"
    csv_ = spreadsheet_response(data, fmt="csv", basename="mitra", today=dt.date(2026, 11, 21))
    assert csv_["Content-Disposition"] == 'attachment; filename="mitra-2026-11-21.csv"'
    assert csv_["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_.content.startswith(b"\xef\xbb\xbfNama;Jumlah")


def test_an_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError, match="pdf"):
        spreadsheet_response(dataset(), fmt="pdf", basename="mitra")
