"""The roster parser under a fuzzer: bytes in, the documented refusal or rows fit to stage.

`read_roster(data)` runs an upload's own path without the database: the file checks
(`inspect_upload`), the streaming reader (`open_rows`), the header mapping and the row validator.
It returns what it read, raises FileRefused with one of FILE_CODES, and raises anything else only
when the parser has a bug — including a clean row the staging table could not take.

    make fuzz          # atheris (libFuzzer), 60 s; an input slower than 2 s counts as a crash
    .venv/bin/python -m enrolment.imports.fuzz -max_total_time=600 corpus/   # longer, kept corpus

Atheris picks a shape from the first byte: the rest is a whole file (CSV or anything), the XML
of the only sheet of a real XLSX, or its shared strings, so mutations get past the zip check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from enrolment.imports import FILE_CODES, FileRefused
from enrolment.imports.columns import map_headers
from enrolment.imports.files import inspect_upload, open_rows
from enrolment.imports.validation import MESSAGES, TEXT_LIMITS, CleanRow, RowValidator

MAX_BYTES = 1024 * 1024
MAX_ROWS = 10_000
ROW_CODES = frozenset(key.partition(":")[0] for key in MESSAGES)
TODAY = dt.date(2026, 6, 1)
SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
# What the staging table and the worker tables take (StagedRow, Worker).
TEXT_FIELDS = {
    "full_name": TEXT_LIMITS["NAMA_LENGKAP"],
    "work_unit": TEXT_LIMITS["UNIT_KERJA"],
    "birth_place": TEXT_LIMITS["TEMPAT_LAHIR"],
    "phone": TEXT_LIMITS["NO_HP"],
    "address": TEXT_LIMITS["ALAMAT"],
    "nomor_induk": TEXT_LIMITS["NOMOR_INDUK"],
}


class ParserBug(AssertionError):
    """The parser did something no input may make it do."""


@dataclass
class Read:
    format: str
    rows: int = 0
    clean: int = 0
    issues: int = 0


def validator(today: dt.date = TODAY) -> RowValidator:
    """A validator on a small fixed reference (Banten and Maluku), without the database."""
    return RowValidator(
        today=today,
        provinces={"11", "31", "36", "81", "91", "93"},
        regencies={"36.01", "36.04", "36.73", "81.71", "93.01"},
        districts={"36.01.01", "36.04.01", "36.73.01", "36.73.02", "81.71.01", "93.01.01"},
        categories={"GURU_MADIN": 1, "Guru Madrasah Diniyah": 1, "PPNPN": 2, "LAINNYA": 9},
        programs={"JKK", "JKM", "JHT", "JP", "JKP"},
        allowed_programs={"JKK", "JKM", "JHT"},
    )


def read_roster(data: bytes, *, directory: Path | None = None) -> Read:
    """Check, read and validate `data` as an uploaded roster; see the module's docstring."""
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".upload") as handle:
        handle.write(data)
        handle.flush()
        path = Path(handle.name)
        try:
            fmt = inspect_upload(path, max_bytes=MAX_BYTES)
            if fmt not in ("csv", "xlsx"):
                raise ParserBug(f"inspect_upload answered {fmt!r}")
            read = Read(format=fmt)
            rows = validator()
            with open_rows(path, fmt, max_rows=MAX_ROWS) as source:
                header = map_headers(source.headers)
                for number, values in source:
                    read.rows += 1
                    clean, issues = rows.validate(number, header.row_values(values))
                    check_outcome(number, clean, issues)
                    read.clean += clean is not None
                    read.issues += len(issues)
        except FileRefused as refused:
            if refused.code not in FILE_CODES or not refused.message:
                raise ParserBug(f"undocumented refusal {refused.code!r}") from refused
            raise
    return read


