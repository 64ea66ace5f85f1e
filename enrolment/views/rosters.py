"""Roster pages: the upload form with the import history, one import's page (progress, counts,
issues, downloads, actions) and the worker list.

Reads go through enrolment.selectors (404 outside scope); the 403s for read-only roles are
checked here; the changes are enrolment.services, which check again and raise RosterError for
what a person can act on. Managers read imports and workers; partner admins and officers upload,
confirm, cancel and retry; only officers reject.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models.expressions import RawSQL
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from accounts.models import AccessLog, PersonalField
from accounts.services import access_log_record
from enrolment import selectors, services
from enrolment.filters import IssueFilter
from enrolment.forms import RejectForm, RosterUploadForm
from enrolment.imports import COLUMNS, FileRefused
from enrolment.imports.columns import map_headers
from enrolment.imports.files import open_rows
from enrolment.imports.template import DATE_FORMAT, TEXT_COLUMNS
from enrolment.models import RosterImport, RowIssue, Worker
from enrolment.tables import ImportTable, IssueTable
from ops.spreadsheets import CONTENT_TYPES, xlsx_cell
from partners.selectors import institution_get
from partners.views.common import require_reader

PER_PAGE = 25
ISSUES_PER_PAGE = 50
Status = RosterImport.Status
# While the import is in one of these, the page asks for its progress every two seconds.
WORKING = (Status.UPLOADED, Status.VALIDATING, Status.APPLYING)
CLOSABLE = (Status.VALIDATED, Status.FAILED)


def can_upload(user) -> bool:
    return user.can_upload_rosters or user.can_manage_partners


def _require_uploader(user) -> None:
    if not can_upload(user):
        raise PermissionDenied


# --- upload and history ----------------------------------------------------------------------


@login_required
def roster_upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    uploader = can_upload(user)
    if request.method == "POST" and not uploader:
        raise PermissionDenied
    form, upload_error = None, None
    if uploader:
        initial = {}
        wanted = request.GET.get("institution", "").strip()
        if wanted.isdigit():
            initial["institution"] = institution_get(user=user, pk=int(wanted))
        data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        form = RosterUploadForm(*data, user=user, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                roster_import = services.roster_upload(
                    by=user,
                    institution=form.cleaned_data["institution"],
                    agreement=form.cleaned_data["agreement"],
                    upload=form.cleaned_data["file"],
                )
            except services.RosterError as error:
                upload_error = error
            else:
                _announce_upload(request, roster_import)
                return redirect("enrolment:roster_detail", pk=roster_import.pk)
    table = ImportTable(
        selectors.import_list(user, kinds=(RosterImport.Kind.ROSTER,)), exclude=("kind",)
    )
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "enrolment/roster_upload.html",
        {"form": form, "upload_error": upload_error, "table": table},
    )


def _queue_down(request: HttpRequest) -> None:
    messages.warning(
        request,
        _(
            "The file is kept, but the processing queue cannot be reached right now. Sinergi "
            "processes it automatically as soon as the queue is back; there is no need to upload "
            "it again."
        ),
    )


def _announce_upload(request: HttpRequest, roster_import: RosterImport) -> None:
    if roster_import.status == Status.REFUSED:
        return  # the import's page says why, in full
    if getattr(roster_import, "queued", None) is False:
        _queue_down(request)
    else:
        messages.success(
            request,
            _("The file was received. Sinergi is checking its rows; this page shows the progress."),
        )


@login_required
def roster_template(request: HttpRequest, fmt: str) -> HttpResponse:
    from enrolment.imports.template import roster_template_csv, roster_template_xlsx

    if fmt not in ("xlsx", "csv"):
        raise Http404
    require_reader(request.user)
    content = roster_template_xlsx() if fmt == "xlsx" else roster_template_csv()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="templat-daftar-pekerja.{fmt}"'
    return response


# --- one import --------------------------------------------------------------------------------


@dataclass
class Progress:
    percent: int
    elapsed: str = ""
    remaining: str = ""


def duration(seconds: float) -> str:
    """“1 hour 5 minutes”, “3 minutes 20 seconds”, “40 seconds”: two units at most."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    if secs and not hours:
        parts.append(ngettext("%(n)d second", "%(n)d seconds", secs) % {"n": secs})
    return " ".join(parts[:2]) or ngettext("%(n)d second", "%(n)d seconds", 0) % {"n": 0}


