"""Reads for enrolment, always through the user's scope: outside it, nothing (lists) or 404.

A roster import, a worker or an employment is in scope when its institution is in
`partners.selectors.institutions_for(user)`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import DateField, Exists, F, Lookup, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.scope import scope_for
from enrolment.models import (
    Employment,
    Enrolment,
    EnrolmentChange,
    ImportEvent,
    Program,
    Restriction,
    RosterImport,
    RowIssue,
    Worker,
    WorkerCategory,
    WorkerChange,
)
from partners.models import Agreement, Institution
from partners.selectors import institutions_for
from regions.models import Province

# --- roster imports --------------------------------------------------------------------------


def imports_for(user: User) -> QuerySet[RosterImport]:
    return RosterImport.objects.filter(institution__in=institutions_for(user))


def import_list(
    user: User, institution: Institution | None = None, *, kinds: tuple[str, ...] = ()
) -> QuerySet[RosterImport]:
    """The history: newest first, with what each row shows; only `kinds` when given."""
    imports = imports_for(user).select_related("institution", "uploaded_by")
    if institution is not None:
        imports = imports.filter(institution=institution)
    if kinds:
        imports = imports.filter(kind__in=kinds)
    return imports.order_by("-created_at", "-pk")


def import_get(*, user: User, pk: int) -> RosterImport:
    """One import in the user's scope; anything else is 404 so its existence does not leak."""
    try:
        return (
            imports_for(user)
            .select_related("institution", "agreement", "uploaded_by", "applied_by", "rejected_by")
            .get(pk=pk)
        )
    except RosterImport.DoesNotExist:
        raise Http404 from None


# An apply's remaining time is estimated from the last applies of rosters large enough for their
# rate to be the rows' and not the transaction's fixed costs.
APPLY_RATE_SAMPLE = 20
APPLY_RATE_MIN_ROWS = 1_000


def roster_apply_rate() -> float | None:
    """Rows a second the recent roster applies wrote (their median; a count of rows, nobody's
    data, whatever the institution), or None before the first."""
    recent = (
        RosterImport.objects.filter(
            status=RosterImport.Status.APPLIED,
            kind=RosterImport.Kind.ROSTER,
            rows_valid__gte=APPLY_RATE_MIN_ROWS,
        )
        .order_by("-claimed_at")  # the index on (status, claimed_at), read backwards
        .values_list("rows_valid", "timings")[:APPLY_RATE_SAMPLE]
    )
    rates = [rows / timings["apply"] for rows, timings in recent if timings.get("apply")]
    return statistics.median(rates) if rates else None


def import_issues(
    roster_import: RosterImport, severity: str = "", code: str = "", column: str = ""
) -> QuerySet[RowIssue]:
    """The import's row issues in row order, narrowed by whichever of the filters is given."""
    issues = RowIssue.objects.filter(roster_import=roster_import)
    if severity:
        issues = issues.filter(severity=severity)
    if code:
        issues = issues.filter(code=code)
    if column:
        issues = issues.filter(column=column)
    return issues.order_by("row", "pk")


def import_issue_choices(roster_import: RosterImport) -> tuple[list[str], list[str]]:
    """The codes and columns this import's issues have: what the filters offer."""
    issues = RowIssue.objects.filter(roster_import=roster_import).order_by()
    codes = issues.values_list("code", flat=True).distinct().order_by("code")
    columns = issues.values_list("column", flat=True).distinct().order_by("column")
    return list(codes), list(columns)


def import_events(roster_import: RosterImport) -> QuerySet[ImportEvent]:
    return roster_import.events.select_related("actor").order_by("at", "pk")


