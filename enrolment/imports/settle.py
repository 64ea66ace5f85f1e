"""Registration results and payments, after their rows are staged: the checks that need the
database, the preview of what applying would change, and the apply itself.

Everything is set-based SQL over enrolment_stagedresult. A check deletes the staged rows it
refuses and writes their issues in one statement. The apply runs in the caller's transaction,
locks the enrolments it will move, and writes one EnrolmentChange per enrolment moved (and one
WorkerChange per KPJ recorded), tied to the import and the person who confirmed it. Applying the
same results again changes nothing: every UPDATE only touches rows whose values differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from enrolment.imports.results import PAYMENT, REGISTRATION
from enrolment.imports.validation import MESSAGES
from enrolment.models import RESTRICTED_NIKS

MASKED_NIK = "left(bad.nik, 4) || '********' || right(bad.nik, 4)"

CHECK_SQL = """
WITH bad AS (
  DELETE FROM enrolment_stagedresult s
  WHERE s.roster_import_id = %(import)s AND ({condition})
  RETURNING s.row, s.nik, s.kpj
)
INSERT INTO enrolment_rowissue (roster_import_id, "row", "column", code, severity, message, value)
SELECT %(import)s, bad.row, %(column)s, %(code)s, 'error', %(message)s, {value}
FROM bad
"""

WORKER_UNKNOWN = "NOT EXISTS (SELECT 1 FROM enrolment_worker w WHERE w.nik = s.nik)"
NOT_EMPLOYED_HERE = """NOT EXISTS (
  SELECT 1 FROM enrolment_worker w JOIN enrolment_employment e ON e.worker_id = w.id
  WHERE w.nik = s.nik AND e.institution_id = ANY(%(institutions)s))"""
# A person whose processing is restricted (enrolment.models.Restriction): their row is skipped.
# The open restrictions are few: PostgreSQL hashes their NIKs once for the whole file.
RESTRICTED_CHECK = (
    "worker_restricted",
    "NIK",
    f"s.nik IN ({RESTRICTED_NIKS})",
    MESSAGES["worker_restricted"],
)
PROGRAM_MATCHES = "(cardinality(s.programs) = 0 OR p.code = ANY(s.programs))"
ENROLMENTS_OF_ROW = f"""enrolment_worker w
  JOIN enrolment_enrolment e ON e.worker_id = w.id
  JOIN enrolment_program p ON p.id = e.program_id
  WHERE w.nik = s.nik AND {PROGRAM_MATCHES}"""

# (code, column, condition, message) in the order they run: a row gets the first that fits.
CHECKS: dict[str, list[tuple[str, str, str, str]]] = {
    REGISTRATION: [
        (
            "worker_unknown",
            "NIK",
            WORKER_UNKNOWN,
            "NIK ini tidak ada di Sinergi. Periksa NIK: hasil pendaftaran hanya untuk pekerja "
            "dari berkas pendaftaran yang diunduh dari Sinergi.",
        ),
        RESTRICTED_CHECK,
        (
            "worker_not_in_institution",
            "NIK",
            NOT_EMPLOYED_HERE,
            "Pekerja ini tidak tercatat bekerja di lembaga ini atau lembaga di bawahnya. Unggah "
            "hasilnya untuk lembaga tempat ia bekerja.",
        ),
        (
            "kpj_conflict",
            "KPJ",
            "s.kpj <> '' AND EXISTS (SELECT 1 FROM enrolment_worker w WHERE w.nik = s.nik "
            "AND w.kpj <> '' AND w.kpj <> s.kpj)",
            "Pekerja ini sudah memiliki nomor KPJ lain di Sinergi. Periksa kembali hasil "
            "pendaftaran; bila KPJ lama keliru, hubungi petugas BPJS.",
        ),
        (
            "kpj_taken",
            "KPJ",
            "s.kpj <> '' AND EXISTS (SELECT 1 FROM enrolment_worker w WHERE w.kpj = s.kpj "
            "AND w.kpj <> '' AND w.nik <> s.nik)",
            "Nomor KPJ ini sudah dimiliki pekerja lain di Sinergi. Periksa kembali KPJ pada "
            "baris ini.",
        ),
        (
            "enrolment_missing",
            "PROGRAM",
            f"NOT EXISTS (SELECT 1 FROM {ENROLMENTS_OF_ROW} AND e.status <> 'ended')",
            "Pekerja ini tidak memiliki kepesertaan (yang belum berakhir) pada program di kolom "
            "PROGRAM. Periksa kolom PROGRAM atau kosongkan untuk semua program pekerja.",
        ),
    ],
    PAYMENT: [
        (
            "kpj_unknown",
            "KPJ",
            "s.nik = ''",
            "Nomor KPJ ini tidak ada di Sinergi. Periksa KPJ, atau isi juga NIK pekerja.",
        ),
        (
            "worker_unknown",
            "NIK",
            WORKER_UNKNOWN,
            "NIK ini tidak ada di Sinergi. Periksa NIK, atau isi KPJ pekerja.",
        ),
        RESTRICTED_CHECK,
        (
            "kpj_nik_mismatch",
            "KPJ",
            "s.kpj <> '' AND EXISTS (SELECT 1 FROM enrolment_worker w WHERE w.nik = s.nik "
            "AND w.kpj <> '' AND w.kpj <> s.kpj)",
            "KPJ dan NIK pada baris ini milik dua pekerja yang berbeda. Periksa keduanya.",
        ),
        (
            "worker_not_in_institution",
            "NIK",
            NOT_EMPLOYED_HERE,
            "Pekerja ini tidak tercatat bekerja di lembaga ini atau lembaga di bawahnya. Unggah "
            "pembayarannya untuk lembaga tempat ia bekerja.",
        ),
        (
            "enrolment_not_registered",
            "PROGRAM",
            f"NOT EXISTS (SELECT 1 FROM {ENROLMENTS_OF_ROW} "
            "AND e.status IN ('registered', 'active', 'inactive'))",
            "Pekerja ini belum terdaftar (belum punya KPJ) pada program ini, atau kepesertaannya "
            "sudah berakhir. Impor hasil pendaftaran lebih dulu.",
        ),
    ],
}

# Payments may name a worker by KPJ only: the NIK is looked up once, so everything after joins
# by NIK. `w.kpj <> ''` lets PostgreSQL use the partial KPJ index.
NIK_FROM_KPJ_SQL = """
UPDATE enrolment_stagedresult s SET nik = w.nik
FROM enrolment_worker w
WHERE s.roster_import_id = %(import)s AND s.nik = '' AND s.kpj <> ''
  AND w.kpj = s.kpj AND w.kpj <> ''