def progress_of(
    roster_import: RosterImport,
    now: dt.datetime | None = None,
    *,
    apply_rate: float | None = None,
) -> Progress:
    """How far the check is, how long it has run and, from its rate so far, how long it still
    needs. The apply is one transaction, with no rows done to count: its time left comes from
    `apply_rate`, the rows a second of the applies before it, until it has run that long."""
    progress = Progress(percent=roster_import.progress_percent)
    if roster_import.status not in (Status.VALIDATING, Status.APPLYING):
        return progress
    if roster_import.claimed_at is None:
        return progress
    elapsed = ((now or timezone.now()) - roster_import.claimed_at).total_seconds()
    progress.elapsed = duration(elapsed)
    done, total = roster_import.rows_done, roster_import.rows_total
    if roster_import.status == Status.VALIDATING and done and total and total > done and elapsed:
        progress.remaining = duration((total - done) / (done / elapsed))
    if roster_import.status == Status.APPLYING and apply_rate:
        left = roster_import.rows_valid / apply_rate - elapsed
        if left >= 1:
            progress.remaining = duration(left)
    return progress


def is_working(roster_import: RosterImport) -> bool:
    """Something is happening without the person: checking, applying, or confirmed and queued."""
    return roster_import.status in WORKING or (
        roster_import.status == Status.VALIDATED and roster_import.applied_by_id is not None
    )


def _progress_context(roster_import: RosterImport) -> dict:
    return {
        "roster_import": roster_import,
        "working": is_working(roster_import),
        "progress": progress_of(
            roster_import,
            apply_rate=selectors.roster_apply_rate()
            if roster_import.status == Status.APPLYING
            and roster_import.kind == RosterImport.Kind.ROSTER
            else None,
        ),
    }


@login_required
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    roster_import = selectors.import_get(user=user, pk=pk)
    status = roster_import.status
    roster = roster_import.kind == RosterImport.Kind.ROSTER
    if not roster:
        request.nav_item = "enrolment:result_upload"  # highlighted in the navigation bar
    # Files from BPJS's core system are handled by officers only.
    uploader = can_upload(user) if roster else user.can_manage_partners
    checked = roster_import.validated_at is not None and status != Status.REFUSED
    purged = roster_import.is_purged
    context = _progress_context(roster_import) | {
        "checked": checked,
        "purged_notice": purged_notice(roster_import) if purged else "",
        "is_roster": roster,
        "applied": status == Status.APPLIED,
        "unchanged_rows": max(
            0, roster_import.rows_valid - roster_import.summary.get("rows_changing", 0)
        ),
        "events": list(selectors.import_events(roster_import)),
        "can_confirm": uploader
        and status == Status.VALIDATED
        and roster_import.rows_valid > 0
        and roster_import.applied_by_id is None,
        "can_cancel": uploader and status in CLOSABLE,
        "can_reject": roster and user.can_manage_partners and status in CLOSABLE,
        "can_retry": uploader and status == Status.FAILED and not purged,
        "can_download_failed_rows": roster
        and checked
        and not purged
        and roster_import.rows_error > 0
        and user.sees_personal_data,
    }
    if context["can_reject"]:
        context["reject_form"] = RejectForm()
    if checked and not purged:
        filterset = IssueFilter(request.GET, roster_import=roster_import)
        issues = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        table = IssueTable(issues)
        RequestConfig(request, paginate={"per_page": ISSUES_PER_PAGE}).configure(table)
        context.update(filter=filterset, issues=table)
    return render(request, "enrolment/roster_detail.html", context)


