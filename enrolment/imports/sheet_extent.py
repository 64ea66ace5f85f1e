"""How much memory an XLSX sheet will take once read, measured before python-calamine reads it.

calamine turns a sheet into a dense grid from its top-left to its bottom-right filled cell, 32
bytes a cell, before one row reaches us. Two cells, at A1 and XFD1048576, make a file of a few
hundred bytes ask for 512 GB, and the process aborts: no exception, the worker gone. So every XML
part of the file is scanned first for the cell positions calamine will compute, and a sheet whose
grid (or whose number of cells) passes the limit is refused with what to do about it.

The fast path is one regular expression per chunk: Excel, LibreOffice and openpyxl write every
cell as `<c r="B7" …>`. A cell written any other way (without `r`, with a prefix, `r` not first)
sends the part to the slow path, which follows calamine's own rules (cells-reader in calamine's
xlsx module): a `<row r>` sets the row, `</row>` moves to the next one, a cell without `r` takes
the column after the previous cell; self-closing `<c/>` and `<row/>` are not read at all. A
position outside Excel's grid (beyond XFD or row 1.048.576), or one written so that calamine and
we might read it differently, refuses the file as unreadable rather than guessing.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from enrolment.imports import FileRefused

# calamine's grid: 32 bytes a cell; 6.000.000 cells is 183 MB, which keeps an import's worker
# under its 300 MB with the rest of the work (a 350.000-row roster of 17 columns fits).
MAX_SHEET_CELLS = 6_000_000
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384  # XFD
CHUNK = 8 * 1024 * 1024

# Fast path: `<c r="B7"` or any other start of a `c` element (then the group is empty).
CELL = re.compile(rb'<c(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})"|[\s>/])')
PREFIXED_CELL = re.compile(rb"<[^\s<>/!?:]+:c[\s>/]")
# <sst uniqueCount="…">, however quoted or spaced, prefixed or not: only its digits count.
UNIQUE_COUNT = re.compile(rb"""uniqueCount\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Slow path: every row or cell tag, opening, closing or self-closing, prefixed or not.
TAG = re.compile(rb"<(/?)(?:[^\s<>/!?:]+:)?(row|c)(?=[\s>/])([^>]*)>")
R_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
POSITION = re.compile(rb"([A-Za-z]{0,3})([0-9]{1,7})")


UNUSUAL_CELLS = (
    "Berkas tidak dapat dibaca: letak sel di dalamnya tidak seperti yang ditulis Excel (di luar "
    "kolom XFD atau baris 1.048.576, atau tertulis tidak lazim). "
)


class Unreadable(Exception):
    """A cell position calamine may read differently from us, or one outside Excel's grid."""


class TooManyStrings(Exception):
    """The shared strings declare more distinct texts than a sheet within the limit can hold:
    calamine reserves room for that many (24 bytes each) before reading one, and a declared
    uniqueCount of 4.000.000.000 aborts the process as surely as a far cell."""

    def __init__(self, declared: int) -> None:
        self.declared = declared


@dataclass
class Extent:
    cells: int = 0
    top: int = EXCEL_ROWS
    bottom: int = -1
    left: int = EXCEL_COLUMNS
    right: int = -1

    def add(self, row: int, column: int) -> None:
        if not (0 <= row < EXCEL_ROWS and 0 <= column < EXCEL_COLUMNS):
            raise Unreadable
        self.cells += 1
        self.top, self.bottom = min(self.top, row), max(self.bottom, row)
        self.left, self.right = min(self.left, column), max(self.right, column)

    @property
    def grid(self) -> int:
        if self.cells == 0:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)


