"""List tables (django-tables2) of the roster pages: import history, row issues, workers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cached_property

import django_tables2 as tables
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from enrolment.imports.validation import mask_nik
from enrolment.models import Enrolment, RosterImport, RowIssue, Worker

TABLE_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
TABLE_ATTRS = {"class": "table table-hover align-middle bg-white"}
NUMBER = {"td": {"class": "num"}, "th": {"class": "num"}}

IMPORT_FILE = (
    """<a href="{% url 'enrolment:roster_detail' record.pk %}">{{ record.original_name }}</a>"""
)
IMPORT_COUNTS = """{% load humanize %}{% if record.rows_total is not None and record.validated_at %}
{{ record.rows_total|intcomma }} / <span class="text-success">{{ record.rows_valid|intcomma }}</span> /
<span class="{% if record.rows_error %}text-danger fw-semibold{% else %}text-secondary{% endif %}">{{ record.rows_error|intcomma }}</span>
{% else %}—{% endif %}"""


class ImportTable(tables.Table):
    created_at = tables.DateTimeColumn(
        format="d-m-Y H:i", verbose_name=_("Uploaded at"), order_by=("created_at", "pk")
    )
    kind = tables.Column(verbose_name=_("Kind"), order_by=("kind", "-created_at"))
    institution = tables.Column(
        verbose_name=_("Institution"), order_by=("institution__name", "-created_at")
    )
    original_name = tables.TemplateColumn(
        IMPORT_FILE, verbose_name=_("File"), order_by=("original_name", "pk")
    )
    uploaded_by = tables.Column(verbose_name=_("Uploaded by"), orderable=False, default="—")
    status = tables.TemplateColumn(
        template_name="enrolment/_status_badge.html",
        verbose_name=_("Status"),
        order_by=("status", "-created_at"),
    )
    counts = tables.TemplateColumn(
        IMPORT_COUNTS,
        verbose_name=_("Rows / valid / errors"),
        orderable=False,
        attrs=NUMBER,
        empty_values=(),
    )
    link = tables.Column(
        verbose_name="",
        orderable=False,
        empty_values=(),
        linkify=("enrolment:roster_detail", {"pk": tables.A("pk")}),
        attrs={"a": {"class": "btn btn-sm btn-outline-success"}},
    )

    class Meta:
        model = RosterImport
        fields = ["created_at", "kind", "institution", "original_name", "uploaded_by", "status"]
        sequence = [*fields, "counts", "link"]
        template_name = TABLE_TEMPLATE
        attrs = TABLE_ATTRS
        empty_text = _("No rosters uploaded yet.")
        order_by = ("-created_at",)

    def render_link(self) -> str:
        return _("Details")


ISSUE_SEVERITY = """{% if record.severity == "error" %}<span class="badge text-bg-danger">{{ record.get_severity_display }}</span>{% else %}<span class="badge text-bg-warning">{{ record.get_severity_display }}</span>{% endif %}"""


class IssueTable(tables.Table):
    row = tables.Column(verbose_name=_("Row"), attrs=NUMBER, order_by=("row", "pk"))
    column = tables.Column(verbose_name=_("Column"), order_by=("column", "row", "pk"))
    value = tables.Column(verbose_name=_("Value"), orderable=False, default="")
    code = tables.TemplateColumn(
        "<code>{{ record.code }}</code>", verbose_name=_("Code"), order_by=("code", "row", "pk")
    )
    severity = tables.TemplateColumn(
        ISSUE_SEVERITY, verbose_name=_("Severity"), order_by=("severity", "row", "pk")
    )
    message = tables.Column(verbose_name=_("Message"), orderable=False)

    class Meta:
        model = RowIssue
        fields = ["row", "column", "value", "code", "severity", "message"]
        template_name = TABLE_TEMPLATE
        attrs = {"class": "table table-sm align-middle bg-white", "data-testid": "issues"}
        empty_text = _("No issues match. Clear the filters.")


class WorkerTable(tables.Table):
    """Columns, sorting and pagination of the worker list. Its rows are written by `page_html()`:
    django-tables2's cells (a lookup, a render method and a template context per cell) cost more
    than a million-row search, ~1,3 ms a row."""

    nik = tables.Column(verbose_name=_("NIK"), orderable=False)
    full_name = tables.Column(verbose_name=_("Name"), order_by=("full_name", "pk"))
    institution = tables.Column(verbose_name=_("Institution"), orderable=False, empty_values=())
    work_unit = tables.Column(verbose_name=_("Work unit"), orderable=False, empty_values=())
    category = tables.Column(verbose_name=_("Category"), orderable=False, empty_values=())
    programs = tables.Column(verbose_name=_("Programs"), orderable=False, empty_values=())
    updated_at = tables.Column(verbose_name=_("Last changed"), order_by=("updated_at", "pk"))

    class Meta:
        model = Worker
        fields = ["nik", "full_name"]
        sequence = [
            "nik",
            "full_name",
            "institution",
            "work_unit",
            "category",
            "programs",
            "updated_at",
        ]
        attrs = {**TABLE_ATTRS, "data-testid": "workers"}
        empty_text = _("No workers match. Clear the search or filters.")

    def page_html(self) -> SafeString:
        """The page's rows, one line per employment in the institution, unit and category cells
        and a badge per enrolment, written here rather than by a template loop: some forty
        template nodes a person cost a page of 25 more than its three queries."""
        # Once a page: get_status_display() hashes the lazy labels of every choice at each call.
        labels = {status: str(label) for status, label in Enrolment.Status.choices}
        lines = []
        for row in self.paginated_rows:
            worker = row.record
            employments = worker.listed_employments
            badges = "".join(
                f'<span class="badge enrolment-{escape(e.status)} me-1" '
                f'title="{escape(e.program_name)}">{escape(e.program_code)}: '
                f"{escape(labels.get(e.status, e.status))}</span>"
                for e in worker.listed_enrolments
            )
            cells = [
                escape(mask_nik(worker.nik)),  # lists never show a whole NIK, whoever reads them
                f'<a href="{reverse("enrolment:worker_detail", args=[worker.pk])}">'
                f"{escape(worker.full_name)}</a>",
                _lines(e.institution_name for e in employments),
                _lines(e.work_unit for e in employments),
                _lines(e.category_name for e in employments),
                badges or '<span class="text-secondary">—</span>',
                timezone.localtime(worker.updated_at).strftime("%d-%m-%Y"),
            ]
            parity = "odd" if len(lines) % 2 else "even"
            lines.append(f'<tr class="{parity}">{"".join(f"<td>{c}</td>" for c in cells)}</tr>')
        return mark_safe("\n".join(lines))  # noqa: S308 - every value is escaped above


def _lines(values: Iterable[str]) -> str:
    return "".join(f"<div>{escape(value)}</div>" for value in values)


# Searches found to match more than the cap, for a minute in each process, by their query.
CAPPED = LocMemCache("worker-list-capped", {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 2000}})


class CappedPaginator(Paginator):
    """Counts the rows of `counted` only up to `cap`: an exact count of a million workers costs
    more than the whole page. Past the cap, `count` is the cap, `capped` is true and the pages go
    as far as the cap; beyond it a search or a filter finds a person sooner than paging does.

    That a search matches more than the cap is remembered a minute (CAPPED): counting the 501
    first of 20.000 people named Hidayat cost each of its pages 12 ms of the database, more than
    the rest of the page. Workers are added far more often than removed, so the verdict holds;
    a count under the cap is made on every page, so a new person shows in it at once."""

    cap = 500
    most_per_page = 100  # ?per_page=1000000 asks for no more than this

    def __init__(self, object_list, per_page, *, counted: QuerySet, **kwargs):
        super().__init__(object_list, max(1, min(int(per_page), self.most_per_page)), **kwargs)
        self.counted = counted

    @cached_property
    def _seen(self) -> int:
        # Without ORDER BY: the count stops at cap + 1 rows, in whatever order they come.
        first = self.counted.order_by()[: self.cap + 1]
        try:
            sql, params = first.query.sql_with_params()
        except EmptyResultSet:  # a search refused by its form: nothing to count
            return 0
        key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        if CAPPED.get(key):
            return self.cap + 1
        seen = first.count()
        if seen > self.cap:
            CAPPED.set(key, True)
        return seen

    @property
    def count(self) -> int:
        return min(self._seen, self.cap)

    @property
    def capped(self) -> bool:
        return self._seen > self.cap
