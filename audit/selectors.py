"""Reads of the trail. Callers scope first: these take an object the user may already see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audit.models import Event


def events_of_worker(worker) -> QuerySet[Event]:
    """Every recorded change of the person, their employments and their enrolments, newest first."""
    from enrolment.models import Employment, Enrolment

    return (
        Event.objects.filter(
            Q(table_name="enrolment_worker", row_id=worker.pk)
            | Q(
                table_name="enrolment_employment",
                row_id__in=Employment.objects.filter(worker=worker).values("pk"),
            )
            | Q(
                table_name="enrolment_enrolment",
                row_id__in=Enrolment.objects.filter(worker=worker).values("pk"),
            )
        )
        .select_related("actor", "roster_import")
        .order_by("-at", "-id")
    )


def events_of(table_name: str, row_id: int) -> QuerySet[Event]:
    """The trail of one institution, agreement or other trailed row, newest first."""
    return (
        Event.objects.filter(table_name=table_name, row_id=row_id)
        .select_related("actor", "roster_import")
        .order_by("-at", "-id")
    )
