"""Applying a checked roster: one transaction of set-based SQL over the staged rows.

Workers are upserted by NIK (only changed fields written, the values before kept in
WorkerChange), employments by worker × institution × work unit. A row with TGL_BERHENTI then
ends its employment, and the worker's enrolments with it unless another employment keeps them
(the rule of services.employment_end). The other rows get enrolments for the programs of the
row or of the agreement, pending registration. Every enrolment ended gets its EnrolmentChange
row, tied to the import; one created names its import itself (source_import). Empty optional
cells never erase what is known.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from partners.models import Institution

# Worker columns a roster sets; optional ones keep the stored value when the roster leaves them
# empty.
REQUIRED = ["full_name", "birth_date", "sex"]
OPTIONAL = ["birth_place", "phone", "address", "kpj"]

_NEW = "COALESCE(NULLIF(s.{f}, ''), w.{f})"


# A worker also employed by another institution is that institution's too: a roster may add
# what is missing about them, never overwrite what the other institution recorded. Whether they
# are is asked once a row, as `o.shared`, and only of a worker already known. Written into each
# column's expression, the question became eight hashed subplans, each reading every other
# institution's employments; `OFFSET 0` keeps the planner from copying it back into them.
SHARED = "o.shared"
SHARED_JOIN = """
CROSS JOIN LATERAL (
  SELECT {worker}.id IS NOT NULL AND EXISTS (
    SELECT 1 FROM enrolment_employment x
    WHERE x.worker_id = {worker}.id AND x.institution_id <> %(institution)s) AS shared
  OFFSET 0
) o"""


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
    employments_ended: int = 0
    enrolments_ended: int = 0


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
LEFT JOIN enrolment_worker w ON w.nik = s.nik{shared}
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
            COMPARE_SQL.format(
                worker_old=old, worker_new=new, shared=SHARED_JOIN.format(worker="w")
            ),
            {"import": import_id, "institution": institution_id},
        )
        created, updated, total = cursor.fetchone()
    return Counts(created=created, updated=updated, unchanged=total - created - updated)


HISTORY_SQL = """
INSERT INTO enrolment_workerchange (worker_id, roster_import_id, changes, at)
SELECT w.id, %(import)s, jsonb_strip_nulls(jsonb_build_object({pairs})), now()
FROM enrolment_stagedrow s JOIN enrolment_worker w ON w.nik = s.nik{shared}
WHERE s.roster_import_id = %(import)s AND ({worker_old}) IS DISTINCT FROM ({worker_new})
"""

# Workers already known get what changed; `v` is the same worker as the target `w`, which the
# lateral join may not name.
CHANGED_WORKERS_SQL = """
UPDATE enrolment_worker AS w SET {updates}, updated_at = now()
FROM enrolment_stagedrow s JOIN enrolment_worker v ON v.nik = s.nik{shared}
WHERE w.id = v.id AND s.roster_import_id = %(import)s
  AND ({worker_old}) IS DISTINCT FROM ({worker_new})
"""

# Then the new ones. A NIK another import inserted in the meantime (it waited for that import's
# commit) keeps what that import wrote: this roster could only have filled its empty optional
# columns, and its next upload does.
NEW_WORKERS_SQL = """
INSERT INTO enrolment_worker
  (nik, full_name, birth_date, sex, birth_place, phone, address, kpj, regency_id, created_at, updated_at)
SELECT f.nik, f.full_name, f.birth_date, f.sex, f.birth_place, f.phone, f.address, f.kpj,
       f.regency_id, now(), now()
FROM {rows} f
ON CONFLICT (nik) DO NOTHING
"""
WORKER_ROWS = """
SELECT s.row, s.nik, s.full_name, s.birth_date, s.sex, s.birth_place, s.phone, s.address, s.kpj,
       NULLIF(s.regency_code, '') AS regency_id
FROM enrolment_stagedrow s
WHERE s.roster_import_id = %(import)s"""
WORKER_KNOWN = "SELECT 1 FROM enrolment_worker v WHERE v.nik = s.nik"


def _new(rows: str, known: str, *, anyone_known: bool) -> str:
    """The staged `rows` (a SELECT … WHERE) that `known` does not find, to insert from.

    When the roster names nobody already known (the compare found no worker), all of them, as
    they are. Otherwise an anti-join leaves the known ones out: left to ON CONFLICT, each known
    row cost a speculative insertion (0,77 s of workers for a re-import of 100.000). Its sort
    makes the anti-join finish before the first insert: run alongside, on a table still small,
    it read the rows being added for each row it checked.
    """
    if not anyone_known:
        return f"({rows})"
    return f"({rows} AND NOT EXISTS ({known}) ORDER BY s.row)"


# Employments as workers: those already known get what changed, then the new ones.
CHANGED_EMPLOYMENTS_SQL = """
UPDATE enrolment_employment AS e SET
  category_id = s.category_id, wage = s.wage, start_date = s.start_date,
  nomor_induk = COALESCE(NULLIF(s.nomor_induk, ''), e.nomor_induk),
  source_import_id = %(import)s, updated_at = now()
