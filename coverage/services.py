"""Writes of coverage: the summary rebuilt after imports and enrolment changes, and the monthly
snapshot.

`coverage_refresh` recomputes the figures of some institutions (or all) in one transaction of
set-based SQL. A worker counts at their primary employer, so a change at one institution can move
a worker's figures to another: the refresh widens the set to every institution that employs a
worker of the given ones. Refreshes take one advisory lock, so two never interleave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from coverage import potential
from coverage.models import (
    CoverageFigure,
    CoverageSnapshot,
    PrimaryEmployment,
    RegistrationFigure,
    SnapshotRun,
    WorkforceFigure,
    WorkforceSnapshot,
)

Source = CoverageSnapshot.Source
LOCK = (4_243, 1)  # advisory lock of the coverage refresh

# The primary employment of each worker on a day: running, the earliest started, lowest id.
PRIMARY_SQL = """
INSERT INTO coverage_primaryemployment (worker_id, institution_id, category_id)
SELECT DISTINCT ON (e.worker_id) e.worker_id, e.institution_id, e.category_id
FROM enrolment_employment e
WHERE e.start_date <= %(today)s AND (e.ended_on IS NULL OR e.ended_on >= %(today)s)
  {workers}
ORDER BY e.worker_id, e.start_date, e.id
"""
WORKERS_OF = """e.worker_id IN (SELECT x.worker_id FROM enrolment_employment x
                   WHERE x.institution_id = ANY(%(institutions)s))"""
FORGET_PRIMARY_SQL = """
DELETE FROM coverage_primaryemployment e
WHERE e.institution_id = ANY(%(institutions)s) OR e.worker_id IN (
  SELECT x.worker_id FROM enrolment_employment x WHERE x.institution_id = ANY(%(institutions)s))
"""

FIGURES_SQL = """
INSERT INTO coverage_coveragefigure
  (institution_id, program_id, category_id, enrolled, pending, registered, active, inactive,
   paid_current, refreshed_at)
SELECT p.institution_id, n.program_id, p.category_id,
       count(*),
       count(*) FILTER (WHERE n.status = 'pending'),
       count(*) FILTER (WHERE n.status IN ('registered', 'active', 'inactive')),
       count(*) FILTER (WHERE n.status = 'active'),
       count(*) FILTER (WHERE n.status IN ('registered', 'inactive')),
       count(*) FILTER (WHERE n.status IN ('registered', 'active', 'inactive')
                          AND n.paid_through >= %(month)s),
       now()
FROM coverage_primaryemployment p
JOIN enrolment_enrolment n ON n.worker_id = p.worker_id AND n.status <> 'ended'
{where}
GROUP BY p.institution_id, n.program_id, p.category_id
"""

# One pass over the people: their figures, and (registered ones) the month of their earliest
# current registration, which agreement targets count from.
WORKFORCE_SQL = """
WITH people AS (
  SELECT p.institution_id, p.category_id,
         bool_or(n.status IN ('registered', 'active', 'inactive')) AS registered,
         bool_or(n.status = 'active') AS active,
         bool_or(n.status IN ('registered', 'active', 'inactive')
                 AND n.paid_through >= %(month)s) AS paid,
         min(n.registered_on) FILTER (WHERE n.status IN ('registered', 'active', 'inactive'))
           AS registered_on
  FROM coverage_primaryemployment p
  LEFT JOIN enrolment_enrolment n ON n.worker_id = p.worker_id AND n.status <> 'ended'
  {where}
  GROUP BY p.institution_id, p.category_id, p.worker_id
), workforce AS (
  INSERT INTO coverage_workforcefigure
    (institution_id, category_id, rostered, registered, active, paid_current, refreshed_at)
  SELECT institution_id, category_id, count(*), count(*) FILTER (WHERE registered),
         count(*) FILTER (WHERE active), count(*) FILTER (WHERE paid), now()
  FROM people
  GROUP BY institution_id, category_id
)
INSERT INTO coverage_registrationfigure (institution_id, category_id, month, registered)
SELECT institution_id, category_id, date_trunc('month', registered_on)::date, count(*)
FROM people
WHERE registered
GROUP BY 1, 2, 3
"""

AFFECTED_SQL = """
SELECT DISTINCT e.institution_id FROM enrolment_employment e
WHERE e.worker_id IN (SELECT x.worker_id FROM enrolment_employment x
                      WHERE x.institution_id = ANY(%(institutions)s))
