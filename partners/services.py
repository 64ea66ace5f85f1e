"""Writes for partners. Every change writes its history row (`Change`) in the same transaction,
with the acting user; refusals a person can act on raise `PartnerError`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from partners.models import (
    Agreement,
    AgreementEvent,
    Attachment,
    Change,
    Contact,
    FollowUp,
    Institution,
    Party,
    Signatory,
    Target,
)
from partners.selectors import agreements_for, institutions_for


class PartnerError(Exception):
    """An expected refusal, with a message a person can act on."""


AgreementError = PartnerError  # the name the first agreement services used

INSTITUTION_FIELDS = [
    "name",
    "code",
    "kind",
    "level",
    "province_id",
    "regency_id",
    "parent_id",
    "office_id",
    "npwp",
    "address",
    "phone",
    "email",
]
AGREEMENT_FIELDS = [
    "kind",
    "title",
    "status",
    "place_signed",
    "signed_on",
    "effective_from",
    "expires_on",
    "scopes",
    "funding_source",
    "flat_wage",
    "jkk_risk_class",
    "institution_id",
    "office_id",
    "parent_id",
    "responsible_id",
    "notes",
]

# Attachments: what an officer files under an agreement. Checked by content, not by name.
ATTACHMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


# --- history ---------------------------------------------------------------------------------


def _json(values: dict[str, Any]) -> dict[str, Any]:
    """Values as JSON (dates as ISO text, amounts as text without trailing zeros)."""
    values = {
        k: format(v.normalize(), "f") if isinstance(v, Decimal) else v for k, v in values.items()
    }
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return _json({name: getattr(obj, name) for name in fields})


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _created(values: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in values.items() if v not in (None, "", [])}


def _record(
    *,
    by: User | None,
    action: str,
    agreement: Agreement | None = None,
    institution: Institution | None = None,
    subject: str = "",
    changes: dict | None = None,
    note: str = "",
) -> Change:
    if agreement is not None:
        # Any recorded work on an agreement counts as touching it (drafts untouched for 30 days).
        Agreement.objects.filter(pk=agreement.pk).update(updated_at=timezone.now())
    return Change.objects.create(
        agreement=agreement,
        institution=institution,
        action=action,
        subject=subject,
        actor=by,
        changes=changes or {},
        note=note[:300],
    )


def _clean(obj: models.Model, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        raise PartnerError(" ".join(error.messages)) from error


def _save(obj: models.Model) -> None:
    """Save, turning a constraint the form could not see (a race) into a readable refusal."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise PartnerError(
            _("The record conflicts with another one: %(error)s")
            % {"error": str(error).splitlines()[0]}
        ) from error


# --- scope checks ----------------------------------------------------------------------------


def _require_officer(by: User) -> None:
    if not by.can_manage_partners:
        raise PartnerError(_("Only BPJS officers can change partner records."))


def _require_institution_in_scope(by: User, institution: Institution | None) -> None:
    if institution is not None and not institutions_for(by).filter(pk=institution.pk).exists():
        raise PartnerError(_("The institution is outside your working area."))


def _require_agreement_in_scope(by: User, agreement: Agreement) -> None:
    _require_officer(by)
    if not agreements_for(by).filter(pk=agreement.pk).exists():
        raise PartnerError(_("The agreement is outside your working area."))


# --- institutions ----------------------------------------------------------------------------


@transaction.atomic
def institution_create(
    *, by: User, contacts: list[dict] | None = None, **fields: Any
) -> Institution:
    _require_officer(by)
    institution = Institution(**fields)
    if not institution.code:
        institution.code = institution_unique_code(institution.name)
    _require_institution_in_scope(by, institution.parent)
    _clean(institution)
    if not by.is_national_admin and not _institution_fits_scope(by, institution):
        raise PartnerError(_("The institution's region or office is outside your working area."))
    _save(institution)
    for contact in contacts or []:
        Contact.objects.create(institution=institution, **contact)
    _record(
        by=by,
        institution=institution,
        action=Change.Action.CREATED,
        changes=_created(snapshot(institution, INSTITUTION_FIELDS)),
    )
    return institution


def institution_unique_code(name: str) -> str:
    """A short code from the name (kemenag-kota-serang), numbered when taken."""
    base = slugify(name)[:50] or "lembaga"
    code, n = base, 1
    while Institution.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _institution_fits_scope(by: User, institution: Institution) -> bool:
    """A new institution must fall in the creator's area, or it would vanish from their lists."""
    from accounts.scope import scope_for

    scope = scope_for(by)
    return (
        scope.national
        or institution.office_id in scope.office_ids
        or institution.regency_id in scope.regency_codes
        or institution.province_id in scope.province_codes
        or (institution.parent_id is not None and institution.parent_id in scope.institution_ids)
    )


