"""Writing checked rows and their issues with COPY, in chunks so progress can be saved between.

Rows are formatted as COPY text lines here and sent in one write per chunk: psycopg's per-row
`write_row` costs more than the rest of the check together.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from enrolment.imports import Issue
from enrolment.imports.validation import CleanRow

STAGED_COLUMNS = (
    "roster_import_id",
    "row",
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "birth_place",
    "phone",
    "address",
    "regency_code",
    "kpj",
    "nomor_induk",
    "work_unit",
    "category_id",
    "start_date",
    "wage",
    "programs",
    "ended_on",
    "end_reason",
)
ISSUE_COLUMNS = ("roster_import_id", "row", "column", "code", "severity", "message", "value")
_NULL = "\\N"  # COPY's text format for NULL
_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    """A value in COPY's text format: backslash, tab and line breaks escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_SPECIAL)
    return value


def _copy(sql: str, lines: list[str]) -> None:
    if not lines:
        return
    with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
        copy.write("".join(lines).encode())


def copy_rows(import_id: int, rows: Iterable[CleanRow]) -> None:
    prefix = f"{import_id}\t"
    lines = [
        f"{prefix}{r.row}\t{r.nik}\t{_text(r.full_name)}\t{r.birth_date.isoformat()}\t{r.sex}\t"
        f"{_text(r.birth_place)}\t{_text(r.phone)}\t{_text(r.address)}\t{r.regency_code}\t"
        f"{r.kpj}\t{_text(r.nomor_induk)}\t{_text(r.work_unit)}\t{r.category_id}\t"
        f"{r.start_date.isoformat()}\t{r.wage}\t{{{','.join(r.programs)}}}\t"
        f"{r.ended_on or _NULL}\t{r.end_reason}\n"  # a date formats as YYYY-MM-DD
        for r in rows
    ]
    _copy(f"COPY enrolment_stagedrow ({', '.join(STAGED_COLUMNS)}) FROM STDIN", lines)


def copy_issues(import_id: int, issues: Iterable[Issue]) -> None:
    lines = [
        f"{import_id}\t{i.row}\t{_text(i.column)}\t{i.code}\t{i.severity}\t"
        f"{_text(i.message)}\t{_text(i.value)}\n"
        for i in issues
    ]
    quoted = ", ".join(f'"{c}"' for c in ISSUE_COLUMNS)
    _copy(f"COPY enrolment_rowissue ({quoted}) FROM STDIN", lines)
