from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from ops.models import WorkerHeartbeat


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
    except Exception:  # noqa: BLE001 - a health check reports, it does not raise
        pass
    try:
        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=2)
        health["broker"] = bool(client.ping())
    except Exception:  # noqa: BLE001
        pass
    return health


def queue_lengths() -> dict[str, int | None]:
    import redis

    try:
        client = redis.Redis.from_url(_broker_redis_url(), socket_timeout=2)
        return {q.name: client.llen(q.name) for q in settings.CELERY_TASK_QUEUES}
    except Exception:  # noqa: BLE001
        return {q.name: None for q in settings.CELERY_TASK_QUEUES}


def _broker_redis_url() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        path, _sep, query = url[len("redis+socket://") :].partition("?")
        return f"unix://{path}?db={query.removeprefix('virtual_host=') or '0'}"
    return url
