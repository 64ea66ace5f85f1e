"""Agreement pages: list, detail with its parties, targets, follow-ups, events, attachments and
history; the forms that change them. Reads go through selectors (404 outside scope); changes are
for officers only (403 for partner admins and managers, who read)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from partners import selectors, services
from partners.filters import AgreementFilter
from partners.forms import (
    AgreementForm,
    AttachmentForm,
    EventForm,
    FollowUpForm,
    PartyForm,
    PartyNumberForm,
    SignatoryForm,
    StatusForm,
    TargetForm,
)
from partners.models import Agreement, AgreementEvent, Attachment, FollowUp, Target
from partners.services import PartnerError
from partners.tables import AgreementTable
from partners.views.common import require_officer, require_reader

PER_PAGE = 25


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    filterset = AgreementFilter(
        request.GET, queryset=selectors.agreement_list(user=request.user), request=request
    )
    table = AgreementTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/agreement_list.html",
        {"filter": filterset, "table": table, "export_query": query.urlencode()},
    )


def _detail_context(request: HttpRequest, agreement: Agreement) -> dict:
    user = request.user
    today = timezone.localdate()
    follow_ups = list(agreement.follow_ups.all())
    for follow_up in follow_ups:
        follow_up.overdue = follow_up.is_overdue(today)
    targets = list(agreement.targets.select_related("category"))
    return {
        "agreement": agreement,
        "can_edit": user.can_manage_partners,
        "programs": list(agreement.programs.all()),
        "parties": list(selectors.agreement_parties(agreement=agreement)),
        "children": list(selectors.agreement_children(user=user, agreement=agreement)),
        "targets": targets,
        "target_totals": {
            "potential": sum(t.potential for t in targets),
            "baseline": sum(t.baseline for t in targets),
            "target": sum(t.target for t in targets),
        },
        "follow_ups": follow_ups,
        "events": list(selectors.agreement_events(agreement=agreement)),
        "attachments": list(agreement.attachments.filter(event__isnull=True)),
        "history": selectors.history_entries(
            selectors.agreement_history(agreement=agreement), model=Agreement
        ),
        "next_statuses": [
            (value, label)
            for value, label in Agreement.Status.choices
            if agreement.can_move_to(value)
        ],
        "next_statuses_values": {
            value for value, _label in Agreement.Status.choices if agreement.can_move_to(value)
        },
        "predecessor": selectors.agreements_for(user).filter(successor=agreement).first(),
        "outlives_parent": agreement.outlives_parent(),
        "past_expiry_but_live": agreement.is_past_expiry_but_live(today),
        "today": today,
    }


def _forms(agreement: Agreement, user) -> dict:
    return {
        "status_form": StatusForm(agreement=agreement, user=user),
        "party_form": PartyForm(user=user),
        "signatory_form": SignatoryForm(agreement=agreement),
        "target_form": TargetForm(instance=Target(agreement=agreement)),
        "follow_up_form": FollowUpForm(instance=FollowUp(agreement=agreement)),
        "event_form": EventForm(instance=AgreementEvent(agreement=agreement)),
        "attachment_form": AttachmentForm(agreement=agreement),
    }


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request.user)
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    context = _detail_context(request, agreement)
    if context["can_edit"]:
        context.update(_forms(agreement, request.user))
    return render(request, "partners/agreement_detail.html", context)


def _agreement_form_page(request, form, *, agreement=None, parent=None, title: str):
    return render(
        request,
        "partners/agreement_form.html",
        {"form": form, "agreement": agreement, "parent": parent, "page_title": title},
    )


@login_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    require_officer(request.user)
    initial = {}
    institution_pk = request.GET.get("institution", "").strip()
    if institution_pk.isdigit():
        institution = selectors.institution_get(user=request.user, pk=int(institution_pk))
        initial = {"institution": institution, "office": institution.office}
    form = AgreementForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(by=request.user, **form.service_fields())
        except PartnerError as error:
            form.add_error(None, str(error))
        else:
            return _saved(request, agreement, _("The agreement was recorded."))
    return _agreement_form_page(request, form, title=_("Record an agreement"))


@login_required
def agreement_derive(request: HttpRequest, pk: int) -> HttpResponse:
    """A PKS for a child institution of the MoU's partner, pre-filled from the MoU."""
    mou = selectors.agreement_get(user=request.user, pk=pk)
    require_officer(request.user)
    initial = services.agreement_derive_initial(mou=mou)
    form = AgreementForm(request.POST or None, user=request.user, initial=initial)
    children = selectors.institution_children(user=request.user, institution=mou.institution)
    if children.exists():
        form.fields["institution"].queryset = children.order_by("name")
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(by=request.user, **form.service_fields())
        except PartnerError as error:
            form.add_error(None, str(error))
        else:
            return _saved(request, agreement, _("The derived PKS was recorded."))
    return _agreement_form_page(
        request, form, parent=mou, title=_("Derive a PKS from “%(title)s”") % {"title": mou}
    )


