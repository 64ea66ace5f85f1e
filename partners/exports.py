"""What the institution and agreement lists export (django-import-export resources).

Each resource is given the list's own queryset (scoped by the selector, filtered by the list's
filter) and adds only the prefetches its columns need, so an export costs a fixed number of
queries per chunk of rows. Column headers are translated; dates are DD-MM-YYYY text.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from enrolment.models import Program
from partners.models import Agreement, Institution

DATE = widgets.DateWidget(format="%d-%m-%Y")
CHUNK = 2000  # rows per query when prefetching; import-export pages through the queryset


def _text(attribute: str, header) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header)


class InstitutionResource(resources.ModelResource):
    name = _text("name", _("Name"))
    kind = _text("get_kind_display", _("Kind"))
    level = _text("get_level_display", _("Level"))
    province = _text("province__name", _("Province"))
    regency = _text("regency__name", _("Regency or city"))
    parent = _text("parent__name", _("Parent institution"))
    office = _text("office__name", _("Responsible BPJS office"))
    npwp = _text("npwp", _("NPWP"))
    has_active_agreement = fields.Field(column_name=_("Active agreement"))
    address = _text("address", _("Address"))
    phone = _text("phone", _("Phone"))
    email = _text("email", _("E-mail"))
    contacts = fields.Field(column_name=_("Contact persons"))

    class Meta:
        model = Institution
        fields = (
            "name",
            "kind",
            "level",
            "province",
            "regency",
            "parent",
            "office",
            "npwp",
            "has_active_agreement",
            "address",
            "phone",
            "email",
            "contacts",
        )
        chunk_size = CHUNK

    def filter_export(self, queryset: QuerySet[Institution], **kwargs) -> QuerySet[Institution]:
        return queryset.prefetch_related("contacts")

    def dehydrate_has_active_agreement(self, institution: Institution) -> str:
        return (
            gettext("Yes") if getattr(institution, "has_active_agreement", False) else gettext("No")
        )

    def dehydrate_contacts(self, institution: Institution) -> str:
        return "; ".join(
            ", ".join(part for part in (c.name, c.position, c.phone, c.email) if part)
            for c in institution.contacts.all()
        )


class AgreementResource(resources.ModelResource):
    title = _text("title", _("Title"))
    kind = _text("get_kind_display", _("Kind"))
    status = _text("get_status_display", _("Status"))
    institution = _text("institution__name", _("Partner institution"))
    province = _text("institution__province__name", _("Province"))
    office = _text("office__name", capfirst(_("BPJS office")))
    document_numbers = fields.Field(column_name=_("Document numbers"))
    signed_on = fields.Field("signed_on", _("Date of signing"), widget=DATE)
    effective_from = fields.Field("effective_from", _("Effective from"), widget=DATE)
    expires_on = fields.Field("expires_on", _("Expires on"), widget=DATE)
    programs = fields.Field(column_name=_("Programs"))
    scopes = fields.Field(column_name=_("Scope"))

    class Meta:
        model = Agreement
        fields = (
            "title",
            "kind",
            "status",
            "institution",
            "province",
            "office",
            "document_numbers",
            "signed_on",
            "effective_from",
            "expires_on",
            "programs",
            "scopes",
        )
        chunk_size = CHUNK

    def filter_export(self, queryset: QuerySet[Agreement], **kwargs) -> QuerySet[Agreement]:
        return queryset.prefetch_related(
            "parties", Prefetch("programs", queryset=Program.objects.order_by("sort_order", "code"))
        )

    def dehydrate_document_numbers(self, agreement: Agreement) -> str:
        return "; ".join(p.document_number for p in agreement.parties.all() if p.document_number)

    def dehydrate_programs(self, agreement: Agreement) -> str:
        return ", ".join(program.code for program in agreement.programs.all())

    def dehydrate_scopes(self, agreement: Agreement) -> str:
        return ", ".join(agreement.scope_labels())
