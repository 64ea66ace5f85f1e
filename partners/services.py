"""Writes for partners: every change of an agreement writes its history in the same transaction."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from partners.models import Agreement, AgreementEvent, Institution
from partners.selectors import institutions_for


class AgreementError(Exception):
    """An expected refusal, with a message a person can act on."""


SNAPSHOT_FIELDS = [
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
]


def _snapshot(agreement: Agreement) -> dict[str, Any]:
    """The agreement's recorded fields as JSON values (dates as ISO text, amounts as text)."""
    values = {name: getattr(agreement, name) for name in SNAPSHOT_FIELDS}
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


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
    **fields: Any,
) -> Agreement:
    if not by.can_manage_partners:
        raise AgreementError(_("Only BPJS officers can record agreements."))
    if not institutions_for(by).filter(pk=institution.pk).exists():
        raise AgreementError(_("The institution is outside your working area."))
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
    try:
        agreement.full_clean()
    except ValidationError as error:
        raise AgreementError("; ".join(error.messages)) from error
    agreement.save()
    if programs:
        agreement.programs.set(programs)
    AgreementEvent.objects.create(
        agreement=agreement,
        action=AgreementEvent.Action.CREATED,
        actor=by,
        changes={k: [None, v] for k, v in _snapshot(agreement).items() if v not in (None, "", [])},
    )
    return agreement


def _check_against_parent(agreement: Agreement) -> None:
    parent = agreement.parent
    if parent is None:
        return
    if (
        parent.effective_from
        and agreement.effective_from
        and agreement.effective_from < parent.effective_from
    ):
        raise AgreementError(
            _("The agreement cannot start before the agreement it follows (%(date)s).")
            % {"date": parent.effective_from.strftime("%d-%m-%Y")}
        )


@transaction.atomic
def agreement_change_status(
    *, agreement: Agreement, to: str, by: User | None, note: str = ""
) -> Agreement:
    """Move the status along an allowed transition; the row is locked while it changes."""
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not locked.can_move_to(to):
        raise AgreementError(
            _("An agreement that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": locked.get_status_display(),
                "target": Agreement.Status(to).label,
            }
        )
    if to in {Agreement.Status.SIGNED, Agreement.Status.ACTIVE} and not (
        locked.signed_on and locked.effective_from
    ):
        raise AgreementError(
            _(
                "Fill in the date of signing and the effective date before the agreement "
                "can be marked signed or active."
            )
        )
    before = locked.status
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    AgreementEvent.objects.create(
        agreement=locked,
        action=AgreementEvent.Action.STATUS,
        actor=by,
        changes={"status": [before, to]},
        note=note,
    )
    agreement.status = to
    return locked


@transaction.atomic
def agreements_advance_statuses(*, today: dt.date, warn_days: int = 90) -> dict[str, int]:
    """Nightly: active agreements near their end become expiring; past their end, expired.

    Set-based, with one history row per agreement moved (no acting user: the system did it).
    """
    Status = Agreement.Status
    moved: dict[str, int] = {}
    for target, sources, condition in [
        (Status.EXPIRED, [Status.ACTIVE, Status.EXPIRING], {"expires_on__lt": today}),
        (
            Status.EXPIRING,
            [Status.ACTIVE],
            {"expires_on__gte": today, "expires_on__lte": today + dt.timedelta(days=warn_days)},
        ),
    ]:
        rows = list(
            Agreement.objects.select_for_update()
            .filter(status__in=sources, **condition)
            .values_list("pk", "status")
        )
        Agreement.objects.filter(pk__in=[pk for pk, _status in rows]).update(status=target)
        AgreementEvent.objects.bulk_create(
            AgreementEvent(
                agreement_id=pk,
                action=AgreementEvent.Action.STATUS,
                actor=None,
                changes={"status": [status, target]},
                note="nightly status update",
            )
            for pk, status in rows
        )
        moved[target] = len(rows)
    return moved
