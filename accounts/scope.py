"""Who may see what: the one place that turns role assignments into filters.

Every selector of every app asks `scope_for(user)` and filters by it. An office's scope is the
regions it and its child offices serve today, plus the institutions it is responsible for; an
institution's scope is the institution and its descendants.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User


@dataclass(frozen=True)
class Scope:
    national: bool = False
    office_ids: frozenset[int] = field(default_factory=frozenset)
    province_codes: frozenset[str] = field(default_factory=frozenset)
    regency_codes: frozenset[str] = field(default_factory=frozenset)
    institution_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.office_ids or self.institution_ids)

    def institutions_q(self, prefix: str = "") -> Q:
        """A filter on Institution (or on a model reaching it through `prefix`)."""
        if self.national:
            return Q()
        q = Q(**{f"{prefix}pk__in": self.institution_ids})
        if self.office_ids:
            q |= Q(**{f"{prefix}office_id__in": self.office_ids})
        if self.regency_codes:
            q |= Q(**{f"{prefix}regency_id__in": self.regency_codes})
        if self.province_codes:
            q |= Q(**{f"{prefix}province_id__in": self.province_codes})
        return q


def _descendants(model, root_ids: set[int]) -> set[int]:
    """Ids of the roots and everything below them; one query per level of the tree."""
    seen = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = (
            set(model.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - seen
        )
        seen |= frontier
    return seen


def scope_for(user: User, *, today: dt.date | None = None) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_sinergi_scope", None)
    if cached is not None and today is None:
        return cached
    from partners.models import Institution
    from regions.models import Office, OfficeArea

    day = today or timezone.localdate()
    assignments = user.assignments
    if any(a.role == Role.NATIONAL_ADMIN for a in assignments) or any(
        a.role == Role.MANAGER and a.office_id is None for a in assignments
    ):
        scope = Scope(national=True)
    else:
        office_roots = {a.office_id for a in assignments if a.office_id}
        office_ids = _descendants(Office, office_roots) if office_roots else set()
        areas = list(
            OfficeArea.objects.valid_on(day)
            .filter(office_id__in=office_ids)
            .values_list("province_id", "regency_id")
        )
        provinces = {province for province, _regency in areas if province}
        regencies = {regency for _province, regency in areas if regency}
        institution_roots = {a.institution_id for a in assignments if a.institution_id}
        institution_ids = (
            _descendants(Institution, institution_roots) if institution_roots else set()
        )
        scope = Scope(
            office_ids=frozenset(office_ids),
            province_codes=frozenset(provinces),
            regency_codes=frozenset(regencies),
            institution_ids=frozenset(institution_ids),
        )
    if today is None:
        user._sinergi_scope = scope
    return scope
