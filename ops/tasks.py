from __future__ import annotations

from celery import shared_task

from ops.services import heartbeat_record


@shared_task(bind=True, ignore_result=False)
def heartbeat(self) -> int:
    """Record that a worker is alive; returns the heartbeat row's id (never personal data)."""
    return heartbeat_record(hostname=self.request.hostname or "unknown").pk
