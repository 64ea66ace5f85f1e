"""The registration desk's file of pending registrations, per institution or per agreement.

BPJS-side work: officers only (403 for partner admins and managers who see the institution),
404 outside scope. Full NIKs leave the system here, so each download writes an access-log row.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import AccessLog, PersonalField
from accounts.services import access_log_record
from enrolment.registration import (
    PendingRegistration,
    pending_registrations,
    pending_registrations_xlsx,
)
from ops.spreadsheets import CONTENT_TYPES
from partners.selectors import agreement_get, institution_get
from partners.views.common import require_officer

# The file's columns that are personal data (see enrolment.registration.LAYOUT).
FILE_FIELDS = [
    PersonalField.NIK,
    PersonalField.FULL_NAME,
    PersonalField.BIRTH_DATE,
    PersonalField.SEX,
    PersonalField.WAGE,
    PersonalField.EMPLOYMENT,
    PersonalField.ENROLMENT,
]


def _download(
    request: HttpRequest, rows: list[PendingRegistration], *, subject: str, basename: str
) -> HttpResponse:
    what = f"pendaftaran tertunda {subject}"
    access_log_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        what=what,
        fields=FILE_FIELDS,
        workers=[row.worker_id for row in rows],
        request=request,
    )
    today = timezone.localdate()
    content = pending_registrations_xlsx(rows, title=f"{what}, {today:%d-%m-%Y}")
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    filename = f"pendaftaran-{basename[:80].strip('-')}-{today:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def pending_registrations_export(request: HttpRequest, institution_pk: int) -> HttpResponse:
    institution = institution_get(user=request.user, pk=institution_pk)
    require_officer(request.user)
    rows = pending_registrations(institution=institution)
    basename = institution.code or slugify(institution.name) or str(institution.pk)
    return _download(request, rows, subject=institution.name, basename=basename)


@login_required
def agreement_pending_registrations_export(request: HttpRequest, agreement_pk: int) -> HttpResponse:
    agreement = agreement_get(user=request.user, pk=agreement_pk)
    require_officer(request.user)
    rows = pending_registrations(agreement=agreement)
    basename = slugify(agreement.title) or str(agreement.pk)
    return _download(request, rows, subject=agreement.title, basename=basename)
