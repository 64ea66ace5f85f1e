from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from enrolment.models import NIK_PATTERN


class SubjectSearchForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=16,
        validators=[
            RegexValidator(
                NIK_PATTERN,
                _("Enter the NIK as on the person's KTP: exactly 16 digits, no spaces or dots."),
            )
        ],
        help_text=_("The 16-digit NIK of the person who asks what Sinergi holds about them."),
        widget=forms.TextInput(
            attrs={
                "class": "form-control font-monospace",
                "inputmode": "numeric",
                "autocomplete": "off",
                "autofocus": True,
            }
        ),
    )