def roster_agreements_choosable(*, user: User) -> QuerySet[Agreement]:
    """Agreements a roster of an institution in scope can be tied to: the live ones of those
    institutions and of the institutions above them (enrolment.services.roster_agreements)."""
    today = timezone.localdate()
    live = Agreement.objects.filter(
        status__in=[Agreement.Status.ACTIVE, Agreement.Status.EXPIRING]
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    scope = scope_for(user)
    if scope.is_empty:
        return Agreement.objects.none()
    if not scope.national:
        chain = set(institutions_for(user).values_list("pk", flat=True))
        frontier = chain
        while frontier:  # one query per level up; trees are short
            parents = set(
                Institution.objects.filter(pk__in=frontier, parent__isnull=False).values_list(
                    "parent_id", flat=True
                )
            )
            frontier = parents - chain
            chain |= frontier
        live = live.filter(institution_id__in=chain)
    return live.select_related("institution").order_by("institution__name", "title")


# --- workers ---------------------------------------------------------------------------------


class ILike(Lookup):
    """`column ILIKE pattern`, which a trigram index on the column serves. Django's `icontains`
    compares UPPER(column) instead, which no index has: a name search read all the workers."""

    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


def employments_for(user: User) -> QuerySet[Employment]:
    """Employments at an institution in the user's scope. A national scope holds every
    institution, so every employment: asking the institution table about each one cost the
    name search a third of its count at a million workers."""
    if scope_for(user).national:
        return Employment.objects.all()
    return Employment.objects.filter(institution__in=institutions_for(user))


def workers_for(user: User) -> QuerySet[Worker]:
    """Workers with an employment at an institution in the user's scope."""
    return Worker.objects.filter(Exists(employments_for(user).filter(worker=OuterRef("pk"))))


def worker_list(
    *,
    user: User,
    query: str = "",
    institution: Institution | None = None,
    province: Province | None = None,
    category: WorkerCategory | None = None,
    program: Program | None = None,
    status: str = "",
    roster_import: RosterImport | None = None,
) -> QuerySet[Worker]:
    """The worker registry's rows in a fixed number of queries however long the page: the
    workers, then their employments (with institution and category), then their enrolments.

    A whole NIK (16 digits) finds its person and nothing else; any other text searches names
    (ILIKE, served by the trigram index `worker_name_trgm`). The employment filters
    (institution, its province, category, the import it came from) must hold for one and the
    same employment in scope; program and status for one and the same enrolment.

    Each worker gets `listed_employments` (those in scope that match the filters, each with
    `institution_name` and `category_name`) and `listed_enrolments` (each with `program_code`
    and `program_name`).
    """
    employments = employments_for(user)
    if institution is not None:
        employments = employments.filter(institution=institution)
    if province is not None:
        employments = employments.filter(institution__province=province)
    if category is not None:
        employments = employments.filter(category=category)
    if roster_import is not None:
        employments = employments.filter(source_import=roster_import)
    workers = Worker.objects.filter(Exists(employments.filter(worker=OuterRef("pk"))))
    if program is not None or status:
        enrolments = Enrolment.objects.filter(worker=OuterRef("pk"))
        if program is not None:
            enrolments = enrolments.filter(program=program)
        if status:
            enrolments = enrolments.filter(status=status)
        workers = workers.filter(Exists(enrolments))
    query = query.strip()
    if query:
        compact = query.replace(" ", "").replace(".", "")
        if len(compact) == 16 and compact.isdigit():
            workers = workers.filter(nik=compact)  # a whole NIK finds its person, never a part
        else:
            pattern = f"%{connection.ops.prep_for_like_query(query)}%"
            workers = workers.filter(ILike(F("full_name"), pattern))
    # Only the columns the list and its export show: each other column was a value decoded (a
    # timestamp parsed) for every worker, employment, institution, enrolment and program of the
    # page. Another field of a worker is one more query per row: read it with worker_get. The
    # names of an employment's institution and category and of an enrolment's program come as
    # annotations, not as objects of their own: half the objects built for a page.
    workers = workers.only("nik", "full_name", "updated_at")
    return workers.order_by("full_name", "pk").prefetch_related(
        Prefetch(
            "employments",
            queryset=employments.annotate(
                institution_name=F("institution__name"), category_name=F("category__name")
            )
            .only("worker_id", "work_unit", "wage")
            .order_by("institution__name", "work_unit", "pk"),
            to_attr="listed_employments",
        ),
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.annotate(
                program_name=F("program__name"), program_code=F("program__code")
            )
            .only("worker_id", "status")
            .order_by("program__sort_order", "program__code"),
            to_attr="listed_enrolments",
        ),
    )


def worker_get(*, user: User, pk: int) -> Worker:
    """One worker employed at an institution in the user's scope; anyone else is 404."""
    try:
        return workers_for(user).select_related("regency").get(pk=pk)
    except Worker.DoesNotExist:
        raise Http404 from None