FROM enrolment_stagedrow s JOIN enrolment_worker w ON w.nik = s.nik
WHERE s.roster_import_id = %(import)s
  AND e.worker_id = w.id AND e.institution_id = %(institution)s AND e.work_unit = s.work_unit
  AND (e.category_id, e.wage, e.start_date, e.nomor_induk) IS DISTINCT FROM
      (s.category_id, s.wage, s.start_date, COALESCE(NULLIF(s.nomor_induk, ''), e.nomor_induk))
"""

NEW_EMPLOYMENTS_SQL = """
INSERT INTO enrolment_employment
  (worker_id, institution_id, work_unit, category_id, wage, start_date, nomor_induk,
   source_import_id, created_at, updated_at)
SELECT f.worker_id, %(institution)s, f.work_unit, f.category_id, f.wage, f.start_date,
       f.nomor_induk, %(import)s, now(), now()
FROM {rows} f
ON CONFLICT (worker_id, institution_id, work_unit) DO NOTHING
"""
EMPLOYMENT_ROWS = """
SELECT s.row, w.id AS worker_id, s.work_unit, s.category_id, s.wage, s.start_date, s.nomor_induk
FROM enrolment_stagedrow s JOIN enrolment_worker w ON w.nik = s.nik
WHERE s.roster_import_id = %(import)s"""
EMPLOYMENT_KNOWN = """
SELECT 1 FROM enrolment_employment e
WHERE e.worker_id = w.id AND e.institution_id = %(institution)s AND e.work_unit = s.work_unit"""

# One statement, so that the counts and the history cannot disagree. `leaving` is materialised
# so that employments are found by worker and unit through their unique index: left to itself,
# the planner joined the staged rows to the institution's employments on the work unit alone,
# a few million pairs for 20.000 endings. Every part of a statement sees the tables as they were
# before it: the employments `ended` closes still look open to `unemployed`, which therefore
# leaves them out by id. A NIK is on one row of a file (a second row is an error), so a worker
# has at most one row in `ended`.
ENDINGS_SQL = """
WITH leaving AS MATERIALIZED (
  SELECT w.id AS worker_id, s.work_unit, s.ended_on, s.end_reason
  FROM enrolment_stagedrow s JOIN enrolment_worker w ON w.nik = s.nik
  WHERE s.roster_import_id = %(import)s AND s.ended_on IS NOT NULL
), ended AS (
  UPDATE enrolment_employment e
  SET ended_on = l.ended_on, end_reason = l.end_reason, updated_at = now()
  FROM leaving l
  WHERE e.worker_id = l.worker_id AND e.institution_id = %(institution)s
    AND e.work_unit = l.work_unit AND e.ended_on IS NULL
  RETURNING e.id, e.worker_id, e.ended_on, e.end_reason
), unemployed AS (
  SELECT x.worker_id, x.ended_on, x.end_reason
  FROM ended x
  WHERE NOT EXISTS (
    SELECT 1 FROM enrolment_employment o
    WHERE o.worker_id = x.worker_id AND o.ended_on IS NULL AND o.id <> x.id)
), old AS (
  SELECT n.id, n.status, u.ended_on, u.end_reason
  FROM enrolment_enrolment n JOIN unemployed u ON u.worker_id = n.worker_id
  WHERE n.status <> 'ended'
  FOR UPDATE OF n
), closed AS (
  UPDATE enrolment_enrolment n
  SET status = 'ended', ended_on = old.ended_on, end_reason = old.end_reason, updated_at = now()
  FROM old
  WHERE n.id = old.id
  RETURNING n.id, old.status AS before
), history AS (
  INSERT INTO enrolment_enrolmentchange
    (enrolment_id, before, after, actor_id, roster_import_id, note, at)
  SELECT c.id, c.before, 'ended', %(actor)s, %(import)s, %(note)s, now()
  FROM closed c
  RETURNING 1
)
SELECT (SELECT count(*) FROM ended), (SELECT count(*) FROM history)
"""

# A row with TGL_BERHENTI is a worker who left: no enrolment for them. Enrolments the worker
# already has are left out (`_new`). An enrolment's creation is its own record (created_at,
# source_import, and the import's confirming user; the trail has it too): no EnrolmentChange row
# repeats it, which cost a third of this phase (models.Enrolment).
ENROLMENTS_SQL = """
INSERT INTO enrolment_enrolment
  (worker_id, program_id, agreement_id, source_import_id, status, rejected_reason, end_reason,
   created_at, updated_at)
