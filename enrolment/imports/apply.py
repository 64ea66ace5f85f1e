"""Applying a checked roster: one transaction of set-based SQL over the staged rows.

Workers are upserted by NIK (only changed fields written, the values before kept in
WorkerChange), employments by worker × institution × work unit, enrolments created for the
programs of the row or of the agreement, pending registration. Empty optional cells never erase
what is known.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection

# Worker columns a roster sets; optional ones keep the stored value when the roster leaves them
# empty.
REQUIRED = ["full_name", "birth_date", "sex"]
OPTIONAL = ["birth_place", "phone", "address", "kpj"]

_NEW = "COALESCE(NULLIF(s.{f}, ''), w.{f})"


# A worker also employed by another institution is that institution's too: a roster may add
# what is missing about them, never overwrite what the other institution recorded.
SHARED = (
    "EXISTS (SELECT 1 FROM enrolment_employment x"
    " WHERE x.worker_id = w.id AND x.institution_id <> %(institution)s)"
)


def _worker_new_values() -> list[tuple[str, str]]:
    values = [(f, f"CASE WHEN {SHARED} THEN w.{f} ELSE s.{f} END") for f in REQUIRED]
    values += [
        (
            f,
            f"CASE WHEN {SHARED} THEN COALESCE(NULLIF(w.{f}, ''), s.{f}) ELSE {_NEW.format(f=f)} END",
        )
        for f in OPTIONAL
    ]
    values.append(
        (
            "regency_id",
            f"CASE WHEN {SHARED} THEN COALESCE(w.regency_id, NULLIF(s.regency_code, '')) "
            "ELSE COALESCE(NULLIF(s.regency_code, ''), w.regency_id) END",
        )
    )
    return values


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolments: int = 0


COMPARE_SQL = """
SELECT
  count(*) FILTER (WHERE w.id IS NULL),
  count(*) FILTER (WHERE w.id IS NOT NULL AND (
      ({worker_old}) IS DISTINCT FROM ({worker_new})
      OR e.id IS NULL
      OR (e.category_id, e.wage, e.start_date, e.nomor_induk)
         IS DISTINCT FROM (s.category_id, s.wage, s.start_date, COALESCE(NULLIF(s.nomor_induk, ''), e.nomor_induk))
  )),
  count(*)
FROM enrolment_stagedrow s
LEFT JOIN enrolment_worker w ON w.nik = s.nik
LEFT JOIN enrolment_employment e
  ON e.worker_id = w.id AND e.institution_id = %(institution)s AND e.work_unit = s.work_unit
WHERE s.roster_import_id = %(import)s
"""


def _worker_tuples() -> tuple[str, str]:
    pairs = _worker_new_values()
    old = ", ".join(f"w.{f}" for f, _new in pairs)
    new = ", ".join(new for _f, new in pairs)
    return old, new


def compare(*, import_id: int, institution_id: int) -> Counts:
    """New, changed and unchanged workers, as the apply would find them now."""
    old, new = _worker_tuples()
    with connection.cursor() as cursor:
        cursor.execute(
            COMPARE_SQL.format(worker_old=old, worker_new=new),
            {"import": import_id, "institution": institution_id},
        )
        created, updated, total = cursor.fetchone()
    return Counts(created=created, updated=updated, unchanged=total - created - updated)


HISTORY_SQL = """
INSERT INTO enrolment_workerchange (worker_id, roster_import_id, changes, at)
SELECT w.id, %(import)s, jsonb_strip_nulls(jsonb_build_object({pairs})), now()
FROM enrolment_stagedrow s JOIN enrolment_worker w ON w.nik = s.nik
WHERE s.roster_import_id = %(import)s AND ({worker_old}) IS DISTINCT FROM ({worker_new})
"""

WORKERS_SQL = """
INSERT INTO enrolment_worker AS w
  (nik, full_name, birth_date, sex, birth_place, phone, address, kpj, regency_id, created_at, updated_at)
