"""Writing checked rows and their issues with COPY, in chunks so progress can be saved between."""

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
)
ISSUE_COLUMNS = ("roster_import_id", "row", "column", "code", "severity", "message", "value")


def copy_rows(import_id: int, rows: Iterable[CleanRow]) -> None:
    sql = f"COPY enrolment_stagedrow ({', '.join(STAGED_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
        for r in rows:
            copy.write_row(
                (
                    import_id,
                    r.row,
                    r.nik,
                    r.full_name,
                    r.birth_date,
                    r.sex,
                    r.birth_place,
                    r.phone,
                    r.address,
                    r.regency_code,
                    r.kpj,
                    r.nomor_induk,
                    r.work_unit,
                    r.category_id,
                    r.start_date,
                    r.wage,
                    list(r.programs),
                )
            )


def copy_issues(import_id: int, issues: Iterable[Issue]) -> None:
    quoted = ", ".join(f'"{c}"' for c in ISSUE_COLUMNS)
    sql = f"COPY enrolment_rowissue ({quoted}) FROM STDIN"
    with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
        for i in issues:
            copy.write_row((import_id, i.row, i.column, i.code, i.severity, i.message, i.value))
