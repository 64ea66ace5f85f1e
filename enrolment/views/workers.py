"""The worker registry: search, filters, the person's page, ending an employment.

Lists show NIKs masked to everyone. The person's page shows the full NIK and the personal fields
only to those who process people (`sees_personal_data`), and each such view is written to the
access log; managers read the page with the NIK masked and the personal fields hidden.
"""

from __future__ import annotations

from collections.abc import Iterable

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import PermissionDenied
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.models import AccessLog, PersonalField
from accounts.services import access_log_record
from enrolment import selectors, services
from enrolment.filters import WorkerFilter
from enrolment.forms import EmploymentEndForm
from enrolment.imports.validation import mask_nik
from enrolment.models import restricted
from enrolment.tables import CappedPaginator, WorkerTable
from ops.spreadsheets import FORMATS, spreadsheet_response
from partners.views.common import require_reader

PER_PAGE = 25
# What the person's page shows in full to those who process people (the access log says so).
DETAIL_FIELDS = [
    PersonalField.NIK,
    PersonalField.FULL_NAME,
    PersonalField.SEX,
    PersonalField.REGENCY,
    PersonalField.BIRTH_DATE,
    PersonalField.BIRTH_PLACE,
    PersonalField.PHONE,
    PersonalField.ADDRESS,
    PersonalField.KPJ,
    PersonalField.EMPLOYMENT,
    PersonalField.WAGE,
    PersonalField.ENROLMENT,
]
# The filters' model choices, and the column each option shows (what their __str__ returns).
CHOICE_LABELS = {"institution": "name", "province": "name", "category": "name", "program": "code"}


@login_required
def worker_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    filterset = WorkerFilter(request.GET, user=user)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    table = WorkerTable(rows)
    paginate = {"per_page": PER_PAGE, "paginator_class": CappedPaginator, "counted": rows}
    RequestConfig(request, paginate=paginate).configure(table)
    form = filterset.form
    selects = {name: _select(form[name], _options(user, form, name)) for name in CHOICE_LABELS}
    selects["status"] = _select(form["status"], _option_tags(form.fields["status"].choices))
    return render(
        request,
        "enrolment/worker_list.html",
        {
            "filter": filterset,
            "form": form,
            "table": table,
            "rows_html": table.page_html(),
            "selects": selects,
        },
    )


# The filters' options for each user's scope, for a minute in each process: they are the same
# on every page of a search, and reading and writing 500 institutions cost a list page more than
# its own rows. A new or renamed institution, or a new role, shows in them within the minute; the
# filters themselves check the choice against the scope of the moment (WorkerFilter).
OPTIONS = LocMemCache("worker-filter-options", {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 2000}})


def _options(user, form, name: str) -> list[tuple[str, str, str]]:
    scope = ",".join(f"{a.role}:{a.office_id}:{a.institution_id}" for a in user.assignments)
    key = f"{user.pk}:{scope}:{name}:{get_language()}"
    options = OPTIONS.get(key)
    if options is None:
        field = form.fields[name]
        choices = [("", str(field.empty_label))]
        choices += field.queryset.values_list("pk", CHOICE_LABELS[name])  # their __str__
        options = _option_tags(choices)
        OPTIONS.set(key, options)
    return options


def _option_tags(choices: Iterable[tuple[object, str]]) -> list[tuple[str, str, str]]:
    """Each choice as (value, the tag up to where `selected` goes, the rest), escaped once: a
    national reader's 500 institutions, escaped on every page, cost more than the rest of the
    form."""
    return [
        (str(key), f'<option value="{escape(key)}"', f">{escape(label)}</option>")
        for key, label in choices
    ]


