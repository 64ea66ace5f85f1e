import datetime as dt

import pytest
from django.db import IntegrityError

from enrolment.models import Program
from partners.models import Agreement, Change
from partners.services import (
    AgreementError,
    agreement_change_status,
    agreement_create,
    agreements_advance_statuses,
)
from regions.models import Office

D = dt.date


@pytest.fixture
def banten_mou(kanwil_officer, institution):
    return agreement_create(
        by=kanwil_officer,
        kind=Agreement.Kind.MOU,
        title="Nota Kesepahaman Perlindungan Jaminan Sosial Ketenagakerjaan Pegawai Non-ASN",
        institution=institution("Kanwil Kemenag Provinsi Banten"),
        office=Office.objects.get(code="kanwil-banten"),
        signed_on=D(2025, 1, 10),
        effective_from=D(2025, 1, 10),
        expires_on=D(2027, 1, 9),
        scopes=[Agreement.Scope.COVERAGE, Agreement.Scope.DATA_EXCHANGE],
        programs=list(Program.objects.filter(code__in=["JKK", "JKM"])),
    )


def test_recording_an_mou_writes_who_created_it_and_with_what(banten_mou, kanwil_officer):
    event = banten_mou.history.get()
    assert event.action == Change.Action.CREATED and event.actor == kanwil_officer
    assert event.changes["expires_on"] == [None, "2027-01-09"]
    assert banten_mou.status == Agreement.Status.DRAFT
    assert set(banten_mou.programs.values_list("code", flat=True)) == {"JKK", "JKM"}


def test_a_draft_goes_through_review_and_signing_to_active(banten_mou, kanwil_officer):
    for status in ["in_review", "signed", "active"]:
        agreement_change_status(agreement=banten_mou, to=status, by=kanwil_officer)
    banten_mou.refresh_from_db()
    assert banten_mou.status == "active"
    assert banten_mou.is_active_on(D(2026, 11, 21))
    assert [e.changes["status"] for e in banten_mou.history.filter(action="status")][::-1] == [
        ["draft", "in_review"],
        ["in_review", "signed"],
        ["signed", "active"],
    ]


def test_a_draft_cannot_jump_to_active(banten_mou, kanwil_officer):
    with pytest.raises(AgreementError, match="“Draf” tidak dapat diubah menjadi “Aktif”"):
        agreement_change_status(agreement=banten_mou, to="active", by=kanwil_officer)
    banten_mou.refresh_from_db()
    assert banten_mou.status == "draft"
    assert not banten_mou.history.filter(action="status").exists()


def test_an_agreement_may_not_expire_before_it_starts(banten_mou):
    with pytest.raises(IntegrityError):
        Agreement.objects.filter(pk=banten_mou.pk).update(expires_on=D(2024, 12, 31))


def test_a_signed_agreement_needs_its_dates(kanwil_officer, institution):
    agreement = agreement_create(
        by=kanwil_officer,
        kind="pks",
        title="PKS tanpa tanggal",
        institution=institution("Kantor Kemenag Kota Serang"),
        office=Office.objects.get(code="kc-serang"),
    )
    agreement_change_status(agreement=agreement, to="in_review", by=kanwil_officer)
    with pytest.raises(AgreementError, match="Isi tanggal penandatanganan"):
        agreement_change_status(agreement=agreement, to="signed", by=kanwil_officer)


def test_a_pks_may_not_start_before_its_mou_and_is_flagged_when_it_outlives_it(
    banten_mou, kanwil_officer, institution
):
    common = dict(
        by=kanwil_officer,
        kind="pks",
        title="PKS Kemenag Kota Serang",
        institution=institution("Kantor Kemenag Kota Serang"),
        office=Office.objects.get(code="kc-serang"),
        parent=banten_mou,
    )
    with pytest.raises(AgreementError):
        agreement_create(**common, effective_from=D(2024, 12, 1), expires_on=D(2026, 12, 1))
    pks = agreement_create(**common, effective_from=D(2025, 3, 1), expires_on=D(2027, 6, 30))
    assert pks.outlives_parent()


@pytest.mark.parametrize(
    "user, institution_name, office_code, message",
    [
        (
            "branch_officer",
            "Kanwil Kemenag Provinsi Maluku",
            "kc-ambon",
            "Lembaga ini berada di luar wilayah kerja Anda.",
        ),
        (
            "banten_partner_admin",
            "Kantor Kemenag Kota Serang",
            "kc-serang",
            "Hanya petugas BPJS yang dapat mencatat perjanjian.",
        ),
    ],
    ids=["officer-outside-their-area", "partner-admin"],
)
def test_agreements_are_recorded_only_by_officers_and_only_in_their_area(
    user, institution_name, office_code, message, request, institution
):
    with pytest.raises(AgreementError, match=message):
        agreement_create(
            by=request.getfixturevalue(user),
            kind="pks",
            title="PKS",
            institution=institution(institution_name),
            office=Office.objects.get(code=office_code),
        )
    assert not Agreement.objects.filter(title="PKS").exists()


def test_an_addendum_needs_the_agreement_it_amends(banten_mou):
    with pytest.raises(IntegrityError):
        Agreement.objects.create(
            kind="addendum",
            title="Addendum",
            institution=banten_mou.institution,
            office=banten_mou.office,
        )


def test_the_nightly_update_moves_active_agreements_to_expiring_then_expired(
    banten_mou, kanwil_officer
):
    for status in ["in_review", "signed", "active"]:
        agreement_change_status(agreement=banten_mou, to=status, by=kanwil_officer)

    # Only this agreement moves: the demo's agreements are set aside.
    Agreement.objects.exclude(pk=banten_mou.pk).update(status=Agreement.Status.TERMINATED)
    assert agreements_advance_statuses(today=D(2026, 9, 1)) == {
        "expired": [],
        "expiring": [],
        "active": [],
    }
    assert agreements_advance_statuses(today=D(2026, 11, 1)) == {
        "expired": [],
        "expiring": [banten_mou.pk],
        "active": [],
    }
    banten_mou.refresh_from_db()
    assert banten_mou.status == "expiring"
    assert agreements_advance_statuses(today=D(2027, 1, 10)) == {
        "expired": [banten_mou.pk],
        "expiring": [],
        "active": [],
    }
    banten_mou.refresh_from_db()
    assert banten_mou.status == "expired"
    last = banten_mou.history.first()
    assert last.actor is None and last.changes == {"status": ["expiring", "expired"]}


def test_an_expiring_agreement_whose_end_was_extended_is_active_again(banten_mou, kanwil_officer):
    for status in ["in_review", "signed", "active"]:
        agreement_change_status(agreement=banten_mou, to=status, by=kanwil_officer)
    agreements_advance_statuses(today=D(2026, 11, 1))
    banten_mou.refresh_from_db()
    assert banten_mou.status == "expiring"
    Agreement.objects.filter(pk=banten_mou.pk).update(expires_on=D(2029, 1, 9))  # an addendum

    moved = agreements_advance_statuses(today=D(2026, 11, 2))

    assert banten_mou.pk in moved["active"]
    banten_mou.refresh_from_db()
    assert banten_mou.status == "active"
    assert banten_mou.history.first().changes == {"status": ["expiring", "active"]}
