"""Who is acting, told to the database so the trail's triggers can record it.

Requests: a middleware sets the acting user, a request id and the address on the connection right
before each statement that writes a trailed table (other statements pay nothing), and clears
them when the request ends.
Imports and other work outside a request: `audit_stamp()` inside their transaction.
"""

from __future__ import annotations

import re
import uuid

from django.db import connection

from audit.models import TRAILED_TABLES

_SET = (
    "SELECT set_config('sinergi.actor_id', %s, {local}), "
    "set_config('sinergi.import_id', %s, {local}), "
    "set_config('sinergi.request_id', %s, {local}), "
    "set_config('sinergi.ip', %s, {local})"
)
SET_FOR_SESSION = _SET.format(local="false")
SET_FOR_TRANSACTION = _SET.format(local="true")
_WRITES = re.compile(r"^\s*(?:WITH\b.*?\b)?(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)


def _text(value) -> str:
    return "" if value is None else str(value)


def audit_stamp(*, actor_id: int | None, roster_import_id: int | None = None) -> None:
    """Name the actor (and the import) of the writes in the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(SET_FOR_TRANSACTION, [_text(actor_id), _text(roster_import_id), "", ""])


class AuditContextMiddleware:
    """After authentication: the request's writes carry its user, id and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        stamp = _RequestStamp(request)
        with connection.execute_wrapper(stamp):
            try:
                return self.get_response(request)
            finally:
                stamp.clear()


class _RequestStamp:
    def __init__(self, request):
        self.request = request
        self.request_id = uuid.uuid4().hex
        self.stamped = False

    def _values(self) -> list[str]:
        user = getattr(self.request, "user", None)
        actor_id = user.pk if user is not None and user.is_authenticated else None
        return [_text(actor_id), "", self.request_id, self.request.META.get("REMOTE_ADDR", "")]

    def __call__(self, execute, sql, params, many, context):
        if _WRITES.match(sql) and any(table in sql for table in TRAILED_TABLES):
            # Before every such write, not once: a rolled-back savepoint takes a setting with it.
            context["cursor"].cursor.execute(SET_FOR_SESSION, self._values())
            self.stamped = True
        return execute(sql, params, many, context)

    def clear(self) -> None:
        if self.stamped and connection.connection is not None:
            try:
                with connection.cursor() as cursor:
                    cursor.cursor.execute(SET_FOR_SESSION, ["", "", "", ""])
            except Exception:  # noqa: BLE001, S110 - a broken connection is closed by Django anyway
                pass
