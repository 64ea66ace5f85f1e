"""How many workers there are to cover: the denominator of every percentage, with its source.

For each institution and worker category, in this order:

1. **covered above**: nothing, when an institution above it in the same area has a target for the
   category — the Kanwil Kemenag's "24.201 guru madrasah diniyah in Banten" already counts the
   workers (and the targets) of the Kemenag Kab/Kota under it, so the province is not counted
   twice; seen on its own, a Kemenag Kab/Kota falls through to 2 or 4;
2. **agreement target**: the potential of the category's target in the institution's live
   agreements (active or expiring, not past expiry), unless a live child agreement has its own
   target for that category (then the child's counts: an MoU and its PKS are not added);
3. **declared**: for all categories together, the potential the institution declared, with its
   date, when no target concerns it;
4. **roster**: the workers rostered there (primary employer), as of the last refresh.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from coverage.models import CoverageSnapshot, WorkforceFigure
from partners.models import Agreement, Institution, Target

Source = CoverageSnapshot.Source
LIVE = (Agreement.Status.ACTIVE, Agreement.Status.EXPIRING)


@dataclass
class Inputs:
    """What the potentials are made of, per institution (and category)."""

    targets: dict[int, dict[int, tuple[int, dt.date | None]]] = field(default_factory=dict)
    rostered: dict[int, dict[int, int]] = field(default_factory=dict)
    declared: dict[int, tuple[int, dt.date | None]] = field(default_factory=dict)
    parents: dict[int, int | None] = field(default_factory=dict)
    roster_day: dict[int, dt.date] = field(default_factory=dict)


@dataclass
class PotentialLine:
    institution_id: int
    potential: int
    sources: set[str]
    as_of: dt.date | None = None


def _live(prefix: str, today: dt.date) -> Q:
    return Q(**{f"{prefix}status__in": LIVE}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": today})
    )


def targets_now(
    institution_ids: Iterable[int] | None, today: dt.date
) -> dict[int, dict[int, tuple[int, dt.date | None]]]:
    """institution → category → (potential, as of), from live agreements whose live children have
    no target of the same category. One query."""
    child_target = Target.objects.filter(
        _live("agreement__", today),
        agreement__parent_id=OuterRef("agreement_id"),
        category_id=OuterRef("category_id"),
    )
    targets = Target.objects.filter(_live("agreement__", today)).filter(~Exists(child_target))
    if institution_ids is not None:
        targets = targets.filter(agreement__institution_id__in=list(institution_ids))
    found: dict[int, dict[int, tuple[int, dt.date | None]]] = defaultdict(dict)
    for institution_id, category_id, amount, signed, effective in targets.values_list(
        "agreement__institution_id",
        "category_id",
        "potential",
        "agreement__signed_on",
        "agreement__effective_from",
    ):
        earlier, when = found[institution_id].get(category_id, (0, None))
        found[institution_id][category_id] = (earlier + amount, signed or effective or when)
    return dict(found)


def inputs_now(institution_ids: Iterable[int] | None, today: dt.date) -> Inputs:
    """Current inputs (three queries)."""
    ids = None if institution_ids is None else sorted(set(institution_ids))
    institutions = Institution.objects.all()
    workforce = WorkforceFigure.objects.all()
    if ids is not None:
        institutions = institutions.filter(pk__in=ids)
        workforce = workforce.filter(institution_id__in=ids)
    inputs = Inputs(targets=targets_now(ids, today))
    rostered: dict[int, dict[int, int]] = defaultdict(dict)
    for institution_id, category_id, count, at in workforce.values_list(
        "institution_id", "category_id", "rostered", "refreshed_at"
    ):
        rostered[institution_id][category_id] = count
        inputs.roster_day[institution_id] = at.date()
    inputs.rostered = dict(rostered)
    for pk, parent, declared, declared_on in institutions.values_list(
        "pk", "parent_id", "declared_potential", "declared_potential_on"
    ):
        inputs.parents[pk] = parent
        if declared is not None:
            inputs.declared[pk] = (declared, declared_on)
    return inputs


def _covered_above(inputs: Inputs, pk: int, area: set[int], category: int) -> bool:
    parent, seen = inputs.parents.get(pk), {pk}
    while parent is not None and parent in area and parent not in seen:
        if category in inputs.targets.get(parent, {}):
            return True
        seen.add(parent)
        parent = inputs.parents.get(parent)
    return False


def area_potential(
    inputs: Inputs, area: set[int], category: int | None
) -> dict[int, PotentialLine]:
    """Each institution's part of the area's potential, for one category or all of them."""
    lines: dict[int, PotentialLine] = {}
    for pk in area:
        targets, roster = inputs.targets.get(pk, {}), inputs.rostered.get(pk, {})
        categories = [category] if category is not None else sorted(set(targets) | set(roster))
        line = PotentialLine(pk, 0, set())
        targeted = False
        for c in categories:
            if _covered_above(inputs, pk, area, c):
                targeted = True  # counted in the target of an institution above
            elif c in targets:
                amount, when = targets[c]
                line.potential += amount
                line.sources.add(Source.TARGET)
                line.as_of = max(filter(None, [line.as_of, when]), default=None)
                targeted = True
            elif c in roster:
                line.potential += roster[c]
                line.sources.add(Source.ROSTER)
        if category is None and not targeted and pk in inputs.declared:
            amount, when = inputs.declared[pk]
            line = PotentialLine(pk, amount, {Source.DECLARED}, when)
        if line.sources:
            if line.as_of is None and Source.ROSTER in line.sources:
                line.as_of = inputs.roster_day.get(pk)
            lines[pk] = line
    return lines
