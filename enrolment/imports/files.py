"""An uploaded roster file: refuse it before reading rows, then stream its rows.

`inspect_upload` decides the format from the bytes, never from the name, and checks an XLSX's zip
directory before any entry is inflated, so a zip bomb costs milliseconds. `open_rows` yields the
rows with the numbers Excel shows; CSV is streamed, XLSX is read by python-calamine (one sheet).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import filetype
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from enrolment.imports import FileRefused
from enrolment.imports.sheet_extent import check_sheet_extent

MB = 1024 * 1024
HEAD_BYTES = 64 * 1024
MAX_COMPRESSION_RATIO = 100
DEFAULT_MAX_ROWS = 1_000_000
CSV_DELIMITERS = (";", ",", "\t")
XLSX_REQUIRED_ENTRIES = ("[Content_Types].xml", "xl/workbook.xml")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Excel's "XML Spreadsheet 2003" and "Web Page" saves are text, but not a roster we can read.
MARKUP_STARTS = ("<?xml", "<html", "<!doctype", "<table")

SAVE_AS_HINT = (
    "Buka berkas di Excel, pilih Simpan Sebagai (Save As) dengan jenis Excel Workbook (*.xlsx) "
    "atau CSV (*.csv), lalu unggah ulang."
)
UNREADABLE = (
    "Berkas tidak dapat dibaca: berkas rusak atau tidak lengkap. Simpan ulang dari Excel sebagai "
    ".xlsx atau .csv, lalu unggah ulang."
)


# PostgreSQL text cannot hold NUL and no spreadsheet writes one: a file with it is damaged.
NUL_REFUSED = (
    "berisi karakter kosong (NUL) yang tidak pernah ditulis Excel: berkas rusak. Simpan ulang "
    "dari Excel sebagai .xlsx atau .csv, lalu unggah ulang."
)


# A cell that no spreadsheet writes: a date-formatted number beyond any date Excel can show.
UNCONVERTIBLE = (
    "berisi sel yang tidak dapat dibaca sebagai tanggal atau angka (di luar rentang Excel): "
    "berkas rusak. Periksa baris itu di Excel, simpan ulang sebagai .xlsx atau .csv, lalu unggah "
    "ulang."
)


def _mb(size: int) -> str:
    """12,5 MB: Indonesian decimal comma."""
    text = f"{size / MB:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _unsupported(detail: str = "Jenis berkas tidak didukung.") -> FileRefused:
    return FileRefused("file_type_unsupported", f"{detail} {SAVE_AS_HINT}")


# --- inspect ------------------------------------------------------------------------------------


def inspect_upload(
    path: Path,
    *,
    max_bytes: int,
    max_uncompressed: int = 200 * MB,
    max_entries: int = 1000,
) -> str:
    """Return "csv" or "xlsx", or raise FileRefused; reads the first 64 KB and the zip directory."""
    size = path.stat().st_size
    if size == 0:
        raise FileRefused(
            "empty_file", "Berkas kosong (0 byte). Pilih berkas roster yang berisi data."
        )
    if size > max_bytes:
        raise FileRefused(
            "file_too_large",
            f"Berkas terlalu besar ({_mb(size)} MB); batasnya {_mb(max_bytes)} MB. Pecah roster "
            "menjadi beberapa berkas, lalu unggah satu per satu.",
        )
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    if head.startswith(b"PK\x03\x04"):
        _check_zip_directory(path, max_uncompressed=max_uncompressed, max_entries=max_entries)
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        raise _unsupported("Berkas ini berformat Excel lama (.xls) atau dilindungi kata sandi.")
    if head.startswith(UTF16_BOMS):
        raise _unsupported("Berkas teks ini berformat Unicode (UTF-16), bukan CSV.")
    guess = filetype.guess(head)
    if guess is not None:
        raise _unsupported(f"Berkas ini berjenis {guess.extension.upper()}, bukan roster.")
    if b"\x00" in head:
        raise _unsupported("Berkas ini bukan berkas teks CSV.")
    text = _decode_head(head)
    if text.lstrip().lower().startswith(MARKUP_STARTS):
        raise _unsupported("Berkas ini berformat XML/HTML, bukan CSV.")
    return "csv"


def _check_zip_directory(path: Path, *, max_uncompressed: int, max_entries: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileRefused("file_unreadable", UNREADABLE) from error
    names = {entry.filename for entry in entries}
    if not all(name in names for name in XLSX_REQUIRED_ENTRIES):
        raise _unsupported("Berkas ini arsip ZIP atau dokumen lain, bukan buku kerja Excel.")
    if len(entries) > max_entries:
        raise FileRefused(
            "xlsx_uncompressed_too_large",
            f"Berkas Excel berisi {len(entries)} bagian; batasnya {max_entries}. "
            f"Salin lembar data ke buku kerja baru. {SAVE_AS_HINT}",
        )
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed:
        raise FileRefused(
            "xlsx_uncompressed_too_large",
            f"Isi berkas Excel setelah dibuka {_mb(total)} MB; batasnya {_mb(max_uncompressed)} MB. "
            "Pecah roster menjadi beberapa berkas, lalu unggah satu per satu.",
        )
    for entry in entries:
        # A stored entry of 0 bytes compressed but not empty cannot come from Excel: treat as bomb.
        if entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise FileRefused(
                "xlsx_uncompressed_too_large",
                "Berkas Excel tidak wajar: salah satu bagiannya mengembang lebih dari "
                f"{MAX_COMPRESSION_RATIO} kali saat dibuka. {SAVE_AS_HINT}",
            )


def _decode_head(head: bytes) -> str:
    # The 64 KB cut may fall inside a multi-byte character: decode without the final flag.
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    try:
        return head.decode("cp1252")
    except UnicodeDecodeError as error:
        raise FileRefused(
            "file_unreadable",
            "Teks berkas tidak dapat dibaca (pengodean tidak dikenal). Simpan dari Excel sebagai "
            "CSV UTF-8 (*.csv), lalu unggah ulang.",
        ) from error


# --- read rows ----------------------------------------------------------------------------------


class RowSource:
    """The header cells and the data rows, `(row_number, values)`, read once while iterating.

    Completely empty rows are skipped but keep their number. More than `max_rows` data rows, or
    none at all, raise FileRefused while iterating.
    """

    def __init__(self, headers: list[str], rows: Iterator[tuple[int, list]], *, max_rows: int):
        self.headers = headers
        self.max_rows = max_rows
        self.count = 0
        self.rows = self._data_rows(rows)

    def __iter__(self) -> Iterator[tuple[int, list]]:
        return self.rows

    def _data_rows(self, rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
        for row_number, values in rows:
            if _is_empty(values):
                continue
            self.count += 1
            if self.count > self.max_rows:
                limit = f"{self.max_rows:,}".replace(",", ".")
                raise FileRefused(
                    "too_many_rows",
                    f"Berkas berisi lebih dari {limit} baris data, batas satu unggahan. Pecah "
                    "roster menjadi beberapa berkas, lalu unggah satu per satu.",
                )
            yield row_number, values
        if self.count == 0:
            raise FileRefused(
                "empty_file",
                "Berkas hanya berisi judul kolom, tanpa baris data pegawai. Isi data mulai baris 2, "
                "lalu unggah ulang.",
            )


def _is_empty(values: list) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _first_row(rows: Iterator[tuple[int, list]]) -> list:
    """The header: the first row that is not empty."""
    for _row_number, values in rows:
        if not _is_empty(values):
            return values
    raise FileRefused("empty_file", "Berkas tidak berisi judul kolom maupun data.")


def _header_cells(values: list) -> list[str]:
    return ["" if value is None else str(value).strip() for value in values]


@contextlib.contextmanager
def open_rows(path: Path, fmt: str, *, max_rows: int = DEFAULT_MAX_ROWS) -> Iterator[RowSource]:
    if fmt == "csv":
        with _open_csv(path, max_rows=max_rows) as source:
            yield source
    elif fmt == "xlsx":
        with _open_xlsx(path, max_rows=max_rows) as source:
            yield source
    else:
        raise ValueError(f"unknown roster format {fmt!r}")


def _csv_encoding(path: Path) -> str:
    """utf-8-sig if the whole file is UTF-8 (checked in 1 MB chunks), else cp1252. A NUL byte
    anywhere refuses the file (the first 64 KB were checked at upload, this reads it all)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as stream:
        while chunk := stream.read(MB):
            if b"\x00" in chunk:
                raise FileRefused("file_unreadable", f"Berkas {NUL_REFUSED}")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return "utf-8-sig" if utf8 else "cp1252"


