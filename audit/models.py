"""The trail: every change to the rows that hold people and agreements, written by the database.

PostgreSQL statement-level triggers (see the migrations) insert one `Event` per row changed, from
the statement's transition tables, so the rows an import writes in bulk are caught as surely as a
form's save, at the cost of one `INSERT … SELECT` per statement. Who and why come from settings of
the connection (`audit.context`). The table is append-only: UPDATE and DELETE fail in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

# The tables whose every change is recorded (the triggers are created for exactly these).
TRAILED_TABLES = {
    "enrolment_worker": _("worker"),
    "enrolment_employment": _("employment"),
    "enrolment_enrolment": _("enrolment"),
    "partners_institution": _("institution"),
    "partners_agreement": _("agreement"),
}


# A created or deleted row is recorded whole, with these columns, which say no more than `at`.
STAMPS = frozenset({"created_at", "updated_at"})


class Event(models.Model):
    class Action(models.TextChoices):
        INSERT = "I", _("Created")
        UPDATE = "U", _("Changed")
        DELETE = "D", _("Deleted")

    at = models.DateTimeField(_("at"), db_default=Now())
    table_name = models.CharField(max_length=63)
    row_id = models.BigIntegerField()
    action = models.CharField(_("action"), max_length=1, choices=Action.choices)
    # I: the new row; U: the changed columns only (before and after); D: the old row.
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # No database constraints: the trail outlives what it names, and a foreign-key check per
    # trail row would be paid by every row an import writes.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    roster_import = models.ForeignKey(
        "enrolment.RosterImport",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import"),
    )
    request_id = models.CharField(max_length=32, blank=True, db_default="")
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("trail event")
        verbose_name_plural = _("trail events")
        indexes = [
            models.Index(fields=["table_name", "row_id"], name="audit_event_row"),
            BrinIndex(fields=["at"], name="audit_event_at"),
            # The breach query (`access_report`) by user or address, over what people did in
            # requests. Rows an import writes carry neither, so these cost an import nothing;
            # an import's rows are found by the import and the time.
            models.Index(
                fields=["actor", "at"],
                condition=Q(actor__isnull=False, roster_import__isnull=True),
                name="audit_event_actor",
            ),
            models.Index(fields=["ip", "at"], condition=Q(ip__isnull=False), name="audit_event_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.table_name} {self.row_id} {self.action}"

    @property
    def what(self) -> str:
        return str(TRAILED_TABLES.get(self.table_name, self.table_name))

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(column, before, after) for each column the event records, without the row's own
        time stamps (the event has its time)."""
        before, after = self.before or {}, self.after or {}
        keys = sorted({*before, *after} - STAMPS)
        return [(key, before.get(key), after.get(key)) for key in keys]