@login_required
def roster_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block for htmx. Once the work is over, the whole page reloads to show the
    results (HX-Refresh), so the polling stops with it."""
    require_reader(request.user)
    roster_import = selectors.import_get(user=request.user, pk=pk)
    context = _progress_context(roster_import)
    response = render(request, "enrolment/_progress.html", context)
    if not context["working"]:
        response["HX-Refresh"] = "true"
    return response


# --- actions ---------------------------------------------------------------------------------


def _act(request: HttpRequest, pk: int, *, officer_only: bool = False):
    """The import (404 outside scope), then the role (403 for those who only read)."""
    roster_import = selectors.import_get(user=request.user, pk=pk)
    officer_only = officer_only or roster_import.kind != RosterImport.Kind.ROSTER
    if officer_only and not request.user.can_manage_partners:
        raise PermissionDenied
    _require_uploader(request.user)
    return roster_import


def _back(roster_import: RosterImport) -> HttpResponse:
    return redirect("enrolment:roster_detail", pk=roster_import.pk)


@login_required
@require_POST
def roster_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = _act(request, pk)
    try:
        services.roster_confirm(by=request.user, roster_import=roster_import)
    except services.RosterError as error:
        messages.error(request, error.message)
        return _back(roster_import)
    if getattr(roster_import, "queued", None) is False:
        _queue_down(request)
    else:
        messages.success(
            request,
            ngettext(
                "Confirmed: %(n)s valid row is being applied.",
                "Confirmed: %(n)s valid rows are being applied.",
                roster_import.rows_valid,
            )
            % {"n": _number(roster_import.rows_valid)},
        )
    return _back(roster_import)


@login_required
@require_POST
def roster_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = _act(request, pk)
    try:
        services.roster_cancel(by=request.user, roster_import=roster_import)
    except services.RosterError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The import was cancelled; nothing of it was applied."))
    return _back(roster_import)


@login_required
@require_POST
def roster_reject(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = _act(request, pk, officer_only=True)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the reason, so the partner knows what to fix."))
        return _back(roster_import)
    try:
        services.roster_reject(
            by=request.user, roster_import=roster_import, reason=form.cleaned_data["reason"]
        )
    except services.RosterError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The roster was rejected; the partner sees your reason."))
    return _back(roster_import)


@login_required
@require_POST
def roster_retry(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = _act(request, pk)
    try:
        services.roster_retry(by=request.user, roster_import=roster_import)
    except services.RosterError as error:
        messages.error(request, error.message)
    else:
        if getattr(roster_import, "queued", None) is False:
            _queue_down(request)
        else:
            messages.success(request, _("The import starts again."))
    return _back(roster_import)


def _number(value: int) -> str:
    from django.utils.formats import number_format

    return number_format(value, force_grouping=True)


# --- downloads -------------------------------------------------------------------------------


def purged_notice(roster_import: RosterImport) -> str:
    """What the retention period left of an import, in the words its pages use."""
    return _(
        "The uploaded file, the issues by row and the failed rows of this import were deleted on "
        "%(date)s, at the end of the retention period of %(days)s days (UU 27/2022). What is left "
        "is this summary: counts, dates and who did what."
    ) % {
        "date": timezone.localtime(roster_import.purged_at).strftime("%d-%m-%Y"),
        "days": settings.RETENTION_DAYS,
    }


def _purged(request: HttpRequest, roster_import: RosterImport) -> HttpResponse:
    messages.info(request, purged_notice(roster_import))
    return _back(roster_import)


def _xlsx_response(workbook: Workbook, filename: str) -> FileResponse:
    """The workbook through a temporary file: a long report never sits in memory whole."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it when sent
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )


def _header(sheet, names: list[str], widths: list[int]) -> None:
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, name, bold=True) for name in names])


