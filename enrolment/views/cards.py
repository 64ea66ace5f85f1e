"""Printable participant cards (PDF): one worker's, or everyone's at an institution.

For those who hand the cards over: officers and partner admins (managers read figures, 403).
Outside the user's scope the worker or institution is 404. A card carries personal data, so
each download is written to the access log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AccessLog, PersonalField
from accounts.services import access_log_record
from enrolment import selectors
from enrolment.cards import cards_pdf, institution_card_rows, worker_card_row
from partners.selectors import institution_get, institutions_for

# What a card shows in full (the NIK is masked): name, KPJ, programs, institution.
CARD_FIELDS = [
    PersonalField.FULL_NAME,
    PersonalField.KPJ,
    PersonalField.ENROLMENT,
    PersonalField.EMPLOYMENT,
]


def _require_printer(user) -> None:
    if not (user.can_manage_partners or user.can_upload_rosters):
        raise PermissionDenied


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # Inline: the browser opens it ready to print.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def worker_card(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    worker = selectors.worker_get(user=user, pk=pk)
    _require_printer(user)
    if selectors.restriction_open(worker=worker) is not None:
        messages.warning(
            request,
            _(
                "The processing of this person's data is restricted: no card is printed until "
                "the restriction is lifted."
            ),
        )
        return redirect("enrolment:worker_detail", pk=worker.pk)
    row = worker_card_row(worker=worker, institutions=institutions_for(user))
    if row is None:
        messages.warning(
            request,
            _(
                "This worker has no KPJ number yet: a card is printed once BPJS has registered them."
            ),
        )
        return redirect("enrolment:worker_detail", pk=worker.pk)
    content = cards_pdf([row])
    access_log_record(
        user=user,
        action=AccessLog.Action.EXPORT,
        what=f"kartu peserta pekerja #{worker.pk}",
        fields=CARD_FIELDS,
        worker=worker,
        request=request,
    )
    return _pdf_response(content, f"kartu-peserta-{worker.pk}.pdf")


@login_required
def institution_cards(request: HttpRequest, institution_pk: int) -> HttpResponse:
    user = request.user
    institution = institution_get(user=user, pk=institution_pk)
    _require_printer(user)
    rows, skipped = institution_card_rows(institution=institution)
    if not rows:
        messages.warning(
            request,
            _(
                "No worker of this institution has a KPJ number yet: cards are printed once "
                "BPJS has registered them."
            ),
        )
        return redirect("partners:institution_detail", pk=institution.pk)
    content = cards_pdf(rows)
    access_log_record(
        user=user,
        action=AccessLog.Action.EXPORT,
        what=f"kartu peserta lembaga #{institution.pk}",
        fields=CARD_FIELDS,
        workers=[row.worker.pk for row in rows],
        request=request,
    )
    if skipped:
        # Shown on the next page the person opens: the PDF itself has no room for it.
        messages.info(
            request,
            ngettext(
                "%(count)d worker without a KPJ number has no card yet.",
                "%(count)d workers without a KPJ number have no card yet.",
                skipped,
            )
            % {"count": skipped},
        )
    return _pdf_response(content, f"kartu-peserta-lembaga-{institution.pk}.pdf")
