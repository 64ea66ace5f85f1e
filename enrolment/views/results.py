"""Files from BPJS's core system — registration results and contribution payments — uploaded by
officers and then followed on the same import page as a roster (enrolment.views.rosters)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from enrolment import selectors, services
from enrolment.forms import ResultUploadForm
from enrolment.imports.results import PREPAID_MONTHS_MAX
from enrolment.models import RosterImport
from enrolment.tables import ImportTable
from enrolment.views.rosters import PER_PAGE, _announce_upload
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
