"""Coverage pages: an area's dashboard (figures, charts, the table of its parts, agreement
targets), the lists behind the figures, the institutions that sent no roster, their exports, and
a snapshot on demand.

Every area is limited to the reader's scope (coverage.selectors.area_get: 404 outside it). The
lists show masked NIKs; their exports carry the full NIK only for roles that process people, and
such an export is written to the access log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import AccessLog, PersonalField
from accounts.services import access_log_record
from coverage import charts, selectors, services
from coverage.selectors import NATIONAL
from enrolment.imports.validation import mask_nik
from enrolment.models import Program, WorkerCategory, restricted
from ops.spreadsheets import FORMATS, spreadsheet_response

PER_PAGE = 50
STATUS_LABELS = {
    "pending": _("Rostered, not yet registered"),
    "inactive": _("Registered, not active"),
    "registered": _("Registered"),
    "active": _("Active"),
}
PERIODS = {"bulan": 1, "triwulan": 3, "tahun": 12}
# Dashboards drawn by this process, by what they were drawn from (selectors.dashboard_keys) and
# the language. Drawing a country's costs tens of milliseconds of Python over every institution
# and some twenty queries, for figures that change a few times a day (a refresh after each
# import, a snapshot, an agreement's edit): with twenty readers on two cores the pages queued
# for seconds. The ten minutes bound what the key does not see: names of regions and offices.
DRAWN = LocMemCache("coverage-dashboards", {"TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": 300}})
# Their Past (the trend and last month's figures, a year of snapshots read): redrawn after a
# snapshot, not after each refresh.
PASTS = LocMemCache("coverage-pasts", {"TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": 300}})


def _reader(request: HttpRequest) -> None:
    if not request.user.can_view_dashboards:
        raise PermissionDenied


def _filters(request: HttpRequest) -> tuple[Program | None, WorkerCategory | None, dict]:
    """The program and category asked for; unknown values are ignored, not errors."""
    program = category = None
    code = request.GET.get("program", "").strip().upper()
    if code:
        program = Program.objects.filter(code=code).first()
    wanted = request.GET.get("kategori", "").strip()
    if wanted.isdigit():
        category = WorkerCategory.objects.filter(pk=int(wanted)).first()
    query = {}
    if program:
        query["program"] = program.code
    if category:
        query["kategori"] = category.pk
    return program, category, query


def _area(request: HttpRequest, level: str, key: str):
    if level not in selectors.LEVELS:
        raise Http404
    return selectors.area_get(user=request.user, level=level, key=key)


@login_required
def dashboard(request: HttpRequest, level: str = NATIONAL, key: str = "id") -> HttpResponse:
    _reader(request)
    area = _area(request, level, key)
    program, category, query = _filters(request)
    keys = selectors.dashboard_keys(
        user=request.user, area=area, program=program, category=category
    )
    drawn = f"{keys.drawn}-{translation.get_language()}"
    area_html = DRAWN.get(drawn)
    if area_html is None:
        past = PASTS.get(keys.past)
        area_html, past = _draw(request, area, program, category, query, past)
        DRAWN.set(drawn, area_html)
        PASTS.set(keys.past, past)
    return render(
        request,
        "coverage/dashboard.html",
        {"area": area, "area_html": area_html, "can_snapshot": request.user.is_national_admin},
    )


def _draw(
    request: HttpRequest, area, program, category, query: dict, past: selectors.Past | None
) -> tuple[str, selectors.Past]:
    """The area's figures, charts, table and targets, rendered (coverage/_dashboard_area.html),
    and the Past they were drawn with."""
    data = selectors.dashboard(
        user=request.user, area=area, program=program, category=category, past=past
    )
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    bars = [
        charts.Bar(
            label=row.name,
            value=row.figures.coverage,
            detail=_("%(registered)s of %(potential)s")
            % {
                "registered": number_format(row.figures.registered, force_grouping=True),
                "potential": number_format(row.figures.potential, force_grouping=True),
            },
            url=row.url if row.complete else row.url + suffix,
        )
        for row in data.rows
    ]
    series = [
        charts.Series("registered", _("Registered"), "#146c43"),
        charts.Series("active", _("Active"), "#0d6efd"),
    ]
    today = timezone.localdate()
    points = [
        charts.Point(month=month, values=values)
        for month, values in data.trend
        if month < today.replace(day=1)  # this month is drawn from the current figures
    ]
    points.append(
        charts.Point(
            month=today.replace(day=1),
            values={"registered": data.total.registered, "active": data.total.active},
        )
    )
    context = {
        "data": data,
        "area": area,
        "level": area.level,
        "key": area.key or "id",
        "query": query,
        "suffix": suffix,
        "programs": Program.objects.filter(code__in=("JKK", "JKM", "JHT")).order_by("sort_order"),
        "categories": WorkerCategory.objects.filter(is_active=True).order_by("sort_order"),
        "bar_chart": charts.bar_chart(
            bars,
            title=_("Coverage by %(part)s") % {"part": data.child_label.lower()},
            empty_text=_("Nothing to show yet."),
        ),
        "line_chart": charts.line_chart(
            points, title=_("Registered and active, month by month"), series=series
        ),
        "targets": selectors.target_progress(area=area),
    }
    return render_to_string("coverage/_dashboard_area.html", context), data.past


def _area_dataset(data: selectors.Dashboard) -> tablib.Dataset:
    dataset = tablib.Dataset(
        headers=[
            data.child_label,
            _("Potential"),
            _("Source of the potential"),
            _("Rostered"),
            _("Registered"),
            _("Coverage (%)"),
            _("Active"),
            _("Active (%)"),
            _("Paid through this month"),
            _("Not yet registered"),
            _("Registered, not active"),
            _("Change since last month"),
        ]
    )
    sources = dict(selectors.CoverageSnapshot.Source.choices)
    for name, figures in [(row.name, row.figures) for row in data.rows] + [
        (_("Total"), data.total)
    ]:
        dataset.append(
            [
                name,
                figures.potential,
                ", ".join(str(sources[s]) for s in sorted(figures.sources)),
                figures.rostered,
                figures.registered,
                round(figures.coverage, 1) if figures.coverage is not None else "",
                figures.active,
                round(figures.active_share, 1) if figures.active_share is not None else "",
                figures.paid_current,
                figures.pending,
                figures.inactive,
                figures.change if figures.change is not None else "",
            ]
        )
    return dataset


@login_required
def area_export(request: HttpRequest, level: str, key: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    _reader(request)
    area = _area(request, level, key)
    program, category, _query = _filters(request)
    data = selectors.dashboard(user=request.user, area=area, program=program, category=category)
    return spreadsheet_response(_area_dataset(data), fmt=fmt, basename="cakupan")


def _workers(request: HttpRequest, level: str, key: str):
    _reader(request)
    area = _area(request, level, key)
    program, category, query = _filters(request)
    status = request.GET.get("status", "pending")
    workers = selectors.workers_behind(area=area, status=status, program=program, category=category)
    return area, program, category, query, status, workers


class FigurePaginator(Paginator):
    """Counts the people of a list itself up to `cap`; past it, takes the figure the list
    explains from the summary: counting 100.000 people not yet registered took half a second
    a page, the summary's sum one millisecond. A list that small is counted as it is now."""

    cap = 500

    def __init__(self, object_list, per_page, *, figure: Callable[[], int], **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.figure = figure

    @cached_property
    def count(self) -> int:
        seen = self.object_list.order_by()[: self.cap + 1].count()
        return seen if seen <= self.cap else max(seen, self.figure())


@login_required
def workers(request: HttpRequest, level: str, key: str) -> HttpResponse:
    area, program, category, query, status, found = _workers(request, level, key)
    page = FigurePaginator(
        found.order_by("full_name", "pk").only("pk", "nik", "full_name", "kpj"),
        PER_PAGE,
        figure=lambda: selectors.workers_behind_count(
            area=area, status=status, program=program, category=category
        ),
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "coverage/workers.html",
        {
            "area": area,
            "level": area.level,
            "key": area.key or "id",
            "program": program,
            "category": category,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "query": {**query, "status": status},
            "page": page,
            "rows": [(worker, mask_nik(worker.nik)) for worker in page.object_list],
            "back": selectors.area_url(area.level, area.key),
        },
    )


@login_required
def workers_export(request: HttpRequest, level: str, key: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    area, program, category, _query, status, found = _workers(request, level, key)
    # A restricted person leaves the file (no export processes them); the figures above it
    # still count them: a count names no one, and leaving them out would misstate coverage.
    found = found.exclude(restricted())
    personal = request.user.sees_personal_data
    dataset = tablib.Dataset(headers=[_("NIK"), _("Full name"), _("KPJ number")])
    people = []
    for pk, nik, name, kpj in (
        found.order_by("full_name", "pk")
        .values_list("pk", "nik", "full_name", "kpj")
        .iterator(chunk_size=2000)
    ):
        people.append(pk)
        dataset.append([nik if personal else mask_nik(nik), name, kpj])
    if personal:
        access_log_record(
            user=request.user,
            action=AccessLog.Action.EXPORT,
            what=f"cakupan {area.name}: {STATUS_LABELS[status]}",
            fields=[PersonalField.NIK, PersonalField.FULL_NAME, PersonalField.KPJ],
            workers=people,
            request=request,
        )
    return spreadsheet_response(dataset, fmt=fmt, basename="cakupan-pekerja")


def _since(request: HttpRequest) -> tuple[str, dt.date]:
    period = request.GET.get("periode", "bulan")
    months = PERIODS.get(period)
    if months is None:
        period, months = "bulan", 1
    start = timezone.localdate().replace(day=1)
    for _month in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return period, start


@login_required
def missing(request: HttpRequest, level: str, key: str) -> HttpResponse:
    _reader(request)
    area = _area(request, level, key)
    period, since = _since(request)
    rows = selectors.non_submitting(area=area, since=since)
    return render(
        request,
        "coverage/missing.html",
        {
            "area": area,
            "level": area.level,
            "key": area.key or "id",
            "period": period,
            "since": since,
            "rows": rows,
            "back": selectors.area_url(area.level, area.key),
        },
    )


@login_required
def missing_export(request: HttpRequest, level: str, key: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    _reader(request)
    area = _area(request, level, key)
    _period, since = _since(request)
    dataset = tablib.Dataset(
        headers=[
            _("Institution"),
            _("Province"),
            _("Regency or city"),
            _("Responsible BPJS office"),
            _("Last roster"),
        ]
    )
    for institution in selectors.non_submitting(area=area, since=since):
        dataset.append(
            [
                institution.name,
                institution.province.name if institution.province else "",
                institution.regency.name if institution.regency else "",
                institution.office.name if institution.office else "",
                f"{timezone.localtime(institution.last_roster):%d-%m-%Y}"
                if institution.last_roster
                else "",
            ]
        )
    return spreadsheet_response(dataset, fmt=fmt, basename="belum-mengirim-daftar")


@login_required
@require_POST
def snapshot(request: HttpRequest) -> HttpResponse:
    """A national administrator freezes this month now (the beat task does it on the 1st)."""
    if not request.user.is_national_admin:
        raise PermissionDenied
    services.coverage_refresh()
    run = services.coverage_snapshot(month=timezone.localdate(), by=request.user)
    messages.success(
        request,
        _("The figures of %(month)s are frozen as they are now.") % {"month": f"{run.month:%m-%Y}"},
    )
    return redirect("coverage:dashboard")
