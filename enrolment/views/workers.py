"""The worker registry: search, filters, the person's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

from enrolment import selectors
from enrolment.forms import WorkerSearchForm
from enrolment.tables import WorkerTable
from partners.views.common import require_reader

PER_PAGE = 25


@login_required
def worker_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    form = WorkerSearchForm(request.GET or None, user=user)
    if form.is_bound and not form.is_valid():
        rows = selectors.worker_list(user=user).none()
    else:
        cleaned = form.cleaned_data if form.is_bound else {}
        rows = selectors.worker_list(
            user=user, institution=cleaned.get("institution"), query=cleaned.get("q", "")
        )
    table = WorkerTable(rows)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "enrolment/worker_list.html", {"form": form, "table": table})
