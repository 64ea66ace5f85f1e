"""Spreadsheets people download: a tablib Dataset written as XLSX or CSV, formula-safe.

A cell that starts with = + - @, a tab or a carriage return would be run by Excel as a formula
(CSV/formula injection). In XLSX such a value is written as a string cell, unchanged; in CSV it
gets a leading single quote, which Excel shows as text and hides. CSV is UTF-8 with a BOM and `;`
between fields, which is what Excel opens correctly on Indonesian Windows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import tablib
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("xlsx", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MAX_COLUMN_WIDTH = 60


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def xlsx_cell(sheet, value: object, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        # openpyxl refuses control characters a worksheet cannot hold; they carry no meaning here.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Every text stays text: "=SUM(A1)" is not a formula and "#N/A" not an error value.
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _column_widths(dataset: tablib.Dataset, *, sample: int = 1000) -> list[int]:
    """Widths from the header and the first rows; enough to read, no pass over a huge file."""
    widths = [len(str(header)) for header in dataset.headers or [""] * dataset.width]
    for row in dataset[:sample]:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(str(value if value is not None else "")))
    return [min(width + 2, MAX_COLUMN_WIDTH) for width in widths]


def dataset_to_xlsx(dataset: tablib.Dataset, *, title: str = "") -> bytes:
    """One sheet: a bold, frozen header row, then the rows; text cells stay text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or dataset.title or "Data")[:31])
    for index, width in enumerate(_column_widths(dataset), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, str(header), bold=True) for header in dataset.headers or []])
    for row in dataset:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    return f"'{value}" if looks_like_formula(value) else value


def dataset_to_csv(dataset: tablib.Dataset) -> str:
    """CSV text with a BOM and `;` delimiters; encode it as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_value(str(header)) for header in dataset.headers or []])
    for row in dataset:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue()


def spreadsheet_response(
    dataset: tablib.Dataset, *, fmt: str, basename: str, today: dt.date | None = None
) -> HttpResponse:
    """A download named like `mitra-2026-11-21.xlsx`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown spreadsheet format {fmt!r}")
    day = today or timezone.localdate()
    if fmt == "xlsx":
        content: bytes = dataset_to_xlsx(dataset, title=basename)
    else:
        content = dataset_to_csv(dataset).encode("utf-8")
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{basename}-{day:%Y-%m-%d}.{fmt}"'
    return response
