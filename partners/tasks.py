from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from partners.services import agreements_advance_statuses, agreements_notify_responsible


@shared_task
def advance_agreement_statuses() -> dict[str, int]:
    """Nightly (beat): active → expiring → expired, then tell the responsible officers."""
    moved = agreements_advance_statuses(
        today=timezone.localdate(), warn_days=settings.AGREEMENT_WARN_DAYS
    )
    agreements_notify_responsible(moved=moved)
    return {status: len(ids) for status, ids in moved.items()}
