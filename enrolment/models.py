"""Programs, worker categories and the regulated figures behind contributions.

Rates and ceilings are effective-dated rows with their legal basis, never constants in code: a
relief regulation or the yearly JP ceiling is a new row, and the database refuses two rows that
would both apply on the same day.

Workers (once, by NIK), their employments at partner institutions and their enrolments in the
programs come in through roster imports (`RosterImport`, checked rows staged, then applied).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Exists, Func, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DateRange(Func):
    """daterange(valid_from, valid_to, '[]'): an open end (NULL) runs for ever."""

    function = "DATERANGE"
    output_field = DateRangeField()


class EffectiveQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class Program(models.Model):
    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.code


class WorkerCategory(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("worker category")
        verbose_name_plural = _("worker categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z_]*$"), name="category_code_upper"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Segment(models.TextChoices):
    WAGE_EARNER = "PU", _("Wage earner (Penerima Upah)")
    INFORMAL = "BPU", _("Informal worker (Bukan Penerima Upah)")


class ContributionRate(models.Model):
    """What one payer owes for one program on a day: a percentage of a base, or a flat amount."""

    class Payer(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        WORKER = "worker", _("Worker")
        GOVERNMENT = "government", _("Government")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="rates")
    segment = models.CharField(_("segment"), max_length=3, choices=Segment.choices)
    risk_class = models.PositiveSmallIntegerField(
        _("JKK risk class"), null=True, blank=True, help_text=_("1–5, for JKK of wage earners only")
    )
    payer = models.CharField(_("payer"), max_length=10, choices=Payer.choices)
    percent = models.DecimalField(
        _("percent of wage"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    flat_amount = models.DecimalField(
        _("flat amount (Rp)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    needs_verification = models.BooleanField(
        _("needs verification"),
        default=False,
        help_text=_("Figure found in only one weak source; an administrator should confirm it."),
    )

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        ordering = ["program__sort_order", "segment", "risk_class", "payer", "valid_from"]
        verbose_name = _("contribution rate")
        verbose_name_plural = _("contribution rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=False, flat_amount__isnull=True)
                | Q(percent__isnull=True, flat_amount__isnull=False),
                name="rate_percent_xor_flat",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="rate_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(risk_class__isnull=True) | Q(risk_class__gte=1, risk_class__lte=5),
                name="rate_risk_class_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="rate_dates_in_order",
            ),
            ExclusionConstraint(
                name="rate_no_overlapping_periods",
                expressions=[
                    ("program", RangeOperators.EQUAL),
                    ("segment", RangeOperators.EQUAL),
                    (Coalesce("risk_class", Value(0)), RangeOperators.EQUAL),
                    ("payer", RangeOperators.EQUAL),
                    (DateRange("valid_from", "valid_to", Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        amount = f"{self.percent}%" if self.percent is not None else f"Rp{self.flat_amount}"
        return (
            f"{self.program} {self.segment} {self.get_payer_display()} {amount} ({self.valid_from})"
        )


class WageCeiling(models.Model):
    """The most wage a program's contribution is computed on (JP), from a date."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="ceilings")
    amount = models.DecimalField(_("ceiling (Rp)"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    needs_verification = models.BooleanField(_("needs verification"), default=False)

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        ordering = ["program__sort_order", "valid_from"]
        verbose_name = _("wage ceiling")
        verbose_name_plural = _("wage ceilings")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ceiling_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="ceiling_dates_in_order",
            ),
            ExclusionConstraint(
                name="ceiling_no_overlapping_periods",
                expressions=[
                    ("program", RangeOperators.EQUAL),
                    (DateRange("valid_from", "valid_to", Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} Rp{self.amount} ({self.valid_from})"


# --- Workers, employments, enrolments ---------------------------------------------------------

NIK_PATTERN = r"^[0-9]{16}$"


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class Worker(models.Model):
    """A person, once, by NIK. Personal data: masked in lists, every view of it logged."""

    # Unique by a constraint, not `unique=True`: that would add a second (LIKE) index nothing
    # uses, paid by every imported row.
    nik = models.CharField(_("NIK"), max_length=16)
    full_name = models.CharField(_("full name"), max_length=150)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regency or city"),
        db_index=False,  # every index is paid by each imported row; nothing looks workers up by it
    )
    kpj = models.CharField(_("KPJ number"), max_length=11, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [
            models.UniqueConstraint(fields=["nik"], name="worker_nik_unique"),
            models.CheckConstraint(
                condition=Q(nik__regex=NIK_PATTERN), name="worker_nik_16_digits"
            ),
        ]
        # Name search on a million people: trigrams (ILIKE '%…%' and similarity).
        indexes = [
            GinIndex(fields=["full_name"], opclasses=["gin_trgm_ops"], name="worker_name_trgm"),
            # Payments files name workers by KPJ; most rostered workers have none yet.
            models.Index(fields=["kpj"], condition=~Q(kpj=""), name="worker_kpj"),
            # The list's first page by name out of a million (and its keyset): no sort of all.
            models.Index(fields=["full_name", "id"], name="worker_name_order"),
            # The same for the list by "last changed", either way (300 ms a page without it).
            models.Index(fields=["updated_at", "id"], name="worker_changed_order"),
        ]

    def __str__(self) -> str:
        return self.full_name


class WorkerChange(models.Model):
    """A worker's fields before and after a roster changed them (the import is the actor's act)."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="changes")
    roster_import = models.ForeignKey(
        "enrolment.RosterImport", on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["worker", "-at"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.at:%Y-%m-%d %H:%M}"


class Restriction(models.Model):
    """Restriction of processing (UU 27/2022, "pembatasan pemrosesan"): while a worker has an open
    one, imports skip their rows and exports leave them out. Rows are never deleted: a lifted
    restriction stays as the history of who restricted, who lifted, when and why."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="restrictions")
    reason = models.CharField(_("reason"), max_length=300)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("restricted at"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.CharField(_("reason for lifting"), max_length=300, blank=True)

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")
        constraints = [
            # Also the index every "is this person restricted" question is answered from: the
            # open restrictions are few, whatever the number of workers.
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(lifted_at__isnull=True),
                name="restriction_one_open_per_worker",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="restriction_has_reason"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True, lift_reason="")
                | Q(lifted_at__isnull=False, lifted_by__isnull=False) & ~Q(lift_reason=""),
                name="restriction_lifted_with_who_and_why",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=models.F("set_at")),
                name="restriction_lifted_after_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.set_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


def restricted(worker: str = "pk") -> Exists:
    """Whether the worker at `worker` (a field of the outer query) has an open restriction:
    `.exclude(restricted())` on workers, `.exclude(restricted("worker_id"))` on their rows."""
    return Exists(
        Restriction.objects.filter(worker_id=OuterRef(worker), lifted_at__isnull=True).order_by()
    )


# The same question in SQL for the set-based import statements: `RESTRICTED_NIKS` are the NIKs
# of the workers restricted now (a handful, read through the partial unique index), to be
# hash-joined against a whole staged file in one pass.
RESTRICTED_NIKS = """SELECT w.nik FROM enrolment_restriction r
  JOIN enrolment_worker w ON w.id = r.worker_id WHERE r.lifted_at IS NULL"""


class EndReason(models.TextChoices):
    RESIGNED = "resigned", _("Resigned")
    CONTRACT_ENDED = "contract_ended", _("Contract ended")
    RETIRED = "retired", _("Retired")
    DIED = "died", _("Died")


class Employment(models.Model):
    """A worker at an institution's work unit: category, wage and start date, as the roster says."""

    # Indexes cost every imported row: the unique (worker, institution, unit) and the
    # (institution, worker) index serve every lookup, so the foreign keys add none of their own.
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="employments", db_index=False
    )
    institution = models.ForeignKey(
        "partners.Institution", on_delete=models.PROTECT, related_name="employments", db_index=False
    )
    work_unit = models.CharField(_("work unit"), max_length=200)
    category = models.ForeignKey(
        WorkerCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
        db_index=False,
    )
    wage = models.PositiveBigIntegerField(_("wage (Rp)"))
    start_date = models.DateField(_("started on"))
    nomor_induk = models.CharField(_("NIP / NUPTK"), max_length=30, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True, db_default=""
    )
    source_import = models.ForeignKey(
        "enrolment.RosterImport", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "institution", "work_unit"], name="employment_once_per_unit"
            ),
            models.CheckConstraint(condition=Q(wage__gt=0), name="employment_wage_positive"),
        ]
        indexes = [models.Index(fields=["institution", "worker"])]

    def __str__(self) -> str:
        return f"{self.work_unit} ({self.category_id})"


class Enrolment(models.Model):
    """Membership of one worker in one program: pending registration → registered (KPJ, date)
    → active (paid through the current month) / inactive (arrears) → ended (with a reason)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending registration")
        REGISTERED = "registered", _("Registered")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive (arrears)")
        ENDED = "ended", _("Ended")

    # The unique (worker, program) serves lookups by worker; five programs need no index.
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="enrolments", db_index=False
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="enrolments", db_index=False
    )
    agreement = models.ForeignKey(
        "partners.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        db_index=False,
    )
    # The roster import that created it, when one did (the history shows it as the first step).
    source_import = models.ForeignKey(
        "enrolment.RosterImport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    rejected_reason = models.CharField(
        _("registration refused because"), max_length=300, blank=True
    )
    paid_through = models.DateField(
        _("paid through"),
        null=True,
        blank=True,
        help_text=_("The first day of the last month paid."),
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True, db_default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "program"], name="enrolment_once_per_program"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["registered", "active", "inactive"])
                | Q(registered_on__isnull=False),
                name="enrolment_registered_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | Q(ended_on__isnull=False) & ~Q(end_reason=""),
                name="enrolment_ended_has_date_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "program"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.program_id} {self.status}"


class EnrolmentChange(models.Model):
    """An enrolment's history: each status move, by whom or by which import, and when. An
    enrolment a roster created records that itself (created_at, source_import): the import writes
    no row for it (selectors._enrolment_entries puts it first in the history)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="history")
    before = models.CharField(max_length=10, blank=True)
    after = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    roster_import = models.ForeignKey(
        "enrolment.RosterImport", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.before}→{self.after}"


