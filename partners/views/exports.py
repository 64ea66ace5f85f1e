"""Institution and agreement lists as XLSX or CSV (formula-safe), with the list's filters.

Each export runs the list page's own selector and filter, so a download holds exactly the rows
the person sees on the list (all pages), and nothing outside their scope.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from ops.spreadsheets import FORMATS, spreadsheet_response
from partners import selectors
from partners.exports import AgreementResource, InstitutionResource
from partners.filters import AgreementFilter
from partners.views.common import require_reader
from partners.views.institutions import filtered_institutions


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404


@login_required
def institution_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _check_format(fmt)
    require_reader(request.user)
    _filterset, rows = filtered_institutions(request)
    dataset = InstitutionResource().export(queryset=rows)
    return spreadsheet_response(dataset, fmt=fmt, basename="mitra")


@login_required
def agreement_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _check_format(fmt)
    require_reader(request.user)
    filterset = AgreementFilter(
        request.GET, queryset=selectors.agreement_list(user=request.user), request=request
    )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    dataset = AgreementResource().export(queryset=rows)
    return spreadsheet_response(dataset, fmt=fmt, basename="perjanjian")
