from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils import timezone

from accounts.demo import (
    BANTEN_MOU,
    BANTEN_PKS,
    BENGKULU_MOU,
    KAB_SERANG_PKS,
    KALTENG_PKS,
    KEJARI_PKS,
    KOTA_SERANG_PKS,
    MALUKU_DRAFT,
    USERS,
    WORKFORCES,
    demo_seed,
    demo_seed_workers,
)
from accounts.models import RoleAssignment, User
from coverage.models import SnapshotRun, WorkforceFigure
from enrolment.models import Enrolment, RosterImport, Worker
from partners.models import (
    Agreement,
    AgreementEvent,
    Change,
    FollowUp,
    Institution,
    Party,
    Signatory,
    Target,
)


def test_demo_data_has_one_login_per_role_and_two_partner_institutions(reference_data):
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {"national_admin", "regional_officer", "partner_admin", "manager"}
    partner_institutions = RoleAssignment.objects.filter(role="partner_admin").values("institution")
    assert partner_institutions.distinct().count() >= 2


def test_every_demo_login_has_an_email_address_for_the_nightly_message(reference_data):
    assert User.objects.get(username="petugas.kanwil").email == "petugas.kanwil@sinergi.test"
    demo_users = User.objects.filter(username__in=[row[0] for row in USERS])
    assert demo_users.count() == len(USERS) and not demo_users.filter(email="").exists()


def test_the_banten_mou_is_active_with_both_document_numbers_and_its_signatories(reference_data):
    mou = Agreement.objects.get(title=BANTEN_MOU)
    assert (mou.kind, mou.status, mou.place_signed) == ("mou", "active", "Serang")
    assert (mou.signed_on, mou.expires_on) == (dt.date(2025, 1, 15), dt.date(2027, 1, 14))
    assert mou.responsible.username == "petugas.kanwil"
    assert set(mou.programs.values_list("code", flat=True)) == {"JKK", "JKM", "JHT"}
    assert mou.flat_wage == 2_000_000 and mou.funding_source == "apbn"
    numbers = {p.name: p.document_number for p in mou.parties.select_related("institution")}
    assert numbers == {
        "Kanwil Kemenag Provinsi Banten": "B-0157/Kw.28/HM.01/01/2025",
        "Kantor Wilayah Banten": "MOU/3/012025",
    }
    witnesses = mou.signatories.filter(role=Signatory.Role.WITNESS)
    assert witnesses.count() == 2
    kemenag_nips = mou.signatories.filter(party__institution__isnull=False)
    assert all(len(s.nip) == 18 and s.nip.isdigit() for s in kemenag_nips)


def test_the_banten_mou_history_reads_as_the_officer_recorded_it(reference_data):
    mou = Agreement.objects.get(title=BANTEN_MOU)
    statuses = [c.changes["status"] for c in mou.history.filter(action="status").order_by("id")]
    assert statuses == [["draft", "in_review"], ["in_review", "signed"], ["signed", "active"]]
    assert set(mou.history.values_list("actor__username", flat=True)) == {"petugas.kanwil"}


def test_the_banten_pks_carries_the_targets_an_officer_quotes(reference_data):
    pks = Agreement.objects.get(title=BANTEN_PKS)
    assert pks.parent.title == BANTEN_MOU and pks.status == "active"
    targets = {
        t.category.code: (t.potential, t.baseline, t.target)
        for t in pks.targets.select_related("category")
    }
    assert targets == {
        "GURU_MADIN": (24_201, 24_201, 24_201),
        "PENYULUH_AGAMA": (1_094, 0, 1_094),
        "GURU_MADRASAH": (5_000, 0, 5_000),
    }
    deadline = pks.targets.get(category__code="GURU_MADRASAH").deadline
    assert deadline == dt.date(timezone.localdate().year + 1, 12, 31)
    assert pks.events.get().kind == AgreementEvent.Kind.SIGNING


def test_the_banten_pks_has_one_overdue_and_one_upcoming_follow_up(reference_data):
    today = timezone.localdate()
    open_ones = Agreement.objects.get(title=BANTEN_PKS).follow_ups.filter(
        status__in=FollowUp.OPEN_STATUSES
    )
    overdue = [f for f in open_ones if f.is_overdue(today)]
    assert [(f.action, f.person_in_charge, (today - f.due_on).days) for f in overdue] == [
        ("Kirim data guru madrasah diniyah tahap 2", "Kasubbag TU Kanwil Kemenag Banten", 10)
    ]
    assert len([f for f in open_ones if f.due_on > today]) == 1


