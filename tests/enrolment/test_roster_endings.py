"""Rosters that report workers who left (TGL_BERHENTI, ALASAN_BERHENTI): the employment ends, and
the enrolments with it unless another employment keeps them, with their history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from enrolment import services
from enrolment.imports import apply
from enrolment.models import Employment, Enrolment, EnrolmentChange, StagedRow, Worker
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"
AMBON = "Kantor Kemenag Kota Ambon"


def left(serial: int, **values: str) -> dict[str, str]:
    """A roster row of a worker who resigned on 30-06-2025."""
    return row(serial, **({"TGL_BERHENTI": "30-06-2025", "ALASAN_BERHENTI": "resign"} | values))


def upload(user, institution, rows):
    return services.roster_upload(
        by=user, institution=institution, upload=roster_file(rows), enqueue=False
    )


def check_and_apply(user, institution, rows):
    roster_import = upload(user, institution, rows)
    checked = services.roster_validate(import_id=roster_import.pk)
    assert checked.rows_error == 0, list(checked.issues.values_list("code", flat=True))
    services.roster_confirm(by=user, roster_import=checked, enqueue=False)
    applied = services.roster_apply(import_id=roster_import.pk)
    assert applied.status == "applied"
    return applied


def employment(serial: int, institution) -> Employment:
    return Employment.objects.get(worker__nik=row(serial)["NIK"], institution=institution)


def enrolments(serial: int):
    return Enrolment.objects.filter(worker__nik=row(serial)["NIK"]).order_by("program__code")


@pytest.fixture
def serang(institution):
    return institution(SERANG)


@pytest.fixture
def ambon(institution):
    return institution(AMBON)


def test_the_end_of_one_of_two_employments_keeps_the_enrolments_and_of_the_last_ends_them(
    serang_partner_admin, maluku_partner_admin, branch_officer, serang, ambon
):
    check_and_apply(serang_partner_admin, serang, [row(1), row(2)])
    check_and_apply(maluku_partner_admin, ambon, [row(1)])
    jkk = enrolments(1).get(program__code="JKK")
    services.enrolment_register(
        enrolment=jkk, kpj="26041234567", registered_on=dt.date(2025, 1, 6), by=branch_officer
    )

    check_and_apply(serang_partner_admin, serang, [left(1), row(2)])

    at_serang = employment(1, serang)
    assert (at_serang.ended_on, at_serang.end_reason) == (dt.date(2025, 6, 30), "resigned")
    assert employment(1, ambon).ended_on is None
    assert {e.status for e in enrolments(1)} == {"pending", "registered"}  # Ambon keeps them
    assert not EnrolmentChange.objects.filter(after="ended").exists()

    ending = check_and_apply(
        maluku_partner_admin, ambon, [left(1, TGL_BERHENTI="31-07-2025", ALASAN_BERHENTI="Wafat")]
    )

    at_ambon = employment(1, ambon)
    assert (at_ambon.ended_on, at_ambon.end_reason) == (dt.date(2025, 7, 31), "died")
    ended = list(enrolments(1))
    assert [(e.status, e.ended_on, e.end_reason) for e in ended] == [
        ("ended", dt.date(2025, 7, 31), "died")
    ] * 3
    changes = EnrolmentChange.objects.filter(after="ended").order_by("enrolment__program__code")
    assert [(c.enrolment_id, c.before, c.roster_import_id) for c in changes] == [
        (ended[0].pk, "pending", ending.pk),  # JHT
        (ended[1].pk, "registered", ending.pk),  # JKK
        (ended[2].pk, "pending", ending.pk),  # JKM
    ]
    assert all(AMBON in change.note for change in changes)
    assert {change.actor for change in changes} == {maluku_partner_admin}
    assert ending.summary == {"employments_ended": 1, "enrolments_ended": 3}
    assert {e.status for e in enrolments(2)} == {"pending"}  # nobody else's


def test_applying_the_same_ending_again_changes_nothing(serang_partner_admin, serang):
    check_and_apply(serang_partner_admin, serang, [row(1), row(2)])
    check_and_apply(serang_partner_admin, serang, [left(1), row(2)])
    before = (
        list(Employment.objects.values_list("pk", "ended_on", "end_reason", "updated_at")),
        list(Enrolment.objects.values_list("pk", "status", "ended_on", "end_reason", "updated_at")),
        EnrolmentChange.objects.count(),
    )

    # The same ending again, and then a later date with another reason: the first end stays.
    check_and_apply(serang_partner_admin, serang, [left(1)])
    check_and_apply(
        serang_partner_admin,
        serang,
        [left(1, TGL_BERHENTI="31-12-2025", ALASAN_BERHENTI="pensiun"), row(2)],
    )

    after = (
        list(Employment.objects.values_list("pk", "ended_on", "end_reason", "updated_at")),
        list(Enrolment.objects.values_list("pk", "status", "ended_on", "end_reason", "updated_at")),
        EnrolmentChange.objects.count(),
    )
    assert after == before
    assert employment(1, serang).ended_on == dt.date(2025, 6, 30)


def test_a_worker_reported_as_having_left_is_recorded_but_not_enrolled(
    serang_partner_admin, serang
):
    roster_import = upload(serang_partner_admin, serang, [left(1), row(2)])
    checked = services.roster_validate(import_id=roster_import.pk)
    staged = StagedRow.objects.filter(roster_import_id=checked.pk).order_by("row")
    assert [(s.row, s.ended_on, s.end_reason) for s in staged] == [
        (2, dt.date(2025, 6, 30), "resigned"),
        (3, None, ""),
    ]
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    applied = services.roster_apply(import_id=roster_import.pk)

    assert Worker.objects.filter(nik=row(1)["NIK"]).exists()
    gone = employment(1, serang)
    assert (gone.ended_on, gone.end_reason, gone.source_import_id) == (
        dt.date(2025, 6, 30),
        "resigned",
        applied.pk,
    )
    assert not enrolments(1).exists()
    assert enrolments(2).count() == 3 == applied.enrolments_created


def test_the_apply_counts_the_endings_and_names_the_confirming_user_in_the_history(
    serang_partner_admin, serang
):
    check_and_apply(serang_partner_admin, serang, [row(1), row(2)])
    roster_import = upload(serang_partner_admin, serang, [left(1), row(2)])
    services.roster_validate(import_id=roster_import.pk)

    def apply_staged():
        with transaction.atomic():
            counts, timings = apply.apply_staged(
                import_id=roster_import.pk,
                institution_id=serang.pk,
                agreement_id=roster_import.agreement_id,
                default_programs=services.default_programs(roster_import.agreement),
                actor_id=serang_partner_admin.pk,
            )
        assert "endings" in timings
        return counts

    first, again = apply_staged(), apply_staged()

    assert (first.employments_ended, first.enrolments_ended, first.enrolments) == (1, 3, 0)
    assert (again.employments_ended, again.enrolments_ended, again.enrolments) == (0, 0, 0)
    changes = EnrolmentChange.objects.filter(after="ended")
    assert changes.count() == 3
    assert {(c.actor, c.roster_import_id) for c in changes} == {
        (serang_partner_admin, roster_import.pk)
    }