@transaction.atomic
def institution_update(
    *, institution: Institution, by: User, contacts: list[dict] | None = None, **fields: Any
) -> Institution:
    _require_officer(by)
    _require_institution_in_scope(by, institution)
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    before = snapshot(locked, INSTITUTION_FIELDS)
    for name, value in fields.items():
        setattr(locked, name, value)
    if locked.parent_id and locked.parent_id == locked.pk:
        raise PartnerError(_("An institution cannot be its own parent."))
    if locked.parent_id != before["parent_id"]:
        # A Kemenag Kab/Kota stays under its Kanwil even when the Kanwil is outside a branch
        # officer's area; only a new parent must be one the officer sees.
        _require_institution_in_scope(by, locked.parent)
    _clean(locked)
    _save(locked)
    changes = _diff(before, snapshot(locked, INSTITUTION_FIELDS))
    if contacts is not None:
        old = sorted(Contact.objects.filter(institution=locked).values_list("name", flat=True))
        Contact.objects.filter(institution=locked).delete()
        for contact in contacts:
            Contact.objects.create(institution=locked, **contact)
        new = sorted(c["name"] for c in contacts)
        if old != new:
            changes["contacts"] = [", ".join(old), ", ".join(new)]
    if changes:
        _record(by=by, institution=locked, action=Change.Action.UPDATED, changes=changes)
    return locked


# --- agreements ------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    by: User,
    kind: str,
    title: str,
    institution: Institution,
    office,
    parent: Agreement | None = None,
    programs: list | None = None,
    institution_number: str = "",
    office_number: str = "",
    **fields: Any,
) -> Agreement:
    """Record an agreement with its two main parties (the partner and the BPJS office)."""
    if not by.can_manage_partners:
        raise PartnerError(_("Only BPJS officers can record agreements."))
    _require_institution_in_scope(by, institution)
    if parent is not None and not agreements_for(by).filter(pk=parent.pk).exists():
        raise PartnerError(_("The agreement it follows is outside your working area."))
    agreement = Agreement(
        kind=kind,
        title=title,
        institution=institution,
        office=office,
        parent=parent,
        created_by=by,
        **fields,
    )
    _check_against_parent(agreement)
    _clean(agreement)
    _save(agreement)
    if programs:
        agreement.programs.set(programs)
    for party in (
        Party(agreement=agreement, office=office, document_number=office_number.strip()),
        Party(
            agreement=agreement, institution=institution, document_number=institution_number.strip()
        ),
    ):
        _clean(party)
        _save(party)
    values = snapshot(agreement, AGREEMENT_FIELDS)
    values["programs"] = sorted(p.code for p in programs or [])
    _record(by=by, agreement=agreement, action=Change.Action.CREATED, changes=_created(values))
    return agreement


@transaction.atomic
def agreement_update(
    *, agreement: Agreement, by: User, programs: list | None = None, **fields: Any
) -> Agreement:
    """Edit what was recorded; the status moves only through `agreement_change_status`."""
    _require_agreement_in_scope(by, agreement)
    fields.pop("status", None)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    before = snapshot(locked, AGREEMENT_FIELDS)
    before["programs"] = sorted(locked.programs.values_list("code", flat=True))
    for name, value in fields.items():
        setattr(locked, name, value)
    if "institution" in fields:
        _require_institution_in_scope(by, locked.institution)
    _check_against_parent(locked)
    _clean(locked)
    _save(locked)
    if programs is not None:
        locked.programs.set(programs)
    after = snapshot(locked, AGREEMENT_FIELDS)
    after["programs"] = sorted(locked.programs.values_list("code", flat=True))
    changes = _diff(before, after)
    if changes:
        _record(by=by, agreement=locked, action=Change.Action.UPDATED, changes=changes)
    return locked


def _check_against_parent(agreement: Agreement) -> None:
    parent = agreement.parent
    if parent is None:
        return
    if parent.pk == agreement.pk:
        raise PartnerError(_("An agreement cannot follow itself."))
    if (
        parent.effective_from
        and agreement.effective_from
        and agreement.effective_from < parent.effective_from
    ):
        raise PartnerError(
            _("The agreement cannot start before the agreement it follows (%(date)s).")
            % {"date": parent.effective_from.strftime("%d-%m-%Y")}
        )