SELECT f.worker_id, f.program_id, %(agreement)s, %(import)s, 'pending', '', '', now(), now()
FROM {rows} f
ON CONFLICT (worker_id, program_id) DO NOTHING
"""
ENROLMENT_ROWS = """
SELECT s.row, w.id AS worker_id, p.id AS program_id
FROM enrolment_stagedrow s
JOIN enrolment_worker w ON w.nik = s.nik
JOIN enrolment_program p
  ON p.code = ANY(CASE WHEN cardinality(s.programs) > 0 THEN s.programs
                       ELSE %(default_programs)s::varchar[] END)
WHERE s.roster_import_id = %(import)s AND s.ended_on IS NULL"""
ENROLMENT_KNOWN = (
    "SELECT 1 FROM enrolment_enrolment n WHERE n.worker_id = w.id AND n.program_id = p.id"
)


def apply_staged(
    *,
    import_id: int,
    institution_id: int,
    agreement_id: int | None,
    default_programs: list[str],
    actor_id: int | None = None,
) -> tuple[Counts, dict[str, float]]:
    """Run inside the caller's transaction. Returns the counts and the seconds of each phase.

    The endings run after the employments are upserted, so that a row can report a worker
    who left in the same file that first lists them. `actor_id` is who confirmed the import:
    the enrolment history names them next to the import.
    """
    institution = Institution.objects.values_list("name", flat=True).get(pk=institution_id)
    note = _("Employment at %(institution)s ended (roster).") % {"institution": institution}
    params = {
        "import": import_id,
        "institution": institution_id,
        "agreement": agreement_id,
        "default_programs": default_programs,
        "actor": actor_id,
        "note": note[:300],  # EnrolmentChange.note
    }
    old, new = _worker_tuples()
    pairs = _worker_new_values()
    history_pairs = ", ".join(
        f"'{f}', CASE WHEN w.{f} IS DISTINCT FROM {value} "
        f"THEN jsonb_build_array(w.{f}, {value}) END"
        for f, value in pairs
    )
    updates = ", ".join(f"{f} = {value}" for f, value in pairs)
    timings: dict[str, float] = {}

    def run(name: str, sql: str) -> int | tuple:
        """The statement's row count, or its one row when it returns one. Statements of the
        same name add up to one phase."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            result = cursor.fetchone() if cursor.description else cursor.rowcount
        timings[name] = round(timings.get(name, 0) + time.perf_counter() - started, 3)
        return result

    counts = compare(import_id=import_id, institution_id=institution_id)
    anyone_known = bool(counts.updated or counts.unchanged)
    if anyone_known:
        diff = {"worker_old": old, "worker_new": new}
        shared = SHARED_JOIN.format(worker="w")
        run("history", HISTORY_SQL.format(pairs=history_pairs, shared=shared, **diff))
        shared = SHARED_JOIN.format(worker="v")
        run("workers", CHANGED_WORKERS_SQL.format(updates=updates, shared=shared, **diff))
    run(
        "workers",
        NEW_WORKERS_SQL.format(rows=_new(WORKER_ROWS, WORKER_KNOWN, anyone_known=anyone_known)),
    )
    if anyone_known:
        run("employments", CHANGED_EMPLOYMENTS_SQL)
    run(
        "employments",
        NEW_EMPLOYMENTS_SQL.format(
            rows=_new(EMPLOYMENT_ROWS, EMPLOYMENT_KNOWN, anyone_known=anyone_known)
        ),
    )
    counts.employments_ended, counts.enrolments_ended = run("endings", ENDINGS_SQL)
    counts.enrolments = run(
        "enrolments",
        ENROLMENTS_SQL.format(
            rows=_new(ENROLMENT_ROWS, ENROLMENT_KNOWN, anyone_known=anyone_known)
        ),
    )
    return counts, timings
