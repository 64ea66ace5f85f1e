"""Reads of coverage: an area of the dashboard, its rows and totals, its trend, its lists.

Everything comes from the summary tables (coverage.models), never from counting workers, in a
fixed number of queries whatever the size of the area. Areas: the country, a Kantor Wilayah, a
province, a regency or city, an institution; each always limited to the reader's scope.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import scope_for
from coverage.models import (
    CoverageFigure,
    CoverageSnapshot,
    PrimaryEmployment,
    RegistrationFigure,
    SnapshotRun,
    WorkforceFigure,
    WorkforceSnapshot,
)
from coverage.potential import Inputs, Source, area_potential, targets_now
from enrolment.models import Enrolment, Program, RosterImport, Worker, WorkerCategory
from partners.models import Agreement, Institution
from partners.selectors import institutions_for
from regions.models import Office, OfficeArea, Province, Regency

NATIONAL, KANWIL, PROVINCE, REGENCY, INSTITUTION = (
    "nasional",
    "wilayah",
    "provinsi",
    "kabkota",
    "lembaga",
)
LEVELS = (NATIONAL, KANWIL, PROVINCE, REGENCY, INSTITUTION)
COUNTS = ("potential", "rostered", "pending", "registered", "active", "inactive", "paid_current")
REGISTERED = (Enrolment.Status.REGISTERED, Enrolment.Status.ACTIVE, Enrolment.Status.INACTIVE)
TREND_MONTHS = 12


@dataclass
class Figures:
    potential: int = 0
    rostered: int = 0  # people (or enrolments, for one program) counted at the institutions
    pending: int = 0
    registered: int = 0
    active: int = 0
    inactive: int = 0
    paid_current: int = 0
    sources: set[str] = field(default_factory=set)
    previous_registered: int | None = None

    def add(self, other: Figures) -> None:
        # Spelled out: a national page adds up every institution twice.
        self.potential += other.potential
        self.rostered += other.rostered
        self.pending += other.pending
        self.registered += other.registered
        self.active += other.active
        self.inactive += other.inactive
        self.paid_current += other.paid_current
        self.sources |= other.sources
        if other.previous_registered is not None:
            self.previous_registered = (self.previous_registered or 0) + other.previous_registered

    @property
    def coverage(self) -> float | None:
        return 100 * self.registered / self.potential if self.potential else None

    @property
    def active_share(self) -> float | None:
        return 100 * self.active / self.potential if self.potential else None

    @property
    def change(self) -> int | None:
        if self.previous_registered is None:
            return None
        return self.registered - self.previous_registered


@dataclass
class Row:
    key: str
    name: str
    url: str
    figures: Figures
    complete: bool = False  # the url carries its own query (a category of an institution)


@dataclass
class Area:
    level: str
    key: str
    name: str
    breadcrumbs: list[tuple[str, str]]  # (name, url) from the country down, this area excluded
    institutions: QuerySet[Institution]
    institution: Institution | None = None
    everywhere: bool = False  # every institution there is: the country, read nationally

    def of(self, rows: QuerySet) -> QuerySet:
        """`rows` (with an `institution_id`) of the area's institutions. The country of a
        national reader needs no filter: a subquery of every institution cost a hash join over
        each table's rows, some 5 ms a query on a year of snapshots. One institution is named:
        behind its subquery the planner misjudged the list of its people not yet registered and
        started parallel workers (30 ms, against 2 ms walking the index of names alone)."""
        if self.everywhere:
            return rows
        if self.institution is not None:
            return rows.filter(institution_id=self.institution.pk)
        return rows.filter(institution_id__in=self.institutions.values("pk"))


@dataclass
class Past:
    """What the months already frozen say of an area, from the snapshots alone: the last month
    frozen before this one, who was registered at its end (per institution; per category on an
    institution's page) and the monthly trend. A snapshot changes it; a refresh does not."""

    month: dt.date | None
    registered: dict[int, int]
    by_category: dict[int, int]
    trend: list[tuple[dt.date, dict[str, int | None]]]


@dataclass
class Dashboard:
    area: Area
    rows: list[Row]
    total: Figures
    trend: list[tuple[dt.date, dict[str, int | None]]]
    as_of: dt.datetime | None
    previous_month: dt.date | None
    program: Program | None
    category: WorkerCategory | None
    child_label: str
    past: Past


def area_url(level: str, key: str) -> str:
    if level == NATIONAL:
        return reverse("coverage:dashboard")
    return reverse("coverage:area", args=[level, key])


def _kanwil_provinces(office: Office, today: dt.date) -> tuple[set[str], set[str]]:
    """The provinces and regencies a Kantor Wilayah (with its branch offices) serves today."""
    offices = {office.pk} | set(Office.objects.filter(parent=office).values_list("pk", flat=True))
    provinces, regencies = set(), set()
    for province, regency in (
        OfficeArea.objects.valid_on(today)
        .filter(office_id__in=offices)
        .values_list("province_id", "regency_id")
    ):
        if province:
            provinces.add(province)
        if regency:
            regencies.add(regency)
    return provinces, regencies


def _province_kanwil(today: dt.date) -> dict[str, Office]:
    kanwil = {}
    for area in (
        OfficeArea.objects.valid_on(today)
        .filter(office__kind=Office.Kind.REGIONAL, province__isnull=False)
        .select_related("office")
    ):
        kanwil[area.province_id] = area.office
    return kanwil


def area_get(*, user: User, level: str, key: str = "", today: dt.date | None = None) -> Area:
    """The area with the reader's institutions in it; 404 for an unknown or out-of-scope one
    (a reader without a national scope and without an institution in the area)."""
    area = _area(user, level, key, today or timezone.localdate())
    if level != NATIONAL and not scope_for(user).national and not area.institutions.exists():
        raise Http404
    return area


def _area(user: User, level: str, key: str, today: dt.date) -> Area:
    scoped = institutions_for(user)
    national = (_("Indonesia"), reverse("coverage:dashboard"))
    if level == NATIONAL:
        everywhere = scope_for(user).national
        return Area(NATIONAL, "", _("Indonesia"), [], scoped, everywhere=everywhere)
    if level == KANWIL:
        office = Office.objects.filter(pk=int(key) if key.isdigit() else 0, kind="wilayah").first()
        if office is None:
            raise Http404
        provinces, regencies = _kanwil_provinces(office, today)
        institutions = scoped.filter(Q(province_id__in=provinces) | Q(regency_id__in=regencies))
        return Area(KANWIL, key, office.name, [national], institutions)
    if level == PROVINCE:
        province = Province.objects.filter(code=key).first()
        if province is None:
            raise Http404
        crumbs = [national]
        kanwil = _province_kanwil(today).get(province.code)
        if kanwil is not None:
            crumbs.append((kanwil.name, area_url(KANWIL, str(kanwil.pk))))
        return Area(PROVINCE, key, province.name, crumbs, scoped.filter(province_id=key))
    if level == REGENCY:
        regency = Regency.objects.select_related("province").filter(code=key).first()
        if regency is None:
            raise Http404
        crumbs = [national]
        kanwil = _province_kanwil(today).get(regency.province_id)
        if kanwil is not None:
            crumbs.append((kanwil.name, area_url(KANWIL, str(kanwil.pk))))
        crumbs.append((regency.province.name, area_url(PROVINCE, regency.province_id)))
        return Area(REGENCY, key, regency.name, crumbs, scoped.filter(regency_id=key))
    if level == INSTITUTION:
        institution = (
            scoped.select_related("province", "regency")
            .filter(pk=int(key) if key.isdigit() else 0)
            .first()
        )
        if institution is None:
            raise Http404
        crumbs = [national]
        if institution.province_id:
            kanwil = _province_kanwil(today).get(institution.province_id)
            if kanwil is not None:
                crumbs.append((kanwil.name, area_url(KANWIL, str(kanwil.pk))))
            crumbs.append((institution.province.name, area_url(PROVINCE, institution.province_id)))
        if institution.regency_id:
            crumbs.append((institution.regency.name, area_url(REGENCY, institution.regency_id)))
        return Area(
            INSTITUTION,
            key,
            institution.name,
            crumbs,
            scoped.filter(pk=institution.pk),
            institution=institution,
        )
    raise Http404


# --- figures per institution ------------------------------------------------------------------


def _current(
    area: Area,
    program: Program | None,
    category: WorkerCategory | None,
    by: str | tuple[str, ...] = "institution_id",
) -> tuple[dict, dt.datetime | None]:
    """Counts of the area per institution (or per category), from the summary (one query)."""
    if program is not None:
        rows = area.of(CoverageFigure.objects.filter(program=program))
        names = {"rostered": "enrolled", **{n: n for n in COUNTS[2:]}}
    else:
        rows = area.of(WorkforceFigure.objects.all())
        names = {n: n for n in ("rostered", "registered", "active", "paid_current")}
    if category is not None:
        rows = rows.filter(category=category)
    found: dict[int, Figures] = {}
    as_of = None
    sums = {name: Sum(column) for name, column in names.items()}
    keys = (by,) if isinstance(by, str) else by
    for line in rows.values(*keys).annotate(at=Max("refreshed_at"), **sums):
        figures = Figures(**{name: line[name] or 0 for name in names})
        if program is None:
            figures.pending = figures.rostered - figures.registered
            figures.inactive = figures.registered - figures.active
        found[line[by] if isinstance(by, str) else tuple(line[k] for k in keys)] = figures
        as_of = line["at"] if as_of is None or line["at"] > as_of else as_of
    return found, as_of


def _by_category(
    area: Area, program: Program | None, inputs: Inputs, ids: set[int], past: Past, query: dict
) -> list[Row]:
    """An institution's page: its figures per worker category (two queries)."""
    current, _as_of = _current(area, program, None, by="category_id")
    categories = set(current) | {c for pk in ids for c in inputs.targets.get(pk, {})}
    rows = []
    for category in WorkerCategory.objects.filter(pk__in=categories).order_by("sort_order"):
        figures = current.get(category.pk, Figures())
        for line in area_potential(inputs, ids, category.pk).values():
            figures.potential += line.potential
            figures.sources |= line.sources
        if past.month is not None:
            figures.previous_registered = past.by_category.get(category.pk, 0)
        url = area_url(area.level, area.key) + "?" + urlencode({**query, "kategori": category.pk})
        rows.append(
            Row(key=str(category.pk), name=category.name, url=url, figures=figures, complete=True)
        )
    return rows


def _descendants(roots: set[int], parents: dict[int, int | None]) -> set[int]:
    """Institutions under any of `roots`, within the institutions `parents` knows."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in parents.items():
        if parent is not None:
            children[parent].append(pk)
    found, frontier = set(), list(roots)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _past(
    area: Area,
    program: Program | None,
    category: WorkerCategory | None,
    parents: dict[int, int | None],
    today: dt.date,
) -> Past:
    """The area's Past: the last run, registered then (one query; two on an institution's
    page) and the trend."""
    run = SnapshotRun.objects.filter(month__lt=today.replace(day=1)).order_by("-month").first()
    month = run.month if run is not None else None
    registered: dict[int, int] = {}
    by_category: dict[int, int] = {}
    if month is not None:
        registered = _previous(area, program, category, month)
        if area.level == INSTITUTION and category is None:
            by_category = _previous(area, program, None, month, by="category_id")
    return Past(month, registered, by_category, _trend(area, program, category, parents, today))


def _previous(
    area: Area,
    program: Program | None,
    category: WorkerCategory | None,
    month: dt.date,
    by: str = "institution_id",
) -> dict[int, int]:
    """Registered per institution (or per category) at the end of `month` (a snapshot)."""
    if program is not None:
        rows = CoverageSnapshot.objects.filter(program=program)
    else:
        rows = WorkforceSnapshot.objects.filter(category__isnull=False)
    rows = area.of(rows.filter(month=month))
    if category is not None:
        rows = rows.filter(category=category)
    return {
        line[by]: line["total"] or 0 for line in rows.values(by).annotate(total=Sum("registered"))
    }


def _trend(
    area: Area,
    program: Program | None,
    category: WorkerCategory | None,
    parents: dict[int, int | None],
    today: dt.date,
) -> list[tuple[dt.date, dict[str, int | None]]]:
    """Potential, registered and active at the end of each of the last months, from the
    snapshots, in three queries (four for a program): the rows of the few institutions whose
    potential is not their roster (agreement targets, declared potentials, institutions under a
    target), which are worked out as coverage.potential says, and sums per month of the rest."""
    since = (today.replace(day=1) - dt.timedelta(days=31 * TREND_MONTHS)).replace(day=1)
    people = area.of(WorkforceSnapshot.objects.filter(month__gte=since))
    if category is not None:
        people = people.filter(Q(category=category) | Q(category__isnull=True))
    special_rows = list(
        people.filter(
            Q(source__in=(Source.TARGET, Source.DECLARED))
            | Q(institution_id__in=_descendants(_target_holders(people), parents))
        ).values_list("month", "institution_id", "category_id", "potential", "source", "rostered")
    )
    special = {row[1] for row in special_rows}
    # The potential of the others is their roster.
    ordinary = (
        Sum("rostered", filter=~Q(institution_id__in=special)) if special else Sum("rostered")
    )
    sums = people.filter(category__isnull=False).values("month")
    months: dict[dt.date, dict[str, int | None]] = defaultdict(dict)
    if program is None:  # people registered and active: the same rows as the rosters
        for line in sums.annotate(
            registered=Sum("registered"), active=Sum("active"), potential=ordinary
        ):
            months[line["month"]].update(
                registered=line["registered"],
                active=line["active"],
                potential=line["potential"] or 0,
            )
    else:
        counts = area.of(CoverageSnapshot.objects.filter(program=program, month__gte=since))
        if category is not None:
            counts = counts.filter(category=category)
        for line in counts.values("month").annotate(
            registered=Sum("registered"), active=Sum("active")
        ):
            months[line["month"]].update(registered=line["registered"], active=line["active"])
        for line in sums.annotate(potential=ordinary):
            months[line["month"]]["potential"] = line["potential"] or 0
    by_month: dict[dt.date, Inputs] = defaultdict(lambda: Inputs(parents=parents))
    for month, pk, category_id, amount, source, rostered in special_rows:
        inputs = by_month[month]
        if category_id is None:
            if source == Source.DECLARED:
                inputs.declared[pk] = (amount, None)
            continue
        if source == Source.TARGET:
            inputs.targets.setdefault(pk, {})[category_id] = (amount, None)
        if rostered:
            inputs.rostered.setdefault(pk, {})[category_id] = rostered
    wanted = category.pk if category is not None else None
    for month, inputs in by_month.items():
        lines = area_potential(inputs, set(parents), wanted)
        extra = sum(line.potential for pk, line in lines.items() if pk in special)
        months[month]["potential"] = (months[month].get("potential") or 0) + extra
    return sorted(months.items())


def _inputs(area: Area, institutions: list[dict], today: dt.date) -> Inputs:
    """What coverage.potential.inputs_now reads, for the area's institutions, from the rows the
    dashboard has read already: the targets, and the rosters per category without the time of
    each figure row (a timestamp parsed for each of a country's thousands of rows was half of
    the national page). Two queries."""
    inputs = Inputs(
        targets=targets_now(None if area.everywhere else [i["pk"] for i in institutions], today),
        parents={i["pk"]: i["parent_id"] for i in institutions},
        declared={
            i["pk"]: (i["declared_potential"], i["declared_potential_on"])
            for i in institutions
            if i["declared_potential"] is not None
        },
    )
    rostered: dict[int, dict[int, int]] = defaultdict(dict)
    for pk, category_id, count in area.of(WorkforceFigure.objects.all()).values_list(
        "institution_id", "category_id", "rostered"
    ):
        rostered[pk][category_id] = count
    inputs.rostered = dict(rostered)
    return inputs


def _target_holders(people) -> set[int]:
    return set(
        people.filter(source=Source.TARGET).values_list("institution_id", flat=True).distinct()
    )


def dashboard(
    *,
    user: User,
    area: Area,
    program: Program | None = None,
    category: WorkerCategory | None = None,
    today: dt.date | None = None,
    past: Past | None = None,
) -> Dashboard:
    """The area's dashboard; `past`, when given, is its Past as drawn earlier today from the
    same snapshots and institutions (coverage.views keeps it across refreshes)."""
    today = today or timezone.localdate()
    institutions = list(
        area.institutions.values(
            "pk",
            "name",
            "province_id",
            "regency_id",
            "parent_id",
            "declared_potential",
            "declared_potential_on",
        )
    )
    ids = [i["pk"] for i in institutions]
    parents = {i["pk"]: i["parent_id"] for i in institutions}
    current, as_of = _current(area, program, category)
    inputs = _inputs(area, institutions, today)
    wanted = category.pk if category is not None else None
    potentials = area_potential(inputs, set(ids), wanted)
    if past is None:
        past = _past(area, program, category, parents, today)

    per_institution: dict[int, Figures] = {}
    for pk in set(current) | set(potentials):
        figures = current.get(pk, Figures())
        if past.month is not None:
            figures.previous_registered = past.registered.get(pk, 0)
        per_institution[pk] = figures
    total = Figures(previous_registered=0 if past.month is not None else None)
    for figures in per_institution.values():
        total.add(figures)
    for line in potentials.values():
        total.potential += line.potential
        total.sources |= line.sources

    if area.level == INSTITUTION and category is None:
        query = {"program": program.code} if program is not None else {}
        rows = _by_category(area, program, inputs, set(ids), past, query)
        child_label = _("Worker category")
    else:
        rows, child_label = _children(area, institutions, per_institution, inputs, wanted, today)
    return Dashboard(
        area=area,
        rows=rows,
        total=total,
        trend=past.trend,
        as_of=as_of,
        previous_month=past.month,
        program=program,
        category=category,
        child_label=child_label,
        past=past,
    )


def _children(
    area: Area,
    institutions: list[dict],
    figures: dict[int, Figures],
    inputs: Inputs,
    category_id: int | None,
    today: dt.date,
) -> tuple[list[Row], str]:
    """The area's rows: Kantor Wilayah, provinces, regencies or institutions, as the level asks.
    Institutions above the child level (a national or provincial one) are rows of their own.

    Each row is counted as if it were opened on its own: its potential follows coverage.potential
    within the row. So a Kemenag Kab/Kota row counts its own roster, and the Kanwil Kemenag row
    its provincial targets; the area's total counts such a target once for the workers it
    covers, and may be less than the rows' potentials added up."""
    groups: dict[tuple[str, str], Figures] = defaultdict(Figures)
    members: dict[tuple[str, str], set[int]] = defaultdict(set)
    names: dict[tuple[str, str], str] = {}
    by_pk = {i["pk"]: i for i in institutions}
    kanwil = _province_kanwil(today) if area.level == NATIONAL else {}
    child_level = {
        NATIONAL: KANWIL,
        KANWIL: PROVINCE,
        PROVINCE: REGENCY,
        REGENCY: INSTITUTION,
        INSTITUTION: INSTITUTION,
    }[area.level]
    if area.level == KANWIL and len({i["province_id"] for i in institutions}) == 1:
        child_level = REGENCY  # a Kanwil of one province: straight to its regencies
    for pk, counts in figures.items():
        institution = by_pk[pk]
        if child_level == KANWIL and institution["province_id"] in kanwil:
            office = kanwil[institution["province_id"]]
            key = (KANWIL, str(office.pk))
            names[key] = office.name
        elif child_level == PROVINCE and institution["province_id"]:
            key = (PROVINCE, institution["province_id"])
        elif child_level == REGENCY and institution["regency_id"]:
            key = (REGENCY, institution["regency_id"])
        else:
            key = (INSTITUTION, str(pk))
            names[key] = institution["name"]
        groups[key].add(counts)
        members[key].add(pk)
    for key, pks in members.items():
        for line in area_potential(inputs, pks, category_id).values():
            groups[key].potential += line.potential
            groups[key].sources |= line.sources
    wanted = {level: [k for lv, k in groups if lv == level] for level in (PROVINCE, REGENCY)}
    names.update(
        {
            (PROVINCE, code): name
            for code, name in Province.objects.filter(code__in=wanted[PROVINCE]).values_list(
                "code", "name"
            )
        }
        if wanted[PROVINCE]
        else {}
    )
    names.update(
        {
            (REGENCY, code): name
            for code, name in Regency.objects.filter(code__in=wanted[REGENCY]).values_list(
                "code", "name"
            )
        }
        if wanted[REGENCY]
        else {}
    )
    rows = [
        Row(key=key, name=names.get((level, key), key), url=area_url(level, key), figures=counts)
        for (level, key), counts in groups.items()
    ]
    rows.sort(key=lambda row: (-(row.figures.coverage or -1), row.name))
    label = {
        KANWIL: _("Regional office (Kanwil)"),
        PROVINCE: _("Province"),
        REGENCY: _("Regency or city"),
        INSTITUTION: _("Institution"),
    }[child_level]
    return rows, label