def _sniff_delimiter(line: str) -> str:
    counts = {delimiter: line.count(delimiter) for delimiter in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


@contextlib.contextmanager
def _open_csv(path: Path, *, max_rows: int) -> Iterator[RowSource]:
    encoding = _csv_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        try:
            first_line = stream.readline()
            while first_line and not first_line.strip():
                first_line = stream.readline()
            stream.seek(0)
            reader = csv.reader(stream, delimiter=_sniff_delimiter(first_line))
            rows = _csv_rows(reader)
            headers = _header_cells(_first_row(rows))
        except UnicodeDecodeError as error:
            raise FileRefused("file_unreadable", _undecodable(None)) from error
        yield RowSource(headers, rows, max_rows=max_rows)


def _csv_rows(reader) -> Iterator[tuple[int, list]]:
    # csv.reader's line_num counts physical lines; Excel numbers records, so count records.
    row_number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            raise FileRefused("file_unreadable", _undecodable(row_number + 1)) from error
        except csv.Error as error:
            raise FileRefused(
                "file_unreadable",
                f"Baris {row_number + 1}: susunan CSV rusak ({error}). {SAVE_AS_HINT}",
            ) from error
        row_number += 1
        yield row_number, values


def _undecodable(row_number: int | None) -> str:
    where = f"Baris {row_number}: " if row_number else ""
    return (
        f"{where}teks berkas tidak dapat dibaca (pengodean tidak dikenal). Simpan dari Excel "
        "sebagai CSV UTF-8 (*.csv), lalu unggah ulang."
    )


def _roster_sheet_name(workbook: CalamineWorkbook) -> str:
    """The sheet named "Data" (the template's), else the first visible worksheet."""
    for name in workbook.sheet_names:
        if name.strip().lower() == "data":
            return name
    for sheet in workbook.sheets_metadata:
        if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible:
            return sheet.name
    return workbook.sheet_names[0]


@contextlib.contextmanager
def _named_xlsx(path: Path) -> Iterator[Path]:
    """`path` under a name ending in .xlsx: calamine reads any other name by trying each of its
    readers in turn (xls, xlsx, xlsb, ods), and only the xlsx reader is measured beforehand."""
    if path.suffix.lower() == ".xlsx":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="roster-") as directory:
        named = Path(directory) / "roster.xlsx"
        named.symlink_to(path.resolve())
        yield named