# --- Roster imports -----------------------------------------------------------------------------


def _roster_path(roster_import: RosterImport, filename: str) -> str:
    # Kept verbatim under a name of ours; the uploader's file name is a field.
    return f"rosters/{roster_import.institution_id}/{filename}"


class RosterImport(models.Model):
    """One uploaded roster, from the file kept verbatim to the rows applied (or refused)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting to be checked")
        VALIDATING = "validating", _("Checking rows")
        VALIDATED = "validated", _("Checked, waiting for confirmation")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("File refused")
        FAILED = "failed", _("Failed, can be retried")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.UPLOADED, Status.VALIDATING, Status.VALIDATED, Status.APPLYING)
    # Nothing more happens to these: after the retention period their files and rows go.
    FINISHED = (
        Status.APPLIED,
        Status.REFUSED,
        Status.FAILED,
        Status.REJECTED,
        Status.CANCELLED,
    )

    class Kind(models.TextChoices):
        ROSTER = "roster", _("Worker roster")
        REGISTRATION = "registration", _("Registration results")
        PAYMENT = "payment", _("Contribution payments")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ROSTER)
    institution = models.ForeignKey(
        "partners.Institution", on_delete=models.PROTECT, related_name="roster_imports"
    )
    agreement = models.ForeignKey(
        "partners.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roster_imports",
        verbose_name=_("agreement"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    file = models.FileField(upload_to=_roster_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    format = models.CharField(max_length=4, choices=Format.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    file_code = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    unknown_columns = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    # progress and counts
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_warning = models.PositiveIntegerField(default=0)
    rows_error = models.PositiveIntegerField(default=0)
    workers_created = models.PositiveIntegerField(default=0)
    workers_updated = models.PositiveIntegerField(default=0)
    workers_unchanged = models.PositiveIntegerField(default=0)
    enrolments_created = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    # What a registration-results or payments file does (or did): counts by outcome.
    summary = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Set when the retention period deleted the file, the issues and every per-row record:
    # what is left is the summary (counts, dates, who, status, hash), without personal data.
    purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind"],
                condition=Q(status__in=["uploaded", "validating", "validated", "applying"]),
                name="roster_import_one_active_per_institution",
                violation_error_message=_("This institution already has an import in progress."),
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "sha256"]),
            models.Index(fields=["status", "claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%d-%m-%Y %H:%M})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class StagedRow(models.Model):
    """A valid row waiting to be applied. Unlogged and short-lived: filled by COPY during the
    check, read by the apply, deleted after it. No foreign keys: the apply joins and checks."""

    roster_import = models.ForeignKey(
        RosterImport, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    row = models.PositiveIntegerField()
    nik = models.CharField(max_length=16)
    full_name = models.CharField(max_length=150)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)
    birth_place = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=300, blank=True)
    regency_code = models.CharField(max_length=5, blank=True)
    kpj = models.CharField(max_length=11, blank=True)
    nomor_induk = models.CharField(max_length=30, blank=True)
    work_unit = models.CharField(max_length=200)
    category_id = models.IntegerField()
    start_date = models.DateField()
    wage = models.BigIntegerField()
    programs = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    ended_on = models.DateField(null=True)
    end_reason = models.CharField(max_length=20, blank=True)

    # No index: COPY writes faster without one, and the apply reads one import's rows with
    # hash joins. Rows of other imports are few (each import's rows go when it ends).

    def __str__(self) -> str:
        return f"{self.roster_import_id}:{self.row}"


class StagedResult(models.Model):
    """A valid row of a registration-results or payments file, waiting to be applied. Like
    StagedRow: unlogged, no index, no foreign keys, deleted when its import ends."""

    roster_import = models.ForeignKey(
        RosterImport, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    row = models.PositiveIntegerField()
    nik = models.CharField(max_length=16, blank=True)
    kpj = models.CharField(max_length=11, blank=True)
    programs = ArrayField(models.CharField(max_length=5), default=list, blank=True)  # [] = all
    registered_on = models.DateField(null=True)
    rejected_reason = models.CharField(max_length=300, blank=True)
    paid_through = models.DateField(null=True)  # first day of the last month paid

    def __str__(self) -> str:
        return f"{self.roster_import_id}:{self.row}"


class RowIssue(models.Model):
    """One problem of one row, as the uploader reads it. `code` is part of the interface."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=30)
    code = models.CharField(_("code"), max_length=40)
    severity = models.CharField(_("severity"), max_length=7, choices=Severity.choices)
    message = models.TextField(_("message"))
    value = models.CharField(_("value"), max_length=100, blank=True)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["roster_import", "row"])]

    def __str__(self) -> str:
        return f"{self.row} {self.column} {self.code}"


class ImportEvent(models.Model):
    """The audit of imports: who uploaded, confirmed, rejected, what the system did, with counts."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATED = "validated", _("Checked")
        REFUSED = "refused", _("File refused")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")
        RETRIED = "retried", _("Retried")
        PURGED = "purged", _("File and rows deleted (retention period)")

    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.roster_import_id} {self.action}"