def agreement_derive_initial(*, mou: Agreement) -> dict[str, Any]:
    """What a PKS derived from an MoU starts with: its programs, scope, wage basis and BPJS side."""
    return {
        "kind": Agreement.Kind.PKS,
        "parent": mou,
        "office": mou.office,
        "scopes": list(mou.scopes),
        "programs": list(mou.programs.all()),
        "funding_source": mou.funding_source,
        "flat_wage": mou.flat_wage,
        "jkk_risk_class": mou.jkk_risk_class,
        "responsible": mou.responsible,
        "effective_from": mou.effective_from,
        "expires_on": mou.expires_on,
    }


@transaction.atomic
def agreement_change_status(
    *,
    agreement: Agreement,
    to: str,
    by: User | None,
    note: str = "",
    successor: Agreement | None = None,
) -> Agreement:
    """Move the status along an allowed transition; the row is locked while it changes.

    "Renewed" names the agreement that takes over (the successor), with the same partner.
    """
    if by is not None:
        _require_agreement_in_scope(by, agreement)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not locked.can_move_to(to):
        raise PartnerError(
            _("An agreement that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": locked.get_status_display(),
                "target": Agreement.Status(to).label,
            }
        )
    if to in {Agreement.Status.SIGNED, Agreement.Status.ACTIVE} and not (
        locked.signed_on and locked.effective_from
    ):
        raise PartnerError(
            _(
                "Fill in the date of signing and the effective date before the agreement "
                "can be marked signed or active."
            )
        )
    changes = {"status": [locked.status, to]}
    if to == Agreement.Status.RENEWED:
        _check_successor(locked, successor, by)
        changes["successor_id"] = [locked.successor_id, successor.pk]
        locked.successor = successor
    locked.status = to
    locked.save(update_fields=["status", "successor", "updated_at"])
    _record(by=by, agreement=locked, action=Change.Action.STATUS, changes=changes, note=note)
    agreement.status = to
    agreement.successor = locked.successor
    return locked


def _check_successor(agreement: Agreement, successor: Agreement | None, by: User | None) -> None:
    if successor is None:
        raise PartnerError(_("Choose the agreement that renews this one."))
    if by is not None and not agreements_for(by).filter(pk=successor.pk).exists():
        raise PartnerError(_("The renewing agreement is outside your working area."))
    if successor.pk == agreement.pk or successor.institution_id != agreement.institution_id:
        raise PartnerError(
            _("The renewing agreement must be another agreement with the same partner.")
        )
    if Agreement.objects.filter(successor=successor).exclude(pk=agreement.pk).exists():
        raise PartnerError(_("That agreement already renews another one."))


@transaction.atomic
def agreements_advance_statuses(*, today: dt.date, warn_days: int = 90) -> dict[str, list[int]]:
    """Nightly: active agreements near their end become expiring; past their end, expired;
    expiring ones whose end moved beyond the window, active again.

    Set-based, with one history row per agreement moved (no acting user: the system did it).
    Returns the ids moved to each status, so the caller can tell the responsible officers.
    """
    Status = Agreement.Status
    # The note is stored text shown on the timeline: write it in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        notes = {
            Status.EXPIRED: _("Nightly check: the agreement has passed its end date."),
            Status.EXPIRING: _("Nightly check: the agreement ends within %(days)d days.")
            % {"days": warn_days},
            Status.ACTIVE: _("Nightly check: the end date was moved later; active again."),
        }
    moved: dict[str, list[int]] = {}
    for target, sources, condition in [
        (Status.EXPIRED, [Status.ACTIVE, Status.EXPIRING], {"expires_on__lt": today}),
        (
            Status.EXPIRING,
            [Status.ACTIVE],
            {"expires_on__gte": today, "expires_on__lte": today + dt.timedelta(days=warn_days)},
        ),
        # An expiring agreement whose end date was extended (an addendum) is active again.
        (
            Status.ACTIVE,
            [Status.EXPIRING],
            {"expires_on__gt": today + dt.timedelta(days=warn_days)},
        ),
    ]:
        rows = list(
            Agreement.objects.select_for_update()
            .filter(status__in=sources, **condition)
            .values_list("pk", "status")
        )
        Agreement.objects.filter(pk__in=[pk for pk, _status in rows]).update(
            status=target, updated_at=timezone.now()
        )
        Change.objects.bulk_create(
            Change(
                agreement_id=pk,
                action=Change.Action.STATUS,
                actor=None,
                changes={"status": [status, target]},
                note=notes[target],
            )
            for pk, status in rows
        )
        moved[target] = [pk for pk, _status in rows]
    return moved


