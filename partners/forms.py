"""Forms for partner records: shape only. Rules live in the models' constraints and the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from enrolment.models import Program
from partners import selectors
from partners.models import (
    Agreement,
    AgreementEvent,
    Attachment,
    Contact,
    FollowUp,
    Institution,
    Party,
    Signatory,
    Target,
)
from regions.models import Office, Province, Regency


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, so templates can render fields plainly."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


# --- Institutions -----------------------------------------------------------------------------

# Kinds whose parent, when given, must be of these kinds in the same province ("its" Kanwil, Pemda).
PARENT_KINDS = {
    Institution.Kind.KEMENAG_KABKOTA: [Institution.Kind.KANWIL_KEMENAG],
    Institution.Kind.OPD: [
        Institution.Kind.PEMPROV,
        Institution.Kind.PEMKAB,
        Institution.Kind.PEMKOT,
    ],
}


def normalize_npwp(value: str) -> str:
    """The 16 digits stored for an NPWP; the old 15-digit format gets a leading 0."""
    digits = "".join(value.split()).replace(".", "").replace("-", "")
    if not digits:
        return ""
    if digits.isascii() and digits.isdigit() and len(digits) in (15, 16):
        return digits.zfill(16)
    raise forms.ValidationError(
        _(
            "An NPWP has 15 digits (old format, like 01.234.567.8-901.000) or 16 digits. "
            "Check the number; dots, dashes and spaces may stay."
        ),
        code="npwp",
    )


class InstitutionForm(StyledMixin, forms.ModelForm):
    npwp = forms.CharField(
        label=_("NPWP"),
        max_length=30,
        required=False,
        help_text=_("15 or 16 digits. Leave empty if unknown."),
    )

    class Meta:
        model = Institution
        fields = [
            "name",
            "kind",
            "level",
            "province",
            "regency",
            "parent",
            "office",
            "npwp",
            "address",
            "phone",
            "email",
            "declared_potential",
            "declared_potential_on",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "declared_potential_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance
        parents = selectors.institutions_choosable(user=user)
        if current.pk:
            # Itself is never a choice; its present parent stays one even when outside the scope.
            parents = parents.exclude(pk=current.pk) | Institution.objects.filter(
                pk=current.parent_id
            )
        self.fields["parent"].queryset = parents.select_related("province").order_by("name")
        self.fields["parent"].label_from_instance = _parent_label
        self.fields["province"].queryset = Province.objects.order_by("code")
        regencies = Regency.objects.select_related("province").order_by("code")
        self.fields["regency"].queryset = regencies
        self.fields["regency"].widget.choices = _grouped_by_province(regencies)
        self.fields["office"].queryset = Office.objects.filter(is_active=True).order_by(
            "kind", "name"
        ) | Office.objects.filter(pk=current.office_id)

    def clean_npwp(self) -> str:
        return normalize_npwp(self.cleaned_data["npwp"])

    def clean(self):
        cleaned = super().clean()
        province, regency = cleaned.get("province"), cleaned.get("regency")
        if regency and not province:
            cleaned["province"] = province = regency.province
        if regency and province and regency.province_id != province.pk:
            self.add_error(
                "regency",
                _("%(regency)s is not in %(province)s. Choose one of its regencies or cities.")
                % {"regency": regency.name, "province": province.name},
            )
        level = cleaned.get("level")
        if level and level != Institution.Level.NATIONAL and not province:
            self.add_error(
                "province", _("Choose the province; only national institutions have none.")
            )
        self._check_parent(cleaned.get("parent"), cleaned.get("kind"), province)
        if cleaned.get("declared_potential") is not None and not cleaned.get(
            "declared_potential_on"
        ):
            cleaned["declared_potential_on"] = timezone.localdate()
        if cleaned.get("declared_potential") is None:
            cleaned["declared_potential_on"] = None
        return cleaned

    def _check_parent(self, parent: Institution | None, kind: str | None, province) -> None:
        if parent is None:
            return
        allowed = PARENT_KINDS.get(kind, [])
        if allowed and parent.kind not in allowed:
            self.add_error(
                "parent",
                _("The parent of a “%(kind)s” is a %(parents)s.")
                % {
                    "kind": Institution.Kind(kind).label,
                    "parents": " / ".join(str(Institution.Kind(k).label) for k in allowed),
                },
            )
        elif allowed and province and parent.province_id != province.pk:
            self.add_error(
                "parent",
                _("%(parent)s is in another province. Choose the one in %(province)s.")
                % {"parent": parent.name, "province": province.name},
            )
        if self.instance.pk and _is_below(parent, self.instance.pk):
            self.add_error(
                "parent", _("An institution cannot sit under itself or one of its own children.")
            )

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def _grouped_by_province(regencies) -> list:
    """Select options under one heading per province (one query; the field still validates)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for regency in regencies:
        groups.setdefault(regency.province.name, []).append((regency.pk, regency.name))
    return [("", "---------"), *groups.items()]


def _parent_label(institution: Institution) -> str:
    return (
        f"{institution.name} ({institution.province})" if institution.province else institution.name
    )


def _is_below(institution: Institution, ancestor_pk: int) -> bool:
    """Whether `ancestor_pk` is the institution or above it; one query per level (trees are short)."""
    seen: set[int] = set()
    node: Institution | None = institution
    while node is not None and node.pk not in seen:
        if node.pk == ancestor_pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


class ContactForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "position", "phone", "email"]


