"""The navigation bar: what each role needs, nothing it cannot open."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# A page belongs to the navigation item whose section its URL name starts with.
SECTIONS = {
    "partners:institution_list": ("partners:institution",),
    "partners:agreement_list": (
        "partners:agreement",
        "partners:party",
        "partners:signatory",
        "partners:target",
        "partners:follow_up",
        "partners:event",
        "partners:attachment",
    ),
    "regions:province_list": ("regions:",),
    "enrolment:roster_upload": ("enrolment:roster",),
    "enrolment:worker_list": ("enrolment:worker",),
    "enrolment:result_upload": ("enrolment:result",),
    "privacy:subject_search": ("privacy:",),
}


def navigation_items(user) -> list[tuple[str, str]]:
    if not user.is_authenticated:
        return []
    items = [("home", _("Home"))]
    if user.can_manage_partners:
        items.append(("partners:institution_list", _("Partners")))
    elif user.can_upload_rosters:
        items.append(("partners:institution_list", _("My institution")))
    elif user.can_view_dashboards:
        items.append(("partners:institution_list", _("Partners")))
    if user.roles:
        items.append(("partners:agreement_list", _("Agreements")))
    if user.can_upload_rosters:
        items.append(("enrolment:roster_upload", _("Upload roster")))
    if user.roles:  # officers and partner admins work with them; managers read them
        items.append(("enrolment:worker_list", _("Workers")))
    if user.can_manage_partners:
        items.append(("enrolment:result_upload", _("BPJS files")))
    if user.can_view_dashboards:
        items.append(("coverage:dashboard", _("Coverage")))
    if user.can_manage_partners:
        items.append(("regions:province_list", _("Regions")))
    if user.handles_data_requests:
        items.append(("privacy:subject_search", _("Data subjects")))
    if user.is_national_admin:
        items.append(("ops:status", _("System status")))
    return items


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if getattr(request, "second_factor_pending", False):  # set by accounts.middleware
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    chosen = getattr(request, "nav_item", None)  # a view may name its item itself
    return {
        "nav_items": [
            {
                "url": reverse(name),
                "label": label,
                "active": chosen == name
                if chosen
                else current == name or current.startswith(SECTIONS.get(name, (name,))),
            }
            for name, label in navigation_items(user)
        ]
    }
