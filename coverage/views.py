from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coverage import selectors
from partners.models import Institution


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.can_view_dashboards:
        raise PermissionDenied
    kinds = dict(Institution.Kind.choices)
    rows = [
        {"kind": kinds.get(row["kind"], row["kind"]), "total": row["total"]}
        for row in selectors.institutions_by_kind(user=request.user)
    ]
    return render(request, "coverage/dashboard.html", {"rows": rows})
