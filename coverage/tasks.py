"""Coverage tasks: thin. They take institution ids (never personal data) and call the services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from coverage import services


@shared_task
def refresh_coverage(institution_ids: list[int]) -> int:
    """After an import is applied or an enrolment changes: the figures of those institutions."""
    return services.coverage_refresh(institution_ids=institution_ids)


@shared_task
def refresh_all_coverage() -> int:
    """Nightly, after the arrears: every figure again (active depends on the month)."""
    return services.coverage_refresh()


@shared_task
def monthly_snapshot() -> str:
    """On the 1st: freeze last month as it stood on its last day, then refresh for today."""
    today = timezone.localdate()
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    services.coverage_refresh(today=last_day)
    run = services.coverage_snapshot(month=last_day)
    services.coverage_refresh(today=today)
    return f"{run.month:%Y-%m}"