# What every dashboard is drawn from, in one query of a few small aggregates. Each refresh
# writes the workforce figures of the institutions it covers anew (new ids), with their program
# figures; one that only deletes lowers the count. A snapshot updates its run; every change of
# an institution or an agreement sets its `updated_at`; targets, a few hundred rows without a
# time of change, are hashed whole. Reference data (names of regions, offices, categories) is
# not in it.
VERSION_SQL = """
SELECT
  (SELECT count(*) || ':' || coalesce(max(id), 0) FROM coverage_workforcefigure),
  concat_ws(' ',
  (SELECT count(*) || ':' || coalesce(max(taken_at)::text, '') FROM coverage_snapshotrun),
  (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(max(updated_at)::text, '')
     FROM partners_institution),
  (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(max(updated_at)::text, '')
     FROM partners_agreement),
  (SELECT count(*) || ':' || coalesce(sum(hashtext(t::text)), 0) FROM partners_target t),
  (SELECT count(*) || ':' || coalesce(max(id), 0) FROM regions_officearea))
"""


@dataclass(frozen=True)
class DashboardKeys:
    drawn: str  # everything the dashboard is drawn from
    past: str  # everything its Past is drawn from: the same but the current figures


def dashboard_keys(
    *,
    user: User,
    area: Area,
    program: Program | None,
    category: WorkerCategory | None,
    today: dt.date | None = None,
) -> DashboardKeys:
    """Digests of what `dashboard` (with `target_progress`) would draw this area from today for
    this reader: the data (VERSION_SQL, one query) and the reader's scope. Two readers with the
    same keys see the same dashboard."""
    scope = scope_for(user)
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        figures, rest = cursor.fetchone()
    parts = (
        rest,
        str(today or timezone.localdate()),
        area.level,
        area.key,
        program.pk if program is not None else None,
        category.pk if category is not None else None,
        scope.national,
        sorted(scope.office_ids),
        sorted(scope.province_codes),
        sorted(scope.regency_codes),
        sorted(scope.institution_ids),
    )
    past = hashlib.sha256(repr(parts).encode()).hexdigest()
    return DashboardKeys(drawn=hashlib.sha256(f"{past} {figures}".encode()).hexdigest(), past=past)


