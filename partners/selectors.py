"""Reads for partners, always through the user's scope: outside it, nothing (lists) or 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scope import scope_for
from partners.models import Agreement, Attachment, Change, FollowUp, Institution, Party


def institutions_for(user: User) -> QuerySet[Institution]:
    """The institutions this user may see; empty for a user without a role."""
    scope = scope_for(user)
    if scope.is_empty:
        return Institution.objects.none()
    return Institution.objects.filter(scope.institutions_q())


def _active_agreement(today: dt.date) -> Exists:
    return Exists(
        Agreement.objects.filter(
            institution=OuterRef("pk"),
            status__in=[Agreement.Status.ACTIVE, Agreement.Status.EXPIRING],
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )


def institution_list(*, user: User, query: str = "", kind: str = "") -> QuerySet[Institution]:
    qs = (
        institutions_for(user)
        .select_related("province", "regency", "office", "parent")
        .annotate(has_active_agreement=_active_agreement(timezone.localdate()))
    )
    if query:
        qs = qs.filter(name__icontains=query)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("province_id", "name")


def institution_get(*, user: User, pk: int) -> Institution:
    """One institution in the user's scope; anything else is 404 so its existence does not leak."""
    try:
        return (
            institutions_for(user)
            .select_related("province", "regency", "office", "parent")
            .get(pk=pk)
        )
    except Institution.DoesNotExist:
        raise Http404 from None


def institution_children(*, user: User, institution: Institution) -> QuerySet[Institution]:
    return institutions_for(user).filter(parent=institution).select_related("regency")


def own_institutions(*, user: User) -> QuerySet[Institution]:
    """A partner admin's institutions, the top of its tree first."""
    return (
        institutions_for(user)
        .select_related("regency", "province")
        .order_by(F("parent_id").asc(nulls_first=True), "name")
    )


def institution_history(*, institution: Institution) -> QuerySet[Change]:
    return institution.history.select_related("actor")


# --- agreements ------------------------------------------------------------------------------


def agreements_for(user: User) -> QuerySet[Agreement]:
    """Agreements with an institution in the user's scope, or signed by one of the user's offices."""
    scope = scope_for(user)
    if scope.is_empty:
        return Agreement.objects.none()
    q = scope.institutions_q("institution__")
    if scope.office_ids:
        q |= Q(office_id__in=scope.office_ids)
    return Agreement.objects.filter(q)


def agreement_list(*, user: User) -> QuerySet[Agreement]:
    """The list's rows with everything a row shows, in a fixed number of queries."""
    overdue = (
        FollowUp.objects.filter(
            agreement=OuterRef("pk"),
            status__in=FollowUp.OPEN_STATUSES,
            due_on__lt=timezone.localdate(),
        )
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        agreements_for(user)
        .select_related("institution", "institution__province", "office", "parent")
        .annotate(overdue_follow_ups=Coalesce(Subquery(overdue), 0))
        .order_by(F("expires_on").asc(nulls_last=True), "title", "pk")
    )


def agreement_get(*, user: User, pk: int) -> Agreement:
    try:
        return (
            agreements_for(user)
            .select_related(
                "institution",
                "institution__province",
                "institution__regency",
                "office",
                "parent",
                "parent__institution",
                "successor",
                "responsible",
                "created_by",
            )
            .get(pk=pk)
        )
    except Agreement.DoesNotExist:
        raise Http404 from None


def agreement_children(*, user: User, agreement: Agreement) -> QuerySet[Agreement]:
    return agreements_for(user).filter(parent=agreement).select_related("institution")


def agreement_parties(*, agreement: Agreement) -> QuerySet[Party]:
    return agreement.parties.select_related("institution", "office").prefetch_related("signatories")


def agreement_history(*, agreement: Agreement) -> QuerySet[Change]:
    return agreement.history.select_related("actor")


def agreement_events(*, agreement: Agreement):
    return agreement.events.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at"))
    )


def attachment_get(*, user: User, pk: int) -> Attachment:
    """An attachment whose agreement the user may see; anything else is 404."""
    try:
        return Attachment.objects.select_related("agreement").get(
            pk=pk, agreement__in=agreements_for(user)
        )
    except Attachment.DoesNotExist:
        raise Http404 from None


def institutions_choosable(*, user: User) -> QuerySet[Institution]:
    """What a form may offer: only institutions in the user's scope."""
    return institutions_for(user).select_related("province").order_by("name")


def agreements_choosable_as_parent(*, user: User) -> QuerySet[Agreement]:
    return (
        agreements_for(user)
        .exclude(status__in=[Agreement.Status.TERMINATED])
        .select_related("institution")
        .order_by("title")
    )


# --- attention -------------------------------------------------------------------------------


@dataclass
class Attention:
    """What an officer should look at today; each list is capped, each count is not."""

    expiring: list[Agreement]
    expiring_count: int
    expired_still_active: list[Agreement]
    expired_still_active_count: int
    overdue_follow_ups: list[FollowUp]
    overdue_follow_ups_count: int
    stale_drafts: list[Agreement]
    stale_drafts_count: int
    warn_days: int

    @property
    def total(self) -> int:
        return (
            self.expiring_count
            + self.expired_still_active_count
            + self.overdue_follow_ups_count
            + self.stale_drafts_count
        )