def column_number(letters: bytes) -> int:
    """0-based: A is 0, Z 25, AA 26, XFD 16.383."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number - 1


def column_letters(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_sheet_extent(path: Path, *, max_cells: int = MAX_SHEET_CELLS) -> None:
    """Raise FileRefused when a part of the XLSX at `path` would not fit in `max_cells` cells."""
    from enrolment.imports.files import SAVE_AS_HINT, UNREADABLE  # files imports this module

    try:
        with zipfile.ZipFile(path) as archive:
            for entry in archive.infolist():
                if entry.is_dir():
                    continue
                extent = _measure(archive, entry, max_cells)
                if extent.grid > max_cells or extent.cells > max_cells:
                    raise FileRefused("xlsx_uncompressed_too_large", _too_large(extent, max_cells))
    except Unreadable as error:
        raise FileRefused("file_unreadable", UNUSUAL_CELLS + SAVE_AS_HINT) from error
    except TooManyStrings as error:
        declared = f"{error.declared:,}".replace(",", ".")
        raise FileRefused(
            "xlsx_uncompressed_too_large",
            f"Berkas Excel menyatakan {declared} teks berbeda, lebih dari yang dapat dimuat satu "
            f"lembar. {SAVE_AS_HINT}",
        ) from error
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise FileRefused("file_unreadable", UNREADABLE) from error


def _too_large(extent: Extent, max_cells: int) -> str:
    def count(number: int) -> str:
        return f"{number:,}".replace(",", ".")

    corner = f"{column_letters(extent.right)}{extent.bottom + 1}"
    rows, columns = extent.bottom - extent.top + 1, extent.right - extent.left + 1
    return (
        f"Lembar Excel berisi sel terisi sampai {corner} ({count(rows)} baris × {count(columns)} "
        f"kolom = {count(max(extent.grid, extent.cells))} sel); batasnya {count(max_cells)} sel. "
        "Hapus baris dan kolom kosong di luar data (pilih, klik kanan, Hapus), simpan, lalu "
        "unggah ulang. Untuk roster sebesar ini, simpan sebagai CSV atau pecah menjadi beberapa "
        "berkas."
    )


def _chunks(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, max_cells: int):
    """The entry's bytes in pieces that never cut a tag (each ends before its last `<`); a
    declared count of shared strings over `max_cells` raises TooManyStrings."""
    with archive.open(entry) as stream:
        tail = stream.read(4)
        if _utf16(tail):
            raise Unreadable  # calamine's XML reader would decode it; our byte scan could not
        while chunk := stream.read(CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                tail = data
                continue
            yield _strings_checked(data[:cut], max_cells)
            tail = data[cut:]
        if tail:
            yield _strings_checked(tail, max_cells)


def _strings_checked(data: bytes, max_cells: int) -> bytes:
    if b"niqueCount" in data:
        for match in UNIQUE_COUNT.finditer(data):
            digits = re.sub(rb"[^0-9]", b"", match[1] if match[1] is not None else match[2])
            if digits and int(digits) > max_cells:
                raise TooManyStrings(int(digits))
    return data


def _utf16(head: bytes) -> bool:
    """XML in UTF-16 (with or without its byte order mark); images and other binaries are not."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return b"\x00" in head and head.replace(b"\x00", b"").strip()[:1] in (b"<", b"")


def _measure(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, max_cells: int) -> Extent:
    """The fast path; any cell not written `<c r="B7"` measures the part as calamine reads it."""
    cells = 0
    rows: set[bytes] = set()
    columns: set[bytes] = set()
    for data in _chunks(archive, entry, max_cells):
        found = CELL.findall(data)
        columns.update(letters for letters, _ in found)
        if b"" in columns or (b":c" in data and PREFIXED_CELL.search(data)):
            return _measure_as_calamine(archive, entry, max_cells)
        rows.update(digits for _, digits in found)
        cells += len(found)
    extent = Extent()
    if cells:
        numbers = [int(digits) - 1 for digits in rows]
        letters = [column_number(column) for column in columns]
        extent.add(min(numbers), min(letters))
        extent.add(max(numbers), max(letters))
        extent.cells = cells
    return extent


def _measure_as_calamine(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, max_cells: int
) -> Extent:
    extent = Extent()
    row_index = column_index = 0
    for data in _chunks(archive, entry, max_cells):
        for closing, name, attributes in TAG.findall(data):
            if attributes.endswith(b"/"):
                continue  # <c …/> and <row …/>: calamine reads neither
            if closing:
                if name == b"row":
                    row_index, column_index = row_index + 1, 0
                continue
            position = _r_attribute(attributes)
            if name == b"row":
                if position is not None:
                    row_index = _position(position, column_required=False)[0]
                continue
            if position is not None:
                row, column_index = _position(position, column_required=True)
            else:
                row = row_index
            extent.add(row, column_index)
            column_index += 1
    return extent


def _r_attribute(attributes: bytes) -> bytes | None:
    match = R_ATTRIBUTE.search(attributes)
    if match is None:
        return None
    return match[1] if match[1] is not None else match[2]


def _position(text: bytes, *, column_required: bool) -> tuple[int, int]:
    match = POSITION.fullmatch(text)
    if match is None or (column_required and not match[1]) or int(match[2]) == 0:
        raise Unreadable
    return int(match[2]) - 1, column_number(match[1]) if match[1] else 0
