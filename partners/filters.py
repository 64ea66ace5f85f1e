"""List filters (django-filter). The querysets come from the selectors, already scoped."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from partners.forms import style
from partners.models import Agreement, Institution, Party
from regions.models import Office, Province

# --- Institutions (institution list and its export) -------------------------------------------


class InstitutionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    kind = django_filters.ChoiceFilter(
        choices=Institution.Kind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.order_by("code"),
        label=_("Province"),
        empty_label=_("All provinces"),
    )
    office = django_filters.ModelChoiceFilter(
        queryset=Office.objects.order_by("kind", "name"),
        label=_("Responsible BPJS office"),
        empty_label=_("All offices"),
    )
    has_active_agreement = django_filters.ChoiceFilter(
        choices=[
            ("true", _("With an active agreement")),
            ("false", _("Without an active agreement")),
        ],
        method="filter_active",
        label=_("Agreement"),
        empty_label=_("With or without"),
    )

    class Meta:
        model = Institution
        fields = ["q", "kind", "province", "office", "has_active_agreement"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self.form)

    def filter_active(self, queryset, name, value):
        # `has_active_agreement` is annotated by selectors.institution_list.
        return queryset.filter(has_active_agreement=(value == "true"))


# --- Agreements (agreement list and its export) ---------------------------------------------


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices, label=_("Status"))
    province = django_filters.ModelChoiceFilter(
        field_name="institution__province",
        queryset=Province.objects.order_by("code"),
        label=_("Province"),
    )
    office = django_filters.ModelChoiceFilter(
        queryset=Office.objects.order_by("kind", "name"), label=_("BPJS Office")
    )
    expires_before = django_filters.DateFilter(
        field_name="expires_on", lookup_expr="lte", label=_("Expires by")
    )

    class Meta:
        model = Agreement
        fields = ["q", "kind", "status", "province", "office", "expires_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self.form)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        numbered = Party.objects.filter(agreement=OuterRef("pk"), document_number__icontains=value)
        return queryset.filter(
            Q(title__icontains=value) | Q(institution__name__icontains=value) | Exists(numbered)
        )