def attention_for(
    *, user: User, today: dt.date | None = None, warn_days: int | None = None, limit: int = 10
) -> Attention:
    today = today or timezone.localdate()
    warn_days = warn_days if warn_days is not None else settings.AGREEMENT_WARN_DAYS
    agreements = agreements_for(user).select_related("institution", "office")
    live = [Agreement.Status.ACTIVE, Agreement.Status.EXPIRING]
    expiring = agreements.filter(
        status__in=live,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=warn_days),
    ).order_by("expires_on", "pk")
    expired = agreements.filter(status__in=live, expires_on__lt=today).order_by("expires_on", "pk")
    stale_since = timezone.now() - dt.timedelta(days=settings.AGREEMENT_STALE_DRAFT_DAYS)
    drafts = agreements.filter(
        status__in=[Agreement.Status.DRAFT, Agreement.Status.IN_REVIEW],
        updated_at__lt=stale_since,
    ).order_by("updated_at", "pk")
    overdue = (
        FollowUp.objects.filter(
            agreement__in=agreements_for(user),
            status__in=FollowUp.OPEN_STATUSES,
            due_on__lt=today,
        )
        .select_related("agreement", "agreement__institution")
        .order_by("due_on", "pk")
    )
    return Attention(
        expiring=list(expiring[:limit]),
        expiring_count=expiring.count(),
        expired_still_active=list(expired[:limit]),
        expired_still_active_count=expired.count(),
        overdue_follow_ups=list(overdue[:limit]),
        overdue_follow_ups_count=overdue.count(),
        stale_drafts=list(drafts[:limit]),
        stale_drafts_count=drafts.count(),
        warn_days=warn_days,
    )


def offices_choosable(*, user: User) -> QuerySet:
    """The BPJS offices a user may sign for: its own and those under it (all, nationally)."""
    from regions.models import Office

    scope = scope_for(user)
    offices = Office.objects.filter(is_active=True).order_by("kind", "name")
    return offices if scope.national else offices.filter(pk__in=scope.office_ids)


def officers_choosable(*, user: User) -> QuerySet[User]:
    """Officers who can be made responsible for an agreement: those of the user's offices."""
    from accounts.models import Role

    scope = scope_for(user)
    officers = User.objects.filter(
        is_active=True, role_assignments__role=Role.REGIONAL_OFFICER
    ).distinct()
    if not scope.national:
        officers = officers.filter(role_assignments__office_id__in=scope.office_ids)
    return officers.order_by("full_name", "username")


# --- history, as people read it --------------------------------------------------------------


@dataclass
class HistoryLine:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    change: Change
    lines: list[HistoryLine]
    subject: str = ""


SUBJECT_MODELS = {
    "party": Party,
    "signatory": "Signatory",
    "target": "Target",
    "follow-up": FollowUp,
    "event": "AgreementEvent",
    "attachment": Attachment,
}


# Keys recorded in history that are not fields of the model changed.
EXTRA_LABELS = {
    "programs": _("programs"),
    "contacts": _("contact persons"),
    "party": _("party"),
    "file": _("file"),
}


def _model_for(change: Change, default):
    from django.apps import apps

    model = SUBJECT_MODELS.get(change.subject, default)
    return apps.get_model("partners", model) if isinstance(model, str) else model


def _field(model, name: str):
    """The model's own column for a history key; None for keys that are not one
    (e.g. "programs", "contacts"), which get their label from EXTRA_LABELS."""
    try:
        field = model._meta.get_field(name.removesuffix("_id"))
    except Exception:
        return None
    return field if field.concrete and not field.many_to_many else None


def history_entries(changes: QuerySet[Change], *, model) -> list[HistoryEntry]:
    """Each change with its fields' labels and readable values: choice labels, names for ids.

    Names of related rows are looked up in one query per related model, not per line.
    """
    from django.contrib.postgres.fields import ArrayField

    changes = list(changes)
    wanted: dict = {}
    for change in changes:
        subject_model = _model_for(change, model)
        for key, pair in change.changes.items():
            field = _field(subject_model, key)
            if field is not None and field.is_relation and key.endswith("_id"):
                wanted.setdefault(field.related_model, set()).update(
                    v for v in pair if v is not None
                )
    names = {
        related: {str(pk): str(obj) for pk, obj in related.objects.in_bulk(list(ids)).items()}
        for related, ids in wanted.items()
    }

    def readable(field, value) -> str:
        if value in (None, "", []):
            return "—"
        if isinstance(field, ArrayField):
            choices = dict(field.base_field.choices or [])
            return ", ".join(str(choices.get(v, v)) for v in value)
        if isinstance(value, list):
            return ", ".join(map(str, value))
        if field is None:
            return str(value)
        if field.is_relation:
            return names.get(field.related_model, {}).get(str(value), f"#{value}")
        if field.choices:
            return str(dict(field.choices).get(value, value))
        if isinstance(field, models.IntegerField | models.DecimalField):
            return number_format(Decimal(str(value)), force_grouping=True)
        if isinstance(field, models.DateField):
            return f"{value[8:10]}-{value[5:7]}-{value[0:4]}"
        return str(value)

    entries = []
    for change in changes:
        subject_model = _model_for(change, model)
        lines = []
        for key, (before, after) in change.changes.items():
            field = _field(subject_model, key)
            label = str(field.verbose_name if field is not None else EXTRA_LABELS.get(key, key))
            lines.append(HistoryLine(label, readable(field, before), readable(field, after)))
        subject = str(subject_model._meta.verbose_name) if change.subject else ""
        entries.append(HistoryEntry(change, lines, subject))
    return entries
