"""The nightly status update: active → expiring → expired, and one e-mail per officer.

Each test travels to a fixed night first, then records its agreements, so history timestamps
follow the story. The demo agreements move too on those nights; the assertions look only at
this file's agreements and officers.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse

from accounts.models import Role, RoleAssignment, User
from partners.models import Agreement, Change
from partners.services import agreement_change_status, agreement_create
from partners.tasks import advance_agreement_statuses
from regions.models import Office

EXPIRES = dt.date(2027, 6, 30)
JAKARTA = ZoneInfo("Asia/Jakarta")
ACTIVE_PATH = ["in_review", "signed", "active"]


def _night(days_before_expiry: int) -> dt.datetime:
    """01:00 in Jakarta, when beat runs the task, so many days before EXPIRES."""
    day = EXPIRES - dt.timedelta(days=days_before_expiry)
    return dt.datetime.combine(day, dt.time(1, 0), tzinfo=JAKARTA)


@pytest.fixture
def night(time_machine):
    """Go to the night so many days before EXPIRES (negative: after it)."""

    def go(days_before_expiry: int) -> None:
        time_machine.move_to(_night(days_before_expiry), tick=False)

    go(100)
    return go


@pytest.fixture
def recorder(reference_data) -> User:
    """An officer of Kantor Wilayah Banten who records agreements."""
    user = User.objects.create_user(
        username="petugas.pencatat", email="petugas.pencatat@sinergi.test", full_name="Budi Santoso"
    )
    RoleAssignment.objects.create(
        user=user, role=Role.REGIONAL_OFFICER, office=Office.objects.get(code="kanwil-banten")
    )
    return user


@pytest.fixture
def officer(reference_data) -> User:
    """The officer responsible for the agreements."""
    return User.objects.create_user(
        username="petugas.malam", email="petugas.malam@sinergi.test", full_name="Yusuf Hidayat"
    )


@pytest.fixture
def record(night, recorder, institution):
    def make(
        title: str,
        *,
        expires_on: dt.date = EXPIRES,
        responsible: User | None = None,
        path: list[str] = ACTIVE_PATH,
    ) -> Agreement:
        agreement = agreement_create(
            by=recorder,
            kind=Agreement.Kind.PKS,
            title=title,
            institution=institution("Kanwil Kemenag Provinsi Banten"),
            office=Office.objects.get(code="kanwil-banten"),
            signed_on=dt.date(2025, 7, 1),
            effective_from=dt.date(2025, 7, 1),
            expires_on=expires_on,
            responsible=responsible,
        )
        for status in path:
            agreement = agreement_change_status(agreement=agreement, to=status, by=recorder)
        return agreement

    return make


def _status(agreement: Agreement) -> str:
    agreement.refresh_from_db()
    return agreement.status


def _nightly_changes(agreement: Agreement) -> list[tuple[list[str], str]]:
    rows = agreement.history.filter(actor=None, action=Change.Action.STATUS).order_by("id")
    return [(row.changes["status"], row.note) for row in rows]


def _to(mailoutbox, user: User) -> list:
    return [message for message in mailoutbox if message.to == [user.email]]


def test_an_agreement_moves_to_expiring_89_days_before_its_end_and_to_expired_after_it(
    night, record, officer
):
    pks = record("PKS Guru Madrasah Kabupaten Lebak", responsible=officer)

    advance_agreement_statuses()
    assert _status(pks) == "active"  # 100 days to go: not yet

    night(89)
    advance_agreement_statuses()
    assert _status(pks) == "expiring"

    night(0)  # its last day still counts
    advance_agreement_statuses()
    assert _status(pks) == "expiring"

    night(-1)
    advance_agreement_statuses()
    assert _status(pks) == "expired"
    assert _nightly_changes(pks) == [
        (["active", "expiring"], "Pemeriksaan malam: perjanjian berakhir dalam 90 hari."),
        (
            ["expiring", "expired"],
            "Pemeriksaan malam: perjanjian telah melewati tanggal berakhirnya.",
        ),
    ]


def test_a_second_run_the_same_night_moves_nothing_and_writes_nothing(
    night, record, officer, mailoutbox
):
    pks = record("PKS Guru Madrasah Kota Cilegon", responsible=officer)
    night(89)
    advance_agreement_statuses()
    history = pks.history.count()
    sent = len(mailoutbox)

    assert advance_agreement_statuses() == {"expired": 0, "expiring": 0, "active": 0, "emails": 0}
    assert pks.history.count() == history
    assert len(mailoutbox) == sent
    assert len(_to(mailoutbox, officer)) == 1


def test_drafts_and_terminated_agreements_are_never_touched(night, record):
    draft = record("Draf PKS Kabupaten Pandeglang", path=[])
    terminated = record("PKS Kabupaten Tangerang yang diakhiri", path=["terminated"])
    for days in (89, -1):
        night(days)
        advance_agreement_statuses()
    assert (_status(draft), _status(terminated)) == ("draft", "terminated")
    assert _nightly_changes(draft) == _nightly_changes(terminated) == []


def test_the_responsible_officer_gets_one_email_in_indonesian_listing_all_their_moved_agreements(
    night, record, officer, mailoutbox, settings
):
    settings.SITE_URL = "https://sinergi.bpjs.example"
    ending = record(
        "PKS Guru Madrasah Kabupaten Serang",
        expires_on=EXPIRES - dt.timedelta(days=30),
        responsible=officer,
    )
    ended = record(
        "PKS Penyuluh Agama Kota Tangerang",
        expires_on=EXPIRES - dt.timedelta(days=101),
        responsible=officer,
    )
    later = record(
        "PKS Tenaga Kependidikan Kota Tangerang Selatan",
        expires_on=EXPIRES + dt.timedelta(days=365),
        responsible=officer,
    )

    advance_agreement_statuses()

    [message] = _to(mailoutbox, officer)
    assert message.subject == "Sinergi: 2 perjanjian perlu perhatian"
    body = message.body
    assert body.startswith("Yth. Yusuf Hidayat,")
    assert "Malam ini Sinergi mengubah status perjanjian" in body
    assert "- PKS Penyuluh Agama Kota Tangerang — Kanwil Kemenag Provinsi Banten" in body
    assert "Status: Berakhir; berakhir pada 21-03-2027" in body
    assert "Status: Akan berakhir; berakhir pada 31-05-2027" in body
    for agreement in (ending, ended):
        path = reverse("partners:agreement_detail", args=[agreement.pk])
        assert f"https://sinergi.bpjs.example{path}\n" in body
    assert later.title not in body
    # The one that ended earlier comes first.
    assert body.index(ended.title) < body.index(ending.title)


def test_without_a_responsible_officer_the_one_who_recorded_it_is_told(
    night, record, recorder, mailoutbox
):
    pks = record("PKS Guru Madrasah Kabupaten Lebak", responsible=None)
    night(89)
    advance_agreement_statuses()
    [message] = _to(mailoutbox, recorder)
    assert message.body.startswith("Yth. Budi Santoso,") and pks.title in message.body


def test_an_officer_without_an_email_address_gets_none_and_the_agreement_still_moves(
    night, record, recorder, mailoutbox
):
    silent = User.objects.create_user(username="petugas.tanpa.surel", email="")
    pks = record("PKS Guru Madrasah Kabupaten Lebak", responsible=silent)
    night(89)
    advance_agreement_statuses()
    assert _status(pks) == "expiring"
    assert not [message for message in mailoutbox if pks.title in message.body]


def test_the_nightly_update_is_scheduled_every_night_at_one():
    entry = settings.CELERY_BEAT_SCHEDULE["partners-nightly-statuses"]
    assert entry["task"] == advance_agreement_statuses.name
    assert entry["task"] == "partners.tasks.advance_agreement_statuses"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert (schedule.hour, schedule.minute) == ({1}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Jakarta"
