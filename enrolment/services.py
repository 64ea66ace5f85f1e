"""Writes for enrolment. For now: loading the reference programs, categories and rates."""

from __future__ import annotations

from django.db import transaction

from enrolment import reference
from enrolment.models import ContributionRate, Program, WageCeiling, WorkerCategory
from regions.services import LoadCounts


@transaction.atomic
def enrolment_load_reference() -> LoadCounts:
    """Programs, worker categories, contribution rates and JP ceilings.

    Rows are looked up by their natural key and only created when missing: an administrator's
    correction in the admin is never overwritten by a later run.
    """
    counts = LoadCounts()
    programs = {}
    for order, (code, name, description) in enumerate(reference.PROGRAMS, start=1):
        programs[code], created = Program.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order}
        )
        counts.found(created=created)
    for order, (code, name) in enumerate(reference.WORKER_CATEGORIES, start=1):
        _obj, created = WorkerCategory.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        counts.found(created=created)
    for rate in reference.contribution_rates():
        key = {k: rate[k] for k in ("segment", "payer", "risk_class", "valid_from")}
        defaults = {k: v for k, v in rate.items() if k not in key and k != "program"}
        _obj, created = ContributionRate.objects.get_or_create(
            program=programs[rate["program"]], **key, defaults=defaults
        )
        counts.found(created=created)
    for amount, valid_from, valid_to in reference.JP_CEILINGS:
        _obj, created = WageCeiling.objects.get_or_create(
            program=programs["JP"],
            valid_from=valid_from,
            defaults={
                "amount": amount,
                "valid_to": valid_to,
                "legal_basis": reference.JP_CEILING_BASIS,
                "needs_verification": True,
            },
        )
        counts.found(created=created)
    return counts
