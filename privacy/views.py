"""The data-subject report: a person asks what BPJS holds about them (UU 27/2022).

Those who answer such requests are BPJS's: national administrators, and regional officers for
the people employed in their region (`User.handles_data_requests`). Partner admins and
managers get 403; a person outside the officer's region is 404. The report is the person's
whole record, every employment included, since it answers the person, not the region. Viewing
it and each download is itself written to the access log, and the report lists that too.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.models import AccessLog, PersonalField, User
from accounts.services import access_log_record
from enrolment.models import Worker
from enrolment.selectors import worker_get
from ops.spreadsheets import CONTENT_TYPES
from privacy import documents, selectors
from privacy.forms import SubjectSearchForm

DOWNLOADS = {"xlsx": CONTENT_TYPES["xlsx"], "pdf": "application/pdf"}


def _require_handler(user: User) -> None:
    if not user.handles_data_requests:
        raise PermissionDenied


def _log(request: HttpRequest, worker: Worker, action: str, what: str) -> None:
    access_log_record(
        user=request.user,
        action=action,
        what=what,
        fields=PersonalField.values,  # the report holds all of it
        worker=worker,
        request=request,
    )


@login_required
@never_cache
def subject_search(request: HttpRequest) -> HttpResponse:
    """Asks for the NIK, by POST so that it stays out of addresses and server logs."""
    _require_handler(request.user)
    form = SubjectSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        worker = selectors.subject_find(user=request.user, nik=form.cleaned_data["nik"])
        if worker is not None:
            return redirect("privacy:subject_report", pk=worker.pk)
        form.add_error(
            "nik",
            _(
                "Nobody with this NIK is recorded among the workers of your region. Check the "
                "number against the person's KTP; a person employed elsewhere is answered by "
                "the office of that region or by a national administrator."
            ),
        )
    return render(request, "privacy/subject_search.html", {"form": form})


@login_required
@never_cache
def subject_report(request: HttpRequest, pk: int) -> HttpResponse:
    worker = worker_get(user=request.user, pk=pk)
    _require_handler(request.user)
    _log(request, worker, AccessLog.Action.VIEW, f"laporan subjek data pekerja #{worker.pk}")
    report = selectors.subject_report(worker=worker)
    context = {
        "report": report,
        "worker": worker,
        "sections": documents.report_sections(report),
    }
    return render(request, "privacy/subject_report.html", context)


@login_required
@never_cache
def subject_report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in DOWNLOADS:
        raise Http404
    worker = worker_get(user=request.user, pk=pk)
    _require_handler(request.user)
    _log(
        request,
        worker,
        AccessLog.Action.EXPORT,
        f"laporan subjek data pekerja #{worker.pk} ({fmt.upper()})",
    )
    report = selectors.subject_report(worker=worker)
    made_by = f"{request.user} ({request.user.username})"
    if fmt == "xlsx":
        content = documents.subject_report_xlsx(report, made_by=made_by)
    else:
        content = documents.subject_report_pdf(report, made_by=made_by)
    response = HttpResponse(content, content_type=DOWNLOADS[fmt])
    filename = f"laporan-subjek-data-{worker.pk}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