# --- parties and signatories -----------------------------------------------------------------


@transaction.atomic
def party_add(
    *,
    agreement: Agreement,
    by: User,
    institution: Institution | None = None,
    office=None,
    document_number: str = "",
) -> Party:
    _require_agreement_in_scope(by, agreement)
    _require_institution_in_scope(by, institution)
    party = Party(
        agreement=agreement,
        institution=institution,
        office=office,
        document_number=document_number.strip(),
    )
    _clean(party)
    _save(party)
    _record(
        by=by,
        agreement=agreement,
        action=Change.Action.ADDED,
        subject="party",
        changes={"party": [None, party.name], "document_number": [None, party.document_number]},
    )
    return party


@transaction.atomic
def party_set_number(*, party: Party, by: User, document_number: str) -> Party:
    _require_agreement_in_scope(by, party.agreement)
    before = party.document_number
    party.document_number = document_number.strip()
    _clean(party)
    _save(party)
    if before != party.document_number:
        _record(
            by=by,
            agreement=party.agreement,
            action=Change.Action.UPDATED,
            subject="party",
            changes={"document_number": [before, party.document_number]},
            note=party.name,
        )
    return party


@transaction.atomic
def party_remove(*, party: Party, by: User) -> None:
    agreement = party.agreement
    _require_agreement_in_scope(by, agreement)
    if party.institution_id == agreement.institution_id or party.office_id == agreement.office_id:
        raise PartnerError(
            _("The partner institution and the BPJS office of the agreement stay its parties.")
        )
    name = party.name
    party.delete()
    _record(
        by=by,
        agreement=agreement,
        action=Change.Action.REMOVED,
        subject="party",
        changes={"party": [name, None]},
    )


@transaction.atomic
def signatory_add(*, agreement: Agreement, by: User, party: Party, **fields: Any) -> Signatory:
    _require_agreement_in_scope(by, agreement)
    if party.agreement_id != agreement.pk:
        raise PartnerError(_("Choose one of the agreement's parties."))
    signatory = Signatory(agreement=agreement, party=party, **fields)
    _clean(signatory)
    _save(signatory)
    _record(
        by=by,
        agreement=agreement,
        action=Change.Action.ADDED,
        subject="signatory",
        changes=_created(
            {"name": signatory.name, "position": signatory.position, "role": signatory.role}
        ),
    )
    return signatory


@transaction.atomic
def signatory_remove(*, signatory: Signatory, by: User) -> None:
    agreement = signatory.agreement
    _require_agreement_in_scope(by, agreement)
    name = signatory.name
    signatory.delete()
    _record(
        by=by,
        agreement=agreement,
        action=Change.Action.REMOVED,
        subject="signatory",
        changes={"name": [name, None]},
    )


# --- targets, follow-ups, events -------------------------------------------------------------

TARGET_FIELDS = ["category_id", "potential", "target", "baseline", "deadline"]
FOLLOW_UP_FIELDS = ["action", "person_in_charge", "due_on", "status", "evidence", "done_on"]
EVENT_FIELDS = ["kind", "held_on", "place", "participants", "notes"]


def _save_child(
    obj: models.Model, *, agreement: Agreement, by: User, subject: str, fields: list[str], **values
):
    """Create or edit one row hanging off an agreement, with its history entry."""
    _require_agreement_in_scope(by, agreement)
    creating = obj.pk is None
    before = {} if creating else snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    _clean(obj)
    _save(obj)
    after = snapshot(obj, fields)
    changes = _created(after) if creating else _diff(before, after)
    if changes:
        _record(
            by=by,
            agreement=agreement,
            action=Change.Action.ADDED if creating else Change.Action.UPDATED,
            subject=subject,
            changes=changes,
            note=str(obj),
        )
    return obj


@transaction.atomic
def target_save(
    *, agreement: Agreement, by: User, instance: Target | None = None, **values: Any
) -> Target:
    """Add a target (no instance) or change one; `instance`, since `target` is a field."""
    return _save_child(
        instance or Target(agreement=agreement),
        agreement=agreement,
        by=by,
        subject="target",
        fields=TARGET_FIELDS,
        **values,
    )