# --- agreement targets ------------------------------------------------------------------------


@dataclass
class TargetProgress:
    agreement: Agreement
    category: WorkerCategory
    potential: int
    target: int
    baseline: int
    registered: int  # people of the category registered since the signing month (summary)

    @property
    def since(self) -> dt.date | None:
        return signing_month(self.agreement)

    @property
    def reached(self) -> int:
        """Registered when the target was set, plus those registered since the signing month:
        someone registered before it is in the baseline, and is not counted again."""
        return self.baseline + self.registered

    @property
    def share_of_target(self) -> float | None:
        return 100 * self.reached / self.target if self.target else None


def signing_month(agreement: Agreement) -> dt.date | None:
    """The month a target counts registrations from: the signing's (else the start's)."""
    when = agreement.signed_on or agreement.effective_from
    return when.replace(day=1) if when else None


def target_progress(*, area: Area, today: dt.date | None = None) -> list[TargetProgress]:
    """Targets of the live agreements of the area's institutions, each with the workers of its
    category whose primary employer is the agreement's institution (or one under it), registered
    now, whose earliest current registration is in the month of the signing or later (the
    summary RegistrationFigure). Two queries."""
    from partners.models import Target

    today = today or timezone.localdate()
    targets = list(
        Target.objects.filter(
            agreement__institution__in=area.institutions,
            agreement__status__in=(Agreement.Status.ACTIVE, Agreement.Status.EXPIRING),
        )
        .filter(Q(agreement__expires_on__isnull=True) | Q(agreement__expires_on__gte=today))
        .select_related("agreement", "agreement__institution", "category")
        .order_by("agreement__institution__name", "agreement__title", "category__sort_order")[:50]
    )
    if not targets:
        return []
    # Each target by the institution and category it counts, with the month it counts from;
    # a summary line counts for the targets of its institution and of the one above it.
    counting: dict[tuple[int, int], list[tuple[Target, dt.date | None]]] = defaultdict(list)
    for t in targets:
        counting[(t.agreement.institution_id, t.category_id)].append(
            (t, signing_month(t.agreement))
        )
    lines = RegistrationFigure.objects.filter(
        Q(institution_id__in={owner for owner, _category in counting})
        | Q(institution__parent_id__in={owner for owner, _category in counting}),
        category_id__in={category for _owner, category in counting},
    ).values_list("institution_id", "institution__parent_id", "category_id", "month", "registered")
    registered: dict[int, int] = defaultdict(int)
    for institution, parent, category, month, people in lines:
        for owner in (institution, parent):
            for t, since in counting.get((owner, category), ()):
                if since is None or month >= since:
                    registered[t.pk] += people
    return [
        TargetProgress(
            agreement=t.agreement,
            category=t.category,
            potential=t.potential,
            target=t.target,
            baseline=t.baseline,
            registered=registered[t.pk],
        )
        for t in targets
    ]


