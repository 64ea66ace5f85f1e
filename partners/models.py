"""Partner institutions. Agreements, parties, targets and follow-ups arrive with the partners issue."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    class Kind(models.TextChoices):
        KANWIL_KEMENAG = "kanwil_kemenag", _("Kanwil Kemenag")
        KEMENAG_KABKOTA = "kemenag_kabkota", _("Kantor Kemenag Kab/Kota")
        PEMPROV = "pemprov", _("Provincial government (Pemprov)")
        PEMKAB = "pemkab", _("Regency government (Pemkab)")
        PEMKOT = "pemkot", _("City government (Pemkot)")
        OPD = "opd", _("OPD / dinas")
        KEJATI = "kejati", _("Kejati")
        KEJARI = "kejari", _("Kejari")
        APINDO = "apindo", _("Apindo")
        KL = "kl", _("Ministry or agency (K/L)")
        DPMPTSP = "dpmptsp", _("DPMPTSP")
        EDUCATION = "pendidikan", _("Educational institution")
        OTHER = "lainnya", _("Other")

    class Level(models.TextChoices):
        NATIONAL = "nasional", _("National")
        PROVINCE = "provinsi", _("Province")
        REGENCY = "kabkota", _("Regency / city")
        LOCAL = "lokal", _("Local unit")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "regions.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("province"),
    )
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("regency or city"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent institution"),
    )
    office = models.ForeignKey(
        "regions.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("responsible BPJS office"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "province"], name="institution_name_unique_in_province"
            ),
            models.CheckConstraint(
                condition=Q(level="nasional") | Q(province__isnull=False),
                name="institution_below_national_has_province",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="institution_not_own_parent"
            ),
        ]
        indexes = [models.Index(fields=["parent"]), models.Index(fields=["office"])]

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    """An MoU, PKS, addendum or special power of attorney, from draft to expiry."""

    class Kind(models.TextChoices):
        MOU = "mou", _("MoU (Nota Kesepahaman)")
        PKS = "pks", _("PKS (Perjanjian Kerja Sama)")
        ADDENDUM = "addendum", _("Addendum")
        SKK = "skk", _("Special power of attorney (SKK) to a prosecutor")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        SIGNED = "signed", _("Signed")
        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Expiring")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")
        RENEWED = "renewed", _("Renewed")

    # The only moves a status may make; everything else is refused by agreement services.
    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.IN_REVIEW, Status.TERMINATED},
        Status.IN_REVIEW: {Status.DRAFT, Status.SIGNED, Status.TERMINATED},
        Status.SIGNED: {Status.ACTIVE, Status.TERMINATED},
        Status.ACTIVE: {Status.EXPIRING, Status.EXPIRED, Status.TERMINATED, Status.RENEWED},
        Status.EXPIRING: {Status.ACTIVE, Status.EXPIRED, Status.TERMINATED, Status.RENEWED},
        Status.EXPIRED: {Status.RENEWED},
        Status.TERMINATED: set(),
        Status.RENEWED: set(),
    }

    class Scope(models.TextChoices):
        COVERAGE = "coverage", _("Coverage expansion")
        DATA_EXCHANGE = "data_exchange", _("Data exchange")
        SOCIALISATION = "socialisation", _("Socialisation")
        COMPLIANCE = "compliance", _("Compliance")
        PERMIT_INTEGRATION = "ptsp", _("Permit integration (PTSP)")
        BUDGETING = "budgeting", _("Contribution budgeting")
        OTHER = "other", _("Other")

    class Funding(models.TextChoices):
        APBN = "apbn", _("APBN")
        APBD = "apbd", _("APBD")
        BOS = "bos", _("BOS")
        SELF = "self", _("Self-paid")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agreement"),
        help_text=_("The MoU a PKS follows up, or the agreement an addendum amends."),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("partner institution"),
    )
    office = models.ForeignKey(
        "regions.Office",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("BPJS office"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    place_signed = models.CharField(_("place of signing"), max_length=100, blank=True)
    signed_on = models.DateField(_("date of signing"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    scopes = ArrayField(
        models.CharField(max_length=20, choices=Scope.choices),
        default=list,
        blank=True,
        verbose_name=_("scope"),
    )
    programs = models.ManyToManyField(
        "enrolment.Program", blank=True, related_name="agreements", verbose_name=_("programs")
    )
    funding_source = models.CharField(
        _("funding source"), max_length=10, choices=Funding.choices, blank=True
    )
    flat_wage = models.DecimalField(
        _("flat wage basis (Rp)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty when contributions follow each worker's actual wage."),
    )
    jkk_risk_class = models.PositiveSmallIntegerField(_("JKK risk class"), default=1)
    successor = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessor",
        verbose_name=_("renewed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-effective_from", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(expires_on__gte=models.F("effective_from")),
                name="agreement_expires_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_from__gte=models.F("signed_on")),
                name="agreement_effective_after_signing",
            ),
            models.CheckConstraint(
                condition=Q(jkk_risk_class__gte=1, jkk_risk_class__lte=5),
                name="agreement_jkk_risk_class_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind="addendum") | Q(parent__isnull=False),
                name="agreement_addendum_has_parent",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["signed", "active", "expiring", "expired", "renewed"])
                | Q(signed_on__isnull=False, effective_from__isnull=False),
                name="agreement_signed_has_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["institution", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    def is_active_on(self, day) -> bool:
        return (
            self.status in {self.Status.ACTIVE, self.Status.EXPIRING}
            and self.effective_from is not None
            and self.effective_from <= day
            and (self.expires_on is None or day <= self.expires_on)
        )

    def outlives_parent(self) -> bool:
        """A warning, not a refusal: a PKS that runs past its MoU should be looked at."""
        parent = self.parent
        return bool(
            parent and parent.expires_on and self.expires_on and self.expires_on > parent.expires_on
        )


class AgreementEvent(models.Model):
    """The history of an agreement: created, edited, status changed — who, when, before/after.

    Append-only: written by services in the same transaction as the change.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Edited")
        STATUS = "status", _("Status changed")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("agreement history entry")
        verbose_name_plural = _("agreement history")

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
