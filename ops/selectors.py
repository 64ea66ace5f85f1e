from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def heartbeats() -> QuerySet[WorkerHeartbeat]:
    return WorkerHeartbeat.objects.all()[:20]


def service_health() -> dict[str, bool]:
    """Whether the database and the broker answer now."""
    import redis

    health = {"database": False, "broker": False}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        health["database"] = True
    except Exception:  # a health check reports, it does not raise
        logger.warning("health check: database not answering", exc_info=True)
    try:
        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=2)
        health["broker"] = bool(client.ping())
    except Exception:
        logger.warning("health check: broker not answering", exc_info=True)
    return health


def queue_lengths() -> dict[str, int | None]:
    import redis

    try:
        client = redis.Redis.from_url(_broker_redis_url(), socket_timeout=2)
        return {q.name: client.llen(q.name) for q in settings.CELERY_TASK_QUEUES}
    except Exception:
        logger.warning("status page: broker not answering", exc_info=True)
        return {q.name: None for q in settings.CELERY_TASK_QUEUES}


def _broker_redis_url() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        path, _sep, query = url[len("redis+socket://") :].partition("?")
        return f"unix://{path}?db={query.removeprefix('virtual_host=') or '0'}"
    return url