"""


def check_staged(*, import_id: int, kind: str, institution_ids: list[int]) -> int:
    """Refuse the staged rows the database says are wrong; returns how many were refused."""
    params = {"import": import_id, "institutions": institution_ids}
    refused = 0
    with connection.cursor() as cursor:
        if kind == PAYMENT:
            cursor.execute(NIK_FROM_KPJ_SQL, params)
        for check in CHECKS[kind]:
            refused += _refuse(cursor, check, params)
    return refused


def refuse_restricted(*, import_id: int) -> int:
    """The restriction check again, just before applying: a person restricted after the file
    was checked is skipped too. Returns how many rows it refused."""
    with connection.cursor() as cursor:
        return _refuse(cursor, RESTRICTED_CHECK, {"import": import_id})


def _refuse(cursor, check: tuple[str, str, str, str], params: dict) -> int:
    code, column, condition, message = check
    value = MASKED_NIK if column == "NIK" else "bad.kpj"
    cursor.execute(
        CHECK_SQL.format(condition=condition, value=value),
        {**params, "code": code, "column": column, "message": message},
    )
    return cursor.rowcount


# --- what applying changes --------------------------------------------------------------------

REGISTERED_SQL = f"""
SELECT e.id, e.status AS before, s.row, s.kpj, s.registered_on
FROM enrolment_stagedresult s, {ENROLMENTS_OF_ROW}
  AND s.roster_import_id = %(import)s AND s.kpj <> '' AND e.status = 'pending'
"""
REJECTED_SQL = f"""
SELECT e.id, e.status AS before, s.row, s.rejected_reason
FROM enrolment_stagedresult s, {ENROLMENTS_OF_ROW}
  AND s.roster_import_id = %(import)s AND s.kpj = '' AND e.status = 'pending'
  AND e.rejected_reason IS DISTINCT FROM s.rejected_reason
"""
# Paid through the later of what is known and what the file says: an older file changes nothing.
PAID_SQL = f"""
SELECT t.id, t.before, t.rows, t.through,
       CASE WHEN t.through >= %(month)s THEN 'active' ELSE 'inactive' END AS after
FROM (
  SELECT e.id, e.status AS before, e.paid_through AS old, array_agg(s.row) AS rows,
         GREATEST(e.paid_through, max(s.paid_through)) AS through
  FROM enrolment_stagedresult s, {ENROLMENTS_OF_ROW}
    AND s.roster_import_id = %(import)s AND e.status IN ('registered', 'active', 'inactive')
  GROUP BY e.id
) t
WHERE (t.through, CASE WHEN t.through >= %(month)s THEN 'active' ELSE 'inactive' END)
      IS DISTINCT FROM (t.old, t.before)
