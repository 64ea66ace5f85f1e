from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.models import User
from partners.selectors import institutions_for


def institutions_by_kind(*, user: User) -> QuerySet:
    """Partner institutions in the user's scope, counted per kind (one aggregate query)."""
    return institutions_for(user).values("kind").annotate(total=Count("id")).order_by("-total")
