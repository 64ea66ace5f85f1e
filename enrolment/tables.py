"""List tables (django-tables2) of the roster pages: import history, row issues, workers."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from enrolment.imports.validation import mask_nik
from enrolment.models import RosterImport, RowIssue, Worker

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


WORKER_EMPLOYMENTS = (
    """{% for e in record.listed_employments %}<div>{{ e.institution.name }}</div>{% endfor %}"""
)
WORKER_UNITS = (
    """{% for e in record.listed_employments %}<div>{{ e.work_unit }}</div>{% endfor %}"""
)
WORKER_CATEGORIES = (
    """{% for e in record.listed_employments %}<div>{{ e.category.name }}</div>{% endfor %}"""
)
WORKER_PROGRAMS = """{% for enrolment in record.listed_enrolments %}<span class="badge enrolment-{{ enrolment.status }} me-1" title="{{ enrolment.program.name }}">{{ enrolment.program.code }}: {{ enrolment.get_status_display }}</span>{% empty %}<span class="text-secondary">—</span>{% endfor %}"""


class WorkerTable(tables.Table):
    nik = tables.Column(verbose_name=_("NIK"), orderable=False)
    full_name = tables.Column(
        verbose_name=_("Name"),
        order_by=("full_name", "pk"),
        linkify=("enrolment:worker_detail", {"pk": tables.A("pk")}),
    )
    institution = tables.TemplateColumn(
        WORKER_EMPLOYMENTS, verbose_name=_("Institution"), orderable=False, empty_values=()
    )
    work_unit = tables.TemplateColumn(
        WORKER_UNITS, verbose_name=_("Work unit"), orderable=False, empty_values=()
    )
    category = tables.TemplateColumn(
        WORKER_CATEGORIES, verbose_name=_("Category"), orderable=False, empty_values=()
    )
    programs = tables.TemplateColumn(
        WORKER_PROGRAMS, verbose_name=_("Programs"), orderable=False, empty_values=()
    )
    updated_at = tables.DateTimeColumn(
        format="d-m-Y", verbose_name=_("Last changed"), order_by=("updated_at", "pk")
    )

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
        template_name = TABLE_TEMPLATE
        attrs = {**TABLE_ATTRS, "data-testid": "workers"}
        empty_text = _("No workers match. Clear the search or filters.")

    def render_nik(self, value: str) -> str:
        # Lists never show a whole NIK, whoever reads them.
        return mask_nik(value)
