"""Writes of the accounts app: the record of who saw or exported personal data (UU 27/2022)."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import AccessLog, User


def access_log_record(
    *,
    user: User,
    action: str,
    what: str,
    worker=None,
    rows: int = 1,
    request: HttpRequest | None = None,
) -> AccessLog:
    """One row per act of viewing or exporting personal data; called by the view that shows it."""
    ip = (request.META.get("REMOTE_ADDR") or None) if request is not None else None
    return AccessLog.objects.create(
        user=user, action=action, what=what[:200], worker=worker, rows=rows, ip=ip
    )