@login_required
def agreement_update(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    require_officer(request.user)
    form = AgreementForm(request.POST or None, instance=agreement, user=request.user, numbers=False)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_update(
                agreement=_fresh(agreement),
                by=request.user,
                **form.service_fields(),
            )
        except PartnerError as error:
            form.add_error(None, str(error))
        else:
            return _saved(request, agreement, _("The changes were saved."))
    return _agreement_form_page(
        request, form, agreement=agreement, title=_("Edit “%(title)s”") % {"title": agreement}
    )


def _saved(request: HttpRequest, agreement: Agreement, message: str) -> HttpResponse:
    messages.success(request, message)
    if agreement.outlives_parent():
        messages.warning(
            request,
            _(
                "This agreement runs past the agreement it follows (which expires on %(date)s). "
                "Check the dates or plan an addendum."
            )
            % {"date": agreement.parent.expires_on.strftime("%d-%m-%Y")},
        )
    return redirect("partners:agreement_detail", pk=agreement.pk)


def _back(agreement: Agreement, anchor: str) -> HttpResponse:
    return redirect(f"{agreement.get_absolute_url()}#{anchor}")


def _officer_agreement(request: HttpRequest, pk: int) -> Agreement:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    require_officer(request.user)
    return agreement


def _form_page(request, agreement: Agreement, form, *, title: str, anchor: str) -> HttpResponse:
    """A child record's form on its own page: for editing, and when a submission has errors."""
    return render(
        request,
        "partners/record_form.html",
        {"agreement": agreement, "form": form, "page_title": title, "anchor": anchor},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_POST
def agreement_status(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    form = StatusForm(request.POST, agreement=agreement, user=request.user)
    if form.is_valid():
        try:
            services.agreement_change_status(
                by=request.user, agreement=agreement, **form.cleaned_data
            )
        except PartnerError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The status is now “%(status)s”.") % {"status": agreement.get_status_display()},
            )
    return _back(agreement, "status")


@login_required
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    form = PartyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_add(agreement=agreement, by=request.user, **form.cleaned_data)
        except PartnerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The party was added."))
            return _back(agreement, "parties")
    return _form_page(request, agreement, form, title=_("Add a party"), anchor="parties")


@login_required
def party_update(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    party = get_object_or_404(
        agreement.parties.select_related("institution", "office"), pk=party_pk
    )
    form = PartyNumberForm(request.POST or None, instance=party)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_set_number(
                party=party, by=request.user, document_number=form.cleaned_data["document_number"]
            )
        except PartnerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The document number was saved."))
            return _back(agreement, "parties")
    return _form_page(
        request,
        agreement,
        form,
        title=_("Document number of %(party)s") % {"party": party.name},
        anchor="parties",
    )


@login_required
@require_POST
def party_remove(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    party = get_object_or_404(
        agreement.parties.select_related("institution", "office"), pk=party_pk
    )
    try:
        services.party_remove(party=party, by=request.user)
    except PartnerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The party was removed."))
    return _back(agreement, "parties")


@login_required
def signatory_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    form = SignatoryForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.signatory_add(agreement=agreement, by=request.user, **form.cleaned_data)
        except PartnerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The signatory was added."))
            return _back(agreement, "parties")
    return _form_page(request, agreement, form, title=_("Add a signatory"), anchor="parties")


@login_required
@require_POST
def signatory_remove(request: HttpRequest, pk: int, signatory_pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    signatory = get_object_or_404(agreement.signatories, pk=signatory_pk)
    services.signatory_remove(signatory=signatory, by=request.user)
    messages.success(request, _("The signatory was removed."))
    return _back(agreement, "parties")


def _fresh(obj):
    """The row as stored: a model form changes its instance while validating, and the service
    compares the stored values with the new ones for the history."""
    return type(obj).objects.get(pk=obj.pk) if obj is not None else None


@dataclass(frozen=True)
class _Record:
    """How one kind of record under an agreement is added and edited on its own page."""

    model: type
    form: type
    save: Callable
    anchor: str
    saved: str
    add_title: str
    edit_title: str


TARGETS = _Record(
    Target,
    TargetForm,
    services.target_save,
    "targets",
    gettext_lazy("The target was saved."),
    gettext_lazy("Add a target"),
    gettext_lazy("Edit the target"),
)
FOLLOW_UPS = _Record(
    FollowUp,
    FollowUpForm,
    services.follow_up_save,
    "follow-ups",
    gettext_lazy("The follow-up was saved."),
    gettext_lazy("Add a follow-up"),
    gettext_lazy("Update the follow-up"),
)


def _record_form_view(request, agreement: Agreement, kind: _Record, instance=None):
    form = kind.form(request.POST or None, instance=instance or kind.model(agreement=agreement))
    if request.method == "POST" and form.is_valid():
        try:
            kind.save(
                agreement=agreement,
                by=request.user,
                instance=_fresh(instance),
                **form.cleaned_data,
            )
        except PartnerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, kind.saved)
            return _back(agreement, kind.anchor)
    title = kind.edit_title if instance else kind.add_title
    return _form_page(request, agreement, form, title=title, anchor=kind.anchor)


@login_required
def target_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_form_view(request, _officer_agreement(request, pk), TARGETS)


@login_required
def target_update(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    target = get_object_or_404(agreement.targets.select_related("category"), pk=target_pk)
    return _record_form_view(request, agreement, TARGETS, target)


@login_required
@require_POST
def target_remove(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    target = get_object_or_404(agreement.targets.select_related("category"), pk=target_pk)
    services.target_remove(target=target, by=request.user)
    messages.success(request, _("The target was removed."))
    return _back(agreement, "targets")


@login_required
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_form_view(request, _officer_agreement(request, pk), FOLLOW_UPS)


@login_required
def follow_up_update(request: HttpRequest, pk: int, follow_up_pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    follow_up = get_object_or_404(agreement.follow_ups, pk=follow_up_pk)
    return _record_form_view(request, agreement, FOLLOW_UPS, follow_up)


@login_required
def event_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    form = EventForm(
        request.POST or None, request.FILES or None, instance=AgreementEvent(agreement=agreement)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None)
        try:
            event = services.event_save(agreement=agreement, by=request.user, **data)
            if photo:
                services.attachment_add(
                    agreement=agreement,
                    by=request.user,
                    upload=photo,
                    kind=Attachment.Kind.PHOTO,
                    event=event,
                )
        except PartnerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The event was recorded."))
            return _back(agreement, "events")
    return _form_page(request, agreement, form, title=_("Record an event"), anchor="events")


@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _officer_agreement(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_add(
                agreement=agreement,
                by=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                event=form.cleaned_data["event"],
            )
        except PartnerError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("The file was attached."))
            return _back(agreement, "attachments")
    return _form_page(request, agreement, form, title=_("Attach a file"), anchor="attachments")


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Served by Django, not the web server, so only users who see the agreement get the file."""
    require_reader(request.user)
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    inline = attachment.content_type in {"application/pdf", "image/jpeg", "image/png"}
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