def _select(field: BoundField, options: list[tuple[str, str, str]]) -> SafeString:
    """The filter's <select> as its widget writes it, without a template and a context per
    option: a national reader's 500 institutions took longer than the rest of the page."""
    value = field.value()
    chosen = "" if value is None else str(value)
    tags = "".join(
        f"{head} selected{tail}" if key == chosen else head + tail for key, head, tail in options
    )
    return format_html(
        '<select name="{}" class="{}" id="{}">{}</select>',
        field.html_name,
        field.field.widget.attrs.get("class", ""),
        field.auto_id,
        mark_safe(tags),  # noqa: S308 - each value and label is escaped by _option_tags
    )


@login_required
def worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    worker = selectors.worker_get(user=user, pk=pk)
    detail = selectors.worker_detail(user=user, worker=worker)
    personal = user.sees_personal_data
    if personal:
        access_log_record(
            user=user,
            action=AccessLog.Action.VIEW,
            what=f"halaman pekerja #{worker.pk}",
            fields=DETAIL_FIELDS,
            worker=worker,
            request=request,
        )
    can_end = user.can_upload_rosters and bool(detail.endable)
    context = {
        "worker": worker,
        "detail": detail,
        "personal": personal,
        "nik": worker.nik if personal else mask_nik(worker.nik),
        "can_end": can_end,
        "end_form": EmploymentEndForm() if can_end else None,
    }
    return render(request, "enrolment/worker_detail.html", context)


@login_required
@require_POST
def employment_end(request: HttpRequest, pk: int, employment_pk: int) -> HttpResponse:
    """Officers and partner admins end an employment in their scope (404 outside it); the
    service ends the person's enrolments too when no other employment keeps them."""
    user = request.user
    worker = selectors.worker_get(user=user, pk=pk)
    employment = selectors.employment_get(user=user, worker=worker, pk=employment_pk)
    if not user.can_upload_rosters:
        raise PermissionDenied
    form = EmploymentEndForm(request.POST)
    if not form.is_valid():
        problems = [
            f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        ]
        messages.error(request, " ".join(problems))
    else:
        try:
            services.employment_end(
                employment=employment,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
        except services.EnrolmentError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("The employment at %(institution)s has ended.")
                % {"institution": employment.institution.name},
            )
    return redirect("enrolment:worker_detail", pk=worker.pk)


EXPORT_HEADERS = [
    "NIK",
    "NAMA_LENGKAP",
    "LEMBAGA",
    "UNIT_KERJA",
    "KATEGORI",
    "UPAH",
    "PROGRAM",
]
EXPORT_FIELDS = [
    PersonalField.NIK,
    PersonalField.FULL_NAME,
    PersonalField.EMPLOYMENT,
    PersonalField.WAGE,
    PersonalField.ENROLMENT,
]


@login_required
def worker_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list as it is filtered, as XLSX or CSV (formula-safe). Roles that process people get
    the full NIK and the export is written to the access log; others get it masked."""
    if fmt not in FORMATS:
        raise Http404
    user = request.user
    require_reader(user)
    filterset = WorkerFilter(request.GET, user=user)
    workers = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    workers = workers.exclude(restricted())  # no export processes a restricted person
    personal = user.sees_personal_data
    dataset = tablib.Dataset(headers=EXPORT_HEADERS)
    people = []
    for worker in workers.iterator(chunk_size=2000):
        people.append(worker.pk)
        programs = ",".join(
            f"{e.program_code}:{e.get_status_display()}" for e in worker.listed_enrolments
        )
        for employment in worker.listed_employments:
            dataset.append(
                [
                    worker.nik if personal else mask_nik(worker.nik),
                    worker.full_name,
                    employment.institution_name,
                    employment.work_unit,
                    employment.category_name,
                    employment.wage if personal else "",
                    programs,
                ]
            )
    if personal:
        access_log_record(
            user=user,
            action=AccessLog.Action.EXPORT,
            what="daftar pekerja",
            fields=EXPORT_FIELDS,
            workers=people,
            request=request,
        )
    return spreadsheet_response(dataset, fmt=fmt, basename="pekerja")
