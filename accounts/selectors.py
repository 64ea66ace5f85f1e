from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import RoleAssignment, User


def role_assignments_of(*, user: User) -> QuerySet[RoleAssignment]:
    return user.role_assignments.select_related("office", "institution").order_by("role")
