"""Coverage figures: the summary the dashboards read, and the monthly snapshots trends come from.

Dashboards never count workers or enrolments per request. `CoverageFigure` and `WorkforceFigure`
hold the current counts per institution (× program × worker category), rebuilt for the
institutions an import or an enrolment change touched (coverage.services.coverage_refresh); a
`CoverageSnapshot` freezes them once a month so a trend can be drawn again tomorrow and give the
same line.

A worker employed by two institutions is counted once, at their primary employer: the running
employment that started first (the lowest id breaks a tie), as the contribution bill does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PrimaryEmployment(models.Model):
    """Where each worker counts: the institution and category of their primary employment today
    (the running employment that started first). Rebuilt with the figures; the drill-down lists
    read it, so a list and the figure it explains count the same people."""

    worker = models.OneToOneField(
        "enrolment.Worker", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    institution = models.ForeignKey(
        "partners.Institution", on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "enrolment.WorkerCategory", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.institution_id}"


class CoverageFigure(models.Model):
    """Enrolments of one program, of the workers whose primary employer is the institution, in
    one worker category: how many are enrolled, pending, registered, active, paid up."""

    institution = models.ForeignKey(
        "partners.Institution", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    program = models.ForeignKey("enrolment.Program", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "enrolment.WorkerCategory", on_delete=models.CASCADE, related_name="+"
    )
    enrolled = models.PositiveIntegerField(default=0)  # every status but ended
    pending = models.PositiveIntegerField(default=0)  # waiting for registration
    registered = models.PositiveIntegerField(default=0)  # registered, active or inactive: a KPJ
    active = models.PositiveIntegerField(default=0)  # paid through the current month
    inactive = models.PositiveIntegerField(default=0)  # registered, not active (no payment)
    paid_current = models.PositiveIntegerField(default=0)  # paid_through reaches the month
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "program", "category"], name="coverage_figure_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.program_id}/{self.category_id}"


class WorkforceFigure(models.Model):
    """Workers (people, not enrolments) whose primary employer is the institution, per category:
    the roster count, the potential of last resort."""

    institution = models.ForeignKey(
        "partners.Institution", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "enrolment.WorkerCategory", on_delete=models.CASCADE, related_name="+"
    )
    rostered = models.PositiveIntegerField(default=0)
    registered = models.PositiveIntegerField(default=0)  # a KPJ in at least one program
    active = models.PositiveIntegerField(default=0)  # active in at least one program
    paid_current = models.PositiveIntegerField(default=0)  # paid up in at least one program
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "category"], name="workforce_once")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.category_id}"


class RegistrationFigure(models.Model):
    """Workers of WorkforceFigure registered now, by the month of their earliest current
    registration: what an agreement target counts as registered since its signing month."""

    institution = models.ForeignKey(
        "partners.Institution", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "enrolment.WorkerCategory", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # the first day
    registered = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "category", "month"], name="registration_month_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.category_id}/{self.month:%Y-%m}"


class CoverageSnapshot(models.Model):
    """The figures of one institution × program × category at the end of a month, with the
    potential as it was then (and where it came from)."""

    class Source(models.TextChoices):
        TARGET = "target", _("agreement target")
        DECLARED = "declared", _("declared by the institution")
        ROSTER = "roster", _("roster count")

    month = models.DateField(_("month"))  # its first day
    institution = models.ForeignKey(
        "partners.Institution", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    program = models.ForeignKey("enrolment.Program", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "enrolment.WorkerCategory", on_delete=models.CASCADE, related_name="+"
    )
    enrolled = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    registered = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    inactive = models.PositiveIntegerField(default=0)
    paid_current = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "institution", "program", "category"], name="snapshot_once"
            )
        ]
        indexes = [models.Index(fields=["institution", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.institution_id}/{self.program_id}/{self.category_id}"


class WorkforceSnapshot(models.Model):
    """People at the end of a month, per institution × category, and the potential then, with
    its source. A row without a category holds the institution's potential for all categories
    together (a declared potential has no category)."""

    month = models.DateField(_("month"))
    institution = models.ForeignKey(
        "partners.Institution", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "enrolment.WorkerCategory", on_delete=models.CASCADE, related_name="+", null=True
    )
    potential = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=CoverageSnapshot.Source.choices)
    rostered = models.PositiveIntegerField(default=0)
    registered = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    paid_current = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["institution", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.institution_id}/{self.category_id}"


class SnapshotRun(models.Model):
    """When a month was frozen, and by whom (the beat task, or a manager on demand)."""

    month = models.DateField(_("month"), unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