SELECT s.nik, s.full_name, s.birth_date, s.sex, s.birth_place, s.phone, s.address, s.kpj,
       NULLIF(s.regency_code, ''), now(), now()
FROM enrolment_stagedrow s
WHERE s.roster_import_id = %(import)s
ON CONFLICT (nik) DO UPDATE SET {updates}, updated_at = now()
WHERE ({worker_old}) IS DISTINCT FROM ({excluded_new})
"""

EMPLOYMENTS_SQL = """
INSERT INTO enrolment_employment AS e
  (worker_id, institution_id, work_unit, category_id, wage, start_date, nomor_induk,
   source_import_id, created_at, updated_at)
SELECT w.id, %(institution)s, s.work_unit, s.category_id, s.wage, s.start_date, s.nomor_induk,
       %(import)s, now(), now()
FROM enrolment_stagedrow s JOIN enrolment_worker w ON w.nik = s.nik
WHERE s.roster_import_id = %(import)s
ON CONFLICT (worker_id, institution_id, work_unit) DO UPDATE SET
  category_id = EXCLUDED.category_id, wage = EXCLUDED.wage, start_date = EXCLUDED.start_date,
  nomor_induk = COALESCE(NULLIF(EXCLUDED.nomor_induk, ''), e.nomor_induk),
  source_import_id = EXCLUDED.source_import_id, updated_at = now()
WHERE (e.category_id, e.wage, e.start_date, e.nomor_induk) IS DISTINCT FROM
      (EXCLUDED.category_id, EXCLUDED.wage, EXCLUDED.start_date,
       COALESCE(NULLIF(EXCLUDED.nomor_induk, ''), e.nomor_induk))
"""

ENROLMENTS_SQL = """
INSERT INTO enrolment_enrolment
  (worker_id, program_id, agreement_id, status, rejected_reason, end_reason, created_at, updated_at)
SELECT w.id, p.id, %(agreement)s, 'pending', '', '', now(), now()
FROM enrolment_stagedrow s
JOIN enrolment_worker w ON w.nik = s.nik
JOIN enrolment_program p
  ON p.code = ANY(CASE WHEN cardinality(s.programs) > 0 THEN s.programs
                       ELSE %(default_programs)s::varchar[] END)
WHERE s.roster_import_id = %(import)s
ON CONFLICT (worker_id, program_id) DO NOTHING
"""


def apply_staged(
    *, import_id: int, institution_id: int, agreement_id: int | None, default_programs: list[str]
) -> tuple[Counts, dict[str, float]]:
    """Run inside the caller's transaction. Returns the counts and the seconds of each phase."""
    params = {
        "import": import_id,
        "institution": institution_id,
        "agreement": agreement_id,
        "default_programs": default_programs,
    }
    old, new = _worker_tuples()
    pairs = _worker_new_values()
    history_pairs = ", ".join(
        f"'{f}', CASE WHEN w.{f} IS DISTINCT FROM {value} "
        f"THEN jsonb_build_array(w.{f}, {value}) END"
        for f, value in pairs
    )
    excluded = [
        (
            f,
            value.replace("s.", "EXCLUDED.").replace(
                "NULLIF(EXCLUDED.regency_code, '')", "EXCLUDED.regency_id"
            ),
        )
        for f, value in pairs
    ]
    updates = ", ".join(f"{f} = {value}" for f, value in excluded)
    excluded_new = ", ".join(value for _f, value in excluded)
    timings: dict[str, float] = {}

    def run(name: str, sql: str) -> int:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = cursor.rowcount
        timings[name] = round(time.perf_counter() - started, 3)
        return count

    counts = compare(import_id=import_id, institution_id=institution_id)
    run("history", HISTORY_SQL.format(pairs=history_pairs, worker_old=old, worker_new=new))
    run("workers", WORKERS_SQL.format(updates=updates, worker_old=old, excluded_new=excluded_new))
    run("employments", EMPLOYMENTS_SQL)
    counts.enrolments = run("enrolments", ENROLMENTS_SQL)
    return counts, timings
