"""Partner institutions and their agreements: parties, signatories, targets, follow-ups, events,
attachments, and the history of every change."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NPWP_PATTERN = r"^[0-9]{16}$"
NIP_PATTERN = r"^[0-9]{18}$"


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
    code = models.SlugField(
        _("short code"),
        max_length=60,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Names the institution in roster imports from the command line."),
    )
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
    npwp = models.CharField(
        _("NPWP"),
        max_length=16,
        blank=True,
        validators=[RegexValidator(NPWP_PATTERN, _("An organisation's NPWP has 16 digits."))],
    )
    npp = models.CharField(
        _("NPP"),
        max_length=8,
        blank=True,
        help_text=_("BPJS Ketenagakerjaan employer registration number (8 digits)."),
        validators=[RegexValidator(r"^[0-9]{8}$", _("An NPP has 8 digits."))],
    )
    npp_division = models.CharField(_("NPP division"), max_length=10, blank=True)
    declared_potential = models.PositiveIntegerField(
        _("declared potential workers"),
        null=True,
        blank=True,
        help_text=_(
            "How many non-ASN workers the institution says it employs, all categories together. "
            "Used for coverage when no agreement target says it."
        ),
    )
    declared_potential_on = models.DateField(
        _("declared on"), null=True, blank=True, help_text=_("When the institution said so.")
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
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
            models.CheckConstraint(
                condition=Q(npwp="") | Q(npwp__regex=NPWP_PATTERN),
                name="institution_npwp_16_digits",
            ),
        ]
        indexes = [models.Index(fields=["parent"]), models.Index(fields=["office"])]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a partner institution the officer deals with."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

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
    responsible = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_responsible",
        verbose_name=_("responsible officer"),
        help_text=_("Receives the e-mail when the agreement is about to expire."),
    )
    notes = models.TextField(_("notes"), blank=True)
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

    def get_absolute_url(self) -> str:
        return reverse("partners:agreement_detail", args=[self.pk])

    def scope_labels(self) -> list[str]:
        return [str(self.Scope(value).label) for value in self.scopes]

    def is_past_expiry_but_live(self, today: dt.date) -> bool:
        """Expired by its dates, still marked active: the nightly task has not run, or failed."""
        return bool(
            self.status in {self.Status.ACTIVE, self.Status.EXPIRING}
            and self.expires_on
            and self.expires_on < today
        )

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


class Party(models.Model):
    """One side of an agreement — a partner institution or a BPJS office — with its own number.

    Each side numbers the document in its own register, so a number is unique per party.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        verbose_name=_("institution"),
    )
    office = models.ForeignKey(
        "regions.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        verbose_name=_("BPJS office"),
    )
    document_number = models.CharField(_("document number"), max_length=100, blank=True)

    class Meta:
        ordering = ["office_id", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=True, office__isnull=False)
                | Q(institution__isnull=False, office__isnull=True),
                name="party_is_institution_or_office",
            ),
            models.UniqueConstraint(
                fields=["agreement", "institution"], name="party_institution_once"
            ),
            models.UniqueConstraint(fields=["agreement", "office"], name="party_office_once"),
            models.UniqueConstraint(
                fields=["institution", "document_number"],
                condition=~Q(document_number=""),
                name="party_institution_number_unique",
                violation_error_message=_("This institution already used that document number."),
            ),
            models.UniqueConstraint(
                fields=["office", "document_number"],
                condition=~Q(document_number=""),
                name="party_office_number_unique",
                violation_error_message=_("This BPJS office already used that document number."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.institution or self.office)

    @property
    def name(self) -> str:
        return str(self.institution or self.office)


class Signatory(models.Model):
    class Role(models.TextChoices):
        SIGNATORY = "signatory", _("Signatory")
        WITNESS = "witness", _("Witness")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    party = models.ForeignKey(
        Party,
        on_delete=models.CASCADE,
        related_name="signatories",
        verbose_name=_("on behalf of"),
    )
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=200)
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        blank=True,
        validators=[RegexValidator(NIP_PATTERN, _("A NIP has 18 digits."))],
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SIGNATORY)

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.CheckConstraint(
                condition=Q(nip="") | Q(nip__regex=NIP_PATTERN), name="signatory_nip_18_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """What an agreement aims at for one worker category: how many there are, how many by when."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="targets")
    category = models.ForeignKey(
        "enrolment.WorkerCategory",
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("worker category"),
    )
    potential = models.PositiveIntegerField(
        _("potential workers"), help_text=_("How many such workers the partner has.")
    )
    target = models.PositiveIntegerField(
        _("target"), help_text=_("How many should be registered by the deadline.")
    )
    baseline = models.PositiveIntegerField(
        _("already registered"),
        default=0,
        help_text=_("How many were registered when the target was set."),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        ordering = ["category__sort_order", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "category"],
                name="target_one_per_category",
                violation_error_message=_("This agreement already has a target for that category."),
            ),
            models.CheckConstraint(
                condition=Q(target__lte=models.F("potential"))
                & Q(baseline__lte=models.F("potential")),
                name="target_within_potential",
                violation_error_message=_(
                    "The target and the number already registered cannot exceed the potential."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.category)

    @property
    def remaining(self) -> int:
        return max(self.target - self.baseline, 0)


class FollowUp(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(_("action"), max_length=300)
    person_in_charge = models.CharField(_("person in charge"), max_length=150)
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What shows it was done: a letter, minutes, a link.")
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="followup_done_has_date",
                violation_error_message=_("Fill in the date it was done."),
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.action

    def is_overdue(self, today: dt.date) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < today


class AgreementEvent(models.Model):
    """Something that happened under an agreement: a signing, a card hand-over, a socialisation."""

    class Kind(models.TextChoices):
        SIGNING = "signing", _("Signing")
        CARD_HANDOVER = "card_handover", _("Symbolic card hand-over")
        SOCIALISATION = "socialisation", _("Socialisation")
        MONITORING = "monitoring", _("Monitoring")
        CLAIM_HANDOVER = "claim_handover", _("Claim hand-over to heirs")
        OTHER = "other", _("Other")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d-%m-%Y}"


def _attachment_path(attachment: Attachment, filename: str) -> str:
    # The stored name is ours (the file's sha256), never the uploader's, which is kept in a field.
    return f"agreements/{attachment.agreement_id}/{filename}"


class Attachment(models.Model):
    """A signed PDF, minutes or a photo. Served only through a view that checks scope."""

    class Kind(models.TextChoices):
        SIGNED = "signed", _("Signed agreement (PDF)")
        MINUTES = "minutes", _("Minutes")
        PHOTO = "photo", _("Photo")
        OTHER = "other", _("Other document")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        AgreementEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("event"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "sha256"],
                name="attachment_once_per_agreement",
                violation_error_message=_("This file is already attached to the agreement."),
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class Change(models.Model):
    """History: who changed what and when, with the values before and after.

    Written by the services in the same transaction as the change, never edited afterwards.
    An agreement's timeline also shows what happened to its parties, targets and follow-ups.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Edited")
        STATUS = "status", _("Status changed")
        ADDED = "added", _("Added")
        REMOVED = "removed", _("Removed")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subject = models.CharField(
        _("what"), max_length=100, blank=True, help_text=_("The part changed, e.g. “target”.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=True, agreement__isnull=False)
                | Q(institution__isnull=False, agreement__isnull=True),
                name="change_of_institution_or_agreement",
            )
        ]
        indexes = [
            models.Index(fields=["agreement", "-at"]),
            models.Index(fields=["institution", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.subject} {self.at:%Y-%m-%d %H:%M}"