# --- the lists behind the figures -------------------------------------------------------------

WORKER_STATUSES = ("pending", "inactive", "registered", "active")


def workers_behind(
    *, area: Area, status: str, program: Program | None, category: WorkerCategory | None
) -> QuerySet[Worker]:
    """The people a figure counts: those whose primary employer is in the area (the summary's
    own attribution), narrowed to the status asked for — for one program, or (no program) as a
    person: pending = no registered enrolment; inactive = registered, active in none (no payment
    recorded for the current month, or arrears)."""
    if status not in WORKER_STATUSES:
        raise Http404
    primary = area.of(PrimaryEmployment.objects.filter(worker_id=OuterRef("pk")))
    if category is not None:
        primary = primary.filter(category=category)
    workers = Worker.objects.filter(Exists(primary))
    live = Enrolment.objects.filter(worker_id=OuterRef("pk")).exclude(status=Enrolment.Status.ENDED)
    if program is not None:
        of_program = live.filter(program=program)
        wanted = {
            "pending": of_program.filter(status=Enrolment.Status.PENDING),
            "inactive": of_program.filter(
                status__in=(Enrolment.Status.REGISTERED, Enrolment.Status.INACTIVE)
            ),
            "registered": of_program.filter(status__in=REGISTERED),
            "active": of_program.filter(status=Enrolment.Status.ACTIVE),
        }[status]
        return workers.filter(Exists(wanted))
    registered = Exists(live.filter(status__in=REGISTERED))
    active = Exists(live.filter(status=Enrolment.Status.ACTIVE))
    if status == "pending":
        return workers.filter(~registered)
    if status == "registered":
        return workers.filter(registered)
    if status == "active":
        return workers.filter(active)
    return workers.filter(registered & ~active)