def employment_get(*, user: User, worker: Worker, pk: int) -> Employment:
    """One of the worker's employments at an institution in the user's scope, or 404."""
    try:
        return Employment.objects.select_related("institution").get(
            pk=pk, worker=worker, institution__in=institutions_for(user)
        )
    except Employment.DoesNotExist:
        raise Http404 from None


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class WorkerDetail:
    """A person's page. Every employment is listed, but one at an institution outside the
    user's scope shows only that it exists (`in_scope` False): no name, unit, wage or import."""

    employments: list[Employment]
    enrolments: list[Enrolment]
    changes: list[tuple[WorkerChange, list[FieldChange]]]
    imports_in_scope: set[int]
    institutions_in_scope: set[int]
    restrictions: list[Restriction] = field(default_factory=list)  # newest first

    @property
    def endable(self) -> list[Employment]:
        return [e for e in self.employments if e.in_scope and e.ended_on is None]

    @property
    def restriction(self) -> Restriction | None:
        """The open restriction of processing, if any."""
        return next((r for r in self.restrictions if r.is_open), None)


def _readable(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(field, DateField) and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}-{value[5:7]}-{value[0:4]}"
    return str(value)


def _enrolment_entries(enrolment: Enrolment) -> list:
    """The enrolment's history, newest first, beginning with its creation: an import's enrolment
    records that itself (created pending by the import its confirming user applied) rather than
    in an EnrolmentChange row; one added by hand, and the imports of before, have the row."""
    entries = list(enrolment.history.all())
    roster_import = enrolment.source_import
    if roster_import is not None and not any(change.before == "" for change in entries):
        entries.append(
            EnrolmentChange(
                enrolment=enrolment,
                before="",
                after=Enrolment.Status.PENDING,
                actor=roster_import.applied_by,
                roster_import=roster_import,
                at=enrolment.created_at,
            )
        )
    return entries


def worker_detail(*, user: User, worker: Worker) -> WorkerDetail:
    """The person's employments, enrolments (each with its history), field changes and
    restrictions of processing, in seven queries: employments, enrolments, their history,
    changes, imports and institutions in scope, restrictions."""
    employments = list(
        worker.employments.select_related("institution", "category", "source_import").order_by(
            F("ended_on").desc(nulls_first=True), "start_date", "pk"
        )
    )
    enrolments = list(
        worker.enrolments.select_related("program", "agreement", "source_import__applied_by")
        .prefetch_related(
            Prefetch(
                "history",
                queryset=EnrolmentChange.objects.select_related("actor", "roster_import").order_by(
                    "-at", "-pk"
                ),
            )
        )
        .order_by("program__sort_order", "program__code")
    )
    changes = list(worker.changes.select_related("roster_import").order_by("-at", "-pk"))
    import_ids = {e.source_import_id for e in employments} | {c.roster_import_id for c in changes}
    import_ids |= {h.roster_import_id for e in enrolments for h in e.history.all()}
    import_ids |= {e.source_import_id for e in enrolments}
    import_ids.discard(None)
    institution_ids = {e.institution_id for e in employments}
    institution_ids |= {e.agreement.institution_id for e in enrolments if e.agreement}
    in_scope = set(
        institutions_for(user).filter(pk__in=institution_ids).values_list("pk", flat=True)
    )
    imports_in_scope = set(imports_for(user).filter(pk__in=import_ids).values_list("pk", flat=True))
    for employment in employments:
        employment.in_scope = employment.institution_id in in_scope
    labels = dict(Enrolment.Status.choices)
    for enrolment in enrolments:
        enrolment.entries = _enrolment_entries(enrolment)
        for change in enrolment.entries:
            change.before_label = str(labels.get(change.before, change.before))
            change.after_label = str(labels.get(change.after, change.after))
    fields = {f.name: f for f in Worker._meta.concrete_fields}
    fields |= {f.attname: f for f in Worker._meta.concrete_fields}
    readable_changes = []
    for change in changes:
        lines = []
        for key, pair in change.changes.items():
            before, after = (
                (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            )
            field = fields.get(key)
            label = str(field.verbose_name) if field is not None else key
            lines.append(FieldChange(label, _readable(field, before), _readable(field, after)))
        readable_changes.append((change, lines))
    restrictions = list(
        worker.restrictions.select_related("set_by", "lifted_by").order_by("-set_at", "-pk")
    )
    return WorkerDetail(
        employments, enrolments, readable_changes, imports_in_scope, in_scope, restrictions
    )


def restriction_open(*, worker: Worker) -> Restriction | None:
    """The worker's open restriction of processing, if any (one index lookup)."""
    return Restriction.objects.filter(worker=worker, lifted_at__isnull=True).first()


def workers_employed_at(*, institution: Institution) -> int:
    return Employment.objects.filter(institution=institution).values("worker").distinct().count()