ContactFormSet = forms.formset_factory(
    ContactForm, extra=2, can_delete=True, can_delete_extra=False, max_num=30, validate_max=True
)


def contacts_from(formset) -> list[dict]:
    """The rows kept: filled in and not marked for deletion."""
    return [
        {name: form.cleaned_data[name] for name in ContactForm._meta.fields}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


# --- Agreements -------------------------------------------------------------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(StyledMixin, forms.ModelForm):
    """An agreement's own fields; the choices are limited to what the user's scope holds."""

    institution_number = forms.CharField(
        label=_("Partner's document number"), max_length=100, required=False
    )
    office_number = forms.CharField(
        label=_("BPJS office's document number"), max_length=100, required=False
    )
    flat_wage = forms.DecimalField(
        label=capfirst(Agreement._meta.get_field("flat_wage").verbose_name),
        help_text=Agreement._meta.get_field("flat_wage").help_text,
        max_digits=14,
        decimal_places=0,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "1000"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scope"),
        choices=Agreement.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # Each party's number right beside the party.
    field_order = ["kind", "title", "institution", "institution_number", "office", "office_number"]

    class Meta:
        model = Agreement
        fields = [
            "kind",
            "title",
            "institution",
            "office",
            "parent",
            "place_signed",
            "signed_on",
            "effective_from",
            "expires_on",
            "scopes",
            "programs",
            "funding_source",
            "flat_wage",
            "jkk_risk_class",
            "responsible",
            "notes",
        ]
        widgets = {
            "signed_on": DATE,
            "effective_from": DATE,
            "expires_on": DATE,
            "programs": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, numbers: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = selectors.institutions_choosable(user=user)
        self.fields["office"].queryset = selectors.offices_choosable(user=user)
        parents = selectors.agreements_choosable_as_parent(user=user)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["responsible"].queryset = selectors.officers_choosable(user=user)
        self.fields["programs"].queryset = Program.objects.order_by("sort_order")
        self.fields["programs"].label_from_instance = lambda p: f"{p.code} — {p.name}"
        if self.instance.flat_wage is not None:
            self.initial.setdefault("flat_wage", int(self.instance.flat_wage))
        if isinstance(self.initial.get("flat_wage"), Decimal):
            self.initial["flat_wage"] = int(self.initial["flat_wage"])
        if not numbers:
            del self.fields["institution_number"]
            del self.fields["office_number"]

    def clean(self):
        cleaned = super().clean()
        # A model constraint says the same; here it is said next to the field.
        effective, expires = cleaned.get("effective_from"), cleaned.get("expires_on")
        if effective and expires and expires < effective:
            self.add_error("expires_on", _("The expiry date must be after the effective date."))
        signed = cleaned.get("signed_on")
        if signed and effective and effective < signed:
            self.add_error("effective_from", _("An agreement takes effect on or after signing."))
        return cleaned

    def _post_clean(self):
        # The service runs full_clean (and the status rules) itself; the form checks shape only,
        # so an addendum without a parent is reported by the service in the person's words.
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("institution_number", "office_number"):
            if data.get(name) is None:
                data.pop(name, None)
        data["programs"] = list(data.get("programs") or [])
        return data


class StatusForm(StyledMixin, forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Agreement.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    successor = forms.ModelChoiceField(
        label=_("Renewed by"), queryset=Agreement.objects.none(), required=False
    )

    def __init__(self, *args, agreement: Agreement, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            selectors.agreements_for(user)
            .filter(institution_id=agreement.institution_id)
            .exclude(pk=agreement.pk)
            .order_by("-effective_from", "title")
        )


class PartyForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Party
        fields = ["institution", "office", "document_number"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = selectors.institutions_choosable(user=user)
        self.fields["office"].queryset = Office.objects.filter(is_active=True).order_by(
            "kind", "name"
        )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("institution")) == bool(cleaned.get("office")):
            raise forms.ValidationError(_("Choose either an institution or a BPJS office."))
        return cleaned


class PartyNumberForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Party
        fields = ["document_number"]


class SignatoryForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["party", "role", "name", "position", "nip"]

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = selectors.agreement_parties(agreement=agreement)
        self.fields["party"].label_from_instance = lambda party: party.name
        self.fields["nip"].help_text = _("18 digits, without spaces. Leave empty if none.")

    def clean_nip(self):
        return "".join(self.cleaned_data["nip"].split())


class TargetForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["category", "potential", "baseline", "target", "deadline"]
        widgets = {"deadline": DATE}


class FollowUpForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["action", "person_in_charge", "due_on", "status", "evidence", "done_on"]
        widgets = {
            "due_on": DATE,
            "done_on": DATE,
            "evidence": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == FollowUp.Status.DONE and not cleaned.get("done_on"):
            cleaned["done_on"] = timezone.localdate()
            self.instance.done_on = cleaned["done_on"]  # so the model's own check sees it
        return cleaned


class EventForm(StyledMixin, forms.ModelForm):
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    class Meta:
        model = AgreementEvent
        fields = ["kind", "held_on", "place", "participants", "notes"]
        widgets = {
            "held_on": DATE,
            "participants": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class AttachmentForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    event = forms.ModelChoiceField(
        label=_("Event (optional)"), queryset=AgreementEvent.objects.none(), required=False
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = agreement.events.all()
        self.fields["file"].help_text = _("PDF, JPG or PNG, at most %(size)s.") % {
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }
