"""Institution pages: the list (filters, sorting, exports), the detail with its contacts, children,
agreements and history, and the officers' create and edit forms. Reads go through selectors
(404 outside scope); managers and partner admins read, officers change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from enrolment import selectors as enrolment_selectors
from enrolment.models import RosterImport
from partners import selectors, services
from partners.filters import InstitutionFilter
from partners.forms import ContactFormSet, InstitutionForm, contacts_from
from partners.models import Institution
from partners.tables import InstitutionTable
from partners.views.common import require_officer, require_reader

PER_PAGE = 25


def filtered_institutions(request: HttpRequest) -> tuple[InstitutionFilter, QuerySet[Institution]]:
    """The list's rows: scoped by the selector, narrowed by the filters (none if they are invalid).

    The export uses the same function, so a download holds exactly what the list shows.
    """
    filterset = InstitutionFilter(
        request.GET, queryset=selectors.institution_list(user=request.user), request=request
    )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, rows


@login_required
def institution_list(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    filterset, rows = filtered_institutions(request)
    table = InstitutionTable(rows)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/institution_list.html",
        {"filter": filterset, "table": table, "export_query": query.urlencode()},
    )


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request.user)
    user = request.user
    institution = selectors.institution_get(user=user, pk=pk)
    history = selectors.institution_history(institution=institution)
    return render(
        request,
        "partners/institution_detail.html",
        {
            "institution": institution,
            "contacts": institution.contacts.all(),
            "children": selectors.institution_children(user=user, institution=institution),
            "agreements": selectors.agreement_list(user=user).filter(institution=institution),
            "history": selectors.history_entries(history, model=Institution),
            "roster_imports": enrolment_selectors.import_list(
                user, institution, kinds=(RosterImport.Kind.ROSTER,)
            )[:5],
            "workers_employed": enrolment_selectors.workers_employed_at(institution=institution),
            "can_upload_rosters": user.can_upload_rosters,
        },
    )


@login_required
def institution_create(request: HttpRequest) -> HttpResponse:
    require_officer(request.user)
    return _edit(request, Institution())


@login_required
def institution_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_officer(request.user)
    return _edit(request, selectors.institution_get(user=request.user, pk=pk))


def _contact_initial(institution: Institution) -> list[dict]:
    if institution.pk is None:
        return []
    return list(institution.contacts.values("name", "position", "phone", "email"))


def _edit(request: HttpRequest, institution: Institution) -> HttpResponse:
    creating = institution.pk is None
    # Read before the form is bound: a bound ModelForm writes the typed values onto the instance.
    heading = _("New institution") if creating else institution.name
    data = request.POST if request.method == "POST" else None
    form = InstitutionForm(data, instance=institution, user=request.user)
    contacts = ContactFormSet(data, initial=_contact_initial(institution), prefix="contacts")
    if data is not None and form.is_valid() and contacts.is_valid():
        try:
            saved = _save(request, institution, form, contacts)
        except services.PartnerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": saved.name})
            return redirect("partners:institution_detail", pk=saved.pk)
    return render(
        request,
        "partners/institution_form.html",
        {"form": form, "contacts": contacts, "institution": institution, "heading": heading},
    )


def _save(request: HttpRequest, institution: Institution, form, contacts) -> Institution:
    fields = form.service_fields()
    if institution.pk is None:
        return services.institution_create(
            by=request.user, contacts=contacts_from(contacts), **fields
        )
    return services.institution_update(
        institution=institution, by=request.user, contacts=contacts_from(contacts), **fields
    )