@login_required
def roster_issue_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Every issue of the import, streamed from the database; values are masked where personal
    and every text is a text cell (formula-safe)."""
    require_reader(request.user)
    roster_import = selectors.import_get(user=request.user, pk=pk)
    if roster_import.is_purged:
        return _purged(request, roster_import)
    severities = dict(RowIssue.Severity.choices)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Issues"))
    _header(
        sheet,
        [_("Row"), _("Column"), _("Value"), _("Code"), _("Severity"), _("Message")],
        [8, 20, 22, 30, 12, 90],
    )
    rows = selectors.import_issues(roster_import).values_list(
        "row", "column", "value", "code", "severity", "message"
    )
    for row, column, value, code, severity, message in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                row,
                xlsx_cell(sheet, column),
                xlsx_cell(sheet, value),
                xlsx_cell(sheet, code),
                xlsx_cell(sheet, str(severities.get(severity, severity))),
                xlsx_cell(sheet, message),
            ]
        )
    return _xlsx_response(workbook, f"laporan-impor-{roster_import.pk}.xlsx")


def _typed_text(value: object) -> str:
    """A NIK-like cell as text: a number Excel stored (3673015205900000.0) without its “.0”."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def _template_cell(sheet, column: str, value: object) -> WriteOnlyCell:
    if column in TEXT_COLUMNS:
        cell = xlsx_cell(sheet, "" if value in (None, "") else _typed_text(value))
        cell.number_format = "@"
        return cell
    if isinstance(value, dt.datetime | dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return xlsx_cell(sheet, value)


# A roster row holds all of these (the template's columns).
FAILED_ROW_FIELDS = [
    PersonalField.NIK,
    PersonalField.FULL_NAME,
    PersonalField.BIRTH_DATE,
    PersonalField.SEX,
    PersonalField.BIRTH_PLACE,
    PersonalField.PHONE,
    PersonalField.ADDRESS,
    PersonalField.REGENCY,
    PersonalField.KPJ,
    PersonalField.EMPLOYMENT,
    PersonalField.WAGE,
    PersonalField.ENROLMENT,
]


@login_required
def roster_failed_rows(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows with errors, read again from the kept file, in the template's columns and with
    the values as the person typed them: fix them and upload this file again. A second sheet
    says, for each row, where it was and what to fix."""
    require_reader(request.user)
    roster_import = selectors.import_get(user=request.user, pk=pk)
    if not request.user.sees_personal_data:
        raise PermissionDenied  # whole rows: NIKs, names, phones
    if roster_import.validated_at is None or roster_import.status == Status.REFUSED:
        raise Http404
    if roster_import.is_purged:
        return _purged(request, roster_import)
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet("Data")
    for position, column in enumerate(COLUMNS, start=1):
        if column in TEXT_COLUMNS:
            data.column_dimensions[get_column_letter(position)].number_format = "@"
    _header(data, COLUMNS, [max(len(column), 12) + 4 for column in COLUMNS])
    notes = workbook.create_sheet(_("Errors"))
    _header(
        notes, [_("Row"), _("Row in the uploaded file"), _("Column"), _("Message")], [8, 14, 20, 90]
    )
    # A restricted person's row is left out: it cannot be fixed, only refused again, and this
    # file exists to be corrected and uploaded again (the issue report keeps the row, masked).
    errors = (
        selectors.import_issues(roster_import, severity=RowIssue.Severity.ERROR)
        .exclude(code="worker_restricted")
        .values_list("row", "column", "message")
        .iterator(chunk_size=2000)
    )
    by_row = itertools.groupby(errors, key=lambda issue: issue[0])
    niks: set[str] = set()
    try:
        with (
            services.roster_local_path(roster_import) as path,
            open_rows(path, roster_import.format, max_rows=settings.ROSTER_MAX_ROWS) as source,
        ):
            header = map_headers(source.headers)
            current = next(by_row, None)
            written = 1
            for number, values in source:
                while current is not None and current[0] < number:
                    current = next(by_row, None)  # an issue of no data row (the file's own)
                if current is None:
                    break
                if current[0] != number:
                    continue
                cells = header.row_values(values)
                niks.add(_typed_text(cells.get("NIK") or "").strip())
                written += 1
                data.append([_template_cell(data, c, cells.get(c)) for c in COLUMNS])
                for _row, column, message in current[1]:
                    notes.append(
                        [written, number, xlsx_cell(notes, column), xlsx_cell(notes, message)]
                    )
                current = next(by_row, None)
    except (FileNotFoundError, FileRefused):
        messages.error(request, _("The uploaded file can no longer be read."))
        return _back(roster_import)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        what=f"baris gagal impor #{roster_import.pk}",
        fields=FAILED_ROW_FIELDS,
        # The people of those rows Sinergi already holds; the others are only in the file.
        workers=Worker.objects.filter(
            nik__in=RawSQL("SELECT unnest(%s::text[])", [sorted(niks)])  # one parameter, any size
        ).values_list("pk", flat=True),
        rows=written - 1,  # the header is not a person
        request=request,
    )
    return _xlsx_response(workbook, f"baris-gagal-{roster_import.pk}.xlsx")


# --- workers ---------------------------------------------------------------------------------
