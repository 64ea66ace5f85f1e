"""How many workers there are to cover: the denominator of every percentage, with its source.

For each institution, in this order:

1. **agreement target**: the potentials of the targets of its live agreements (active or
   expiring, not past expiry) that have no live child agreement — the lowest level of the
   MoU → PKS cascade, so a provincial MoU's target and its PKS' targets are not counted twice;
   a category without a target counts its roster;
2. **declared**: the potential the institution declared (all categories together), with its date;
3. **roster**: the workers rostered there (primary employer), as of the last refresh.

For one worker category the potential is that category's target, else its roster count (a
declared potential has no category).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from coverage.models import CoverageSnapshot, WorkforceFigure
from partners.models import Agreement, Institution, Target

Source = CoverageSnapshot.Source
LIVE = (Agreement.Status.ACTIVE, Agreement.Status.EXPIRING)


@dataclass
class PotentialLine:
    """One institution's potential, for one category or (category None) for all of them."""

    institution_id: int
    category_id: int | None
    potential: int
    source: str
    as_of: dt.date | None
    rostered: int = 0


def _live(today: dt.date) -> Q:
    return Q(status__in=LIVE) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def targets_by_institution(
    institution_ids: Iterable[int] | None, today: dt.date
) -> dict[int, dict[int, tuple[int, dt.date | None]]]:
    """institution → category → (potential, as of) from the lowest live agreements' targets."""
    live_child = Agreement.objects.filter(_live(today), parent=OuterRef("agreement_id"))
    targets = Target.objects.filter(
        Q(agreement__status__in=LIVE)
        & (Q(agreement__expires_on__isnull=True) | Q(agreement__expires_on__gte=today))
    ).filter(~Exists(live_child))
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
    return found


def potential_lines(
    *, institution_ids: Iterable[int] | None, today: dt.date
) -> list[PotentialLine]:
    """Per institution: one line per category it has workers or a target in, and one line
    (category None) for all categories together. Three queries."""
    ids = None if institution_ids is None else sorted(set(institution_ids))
    institutions = Institution.objects.all()
    workforce = WorkforceFigure.objects.all()
    if ids is not None:
        institutions = institutions.filter(pk__in=ids)
        workforce = workforce.filter(institution_id__in=ids)
    rostered: dict[int, dict[int, int]] = defaultdict(dict)
    refreshed: dict[int, dt.date] = {}
    for institution_id, category_id, count, at in workforce.values_list(
        "institution_id", "category_id", "rostered", "refreshed_at"
    ):
        rostered[institution_id][category_id] = count
        refreshed[institution_id] = at.date()
    targets = targets_by_institution(ids, today)
    lines: list[PotentialLine] = []
    for institution_id, declared, declared_on in institutions.values_list(
        "pk", "declared_potential", "declared_potential_on"
    ):
        own_targets = targets.get(institution_id, {})
        roster = rostered.get(institution_id, {})
        if not own_targets and not roster and declared is None:
            continue
        roster_day = refreshed.get(institution_id)
        for category_id in sorted(set(own_targets) | set(roster)):
            if category_id in own_targets:
                amount, when = own_targets[category_id]
                line = PotentialLine(institution_id, category_id, amount, Source.TARGET, when)
            else:
                amount = roster[category_id]
                line = PotentialLine(institution_id, category_id, amount, Source.ROSTER, roster_day)
            line.rostered = roster.get(category_id, 0)
            lines.append(line)
        total_rostered = sum(roster.values())
        if own_targets:
            amount = sum(a for a, _when in own_targets.values()) + sum(
                count for category_id, count in roster.items() if category_id not in own_targets
            )
            when = max((w for _a, w in own_targets.values() if w), default=None)
            total = PotentialLine(institution_id, None, amount, Source.TARGET, when)
        elif declared is not None:
            total = PotentialLine(institution_id, None, declared, Source.DECLARED, declared_on)
        else:
            total = PotentialLine(institution_id, None, total_rostered, Source.ROSTER, roster_day)
        total.rostered = total_rostered
        lines.append(total)
    return lines