def test_the_serang_pks_are_derived_from_the_mou_for_the_branch_office(reference_data):
    mou = Agreement.objects.get(title=BANTEN_MOU)
    for title, institution in [
        (KOTA_SERANG_PKS, "Kantor Kemenag Kota Serang"),
        (KAB_SERANG_PKS, "Kantor Kemenag Kabupaten Serang"),
    ]:
        pks = Agreement.objects.get(title=title)
        assert (pks.kind, pks.status, pks.parent) == ("pks", "active", mou)
        assert pks.institution.name == institution and pks.office.code == "kc-serang"
        assert pks.responsible.username == "petugas.serang"
        assert not pks.outlives_parent()


def test_the_kejari_pks_ends_next_month(reference_data):
    kejari = Agreement.objects.get(title=KEJARI_PKS)
    assert kejari.status == "active" and kejari.institution.name == "Kejaksaan Negeri Serang"
    assert kejari.expires_on == timezone.localdate() + dt.timedelta(days=30)


def test_the_maluku_pks_is_still_a_draft_without_dates(reference_data):
    draft = Agreement.objects.get(title=MALUKU_DRAFT)
    assert draft.status == "draft" and draft.office.code == "kc-ambon"
    assert (draft.signed_on, draft.effective_from, draft.expires_on) == (None, None, None)


def test_the_bengkulu_mou_records_the_symbolic_card_hand_over(reference_data):
    mou = Agreement.objects.get(title=BENGKULU_MOU)
    assert mou.status == "active" and mou.office.code == "kanwil-sumbagsel"
    assert mou.institution.province_id == "17"
    event = mou.events.get(kind=AgreementEvent.Kind.CARD_HANDOVER)
    assert "Bengkulu" in event.place and event.participants
    assert "Penyerahan kartu peserta secara simbolis" in event.notes


def test_the_kalimantan_tengah_pks_integrates_permits_with_the_dpmptsp(reference_data):
    pks = Agreement.objects.get(title=KALTENG_PKS)
    assert pks.status == "active" and pks.scopes[0] == Agreement.Scope.PERMIT_INTEGRATION
    assert pks.office.code == "kanwil-kalimantan"
    assert pks.institution.name == "Pemerintah Provinsi Kalimantan Tengah"
    parties = {p.name for p in pks.parties.select_related("institution", "office")}
    assert (
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Tengah"
        in parties
    )
    assert pks.targets.get().category.code == "HONORER_PEMDA"


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            User,
            Institution,
            RoleAssignment,
            Agreement,
            Party,
            Signatory,
            Target,
            FollowUp,
            AgreementEvent,
            Change,
        )
    )


def test_seeding_the_demo_again_changes_nothing(reference_data):
    before = _counts()
    password_hash = User.objects.get(username="admin").password
    updated = dict(Agreement.objects.values_list("title", "updated_at"))
    demo_seed()
    assert _counts() == before
    assert User.objects.get(username="admin").password == password_hash
    assert dict(Agreement.objects.values_list("title", "updated_at")) == updated


def test_the_demo_cast_the_tests_load_has_no_workers(reference_data):
    assert not Worker.objects.exists()


def test_demo_workers_are_rostered_registered_and_paid_at_three_institutions_once(
    reference_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    line = demo_seed_workers()

    people = {
        line["institution__name"]: (line["rostered"], line["registered"], line["active"])
        for line in WorkforceFigure.objects.values("institution__name").annotate(
            rostered=Sum("rostered"), registered=Sum("registered"), active=Sum("active")
        )
    }
    assert set(people) == {force.institution for force in WORKFORCES}
    for force in WORKFORCES:
        rostered, registered, active = people[force.institution]
        assert (rostered, registered) == (force.workers, sum(force.registered))
        assert 0 < active < registered
        assert f"{force.institution} {force.workers} ({registered} terdaftar" in line
    assert Enrolment.objects.filter(status="inactive").exists()  # arrears
    assert Enrolment.objects.exclude(rejected_reason="").exists()  # refusals
    assert set(RosterImport.objects.values_list("status", flat=True)) == {"applied"}
    assert SnapshotRun.objects.count() == 2
    ambon = Institution.objects.get(name="Kantor Kemenag Kota Ambon")
    assert ambon.declared_potential == 600 and ambon.declared_potential_on is not None

    before = (Worker.objects.count(), RosterImport.objects.count(), Change.objects.count())
    assert "tidak ada yang ditambahkan" in demo_seed_workers()
    assert (Worker.objects.count(), RosterImport.objects.count(), Change.objects.count()) == before