"""

PREVIEW_SQL = {
    REGISTRATION: f"""
      WITH registered AS ({REGISTERED_SQL}), rejected AS ({REJECTED_SQL})
      SELECT (SELECT count(*) FROM registered), (SELECT count(*) FROM rejected),
             (SELECT count(DISTINCT row) FROM (SELECT row FROM registered
                                               UNION ALL SELECT row FROM rejected) r)
    """,
    PAYMENT: f"""
      WITH paid AS ({PAID_SQL})
      SELECT count(*) FILTER (WHERE after = 'active'), count(*) FILTER (WHERE after = 'inactive'),
             (SELECT count(DISTINCT r) FROM paid, unnest(paid.rows) r)
      FROM paid
    """,
}


@dataclass
class Outcome:
    """Enrolments each kind of change touches, and the file rows that change anything."""

    registered: int = 0
    rejected: int = 0
    active: int = 0
    inactive: int = 0
    kpj_recorded: int = 0
    rows_changing: int = 0

    def as_summary(self) -> dict[str, int]:
        return {name: value for name, value in self.__dict__.items() if value}


def preview(*, import_id: int, kind: str, today: dt.date) -> Outcome:
    params = {"import": import_id, "month": today.replace(day=1)}
    with connection.cursor() as cursor:
        cursor.execute(PREVIEW_SQL[kind], params)
        first, second, rows = cursor.fetchone()
    if kind == REGISTRATION:
        return Outcome(registered=first, rejected=second, rows_changing=rows)
    return Outcome(active=first, inactive=second, rows_changing=rows)


LOCK_SQL = f"""
SELECT e.id FROM enrolment_stagedresult s, {ENROLMENTS_OF_ROW}
  AND s.roster_import_id = %(import)s
ORDER BY e.id FOR UPDATE OF e
"""

KPJ_SQL = """
WITH recorded AS (
  UPDATE enrolment_worker w SET kpj = s.kpj, updated_at = now()
  FROM enrolment_stagedresult s
  WHERE s.roster_import_id = %(import)s AND s.kpj <> '' AND w.nik = s.nik AND w.kpj = ''
  RETURNING w.id, s.kpj
)
INSERT INTO enrolment_workerchange (worker_id, roster_import_id, changes, at)
SELECT id, %(import)s, jsonb_build_object('kpj', jsonb_build_array('', kpj)), now()
FROM recorded
"""

MOVE_SQL = """
WITH target AS ({target}), moved AS (
  UPDATE enrolment_enrolment e SET {updates}, updated_at = now()
  FROM target t WHERE e.id = t.id
  RETURNING e.id, t.before, e.status AS after, {note} AS note
)
INSERT INTO enrolment_enrolmentchange (enrolment_id, before, after, actor_id, roster_import_id,
                                       note, at)
SELECT id, before, after, %(actor)s, %(import)s, left(note, 300), now() FROM moved
"""

MOVES = {
    REGISTRATION: [
        (
            "registered",
            REGISTERED_SQL,
            "status = 'registered', registered_on = t.registered_on, rejected_reason = ''",
            "'KPJ ' || t.kpj || ', terdaftar ' || to_char(t.registered_on, 'DD-MM-YYYY')",
        ),
        (
            "rejected",
            REJECTED_SQL,
            "rejected_reason = t.rejected_reason",
            "'Pendaftaran ditolak: ' || t.rejected_reason",
        ),
    ],
    PAYMENT: [
        (
            "paid",
            PAID_SQL,
            "status = t.after, paid_through = t.through",
            "'Iuran lunas sampai ' || to_char(t.through, 'MM-YYYY')",
        ),
    ],
}


def apply_staged(*, import_id: int, kind: str, actor_id: int | None, today: dt.date) -> Outcome:
    """Run inside the caller's transaction. Returns what changed."""
    params = {"import": import_id, "actor": actor_id, "month": today.replace(day=1)}
    with connection.cursor() as cursor:
        cursor.execute(LOCK_SQL, params)
    outcome = preview(import_id=import_id, kind=kind, today=today)
    with connection.cursor() as cursor:
        if kind == REGISTRATION:
            cursor.execute(KPJ_SQL, params)
            outcome.kpj_recorded = cursor.rowcount
        for _name, target, updates, note in MOVES[kind]:
            cursor.execute(MOVE_SQL.format(target=target, updates=updates, note=note), params)
    return outcome
