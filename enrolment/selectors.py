"""Reads for enrolment, always through the user's scope: outside it, nothing (lists) or 404.

A roster import, a worker or an employment is in scope when its institution is in
`partners.selectors.institutions_for(user)`.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.scope import scope_for
from enrolment.models import Employment, Enrolment, ImportEvent, RosterImport, RowIssue, Worker
from partners.models import Agreement, Institution
from partners.selectors import institutions_for

# --- roster imports --------------------------------------------------------------------------


def imports_for(user: User) -> QuerySet[RosterImport]:
    return RosterImport.objects.filter(institution__in=institutions_for(user))


def import_list(user: User, institution: Institution | None = None) -> QuerySet[RosterImport]:
    """The history: newest first, with what each row shows."""
    imports = imports_for(user).select_related("institution", "uploaded_by")
    if institution is not None:
        imports = imports.filter(institution=institution)
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


def workers_for(user: User) -> QuerySet[Worker]:
    """Workers with an employment at an institution in the user's scope."""
    employed = Employment.objects.filter(
        worker=OuterRef("pk"), institution__in=institutions_for(user)
    )
    return Worker.objects.filter(Exists(employed))


def worker_list(
    *, user: User, institution: Institution | None = None, query: str = ""
) -> QuerySet[Worker]:
    """The worker list's rows in a fixed number of queries however long the page: the workers,
    then their employments in scope (with institution and category), then their enrolments.

    Each worker gets `listed_employments` (only those the user may see, and only at
    `institution` when given) and `listed_enrolments` (with the program).
    """
    employments = Employment.objects.filter(institution__in=institutions_for(user))
    if institution is not None:
        employments = employments.filter(institution=institution)
    workers = Worker.objects.filter(Exists(employments.filter(worker=OuterRef("pk"))))
    query = query.strip()
    if query:
        compact = query.replace(" ", "").replace(".", "")
        if len(compact) == 16 and compact.isdigit():
            workers = workers.filter(nik=compact)  # a whole NIK finds its person, never a part
        else:
            workers = workers.filter(full_name__icontains=query)
    return workers.order_by("full_name", "pk").prefetch_related(
        Prefetch(
            "employments",
            queryset=employments.select_related("institution", "category").order_by(
                "institution__name", "work_unit", "pk"
            ),
            to_attr="listed_employments",
        ),
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.select_related("program").order_by(
                "program__sort_order", "program__code"
            ),
            to_attr="listed_enrolments",
        ),
    )


def workers_employed_at(*, institution: Institution) -> int:
    return Employment.objects.filter(institution=institution).values("worker").distinct().count()
