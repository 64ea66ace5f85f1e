"""Forms for roster pages: shape only. The rules (who may upload where, which agreement fits,
what a file must look like) live in enrolment.services and the import pipeline."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enrolment import selectors, services
from enrolment.models import EndReason, RosterImport
from partners.forms import StyledMixin
from partners.models import Agreement, Institution
from partners.selectors import institutions_choosable


def _agreement_label(agreement: Agreement) -> str:
    return f"{agreement.title} — {agreement.institution.name}"


class RosterUploadForm(StyledMixin, forms.Form):
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        label=_("Institution"),
        help_text=_("The institution the workers in the file work for."),
    )
    agreement = forms.ModelChoiceField(
        queryset=Agreement.objects.none(),
        required=False,
        label=_("Agreement"),
        empty_label=_("Choose automatically (the institution's active agreement)"),
        help_text=_(
            "The agreement that says which programs the workers join. An agreement of the "
            "institution above (such as the Kanwil's PKS) also applies."
        ),
    )
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("Excel (.xlsx) or CSV (.csv), filled in like the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        institutions = institutions_choosable(user=user)
        self.fields["institution"].queryset = institutions
        if "institution" not in self.initial:
            only = list(institutions[:2])
            if len(only) == 1:
                self.initial["institution"] = only[0]
        agreements = self.fields["agreement"]
        agreements.queryset = selectors.roster_agreements_choosable(user=user)
        agreements.label_from_instance = _agreement_label

    def clean(self):
        cleaned = super().clean()
        institution, agreement = cleaned.get("institution"), cleaned.get("agreement")
        if institution is not None and agreement is not None:
            fitting = {a.pk for a in services.roster_agreements(institution=institution)}
            if agreement.pk not in fitting:
                self.add_error(
                    "agreement",
                    _(
                        "“%(agreement)s” does not cover %(institution)s. Choose an active "
                        "agreement of this institution or of the one above it, or leave the "
                        "choice to Sinergi."
                    )
                    % {"agreement": agreement.title, "institution": institution.name},
                )
        return cleaned


class ResultUploadForm(StyledMixin, forms.Form):
    """A file from BPJS's core system: registration results or contribution payments."""

    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            (RosterImport.Kind.REGISTRATION, _("Registration results (KPJ numbers or refusals)")),
            (RosterImport.Kind.PAYMENT, _("Contribution payments (paid-through month)")),
        ],
        widget=forms.RadioSelect,
        initial=RosterImport.Kind.REGISTRATION,
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        label=_("Institution"),
        help_text=_(
            "The institution the file is for: its workers, and those of the institutions under it."
        ),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx) or CSV (.csv), with the columns described on this page."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions_choosable(user=user)


class RejectForm(StyledMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The partner reads this: say what to fix before uploading again."),
    )


class EmploymentEndForm(StyledMixin, forms.Form):
    ended_on = forms.DateField(
        label=_("Ended on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day the person worked here."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *EndReason.choices])


class RestrictionForm(StyledMixin, forms.Form):
    """The reason for restricting the processing of a person's data, or for lifting it."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example the data subject's request and its date, or the decision."),
    )