@transaction.atomic
def target_remove(*, target: Target, by: User) -> None:
    agreement = target.agreement
    _require_agreement_in_scope(by, agreement)
    changes = {k: [v, None] for k, v in snapshot(target, TARGET_FIELDS).items()}
    note = str(target)
    target.delete()
    _record(
        by=by,
        agreement=agreement,
        action=Change.Action.REMOVED,
        subject="target",
        changes=changes,
        note=note,
    )


@transaction.atomic
def follow_up_save(
    *, agreement: Agreement, by: User, instance: FollowUp | None = None, **values: Any
) -> FollowUp:
    if values.get("status") == FollowUp.Status.DONE and not values.get("done_on"):
        values["done_on"] = timezone.localdate()
    if values.get("status") in FollowUp.OPEN_STATUSES:
        values["done_on"] = None
    return _save_child(
        instance or FollowUp(agreement=agreement),
        agreement=agreement,
        by=by,
        subject="follow-up",
        fields=FOLLOW_UP_FIELDS,
        **values,
    )


@transaction.atomic
def event_save(
    *, agreement: Agreement, by: User, instance: AgreementEvent | None = None, **values: Any
) -> AgreementEvent:
    return _save_child(
        instance or AgreementEvent(agreement=agreement),
        agreement=agreement,
        by=by,
        subject="event",
        fields=EVENT_FIELDS,
        **values,
    )


# --- attachments -----------------------------------------------------------------------------


def attachment_check(upload: UploadedFile, kind: str) -> str:
    """The file's real type, read from its first bytes; refuse what an officer should not file."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise PartnerError(
            _(
                "The file is %(size)s; the limit is %(limit)s. Compress or split it, then upload again."
            )
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    allowed = (
        {"image/jpeg", "image/png"} if kind == Attachment.Kind.PHOTO else set(ATTACHMENT_TYPES)
    )
    if mime not in allowed:
        names = "JPG, PNG" if kind == Attachment.Kind.PHOTO else "PDF, JPG, PNG"
        raise PartnerError(
            _("“%(name)s” is not a %(types)s file. Save or scan it as %(types)s and upload again.")
            % {"name": upload.name, "types": names}
        )
    return mime


@transaction.atomic
def attachment_add(
    *,
    agreement: Agreement,
    by: User,
    upload: UploadedFile,
    kind: str,
    event: AgreementEvent | None = None,
) -> Attachment:
    _require_agreement_in_scope(by, agreement)
    if event is not None and event.agreement_id != agreement.pk:
        raise PartnerError(_("Choose one of the agreement's events."))
    mime = attachment_check(upload, kind)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    if Attachment.objects.filter(agreement=agreement, sha256=sha256).exists():
        raise PartnerError(_("This file is already attached to the agreement."))
    upload.seek(0)
    attachment = Attachment(
        agreement=agreement,
        event=event,
        kind=kind,
        original_name=upload.name[:255],
        content_type=mime,
        size=upload.size,
        sha256=sha256,
        uploaded_by=by,
    )
    attachment.file.save(f"{sha256}.{ATTACHMENT_TYPES[mime]}", upload, save=False)
    _save(attachment)
    _record(
        by=by,
        agreement=agreement,
        action=Change.Action.ADDED,
        subject="attachment",
        changes={"file": [None, attachment.original_name], "kind": [None, kind]},
    )
    return attachment


def agreements_notify_responsible(*, moved: dict[str, list[int]]) -> int:
    """One e-mail per officer listing their agreements that just became expiring or expired.

    The officer is the agreement's responsible officer, or whoever recorded it. Returns the
    number of e-mails sent.
    """
    ids = [
        pk
        for status in (Agreement.Status.EXPIRING, Agreement.Status.EXPIRED)
        for pk in moved.get(status, [])
    ]
    if not ids:
        return 0
    by_officer: dict[User, list[Agreement]] = {}
    for agreement in (
        Agreement.objects.filter(pk__in=ids)
        .select_related("responsible", "created_by", "institution")
        .order_by("expires_on", "title")
    ):
        officer = agreement.responsible or agreement.created_by
        if officer is not None and officer.email and officer.is_active:
            by_officer.setdefault(officer, []).append(agreement)
    messages = []
    for officer, agreements in by_officer.items():
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "partners/email/statuses_moved.txt",
                {"officer": officer, "agreements": agreements, "site_url": settings.SITE_URL},
            )
            subject = ngettext(
                "Sinergi: %(count)d agreement needs attention",
                "Sinergi: %(count)d agreements need attention",
                len(agreements),
            ) % {"count": len(agreements)}
        messages.append(EmailMessage(subject=subject, body=body, to=[officer.email]))
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)