"""


def affected_institutions(institution_ids: Iterable[int]) -> list[int]:
    """The institutions given and every other one that employs one of their workers."""
    ids = sorted(set(institution_ids))
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(AFFECTED_SQL, {"institutions": ids})
        return sorted(set(ids) | {row[0] for row in cursor.fetchall()})


@transaction.atomic
def coverage_refresh(
    *, institution_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> int:
    """Rebuild the figures of the given institutions (widened to those sharing a worker), or of
    all when None. Returns the number of figure rows written."""
    today = today or timezone.localdate()
    params: dict = {"today": today, "month": today.replace(day=1)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", LOCK)
    if institution_ids is None:
        PrimaryEmployment.objects.all().delete()
        CoverageFigure.objects.all().delete()
        WorkforceFigure.objects.all().delete()
        RegistrationFigure.objects.all().delete()
        workers, where = "", ""
    else:
        ids = affected_institutions(institution_ids)
        if not ids:
            return 0
        params["institutions"] = ids
        with connection.cursor() as cursor:
            cursor.execute(FORGET_PRIMARY_SQL, params)
        CoverageFigure.objects.filter(institution_id__in=ids).delete()
        WorkforceFigure.objects.filter(institution_id__in=ids).delete()
        RegistrationFigure.objects.filter(institution_id__in=ids).delete()
        workers = f"AND {WORKERS_OF}"
        where = "WHERE p.institution_id = ANY(%(institutions)s)"
    with connection.cursor() as cursor:
        cursor.execute(PRIMARY_SQL.format(workers=workers), params)
        cursor.execute(FIGURES_SQL.format(where=where), params)
        written = cursor.rowcount
        cursor.execute(WORKFORCE_SQL.format(where=where), params)
    return written


def coverage_refresh_later(institution_ids: Iterable[int]) -> None:
    """After the current transaction commits, queue a refresh of these institutions. A broker
    that is down is logged, not raised: the nightly full refresh catches up."""
    ids = sorted(set(institution_ids))
    if not ids:
        return

    def send() -> None:
        from config.celery import send_quietly

        send_quietly("coverage.tasks.refresh_coverage", [ids])

    transaction.on_commit(send)


@transaction.atomic
def coverage_snapshot(*, month: dt.date, by: User | None = None) -> SnapshotRun:
    """Freeze the current figures and potentials as those of `month` (replacing an earlier
    snapshot of the same month): the trend lines are drawn from these rows."""
    month = month.replace(day=1)
    CoverageSnapshot.objects.filter(month=month).delete()
    WorkforceSnapshot.objects.filter(month=month).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO coverage_coveragesnapshot
              (month, institution_id, program_id, category_id, enrolled, pending, registered,
               active, inactive, paid_current)
            SELECT %(month)s, institution_id, program_id, category_id, enrolled, pending,
                   registered, active, inactive, paid_current
            FROM coverage_coveragefigure
            """,
            {"month": month},
        )
    people = {(row.institution_id, row.category_id): row for row in WorkforceFigure.objects.all()}
    inputs = potential.inputs_now(None, month)
    rows = []
    for institution_id in sorted(set(inputs.targets) | {i for i, _c in people}):
        targets = inputs.targets.get(institution_id, {})
        categories = set(targets) | {c for i, c in people if i == institution_id}
        for category_id in sorted(categories):
            counts = people.get((institution_id, category_id))
            rows.append(
                WorkforceSnapshot(
                    month=month,
                    institution_id=institution_id,
                    category_id=category_id,
                    potential=targets[category_id][0] if category_id in targets else 0,
                    source=Source.TARGET if category_id in targets else Source.ROSTER,
                    rostered=counts.rostered if counts else 0,
                    registered=counts.registered if counts else 0,
                    active=counts.active if counts else 0,
                    paid_current=counts.paid_current if counts else 0,
                )
            )
    rows += [
        WorkforceSnapshot(
            month=month,
            institution_id=institution_id,
            category_id=None,
            potential=amount,
            source=Source.DECLARED,
        )
        for institution_id, (amount, _when) in inputs.declared.items()
    ]
    WorkforceSnapshot.objects.bulk_create(rows, batch_size=5000)
    run, _created = SnapshotRun.objects.update_or_create(
        month=month, defaults={"taken_at": timezone.now(), "taken_by": by}
    )
    return run
