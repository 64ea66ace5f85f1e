"""Filters (django-filter): the issues of an import's page, offering only what the import has,
and the worker registry, offering only what is in the user's scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from enrolment import selectors
from enrolment.models import Enrolment, Program, RosterImport, RowIssue, Worker, WorkerCategory
from partners.forms import style
from partners.models import Institution
from partners.selectors import institutions_choosable, institutions_for
from regions.models import Province


class IssueFilter(django_filters.FilterSet):
    severity = django_filters.ChoiceFilter(
        choices=RowIssue.Severity.choices, label=_("Severity"), empty_label=_("Errors and warnings")
    )
    code = django_filters.ChoiceFilter(label=_("Code"), empty_label=_("All codes"))
    column = django_filters.ChoiceFilter(label=_("Column"), empty_label=_("All columns"))

    class Meta:
        model = RowIssue
        fields = ["severity", "code", "column"]

    def __init__(self, data=None, *, roster_import: RosterImport, **kwargs):
        super().__init__(data, queryset=selectors.import_issues(roster_import), **kwargs)
        codes, columns = selectors.import_issue_choices(roster_import)
        self.filters["code"].extra["choices"] = [(c, c) for c in codes]
        self.filters["column"].extra["choices"] = [(c, c) for c in columns]
        style(self.form)


class WorkerFilter(django_filters.FilterSet):
    """The registry's search and filters. The filtering itself is `selectors.worker_list`, so that
    the employment filters hold for one employment and the page's query count stays fixed."""

    q = django_filters.CharFilter(label=_("Search"), max_length=100)
    institution = django_filters.ModelChoiceFilter(
        queryset=Institution.objects.none(),
        label=_("Institution"),
        empty_label=_("All institutions"),
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.none(), label=_("Province"), empty_label=_("All provinces")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=WorkerCategory.objects.order_by("sort_order", "code"),
        label=_("Category"),
        empty_label=_("All categories"),
    )
    program = django_filters.ModelChoiceFilter(
        queryset=Program.objects.order_by("sort_order", "code"),
        label=_("Program"),
        empty_label=_("All programs"),
    )
    status = django_filters.ChoiceFilter(
        choices=Enrolment.Status.choices, label=_("Enrolment status"), empty_label=_("Any status")
    )
    roster_import = django_filters.ModelChoiceFilter(
        queryset=RosterImport.objects.none(),
        label=_("Import no."),
        widget=forms.NumberInput(attrs={"min": 1}),
    )

    class Meta:
        model = Worker
        fields: list[str] = []

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, queryset=selectors.worker_list(user=user), **kwargs)
        self.user = user
        self.filters["institution"].queryset = institutions_choosable(user=user)
        self.filters["province"].queryset = Province.objects.filter(
            pk__in=institutions_for(user).values("province")
        ).order_by("name")
        self.filters["roster_import"].queryset = selectors.imports_for(user)
        self.form.fields["q"].widget.attrs["placeholder"] = _("Name, or a whole NIK")
        style(self.form)

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.worker_list(
            user=self.user,
            query=data.get("q") or "",
            institution=data.get("institution"),
            province=data.get("province"),
            category=data.get("category"),
            program=data.get("program"),
            status=data.get("status") or "",
            roster_import=data.get("roster_import"),
        )
