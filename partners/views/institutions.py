from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from partners import selectors
from partners.models import Institution


def _require_partner_work(user) -> None:
    """Managers read dashboards; institutions are for officers and partner admins."""
    if not (user.can_manage_partners or user.can_upload_rosters):
        raise PermissionDenied


@login_required
def institution_list(request: HttpRequest) -> HttpResponse:
    _require_partner_work(request.user)
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    institutions = selectors.institution_list(user=request.user, query=query, kind=kind)
    page = Paginator(institutions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/institution_list.html",
        {"page": page, "query": query, "kind": kind, "kinds": Institution.Kind.choices},
    )


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_partner_work(request.user)
    institution = selectors.institution_get(user=request.user, pk=pk)
    children = selectors.institution_children(user=request.user, institution=institution)
    return render(
        request,
        "partners/institution_detail.html",
        {"institution": institution, "children": children},
    )


def institution_create(request, *args, **kwargs):
    raise Http404


def institution_update(request, *args, **kwargs):
    raise Http404
