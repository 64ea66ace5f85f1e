"""Files from BPJS's core system — registration results and contribution payments — uploaded by
officers and then followed on the same import page as a roster (enrolment.views.rosters)."""

from __future__ import annotations

import tablib
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from enrolment import selectors, services
from enrolment.forms import ResultUploadForm
from enrolment.imports.results import PREPAID_MONTHS_MAX
from enrolment.models import RosterImport
from enrolment.tables import ImportTable
from enrolment.views.rosters import PER_PAGE, _announce_upload
from ops.spreadsheets import FORMATS, spreadsheet_response
from partners.selectors import institution_get
from partners.views.common import require_reader

KINDS = (RosterImport.Kind.REGISTRATION, RosterImport.Kind.PAYMENT)


@login_required
def result_upload(request: HttpRequest) -> HttpResponse:
    """Officers upload; every reader follows the history of their scope."""
    user = request.user
    require_reader(user)
    officer = user.can_manage_partners
    if request.method == "POST" and not officer:
        raise PermissionDenied
    form, upload_error = None, None
    if officer:
        initial = {}
        wanted = request.GET.get("institution", "").strip()
        if wanted.isdigit():
            initial["institution"] = institution_get(user=user, pk=int(wanted))
        if request.GET.get("kind") in KINDS:
            initial["kind"] = request.GET["kind"]
        data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        form = ResultUploadForm(*data, user=user, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                result_import = services.roster_upload(
                    by=user,
                    institution=form.cleaned_data["institution"],
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                )
            except services.RosterError as error:
                upload_error = error
            else:
                _announce_upload(request, result_import)
                return redirect("enrolment:roster_detail", pk=result_import.pk)
    table = ImportTable(
        selectors.import_list(user, kinds=KINDS), empty_text=_("No files imported yet.")
    )
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "enrolment/result_upload.html",
        {
            "form": form,
            "upload_error": upload_error,
            "table": table,
            "prepaid_months": PREPAID_MONTHS_MAX,
        },
    )


@login_required
def import_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """An import history as XLSX or CSV (formula-safe): rosters, or with ?jenis=bpjs the files
    from BPJS's core system; the reader's scope, every page. No personal data in it."""
    if fmt not in FORMATS:
        raise Http404
    user = request.user
    require_reader(user)
    bpjs = request.GET.get("jenis") == "bpjs"
    kinds = KINDS if bpjs else (RosterImport.Kind.ROSTER,)
    dataset = tablib.Dataset(
        headers=[
            _("Uploaded at"),
            _("Kind"),
            _("Institution"),
            _("File"),
            _("Uploaded by"),
            _("Status"),
            _("Rows in the file"),
            _("Valid rows"),
            _("Rows with errors (not applied)"),
            _("Applied at"),
        ]
    )
    imports = selectors.import_list(user, kinds=kinds).select_related(None)
    for record in imports.select_related("institution", "uploaded_by").iterator(chunk_size=2000):
        dataset.append(
            [
                f"{timezone.localtime(record.created_at):%d-%m-%Y %H:%M}",
                record.get_kind_display(),
                record.institution.name,
                record.original_name,
                str(record.uploaded_by or ""),
                record.get_status_display(),
                record.rows_total if record.validated_at else "",
                record.rows_valid if record.validated_at else "",
                record.rows_error if record.validated_at else "",
                f"{timezone.localtime(record.applied_at):%d-%m-%Y %H:%M}"
                if record.applied_at
                else "",
            ]
        )
    return spreadsheet_response(
        dataset, fmt=fmt, basename="impor-bpjs" if bpjs else "unggahan-daftar"
    )