def workers_behind_count(
    *, area: Area, status: str, program: Program | None, category: WorkerCategory | None
) -> int:
    """How many people `workers_behind` lists, as the summary counted them at its last refresh:
    the dashboard's own figure. One query."""
    if program is not None:
        rows = CoverageFigure.objects.filter(program=program)
        total = Sum(status)
    else:
        rows = WorkforceFigure.objects.all()
        total = {
            "pending": Sum("rostered") - Sum("registered"),
            "inactive": Sum("registered") - Sum("active"),
            "registered": Sum("registered"),
            "active": Sum("active"),
        }[status]
    rows = area.of(rows)
    if category is not None:
        rows = rows.filter(category=category)
    return rows.aggregate(total=total)["total"] or 0


def non_submitting(*, area: Area, since: dt.date, today: dt.date | None = None):
    """Institutions of the area with a live agreement that sent no roster since `since` (a file
    refused before its rows were read does not count as sent). One query."""
    today = today or timezone.localdate()
    live = Agreement.objects.filter(
        institution=OuterRef("pk"), status__in=(Agreement.Status.ACTIVE, Agreement.Status.EXPIRING)
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    sent = RosterImport.objects.filter(
        institution=OuterRef("pk"), kind=RosterImport.Kind.ROSTER, created_at__date__gte=since
    ).exclude(status=RosterImport.Status.REFUSED)
    last = (
        RosterImport.objects.filter(institution=OuterRef("pk"), kind=RosterImport.Kind.ROSTER)
        .exclude(status=RosterImport.Status.REFUSED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    from django.db.models import Subquery

    return (
        area.institutions.filter(Exists(live))
        .filter(~Exists(sent))
        .annotate(last_roster=Subquery(last))
        .select_related("province", "regency", "office")
        .order_by("province_id", "regency_id", "name")
    )
