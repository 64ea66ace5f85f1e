from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from config.celery import app as celery_app
from ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def heartbeats() -> QuerySet[WorkerHeartbeat]:
    return WorkerHeartbeat.objects.all()[:20]


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # a health check reports, it does not raise
        logger.warning("health check: database not answering", exc_info=True)
        return False
    return True


def queue_lengths() -> dict[str, int] | None:
    """Tasks waiting per queue, read through Celery's own broker connection; None when the
    broker does not answer."""
    try:
        with celery_app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            client = conn.default_channel.client
            return {queue.name: client.llen(queue.name) for queue in settings.CELERY_TASK_QUEUES}
    except Exception:
        logger.warning("health check: broker not answering", exc_info=True)
        return None


def service_health() -> dict[str, bool]:
    """Whether the database and the broker answer now."""
    return {"database": database_answers(), "broker": queue_lengths() is not None}