def _without_nul(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    for row_number, values in rows:
        if any(type(value) is str and "\x00" in value for value in values):
            raise FileRefused("file_unreadable", f"Baris {row_number} {NUL_REFUSED}")
        yield row_number, values


@contextlib.contextmanager
def _open_xlsx(path: Path, *, max_rows: int) -> Iterator[RowSource]:
    check_sheet_extent(path)  # before calamine builds a grid that could not fit in memory
    try:
        with _named_xlsx(path) as named:
            workbook = CalamineWorkbook.from_path(str(named))
    except (CalamineError, OSError, ValueError) as error:
        raise FileRefused("file_unreadable", UNREADABLE) from error
    except BaseException as error:
        _refuse_panic(error, UNREADABLE)
    try:
        try:
            sheet = workbook.get_sheet_by_name(_roster_sheet_name(workbook))
        except (CalamineError, IndexError) as error:
            raise FileRefused("file_unreadable", UNREADABLE) from error
        except BaseException as error:
            _refuse_panic(error, UNREADABLE)
        rows = _without_nul(_calamine_rows(sheet))
        headers = _header_cells(_first_row(rows))
        yield RowSource(headers, rows, max_rows=max_rows)
    finally:
        workbook.close()


def _calamine_rows(sheet) -> Iterator[tuple[int, list]]:
    """The sheet's rows numbered as Excel numbers them: iter_rows starts at row 1, leading empty
    rows included. A cell calamine cannot convert (a date-formatted number beyond any date) makes
    it panic, which Python sees as PanicException, a BaseException, or overflow a timedelta: the
    file is refused there."""
    rows = iter(sheet.iter_rows())
    number = 0
    while True:
        number += 1
        try:
            values = next(rows)
        except StopIteration:
            return
        except CalamineError as error:
            raise FileRefused("file_unreadable", UNREADABLE) from error
        except (OverflowError, ValueError) as error:  # a duration of more than 999.999.999 days
            raise FileRefused("file_unreadable", f"Baris {number} {UNCONVERTIBLE}") from error
        except BaseException as error:
            _refuse_panic(error, f"Baris {number} {UNCONVERTIBLE}")
        yield number, values


def _refuse_panic(error: BaseException, message: str) -> NoReturn:
    """A panic inside python-calamine (pyo3_runtime.PanicException) refuses the file; anything
    else (KeyboardInterrupt, SystemExit, …) goes on up."""
    if type(error).__name__ != "PanicException":
        raise error
    raise FileRefused("file_unreadable", message) from None