def check_outcome(number: int, clean: CleanRow | None, issues: list) -> None:
    """A row's result as staging needs it: documented codes; a clean row only without errors,
    and every value of it fits its column."""
    for issue in issues:
        if issue.code not in ROW_CODES or issue.row != number or not issue.message:
            raise ParserBug(f"row {number}: unexpected issue {issue}")
        if len(issue.value) > 100:
            raise ParserBug(f"row {number}: issue value longer than shown values are: {issue}")
    errors = [issue for issue in issues if issue.severity == "error"]
    if (clean is None) != bool(errors):
        raise ParserBug(f"row {number}: clean={clean is not None} with errors {errors}")
    if clean is None:
        return
    if not (len(clean.nik) == 16 and clean.nik.isascii() and clean.nik.isdigit()):
        raise ParserBug(f"row {number}: a clean NIK that is not 16 digits")
    if clean.sex not in ("L", "P") or not 0 < clean.wage <= 1_000_000_000:
        raise ParserBug(f"row {number}: sex {clean.sex!r}, wage {clean.wage}")
    if clean.kpj and not (len(clean.kpj) == 11 and clean.kpj.isascii() and clean.kpj.isdigit()):
        raise ParserBug(f"row {number}: KPJ {clean.kpj!r}")
    if not clean.full_name or not clean.work_unit:
        raise ParserBug(f"row {number}: empty name or work unit in a clean row")
    for name, limit in TEXT_FIELDS.items():
        if len(getattr(clean, name)) > limit:
            raise ParserBug(f"row {number}: {name} longer than {limit}")
    for field in fields(clean):
        value = getattr(clean, field.name)
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL text refuses NUL
            raise ParserBug(f"row {number}: NUL in {field.name}")


# --- the atheris target ----------------------------------------------------------------------


@cache
def template_xlsx() -> dict[str, bytes]:
    """The entries of a small, valid roster XLSX (template header, two rows)."""
    from openpyxl import Workbook

    from enrolment.imports import REQUIRED_COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(REQUIRED_COLUMNS)
    sheet.append(
        ["3673015205900001", "Siti Aminah", "12-05-1990", "P", "MDT Al-Hidayah", "GURU_MADIN"]
        + ["15-07-2015", "2.000.000"]
    )
    sheet.append(
        ["3604011708850002", "Ahmad", dt.date(1985, 8, 17), "L", "MI Nurul Huda", "PPNPN"]
        + [dt.date(2010, 1, 1), 1500000]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@cache
def shared_strings_xlsx() -> tuple[dict[str, bytes], bytes]:
    """The template XLSX with its text cells in shared strings, and those strings' XML."""
    entries = dict(template_xlsx())
    if SHARED_STRINGS in entries:
        return entries, entries[SHARED_STRINGS]
    strings: list[bytes] = []

    def indexed(match: re.Match) -> bytes:
        strings.append(match[1])
        return b't="s"><v>%d</v>' % (len(strings) - 1)

    entries[SHEET] = re.sub(rb't="inlineStr"><is><t>(.*?)</t></is>', indexed, entries[SHEET])
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    entries["xl/_rels/workbook.xml.rels"] = entries["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    shared = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        + b"</sst>"
    )
    return entries, shared


def xlsx_with(entry: str, content: bytes) -> bytes:
    """A real XLSX whose `entry` (the sheet, or the shared strings) is `content`."""
    entries = shared_strings_xlsx()[0] if entry == SHARED_STRINGS else template_xlsx()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**entries, entry: content}.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def shaped(data: bytes) -> bytes:
    """First byte: 0 a whole file, 1 the sheet's XML in a real XLSX, 2 its shared strings."""
    if not data:
        return data
    shape, rest = data[0] % 3, data[1:]
    if shape == 1:
        return xlsx_with(SHEET, rest)
    if shape == 2:
        return xlsx_with(SHARED_STRINGS, rest)
    return rest


def seeds() -> list[bytes]:
    from enrolment.imports import REQUIRED_COLUMNS

    csv_text = ";".join(REQUIRED_COLUMNS) + "\r\n"
    csv_text += "3673015205900001;Siti Aminah;12-05-1990;P;MDT Al-Hidayah;GURU_MADIN;"
    csv_text += "15-07-2015;2.000.000\r\n"
    entries = template_xlsx()
    return [
        b"\x00" + csv_text.encode("utf-8-sig"),
        b"\x00" + csv_text.replace(";", ",").encode("cp1252"),
        b"\x01" + entries[SHEET],
        b"\x02" + shared_strings_xlsx()[1],
    ]


def one_input(data: bytes) -> None:
    with contextlib.suppress(FileRefused):  # the documented refusal: its code was checked
        read_roster(shaped(data))


def main(argv: list[str]) -> None:
    import atheris

    atheris.instrument_all()  # coverage feedback from every Python function loaded

    corpus = [arg for arg in argv[1:] if not arg.startswith("-")]
    if not corpus:  # a fresh corpus of seeds, so mutations start from real rosters
        directory = Path(tempfile.mkdtemp(prefix="roster-corpus-"))
        for number, seed in enumerate(seeds()):
            (directory / f"seed-{number}").write_bytes(seed)
        argv = [*argv, str(directory)]
    if not any(arg.startswith("-timeout=") for arg in argv):
        argv = [*argv, "-timeout=2"]  # an input taking longer than 2 s is a finding
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
