"""Writes for enrolment: the reference programs, categories and rates; roster imports."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.errors import LockNotAvailable

from accounts.models import User
from audit.context import audit_stamp
from coverage.services import coverage_refresh_later
from enrolment import reference
from enrolment.imports import ALLOWED_PROGRAMS, FileRefused, apply, results, settle, staging
from enrolment.imports.columns import map_headers
from enrolment.imports.files import inspect_upload, open_rows
from enrolment.imports.validation import MESSAGES, RowValidator
from enrolment.models import (
    RESTRICTED_NIKS,
    ContributionRate,
    Employment,
    EndReason,
    Enrolment,
    EnrolmentChange,
    ImportEvent,
    Program,
    Restriction,
    RosterImport,
    RowIssue,
    StagedResult,
    StagedRow,
    WageCeiling,
    Worker,
    WorkerCategory,
)
from enrolment.registration import institution_and_below
from partners.models import Agreement, Institution
from partners.selectors import institutions_for
from regions.services import LoadCounts


@transaction.atomic
def enrolment_load_reference() -> LoadCounts:
    """Programs, worker categories, contribution rates and JP ceilings.

    Rows are looked up by their natural key and only created when missing: an administrator's
    correction in the admin is never overwritten by a later run.
    """
    counts = LoadCounts()
    programs = {}
    for order, (code, name, description) in enumerate(reference.PROGRAMS, start=1):
        programs[code], created = Program.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order}
        )
        counts.found(created=created)
    for order, (code, name) in enumerate(reference.WORKER_CATEGORIES, start=1):
        _obj, created = WorkerCategory.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        counts.found(created=created)
    for rate in reference.contribution_rates():
        key = {k: rate[k] for k in ("segment", "payer", "risk_class", "valid_from")}
        defaults = {k: v for k, v in rate.items() if k not in key and k != "program"}
        _obj, created = ContributionRate.objects.get_or_create(
            program=programs[rate["program"]], **key, defaults=defaults
        )
        counts.found(created=created)
    for amount, valid_from, valid_to in reference.JP_CEILINGS:
        _obj, created = WageCeiling.objects.get_or_create(
            program=programs["JP"],
            valid_from=valid_from,
            defaults={
                "amount": amount,
                "valid_to": valid_to,
                "legal_basis": reference.JP_CEILING_BASIS,
                "needs_verification": True,
            },
        )
        counts.found(created=created)
    return counts


# --- Roster imports ---------------------------------------------------------------------------
#
# upload (kept verbatim, refused early when the file itself is wrong) -> validate (task: stream,
# check every row, COPY the good ones to staging) -> confirm -> apply (task: one transaction of
# set-based SQL). Tasks carry only the import's id and claim the row before working; a PostgreSQL
# advisory lock held while working lets the reaper tell a dead worker from a slow one.

LOCK_CLASS = 4_242  # first key of the advisory locks on roster imports
CHUNK_ROWS = 10_000  # rows per COPY, and how often progress is saved

log = logging.getLogger(__name__)


class RosterError(Exception):
    """An expected refusal with a message the person can act on."""

    def __init__(self, message: str, *, code: str = "", existing: RosterImport | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.existing = existing


def _event(roster_import: RosterImport, action: str, actor=None, **details) -> None:
    ImportEvent.objects.create(
        roster_import=roster_import, action=action, actor=actor, details=details
    )


def _sha256(upload: File) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def roster_local_path(roster_import: RosterImport) -> contextlib.AbstractContextManager[Path]:
    """The stored file as a local path (object storage: copied to a temporary file first)."""
    try:
        return contextlib.nullcontext(Path(roster_import.file.path))
    except NotImplementedError:
        return _temporary_copy(roster_import)


@contextlib.contextmanager
def _temporary_copy(roster_import: RosterImport):
    with tempfile.NamedTemporaryFile(suffix=f".{roster_import.format or 'bin'}") as handle:
        with roster_import.file.open("rb") as source:
            shutil.copyfileobj(source, handle, 1024 * 1024)
        handle.flush()
        yield Path(handle.name)


def roster_agreements(*, institution: Institution, today: dt.date | None = None):
    """Agreements a roster of this institution can be tied to: active ones of the institution or
    of an institution above it (a Kanwil's PKS covers its Kemenag Kab/Kota), nearest first."""
    today = today or timezone.localdate()
    chain, node = [], institution
    while node is not None and len(chain) < 10:
        chain.append(node.pk)
        node = node.parent
    live = [Agreement.Status.ACTIVE, Agreement.Status.EXPIRING]
    agreements = list(
        Agreement.objects.filter(institution_id__in=chain, status__in=live)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("institution")
    )
    return sorted(agreements, key=lambda a: (chain.index(a.institution_id), a.title))


def roster_upload(
    *,
    by: User | None,
    institution: Institution,
    upload: File,
    agreement: Agreement | None = None,
    enqueue: bool = True,
    kind: str = RosterImport.Kind.ROSTER,
) -> RosterImport:
    """Keep the file, refuse it now when the file itself is wrong, else queue its check.

    `kind` is a roster (partner admins and officers) or a file from BPJS's core system,
    registration results or payments (officers only). Raises RosterError for a duplicate file or
    an import of the same kind still in progress (nothing is kept then: the earlier import holds
    the file).
    """
    if by is not None:
        _require_handler(by, institution, kind)
    if kind != RosterImport.Kind.ROSTER:
        agreement = None  # results name their workers; the enrolments carry the agreement
    elif agreement is not None and agreement.pk not in {
        a.pk for a in roster_agreements(institution=institution)
    }:
        raise RosterError(_("Choose an active agreement of this institution or the one above it."))
    sha256 = _sha256(upload)
    earlier = (
        RosterImport.objects.filter(institution=institution, kind=kind, sha256=sha256)
        .exclude(status__in=[RosterImport.Status.CANCELLED, RosterImport.Status.REFUSED])
        # a failed import whose file the retention period deleted can no longer be retried
        .exclude(status=RosterImport.Status.FAILED, purged_at__isnull=False)
        .first()
    )
    if earlier is not None:
        raise RosterError(
            _("This file was already uploaded for this institution on %(date)s.")
            % {"date": timezone.localtime(earlier.created_at).strftime("%d-%m-%Y %H:%M")},
            code="duplicate_file",
            existing=earlier,
        )
    active = RosterImport.objects.filter(
        institution=institution, kind=kind, status__in=RosterImport.ACTIVE
    ).first()
    if active is not None:
        raise RosterError(
            _(
                "An earlier file of this kind for this institution is still being processed. "
                "Finish it (confirm or cancel) before uploading another."
            ),
            code="import_in_progress",
            existing=active,
        )
    name = Path(upload.name or "roster").name[:255]
    suffix = Path(name).suffix.lower().lstrip(".")[:5] or "bin"
    with transaction.atomic():
        if kind == RosterImport.Kind.ROSTER and agreement is None:
            agreement = next(iter(roster_agreements(institution=institution)), None)
        roster_import = RosterImport(
            kind=kind,
            institution=institution,
            agreement=agreement,
            uploaded_by=by,
            original_name=name,
            sha256=sha256,
            size=upload.size,
        )
        roster_import.file.save(f"{sha256}.{suffix}", upload, save=False)
        try:
            with roster_local_path(roster_import) as path:
                roster_import.format = inspect_upload(path, max_bytes=settings.ROSTER_MAX_BYTES)
        except FileRefused as refused:
            roster_import.status = RosterImport.Status.REFUSED
            roster_import.file_code = refused.code
            roster_import.message = refused.message
        try:
            roster_import.save()
        except IntegrityError as error:  # a second upload raced past the check above
            raise RosterError(
                _("An earlier roster of this institution is still being processed."),
                code="import_in_progress",
            ) from error
        _event(roster_import, ImportEvent.Action.UPLOADED, by, name=name, size=upload.size)
        if roster_import.status == RosterImport.Status.REFUSED:
            _event(roster_import, ImportEvent.Action.REFUSED, None, code=roster_import.file_code)
        elif enqueue:
            transaction.on_commit(lambda: _send("enrolment.tasks.validate_roster", roster_import))
    return roster_import


def _send(task_name: str, roster_import: RosterImport) -> bool:
    """Queue a task with the import's id only. A broker that is down is not an error for the
    person: the import is kept and the reaper queues it when the broker is back."""
    from config.celery import send_quietly

    roster_import.queued = send_quietly(task_name, [roster_import.pk])
    return roster_import.queued


def _require_uploader(by: User, institution: Institution) -> None:
    if not (by.can_upload_rosters or by.can_manage_partners):
        raise RosterError(_("Only partner administrators and BPJS officers can upload rosters."))
    if not institutions_for(by).filter(pk=institution.pk).exists():
        raise RosterError(_("The institution is outside your working area."))


def _require_handler(by: User, institution: Institution, kind: str) -> None:
    """Rosters: partner admins and officers. Files from BPJS's core system: officers only."""
    if kind != RosterImport.Kind.ROSTER and not by.can_manage_partners:
        raise RosterError(_("Only BPJS officers can import files from BPJS's core system."))
    _require_uploader(by, institution)


# --- the check (task) -------------------------------------------------------------------------


def _claim(pk: int, source: str, target: str) -> bool:
    """Move the import from one status to the next; False when someone else already did."""
    return bool(
        RosterImport.objects.filter(pk=pk, status=source).update(
            status=target, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


@contextlib.contextmanager
def _worker_lock(pk: int):
    """Held while a worker checks an import; released by PostgreSQL if the worker dies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, pk])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, pk])


def _clear_staging(pk: int) -> None:
    StagedRow.objects.filter(roster_import_id=pk).delete()
    StagedResult.objects.filter(roster_import_id=pk).delete()


def roster_validate(*, import_id: int, today: dt.date | None = None) -> RosterImport | None:
    """Check every row of an uploaded roster and stage the valid ones. Idempotent: a second call
    (a task delivered twice) finds the import already claimed and does nothing."""
    if not _claim(import_id, RosterImport.Status.UPLOADED, RosterImport.Status.VALIDATING):
        return None
    with _worker_lock(import_id):
        roster_import = RosterImport.objects.select_related("institution").get(pk=import_id)
        started = time.perf_counter()
        today = today or timezone.localdate()
        _clear_staging(import_id)
        RowIssue.objects.filter(roster_import_id=import_id).delete()
        try:
            with roster_local_path(roster_import) as path:
                if roster_import.kind == RosterImport.Kind.ROSTER:
                    counts = _check_rows(roster_import, path, today)
                else:
                    counts = _check_results(roster_import, path, today)
        except FileRefused as refused:
            _clear_staging(import_id)
            RowIssue.objects.filter(roster_import_id=import_id).delete()
            RosterImport.objects.filter(pk=import_id).update(
                status=RosterImport.Status.REFUSED,
                file_code=refused.code,
                message=refused.message,
                validated_at=timezone.now(),
            )
            _event(roster_import, ImportEvent.Action.REFUSED, None, code=refused.code)
            return RosterImport.objects.get(pk=import_id)
        except Exception:
            log.exception("roster import %s: the check failed", import_id)
            _clear_staging(import_id)
            RosterImport.objects.filter(pk=import_id).update(
                status=RosterImport.Status.FAILED,
                message=_("The check stopped because of an error in Sinergi. Try again later."),
            )
            _event(roster_import, ImportEvent.Action.FAILED, None, phase="validate")
            return RosterImport.objects.get(pk=import_id)
        RosterImport.objects.filter(pk=import_id).update(
            status=RosterImport.Status.VALIDATED,
            validated_at=timezone.now(),
            timings={"validate": round(time.perf_counter() - started, 3)},
            **_preview(roster_import, today),
            **counts,
        )
        _event(roster_import, ImportEvent.Action.VALIDATED, None, **counts)
    return RosterImport.objects.get(pk=import_id)


def _check_rows(roster_import: RosterImport, path: Path, today: dt.date) -> dict[str, int]:
    validator = RowValidator.from_database(today=today)
    done = valid = warned = errored = 0
    with open_rows(path, roster_import.format, max_rows=settings.ROSTER_MAX_ROWS) as source:
        header = map_headers(source.headers)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            unknown_columns=header.unknown[:50],
            rows_total=_estimate_rows(path, roster_import.format, source),
        )
        rows, issues = [], []
        for number, values in source:
            clean, found = validator.validate(number, header.row_values(values))
            done += 1
            if clean is not None:
                rows.append(clean)
                valid += 1
                warned += bool(found)
            else:
                errored += 1
            issues.extend(found)
            if done % CHUNK_ROWS == 0:
                _flush(roster_import.pk, rows, issues, done)
                rows, issues = [], []
        _flush(roster_import.pk, rows, issues, done)
    if done == 0:
        raise FileRefused(
            "empty_file",
            _("The file has column headers but no data rows. Fill in the rows and upload again."),
        )
    with connection.cursor() as cursor:
        # Fresh statistics, so the joins of the apply see the real number of staged rows; of
        # the columns they join and filter on only (0,08 s for 100.000 rows, against 0,36 s for
        # every column).
        cursor.execute("ANALYZE enrolment_stagedrow (roster_import_id, nik, work_unit, ended_on)")
    refused, refused_warned = _refuse_restricted_rows(roster_import.pk)
    valid, errored, warned = valid - refused, errored + refused, warned - refused_warned
    warned += _flag_workers_elsewhere(roster_import)
    return {"rows_total": done, "rows_valid": valid, "rows_warning": warned, "rows_error": errored}


def _preview(roster_import: RosterImport, today: dt.date) -> dict:
    """What applying would change now, as the import's fields."""
    if roster_import.kind == RosterImport.Kind.ROSTER:
        counts = apply.compare(
            import_id=roster_import.pk, institution_id=roster_import.institution_id
        )
        return {
            "workers_created": counts.created,
            "workers_updated": counts.updated,
            "workers_unchanged": counts.unchanged,
        }
    outcome = settle.preview(import_id=roster_import.pk, kind=roster_import.kind, today=today)
    return {"summary": outcome.as_summary()}


def _check_results(roster_import: RosterImport, path: Path, today: dt.date) -> dict[str, int]:
    """Registration results or payments: each row checked as the roster's are, then what only
    the database knows (the worker, their employer, their KPJ), set-based."""
    kind = roster_import.kind
    validator = results.ResultValidator.for_kind(kind, today=today)
    done = 0
    with open_rows(path, roster_import.format, max_rows=settings.ROSTER_MAX_ROWS) as source:
        header = results.map_result_headers(source.headers, kind)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            unknown_columns=header.unknown[:50],
            rows_total=_estimate_rows(path, roster_import.format, source),
        )
        rows, issues = [], []
        for number, values in source:
            clean, found = validator.validate(number, header.row_values(values))
            done += 1
            if clean is not None:
                rows.append(clean)
            issues.extend(found)
            if done % CHUNK_ROWS == 0:
                _flush(roster_import.pk, rows, issues, done, copy=results.copy_results)
                rows, issues = [], []
        _flush(roster_import.pk, rows, issues, done, copy=results.copy_results)
    if done == 0:
        raise FileRefused(
            "empty_file",
            _("The file has column headers but no data rows. Fill in the rows and upload again."),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enrolment_stagedresult")
    settle.check_staged(
        import_id=roster_import.pk,
        kind=kind,
        institution_ids=sorted(institution_and_below(roster_import.institution)),
    )
    issues = RowIssue.objects.filter(roster_import_id=roster_import.pk)
    return {
        "rows_total": done,
        "rows_valid": StagedResult.objects.filter(roster_import_id=roster_import.pk).count(),
        "rows_warning": issues.filter(severity=RowIssue.Severity.WARNING)
        .values("row")
        .distinct()
        .count(),
        "rows_error": issues.filter(severity=RowIssue.Severity.ERROR)
        .values("row")
        .distinct()
        .count(),
    }


def _estimate_rows(path: Path, fmt: str, source) -> int | None:
    """For the progress bar: XLSX knows its height; a CSV is estimated from its size."""
    height = getattr(source, "total_rows", None)
    if height:
        return height
    return max(1, path.stat().st_size // 120) if fmt == RosterImport.Format.CSV else None


def _flush(pk: int, rows: list, issues: list, done: int, copy=staging.copy_rows) -> None:
    if rows:
        copy(pk, rows)
    if issues:
        staging.copy_issues(pk, issues)
    RosterImport.objects.filter(pk=pk).update(rows_done=done)


WORKERS_ELSEWHERE_SQL = """
INSERT INTO enrolment_rowissue (roster_import_id, "row", "column", code, severity, message, value)
SELECT s.roster_import_id, s.row, 'NIK', 'worker_in_other_institution', 'warning',
       'NIK ini juga tercatat bekerja di ' || string_agg(DISTINCT i.name, ', ') ||
       '. Tidak apa-apa jika benar; periksa bila keliru.',
       left(s.nik, 4) || '********' || right(s.nik, 4)
FROM enrolment_stagedrow s
JOIN enrolment_worker w ON w.nik = s.nik
JOIN enrolment_employment e ON e.worker_id = w.id AND e.institution_id <> %(institution)s
JOIN partners_institution i ON i.id = e.institution_id
WHERE s.roster_import_id = %(import)s
GROUP BY s.roster_import_id, s.row, s.nik
"""


# Rows of people whose processing is restricted leave the staging table with an error issue, in
# one statement for the whole file: the restricted NIKs (a handful, from the partial unique index
# of open restrictions) are hashed once and the staged rows pass by them once; with no open
# restriction PostgreSQL does not even read the staged rows. The EXISTS sees the issues as they
# were before this statement: the rows' own warnings.
RESTRICTED_ROWS_SQL = f"""
WITH restricted AS MATERIALIZED ({RESTRICTED_NIKS}),
refused AS (
  DELETE FROM enrolment_stagedrow s USING restricted x
  WHERE s.roster_import_id = %(import)s AND s.nik = x.nik
  RETURNING s.row, s.nik
), issued AS (
  INSERT INTO enrolment_rowissue
    (roster_import_id, "row", "column", code, severity, message, value)
  SELECT %(import)s, f.row, 'NIK', 'worker_restricted', 'error', %(message)s,
         left(f.nik, 4) || '********' || right(f.nik, 4)
  FROM refused f
)
SELECT count(*), count(*) FILTER (WHERE EXISTS (
  SELECT 1 FROM enrolment_rowissue i WHERE i.roster_import_id = %(import)s AND i.row = f.row))
FROM refused f
"""  # noqa: S608 - built from a constant fragment; values are bound


def _refuse_restricted_rows(import_id: int) -> tuple[int, int]:
    """Staged roster rows of restricted people become errors (`worker_restricted`) and are not
    applied. Returns how many rows, and how many of them had warnings."""
    with connection.cursor() as cursor:
        cursor.execute(
            RESTRICTED_ROWS_SQL, {"import": import_id, "message": MESSAGES["worker_restricted"]}
        )
        refused, warned = cursor.fetchone()
    return refused, warned


# An apply and the setting of a restriction exclude each other. The apply holds this lock shared
# from before it looks for restricted people until it commits; worker_restrict takes it alone.
# So no one is restricted between that look and the apply's writes (the restriction waits for
# the applies under way, and an apply starting meanwhile waits for the restriction and sees it).
RESTRICTIONS_LOCK = (LOCK_CLASS + 1, 0)
RESTRICTION_WAIT = "10s"  # then the officer is asked to try again


def _hold_restrictions_still() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", RESTRICTIONS_LOCK)


def _refuse_restricted_before_apply(roster_import: RosterImport) -> None:
    """A person restricted between the check and the apply is skipped too, and the import's
    counts follow. Runs inside the apply's transaction."""
    if roster_import.kind == RosterImport.Kind.ROSTER:
        refused, warned = _refuse_restricted_rows(roster_import.pk)
    else:
        refused, warned = settle.refuse_restricted(import_id=roster_import.pk), 0
    if refused:
        RosterImport.objects.filter(pk=roster_import.pk).update(
            rows_valid=F("rows_valid") - refused,
            rows_error=F("rows_error") + refused,
            rows_warning=F("rows_warning") - warned,
        )
        log.info("import %s: %s rows of restricted workers skipped", roster_import.pk, refused)


def _flag_workers_elsewhere(roster_import: RosterImport) -> int:
    """Warnings, set-based: workers this roster lists who already work at another institution.
    Returns how many rows got their first warning this way."""
    params = {"import": roster_import.pk, "institution": roster_import.institution_id}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM enrolment_stagedrow s
               WHERE s.roster_import_id = %(import)s AND EXISTS (
                 SELECT 1 FROM enrolment_rowissue r
                 WHERE r.roster_import_id = s.roster_import_id AND r.row = s.row)""",
            params,
        )
        already_warned = cursor.fetchone()[0]
        cursor.execute(WORKERS_ELSEWHERE_SQL, params)
        cursor.execute(
            """SELECT count(*) FROM enrolment_stagedrow s
               WHERE s.roster_import_id = %(import)s AND EXISTS (
                 SELECT 1 FROM enrolment_rowissue r
                 WHERE r.roster_import_id = s.roster_import_id AND r.row = s.row)""",
            params,
        )
        return cursor.fetchone()[0] - already_warned


# --- confirm, apply, and the ways out -----------------------------------------------------------


def roster_confirm(*, by: User, roster_import: RosterImport, enqueue: bool = True) -> None:
    """The uploader (or an officer) confirms: the valid rows will be applied."""
    _require_handler(by, roster_import.institution, roster_import.kind)
    if roster_import.status != RosterImport.Status.VALIDATED or not roster_import.rows_valid:
        raise RosterError(_("Only a checked file with valid rows can be applied."))
    RosterImport.objects.filter(pk=roster_import.pk).update(applied_by=by)
    if enqueue:
        transaction.on_commit(lambda: _send("enrolment.tasks.apply_roster", roster_import))


def default_programs(agreement: Agreement | None) -> list[str]:
    """What a row without a PROGRAM column enrols in: the agreement's programs a non-ASN worker
    may have, else the two mandatory ones."""
    codes = []
    if agreement is not None:
        codes = [p.code for p in agreement.programs.all() if p.code in ALLOWED_PROGRAMS]
    return codes or ["JKK", "JKM"]


def roster_apply(*, import_id: int) -> RosterImport | None:
    """Apply the staged rows in one transaction. Idempotent: only the task that moves the import
    from validated to applying writes; a crash rolls everything back and the reaper retries."""
    if not _claim(import_id, RosterImport.Status.VALIDATED, RosterImport.Status.APPLYING):
        return None
    roster_import = RosterImport.objects.select_related("agreement").get(pk=import_id)
    if roster_import.kind != RosterImport.Kind.ROSTER:
        return _settle(roster_import)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, import_id])
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    "SELECT set_config('work_mem', %s, true)", [settings.ROSTER_APPLY_WORK_MEM]
                )
            audit_stamp(actor_id=roster_import.applied_by_id, roster_import_id=import_id)
            _hold_restrictions_still()
            _refuse_restricted_before_apply(roster_import)
            counts, timings = apply.apply_staged(
                import_id=import_id,
                institution_id=roster_import.institution_id,
                agreement_id=roster_import.agreement_id,
                default_programs=default_programs(roster_import.agreement),
                actor_id=roster_import.applied_by_id,
            )
            _clear_staging(import_id)
            timings = {**roster_import.timings, **timings}
            before_commit = time.perf_counter()
            timings["apply"] = round(before_commit - started, 3)
            RosterImport.objects.filter(pk=import_id).update(
                status=RosterImport.Status.APPLIED,
                applied_at=timezone.now(),
                workers_created=counts.created,
                workers_updated=counts.updated,
                workers_unchanged=counts.unchanged,
                enrolments_created=counts.enrolments,
                summary={
                    name: value
                    for name, value in (
                        ("employments_ended", counts.employments_ended),
                        ("enrolments_ended", counts.enrolments_ended),
                    )
                    if value
                },
                timings=timings,
            )
            coverage_refresh_later([roster_import.institution_id])
            _event(
                roster_import,
                ImportEvent.Action.APPLIED,
                roster_import.applied_by,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                enrolments=counts.enrolments,
            )
        # The deferred foreign-key checks run at commit: measured too, for the benchmark.
        timings["commit"] = round(time.perf_counter() - before_commit, 3)
        RosterImport.objects.filter(pk=import_id).update(timings=timings)
    except Exception:
        log.exception("roster import %s: the apply failed", import_id)
        RosterImport.objects.filter(pk=import_id).update(
            status=RosterImport.Status.FAILED,
            message=_("Applying stopped because of an error in Sinergi; nothing was applied."),
        )
        _event(roster_import, ImportEvent.Action.FAILED, None, phase="apply")
    return RosterImport.objects.get(pk=import_id)


def _settle(roster_import: RosterImport) -> RosterImport:
    """Apply registration results or payments: one transaction, set-based (imports.settle)."""
    import_id = roster_import.pk
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, import_id])
            audit_stamp(actor_id=roster_import.applied_by_id, roster_import_id=import_id)
            _hold_restrictions_still()
            _refuse_restricted_before_apply(roster_import)
            outcome = settle.apply_staged(
                import_id=import_id,
                kind=roster_import.kind,
                actor_id=roster_import.applied_by_id,
                today=timezone.localdate(),
            )
            _clear_staging(import_id)
            summary = outcome.as_summary()
            RosterImport.objects.filter(pk=import_id).update(
                status=RosterImport.Status.APPLIED,
                applied_at=timezone.now(),
                summary=summary,
                timings={
                    **roster_import.timings,
                    "apply": round(time.perf_counter() - started, 3),
                },
            )
            _event(roster_import, ImportEvent.Action.APPLIED, roster_import.applied_by, **summary)
            coverage_refresh_later([roster_import.institution_id])
    except Exception:
        log.exception("import %s: the apply failed", import_id)
        RosterImport.objects.filter(pk=import_id).update(
            status=RosterImport.Status.FAILED,
            message=_("Applying stopped because of an error in Sinergi; nothing was applied."),
        )
        _event(roster_import, ImportEvent.Action.FAILED, None, phase="apply")
    return RosterImport.objects.get(pk=import_id)


def _close(roster_import: RosterImport, status: str, action: str, by, **details) -> None:
    with transaction.atomic():
        changed = RosterImport.objects.filter(
            pk=roster_import.pk,
            status__in=[RosterImport.Status.VALIDATED, RosterImport.Status.FAILED],
        ).update(status=status, **({"rejected_by": by} if status == "rejected" else {}), **details)
        if not changed:
            raise RosterError(_("This import can no longer be cancelled or rejected."))
        _clear_staging(roster_import.pk)
        _event(roster_import, action, by, **details)


def roster_cancel(*, by: User, roster_import: RosterImport) -> None:
    _require_handler(by, roster_import.institution, roster_import.kind)
    _close(roster_import, RosterImport.Status.CANCELLED, ImportEvent.Action.CANCELLED, by)


def roster_reject(*, by: User, roster_import: RosterImport, reason: str) -> None:
    """An officer turns a roster down, with a reason the partner reads."""
    if not by.can_manage_partners:
        raise RosterError(_("Only BPJS officers can reject a roster."))
    _require_handler(by, roster_import.institution, roster_import.kind)
    if not reason.strip():
        raise RosterError(_("Write the reason, so the partner knows what to fix."))
    _close(
        roster_import,
        RosterImport.Status.REJECTED,
        ImportEvent.Action.REJECTED,
        by,
        rejected_reason=reason.strip()[:300],
    )


def roster_retry(*, by: User | None, roster_import: RosterImport) -> None:
    """A failed import starts again: the apply when its rows are staged, else the check."""
    if by is not None:
        _require_handler(by, roster_import.institution, roster_import.kind)
    if roster_import.is_purged:
        raise RosterError(
            _(
                "The file of this import was deleted at the end of the retention period. "
                "Upload the file again."
            )
        )
    staged = RosterImport.objects.filter(
        pk=roster_import.pk, validated_at__isnull=False
    ).exists() and (
        StagedRow.objects.filter(roster_import_id=roster_import.pk).exists()
        or StagedResult.objects.filter(roster_import_id=roster_import.pk).exists()
    )
    target = RosterImport.Status.VALIDATED if staged else RosterImport.Status.UPLOADED
    if not RosterImport.objects.filter(
        pk=roster_import.pk, status=RosterImport.Status.FAILED, purged_at__isnull=True
    ).update(status=target, message=""):
        raise RosterError(_("Only a failed import can be tried again."))
    _event(roster_import, ImportEvent.Action.RETRIED, by)
    task = "enrolment.tasks.apply_roster" if staged else "enrolment.tasks.validate_roster"
    if staged and roster_import.applied_by_id is None:
        return  # checked but never confirmed: it waits for the person again
    transaction.on_commit(lambda: _send(task, roster_import))


def rosters_reap(*, stale_after: dt.timedelta = dt.timedelta(seconds=60)) -> list[int]:
    """Beat (every minute) and worker start: imports whose worker died go back to work.

    An import checking or applying whose advisory lock nobody holds lost its worker (PostgreSQL
    released the lock with the connection); nothing of it was applied (one transaction), so it is
    marked failed and queued again.

    Imports waiting for a task are queued again too: the broker may never have received it (it
    was down) or lost it (restarted with its queues gone). A task delivered twice finds the import
    already claimed and does nothing.
    """
    cutoff = timezone.now() - stale_after
    reaped = []
    for roster_import in RosterImport.objects.filter(
        status__in=[RosterImport.Status.VALIDATING, RosterImport.Status.APPLYING],
        claimed_at__lt=cutoff,
    ):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, roster_import.pk])
            free = cursor.fetchone()[0]
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, roster_import.pk])
        if not free:
            continue  # a worker is on it
        if RosterImport.objects.filter(
            pk=roster_import.pk, status=roster_import.status, claimed_at=roster_import.claimed_at
        ).update(status=RosterImport.Status.FAILED):
            if roster_import.status == RosterImport.Status.VALIDATING:
                _clear_staging(roster_import.pk)  # a half-done check starts over
            _event(roster_import, ImportEvent.Action.FAILED, None, phase="reaper")
            if roster_import.attempts < settings.ROSTER_MAX_ATTEMPTS:
                roster_import.status = RosterImport.Status.FAILED
                roster_retry(by=None, roster_import=roster_import)
            reaped.append(roster_import.pk)
    waiting = RosterImport.objects.exclude(pk__in=reaped)  # those were just queued again
    for roster_import in waiting.filter(
        status=RosterImport.Status.UPLOADED, created_at__lt=cutoff
    ):  # retried ones too (claimed before): their retry's task can be lost the same way
        _send("enrolment.tasks.validate_roster", roster_import)
    for roster_import in waiting.filter(
        status=RosterImport.Status.VALIDATED, applied_by__isnull=False, claimed_at__lt=cutoff
    ):  # confirmed, so an apply was queued
        _send("enrolment.tasks.apply_roster", roster_import)
    return reaped


def roster_cancel_unattended(*, roster_import: RosterImport) -> None:
    """A dry run from the command line ends here: checked, nothing applied, nothing blocking."""
    _close(roster_import, RosterImport.Status.CANCELLED, ImportEvent.Action.CANCELLED, None)


# --- Enrolment lifecycle ------------------------------------------------------------------------
#
# pending registration → registered (KPJ, date) → active (paid through the current month) /
# inactive (arrears) → ended (with a reason). Every move writes an EnrolmentChange row with the
# acting user or the import that caused it, in the same transaction.

Status = Enrolment.Status
MOVES: dict[str, set[str]] = {
    Status.PENDING: {Status.REGISTERED, Status.ENDED},
    Status.REGISTERED: {Status.ACTIVE, Status.INACTIVE, Status.ENDED},
    Status.ACTIVE: {Status.INACTIVE, Status.ENDED},
    Status.INACTIVE: {Status.ACTIVE, Status.ENDED},
    Status.ENDED: set(),
}
# Non-ASN government workers (PU) and informal workers (BPU) alike: never JP or JKP.
SEGMENT_PROGRAMS = {"PU": {"JKK", "JKM", "JHT"}, "BPU": {"JKK", "JKM", "JHT"}}
MANDATORY_PROGRAMS = {"JKK", "JKM"}


class EnrolmentError(Exception):
    """An expected refusal, in words the officer can act on."""


# worker_restrict takes the worker's row FOR UPDATE, which conflicts with FOR KEY SHARE: a change
# by hand that holds the row waits for a restriction being set and then reads it, and a
# restriction waits for a change already under way. KEY SHARE conflicts with nothing else the
# imports or the other changes take on a worker (their updates take NO KEY UPDATE), so the check
# adds no wait and no lock order between them.
WORKER_KEY_SHARE_SQL = "SELECT 1 FROM enrolment_worker WHERE id = %s FOR KEY SHARE"


def _require_unrestricted(worker_id: int) -> None:
    """While the worker's processing is restricted their records are only stored: a change by
    hand is refused until the restriction is lifted. Call inside the service's transaction,
    before its first write."""
    with connection.cursor() as cursor:
        cursor.execute(WORKER_KEY_SHARE_SQL, [worker_id])
    since = (
        Restriction.objects.filter(worker_id=worker_id, lifted_at__isnull=True)
        .values_list("set_at", flat=True)
        .first()
    )
    if since is not None:
        raise EnrolmentError(
            _(
                "The processing of this person's data has been restricted since %(date)s, so "
                "their records cannot be changed. A BPJS officer must first lift the "
                "restriction on the person's page; then try again."
            )
            % {"date": f"{timezone.localtime(since):%d-%m-%Y}"}
        )


def _enrolment_move(
    enrolment: Enrolment,
    to: str,
    *,
    by: User | None,
    roster_import: RosterImport | None = None,
    note: str = "",
    **fields,
) -> Enrolment:
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if to != locked.status and to not in MOVES[locked.status]:
        raise EnrolmentError(
            _("An enrolment that is “%(current)s” cannot become “%(target)s”.")
            % {"current": locked.get_status_display(), "target": Status(to).label}
        )
    before = locked.status
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.status = to
    locked.save()
    _refresh_coverage_of(locked.worker_id)
    if before != to or fields:
        EnrolmentChange.objects.create(
            enrolment=locked,
            before=before,
            after=to,
            actor=by,
            roster_import=roster_import,
            note=note[:300],
        )
    return locked


def _refresh_coverage_of(worker_id: int) -> None:
    coverage_refresh_later(
        Employment.objects.filter(worker_id=worker_id).values_list("institution_id", flat=True)
    )


def enrolment_programs_allowed(*, segment: str, agreement: Agreement | None) -> set[str]:
    """JKK and JKM always; JHT when the agreement includes it; never JP or JKP."""
    allowed = set(MANDATORY_PROGRAMS)
    if agreement is not None and agreement.programs.filter(code="JHT").exists():
        allowed.add("JHT")
    return allowed & SEGMENT_PROGRAMS[segment]


@transaction.atomic
def enrolment_add(
    *, worker, program: Program, agreement: Agreement | None, by: User, segment: str = "PU"
) -> Enrolment:
    if program.code not in enrolment_programs_allowed(segment=segment, agreement=agreement):
        raise EnrolmentError(
            _("%(program)s is not a program this worker can have under this agreement.")
            % {"program": program.code}
        )
    _require_unrestricted(worker.pk)
    enrolment, created = Enrolment.objects.get_or_create(
        worker=worker, program=program, defaults={"agreement": agreement}
    )
    if created:
        EnrolmentChange.objects.create(enrolment=enrolment, after=enrolment.status, actor=by)
        _refresh_coverage_of(worker.pk)
    return enrolment


@transaction.atomic
def enrolment_register(
    *,
    enrolment: Enrolment,
    kpj: str,
    registered_on: dt.date,
    by: User | None,
    roster_import: RosterImport | None = None,
) -> Enrolment:
    """BPJS registered the worker: the KPJ goes on the worker, the date on the enrolment."""
    kpj = "".join(kpj.split())
    if not (kpj.isdigit() and len(kpj) == 11):
        raise EnrolmentError(_("A KPJ number has 11 digits."))
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    _require_unrestricted(enrolment.worker_id)
    worker = enrolment.worker
    if worker.kpj and worker.kpj != kpj:
        raise EnrolmentError(
            _("This worker already has another KPJ number. Check the registration result.")
        )
    if not worker.kpj:
        type(worker).objects.filter(pk=worker.pk).update(kpj=kpj)
    return _enrolment_move(
        enrolment,
        Status.REGISTERED,
        by=by,
        roster_import=roster_import,
        registered_on=registered_on,
        rejected_reason="",
    )


@transaction.atomic
def enrolment_record_payment(
    *,
    enrolment: Enrolment,
    paid_through: dt.date,
    today: dt.date,
    by: User | None,
    roster_import: RosterImport | None = None,
) -> Enrolment:
    """Paid through a month: active when that covers the current month, otherwise inactive."""
    month = paid_through.replace(day=1)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    _require_unrestricted(enrolment.worker_id)
    if enrolment.status in {Status.PENDING, Status.ENDED}:
        raise EnrolmentError(_("Only a registered enrolment can record a payment."))
    status = Status.ACTIVE if month >= today.replace(day=1) else Status.INACTIVE
    return _enrolment_move(
        enrolment, status, by=by, roster_import=roster_import, paid_through=month
    )


ARREARS_SQL = """
WITH moved AS (
  UPDATE enrolment_enrolment e SET status = 'inactive', updated_at = now()
  WHERE e.status = 'active' AND (e.paid_through IS NULL OR e.paid_through < %(month)s)
  RETURNING e.id
)
INSERT INTO enrolment_enrolmentchange (enrolment_id, before, after, note, at)
SELECT id, 'active', 'inactive', %(note)s, now() FROM moved
"""


@transaction.atomic
def enrolments_mark_arrears(*, today: dt.date | None = None) -> int:
    """Active enrolments whose contributions do not reach the current month become inactive
    (arrears), with a history row each. Returns how many; a second run the same month finds
    none."""
    month = (today or timezone.localdate()).replace(day=1)
    note = _("No contribution paid for %(month)s.") % {"month": month.strftime("%m-%Y")}
    with connection.cursor() as cursor:
        cursor.execute(ARREARS_SQL, {"month": month, "note": note})
        return cursor.rowcount


@transaction.atomic
def enrolment_end(
    *, enrolment: Enrolment, ended_on: dt.date, reason: str, by: User | None, note: str = ""
) -> Enrolment:
    if reason not in EndReason.values:
        raise EnrolmentError(_("Choose why the enrolment ends."))
    _require_unrestricted(enrolment.worker_id)  # the move locks the enrolment
    return _enrolment_move(
        enrolment, Status.ENDED, by=by, note=note, ended_on=ended_on, end_reason=reason
    )


@transaction.atomic
def employment_end(
    *, employment: Employment, ended_on: dt.date, reason: str, by: User
) -> Employment:
    """The worker left this institution. Their enrolments end too, unless another employment
    that has not ended keeps them."""
    if by is not None:
        try:
            _require_uploader(by, employment.institution)
        except RosterError as refused:
            raise EnrolmentError(refused.message) from refused
    if reason not in EndReason.values:
        raise EnrolmentError(_("Choose why the employment ends."))
    locked = Employment.objects.select_for_update().get(pk=employment.pk)
    _require_unrestricted(locked.worker_id)
    if locked.ended_on is not None:
        raise EnrolmentError(_("This employment has already ended."))
    if ended_on < locked.start_date:
        raise EnrolmentError(_("The employment cannot end before it started."))
    locked.ended_on, locked.end_reason = ended_on, reason
    locked.save(update_fields=["ended_on", "end_reason", "updated_at"])
    _refresh_coverage_of(locked.worker_id)
    others = (
        Employment.objects.filter(worker_id=locked.worker_id, ended_on__isnull=True)
        .exclude(pk=locked.pk)
        .exists()
    )
    if not others:
        for enrolment in Enrolment.objects.filter(worker_id=locked.worker_id).exclude(
            status=Status.ENDED
        ):
            enrolment_end(
                enrolment=enrolment,
                ended_on=ended_on,
                reason=reason,
                by=by,
                note=_("Employment at %(institution)s ended.")
                % {"institution": locked.institution},
            )
    return locked


# --- Restriction of processing (UU 27/2022, "pembatasan pemrosesan") ----------------------------
#
# While a worker has an open Restriction, imports skip their rows (`worker_restricted`), the
# exports that list people leave them out and the changes by hand above refuse
# (`_require_unrestricted`). Computations over what is already held go on: the
# nightly arrears run keeps an enrolment's status true to the calendar, and coverage figures count
# people without naming anyone (README, "Restriction of processing").


def _require_restriction_handler(by: User, worker: Worker) -> None:
    """National administrators and regional officers who see the worker (BPJS decides on a
    data subject's request); partner admins and managers may not."""
    from enrolment.selectors import workers_for

    if not by.can_manage_partners:
        raise EnrolmentError(_("Only BPJS officers can restrict or lift the processing of data."))
    if not workers_for(by).filter(pk=worker.pk).exists():
        raise EnrolmentError(_("This worker is outside your working area."))


def _reason(text: str, missing: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise EnrolmentError(missing)
    return reason[:300]


@transaction.atomic
def worker_restrict(*, worker: Worker, reason: str, by: User) -> Restriction:
    """Restrict the processing of a worker's data until lifted. The row is the history: who set
    it, when and why (and later who lifted it)."""
    _require_restriction_handler(by, worker)
    reason = _reason(reason, _("Write why the processing is restricted."))
    _wait_for_applies_under_way()
    Worker.objects.select_for_update().filter(pk=worker.pk).first()  # one decision at a time
    if Restriction.objects.filter(worker=worker, lifted_at__isnull=True).exists():
        raise EnrolmentError(_("The processing of this person's data is already restricted."))
    restriction = Restriction(worker=worker, reason=reason, set_by=by, set_at=timezone.now())
    restriction.full_clean()
    restriction.save()
    log.info("worker %s: processing restricted (restriction %s)", worker.pk, restriction.pk)
    return restriction


def _wait_for_applies_under_way() -> None:
    """Take RESTRICTIONS_LOCK alone, waiting RESTRICTION_WAIT at most for the applies that hold
    it; past that, the officer is asked to try again."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [RESTRICTION_WAIT])
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", RESTRICTIONS_LOCK)
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except OperationalError as error:
        if not isinstance(error.__cause__, LockNotAvailable):
            raise
        raise EnrolmentError(
            _(
                "A roster or BPJS file is being applied right now and may include this person. "
                "Try again in a minute."
            )
        ) from None


@transaction.atomic
def worker_restriction_lift(*, worker: Worker, reason: str, by: User) -> Restriction:
    """Lift the worker's open restriction: imports and exports take them again."""
    _require_restriction_handler(by, worker)
    reason = _reason(reason, _("Write why the restriction is lifted."))
    restriction = (
        Restriction.objects.select_for_update()
        .filter(worker=worker, lifted_at__isnull=True)
        .first()
    )
    if restriction is None:
        raise EnrolmentError(_("The processing of this person's data is not restricted."))
    restriction.lifted_at, restriction.lifted_by, restriction.lift_reason = (
        timezone.now(),
        by,
        reason,
    )
    restriction.full_clean()
    restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    log.info("worker %s: restriction %s lifted", worker.pk, restriction.pk)
    return restriction


# --- Retention of uploaded files ----------------------------------------------------------------
#
# An import that is over (applied, refused, failed, rejected, cancelled) and was uploaded more
# than RETENTION_DAYS ago loses its stored file, its row issues and any staged row. Its record
# stays as a summary without personal data: counts, dates, who uploaded, confirmed or rejected,
# status, kind, institution, size and sha256 (a hash cannot be turned back into the file; it only
# recognises the same file again, which the duplicate check needs). The file name is replaced by
# a neutral one (a correction file can be named after the person it corrects), and so are the
# file's own words (the refusal message, unknown column headers), which can quote its first row.
# The trail of each person (WorkerChange, EnrolmentChange, the audit app) is the person's record,
# not the file's: it stays as long as the person's data does.

RETENTION_BATCH = 200  # imports read per query


@dataclass
class Purged:
    imports: int = 0
    issues: int = 0
    staged: int = 0
    failed: int = 0


def purged_name(roster_import: RosterImport) -> str:
    return f"berkas-{roster_import.pk}.{roster_import.format or 'bin'}"


def imports_purge_expired(*, now: dt.datetime | None = None) -> Purged:
    """Delete what the retention period no longer allows us to keep. Idempotent (a purged import
    is marked and never read again) and batched; each import in its own transaction, the stored
    file deleted last inside it, so a storage error leaves the import whole for the next run."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.RETENTION_DAYS)
    expired = RosterImport.objects.filter(
        status__in=RosterImport.FINISHED, created_at__lt=cutoff, purged_at__isnull=True
    ).order_by("pk")
    done, skipped = Purged(), set()
    while batch := list(
        expired.exclude(pk__in=skipped).values_list("pk", flat=True)[:RETENTION_BATCH]
    ):
        for pk in batch:
            try:
                issues, staged = _import_purge(pk, now=now)
            except SoftTimeLimitExceeded:
                raise  # the night is over: the next run goes on from here
            except Exception:
                log.exception("retention: import %s could not be purged; tried again next run", pk)
                skipped.add(pk)
                done.failed += 1
                continue
            done.imports += 1
            done.issues += issues
            done.staged += staged
    log.info(
        "retention: %s imports purged (%s row issues, %s staged rows), %s failed",
        done.imports,
        done.issues,
        done.staged,
        done.failed,
    )
    return done


@transaction.atomic
def _import_purge(pk: int, *, now: dt.datetime) -> tuple[int, int]:
    roster_import = (
        RosterImport.objects.select_for_update()
        .filter(pk=pk, status__in=RosterImport.FINISHED, purged_at__isnull=True)
        .first()
    )
    if roster_import is None:  # retried, or purged by a run at the same moment
        return 0, 0
    issues, _by_model = RowIssue.objects.filter(roster_import_id=pk).delete()
    staged = StagedRow.objects.filter(roster_import_id=pk).delete()[0]
    staged += StagedResult.objects.filter(roster_import_id=pk).delete()[0]
    stored, name = roster_import.file.name, purged_name(roster_import)
    RosterImport.objects.filter(pk=pk).update(
        file="", original_name=name, message="", unknown_columns=[], purged_at=now
    )
    for event in roster_import.events.filter(action=ImportEvent.Action.UPLOADED):
        event.details = {**event.details, "name": name}
        event.save(update_fields=["details"])
    _event(
        roster_import,
        ImportEvent.Action.PURGED,
        None,
        days=settings.RETENTION_DAYS,
        issues=issues,
        file=bool(stored),
    )
    if stored:
        roster_import.file.storage.delete(stored)
    log.info("retention: import %s purged (%s row issues)", pk, issues)
    return issues, staged
