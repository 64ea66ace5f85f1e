"""Roster tasks: thin. Each takes the import's id (never personal data), claims the import in the
service and returns ids and counts only."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from enrolment import services

IMPORT_LIMITS = {
    "acks_late": True,  # a worker lost mid-task hands the message back
    "reject_on_worker_lost": True,
    "ignore_result": False,  # the status, for the tests and the command line; never row data
    "soft_time_limit": settings.IMPORT_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.IMPORT_TASK_TIME_LIMIT,
}


@shared_task(**IMPORT_LIMITS)
def validate_roster(import_id: int) -> str | None:
    roster_import = services.roster_validate(import_id=import_id)
    return roster_import.status if roster_import else None


@shared_task(**IMPORT_LIMITS)
def apply_roster(import_id: int) -> str | None:
    roster_import = services.roster_apply(import_id=import_id)
    return roster_import.status if roster_import else None


@shared_task
def mark_arrears() -> int:
    """Nightly: active enrolments not paid for the current month become inactive."""
    return services.enrolments_mark_arrears()


@shared_task
def reap_rosters() -> list[int]:
    return services.rosters_reap()


@worker_ready.connect
def _reap_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A restarted worker first looks for imports its predecessor left half-done: a dead
    worker's advisory lock is already gone, so there is no need to wait."""
    import datetime as dt

    services.rosters_reap(stale_after=dt.timedelta(0))


@shared_task(
    soft_time_limit=settings.IMPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_TASK_TIME_LIMIT,
)
def purge_expired_imports() -> dict[str, int]:
    """Nightly: files and per-row data of imports past the retention period. Counts only; each
    import is purged in its own transaction, so a run cut short is finished by the next."""
    purged = services.imports_purge_expired()
    return {"imports": purged.imports, "issues": purged.issues, "failed": purged.failed}
