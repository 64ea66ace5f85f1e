from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.scope import scope_for
from partners.models import Institution


def institutions_for(user: User) -> QuerySet[Institution]:
    """The institutions this user may see; empty for a user without a role."""
    scope = scope_for(user)
    if scope.is_empty:
        return Institution.objects.none()
    return Institution.objects.filter(scope.institutions_q())


def institution_list(*, user: User, query: str = "", kind: str = "") -> QuerySet[Institution]:
    qs = institutions_for(user).select_related("province", "regency", "office", "parent")
    if query:
        qs = qs.filter(name__icontains=query)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("province_id", "name")


def institution_get(*, user: User, pk: int) -> Institution:
    """One institution in the user's scope; anything else is 404 so its existence does not leak."""
    try:
        return (
            institutions_for(user)
            .select_related("province", "regency", "office", "parent")
            .get(pk=pk)
        )
    except Institution.DoesNotExist:
        raise Http404 from None


def institution_children(*, user: User, institution: Institution) -> QuerySet[Institution]:
    return institutions_for(user).filter(parent=institution).select_related("regency")


def own_institutions(*, user: User) -> QuerySet[Institution]:
    """A partner admin's institutions, the top of its tree first."""
    return (
        institutions_for(user)
        .select_related("regency", "province")
        .order_by(F("parent_id").asc(nulls_first=True), "name")
    )
