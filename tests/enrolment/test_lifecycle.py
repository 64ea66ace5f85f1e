"""An enrolment's life: pending → registered → active / inactive → ended, with its history."""

from __future__ import annotations

import datetime as dt

import pytest

from enrolment import services
from enrolment.models import Employment, Enrolment, Program, Worker
from partners.models import Agreement
from tests.enrolment.rosters import roster_file, row

D = dt.date


@pytest.fixture
def applied(serang_partner_admin, institution):
    """Two workers of Kemenag Kota Serang, enrolled in JKK, JKM and JHT by a roster."""
    roster_import = services.roster_upload(
        by=serang_partner_admin,
        institution=institution("Kantor Kemenag Kota Serang"),
        upload=roster_file([row(1), row(2)]),
        enqueue=False,
    )
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    return services.roster_apply(import_id=roster_import.pk)


def enrolment(serial: int, code: str) -> Enrolment:
    return Enrolment.objects.get(worker__nik=row(serial)["NIK"], program__code=code)


def test_registration_sets_the_kpj_and_the_date_and_keeps_the_history(applied, branch_officer):
    jkk = enrolment(1, "JKK")
    services.enrolment_register(
        enrolment=jkk, kpj="2604 1234 567", registered_on=D(2026, 11, 2), by=branch_officer
    )
    jkk.refresh_from_db()
    assert jkk.status == "registered" and jkk.registered_on == D(2026, 11, 2)
    assert Worker.objects.get(pk=jkk.worker_id).kpj == "26041234567"
    change = jkk.history.exclude(after="pending").get()
    assert (change.before, change.after, change.actor) == ("pending", "registered", branch_officer)


def test_a_kpj_must_have_eleven_digits_and_cannot_change_silently(applied, branch_officer):
    jkk, jkm = enrolment(1, "JKK"), enrolment(1, "JKM")
    with pytest.raises(services.EnrolmentError, match="11 digit"):
        services.enrolment_register(
            enrolment=jkk, kpj="12345", registered_on=D(2026, 11, 2), by=branch_officer
        )
    services.enrolment_register(
        enrolment=jkk, kpj="26041234567", registered_on=D(2026, 11, 2), by=branch_officer
    )
    with pytest.raises(services.EnrolmentError, match="KPJ lain"):
        services.enrolment_register(
            enrolment=jkm, kpj="26049999999", registered_on=D(2026, 11, 2), by=branch_officer
        )


def test_payment_through_this_month_is_active_and_an_older_one_inactive(applied, branch_officer):
    jkm = enrolment(1, "JKM")
    services.enrolment_register(
        enrolment=jkm, kpj="26041234567", registered_on=D(2026, 6, 1), by=branch_officer
    )
    services.enrolment_record_payment(
        enrolment=jkm, paid_through=D(2026, 11, 30), today=D(2026, 11, 21), by=None
    )
    jkm.refresh_from_db()
    assert (jkm.status, jkm.paid_through) == ("active", D(2026, 11, 1))
    services.enrolment_record_payment(
        enrolment=jkm, paid_through=D(2026, 9, 1), today=D(2026, 12, 5), by=None
    )
    jkm.refresh_from_db()
    assert jkm.status == "inactive"
    assert [c.after for c in jkm.history.all()] == ["inactive", "active", "registered"]


def test_a_pending_enrolment_cannot_be_paid_or_jump_to_active(applied):
    with pytest.raises(services.EnrolmentError):
        services.enrolment_record_payment(
            enrolment=enrolment(1, "JKK"),
            paid_through=D(2026, 11, 1),
            today=D(2026, 11, 2),
            by=None,
        )


def test_jp_and_jkp_are_never_allowed_and_jht_only_with_the_agreement(applied, branch_officer):
    worker = Worker.objects.get(nik=row(1)["NIK"])
    pks = Agreement.objects.get(title="PKS Kantor Kemenag Kota Serang")
    for code in ["JP", "JKP"]:
        with pytest.raises(services.EnrolmentError, match=code):
            services.enrolment_add(
                worker=worker,
                program=Program.objects.get(code=code),
                agreement=pks,
                by=branch_officer,
            )
    assert services.enrolment_programs_allowed(segment="PU", agreement=pks) == {"JKK", "JKM", "JHT"}
    without_jht = Agreement.objects.get(title__startswith="PKS Integrasi Layanan Perizinan")
    assert services.enrolment_programs_allowed(segment="PU", agreement=without_jht) == {
        "JKK",
        "JKM",
    }
    assert services.enrolment_programs_allowed(segment="BPU", agreement=None) == {"JKK", "JKM"}


def test_ending_the_only_employment_ends_the_enrolments(applied, branch_officer):
    employment = Employment.objects.get(worker__nik=row(2)["NIK"])
    services.employment_end(
        employment=employment, ended_on=D(2026, 12, 31), reason="contract_ended", by=branch_officer
    )
    employment.refresh_from_db()
    assert (employment.ended_on, employment.end_reason) == (D(2026, 12, 31), "contract_ended")
    ended = Enrolment.objects.filter(worker=employment.worker)
    assert {e.status for e in ended} == {"ended"} and {e.end_reason for e in ended} == {
        "contract_ended"
    }
    with pytest.raises(services.EnrolmentError, match="sudah berakhir"):
        services.employment_end(
            employment=employment, ended_on=D(2027, 1, 1), reason="resigned", by=branch_officer
        )


def test_another_employment_keeps_the_enrolments(applied, branch_officer, institution):
    first = Employment.objects.get(worker__nik=row(1)["NIK"])
    Employment.objects.create(
        worker=first.worker,
        institution=institution("Kantor Kemenag Kabupaten Serang"),
        work_unit="MI Al-Falah",
        category=first.category,
        wage=1_500_000,
        start_date=D(2020, 1, 1),
        source_import=first.source_import,
    )
    services.employment_end(employment=first, ended_on=D(2026, 12, 31), reason="resigned", by=None)
    assert not Enrolment.objects.filter(worker=first.worker, status="ended").exists()


def test_a_partner_admin_elsewhere_cannot_end_the_employment(applied, maluku_partner_admin):
    employment = Employment.objects.get(worker__nik=row(1)["NIK"])
    with pytest.raises(services.EnrolmentError):
        services.employment_end(
            employment=employment,
            ended_on=D(2026, 12, 31),
            reason="resigned",
            by=maluku_partner_admin,
        )
