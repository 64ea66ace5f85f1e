"""Who may do what on partner pages. Scope (404) comes from the selectors; these are the 403s."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


def require_reader(user) -> None:
    """Officers and partner admins work with partners; managers read the lists."""
    if not (user.can_manage_partners or user.can_upload_rosters or user.can_view_dashboards):
        raise PermissionDenied


def require_officer(user) -> None:
    """Only BPJS officers change partner records; partner admins and managers read them."""
    if not user.can_manage_partners:
        raise PermissionDenied
