from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from partners.services import agreements_advance_statuses, agreements_notify_responsible

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=300, time_limit=360)
def advance_agreement_statuses() -> dict[str, int]:
    """Nightly (beat): active → expiring → expired, then tell the responsible officers.

    The statuses are committed before any e-mail goes out: a failed e-mail never undoes them,
    and a second run the same night finds nothing left to move.
    """
    moved = agreements_advance_statuses(
        today=timezone.localdate(), warn_days=settings.AGREEMENT_WARN_DAYS
    )
    result = {str(status): len(ids) for status, ids in moved.items()}
    result["emails"] = agreements_notify_responsible(moved=moved)
    logger.info("agreement statuses advanced", extra=result)
    return result
