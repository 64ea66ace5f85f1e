"""The issue filters of an import's page (django-filter), offering only what the import has."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from enrolment import selectors
from enrolment.models import RosterImport, RowIssue
from partners.forms import style


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
