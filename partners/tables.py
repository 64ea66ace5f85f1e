"""List tables (django-tables2): sortable columns over the selectors' querysets."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from partners.models import Agreement, Institution

# django-tables2 ships no Indonesian catalogue; its pagination words are translated in ours.
TABLES2_WORDS = [gettext_noop("previous"), gettext_noop("next")]

# --- Institutions -----------------------------------------------------------------------------

INSTITUTION_NAME = """<a href="{% url 'partners:institution_detail' record.pk %}">{{ record.name }}</a>
{% if record.parent %}<div class="small text-secondary">{{ record.parent }}</div>{% endif %}"""
ACTIVE_AGREEMENT = """{% load i18n %}{% if record.has_active_agreement %}
<span class="badge text-bg-success">{% translate "Active agreement" %}</span>{% else %}—{% endif %}"""


class InstitutionTable(tables.Table):
    # Each ordering ends with the name and id, so rows keep their page when values tie.
    name = tables.TemplateColumn(INSTITUTION_NAME, verbose_name=_("Name"), order_by=("name", "pk"))
    kind = tables.Column(verbose_name=_("Kind"), order_by=("kind", "name", "pk"))
    region = tables.Column(
        accessor="province",
        verbose_name=_("Region"),
        order_by=("province_id", "regency_id", "name", "pk"),
        default="—",
    )
    office = tables.Column(
        verbose_name=_("Responsible BPJS office"), order_by=("office__name", "name", "pk")
    )
    has_active_agreement = tables.TemplateColumn(
        ACTIVE_AGREEMENT,
        verbose_name=_("Agreement"),
        order_by=("has_active_agreement", "name", "pk"),
    )

    class Meta:
        model = Institution
        fields = ["name", "kind", "region", "office", "has_active_agreement"]
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-hover align-middle bg-white"}
        empty_text = _("No institutions match. Clear the search or filters.")

    def render_region(self, record: Institution) -> str:
        return str(record.regency or record.province)


# --- Agreements -------------------------------------------------------------------------------


class AgreementTable(tables.Table):
    title = tables.Column(
        verbose_name=_("Agreement"), linkify=("partners:agreement_detail", {"pk": tables.A("pk")})
    )
    institution = tables.Column(verbose_name=_("Partner institution"), order_by="institution__name")
    status = tables.TemplateColumn(
        template_name="partners/_status_badge.html", verbose_name=_("Status")
    )
    effective_from = tables.DateColumn(format="d-m-Y", verbose_name=_("Effective from"))
    expires_on = tables.DateColumn(format="d-m-Y", verbose_name=_("Expires on"))
    office = tables.Column(verbose_name=_("BPJS Office"), order_by="office__name")
    overdue_follow_ups = tables.TemplateColumn(
        template_name="partners/_overdue_cell.html",
        verbose_name=_("Overdue follow-ups"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "kind",
            "institution",
            "status",
            "effective_from",
            "expires_on",
            "office",
            "overdue_follow_ups",
        ]
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-hover align-middle bg-white"}
        empty_text = _("No agreements match. Clear the search or filters.")
        order_by = ("expires_on",)
