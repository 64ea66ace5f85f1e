"""The officer's home page: what needs attention today, and who does not see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.demo import BANTEN_PKS, KEJARI_PKS, MALUKU_DRAFT
from accounts.models import Role, RoleAssignment, User
from partners.models import Agreement, FollowUp, Institution
from partners.services import agreement_change_status, agreement_create, follow_up_save
from regions.models import Office

ATTENTION = "Perlu perhatian Anda"
ALL_CLEAR = "Tidak ada yang perlu perhatian Anda hari ini"


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _home(client, user: User, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response.content.decode()


def _card(page: str, testid: str) -> str:
    """The HTML of one attention card, so a test reads what that card says."""
    start = page.index(f'data-testid="{testid}"')
    end = page.find('data-testid="attention-', start + 1)
    return page[start : end if end != -1 else len(page)]


@pytest.fixture
def bali_office(reference_data) -> Office:
    return Office.objects.get(code="kanwil-bali-nusra-papua")


@pytest.fixture
def bali_officer(bali_office) -> User:
    """An officer whose area holds no demo agreement, so every figure on the page is this test's."""
    user = User.objects.create_user(username="petugas.bali", full_name="Made Wirawan")
    RoleAssignment.objects.create(user=user, role=Role.REGIONAL_OFFICER, office=bali_office)
    return user


@pytest.fixture
def pemprov_bali(bali_office) -> Institution:
    return Institution.objects.create(
        name="Pemerintah Provinsi Bali",
        kind=Institution.Kind.PEMPROV,
        level=Institution.Level.PROVINCE,
        province_id="51",
        office=bali_office,
    )


@pytest.fixture
def record(bali_officer, bali_office, pemprov_bali):
    def make(title: str, *, expires_on: dt.date | None = None, active: bool = True) -> Agreement:
        dates = {}
        if expires_on:
            start = expires_on - dt.timedelta(days=730)
            dates = {"signed_on": start, "effective_from": start, "expires_on": expires_on}
        agreement = agreement_create(
            by=bali_officer,
            kind=Agreement.Kind.PKS,
            title=title,
            institution=pemprov_bali,
            office=bali_office,
            **dates,
        )
        for status in ["in_review", "signed", "active"] if active else []:
            agreement = agreement_change_status(agreement=agreement, to=status, by=bali_officer)
        return agreement

    return make


def test_an_overdue_follow_up_appears_on_the_officers_home_page(client, kanwil_officer):
    page = _home(client, kanwil_officer)
    card = _card(page, "attention-follow-ups")
    assert "Tindak lanjut terlambat" in card
    assert "Kirim data guru madrasah diniyah tahap 2" in card
    assert BANTEN_PKS in card
    assert "Penanggung jawab: Kasubbag TU Kanwil Kemenag Banten" in card
    assert f"Tenggat {_days(-10):%d-%m-%Y}" in card and "terlambat 10 hari" in card
    pks = Agreement.objects.get(title=BANTEN_PKS)
    assert reverse("partners:agreement_detail", args=[pks.pk]) in card


def test_the_kejari_pks_ending_next_month_is_listed_with_the_days_left(client, branch_officer):
    card = _card(_home(client, branch_officer, hari=30), "attention-expiring")
    assert "Berakhir dalam 30 hari" in card
    assert KEJARI_PKS in card and "Kejaksaan Negeri Serang · Aktif" in card
    assert f"Berakhir pada {_days(30):%d-%m-%Y}" in card and "30 hari lagi" in card


def test_the_officer_picks_how_far_ahead_to_look_and_odd_values_fall_back_to_90_days(
    client, bali_officer, record
):
    record("PKS Tenaga Honorer Kabupaten Badung", expires_on=_days(45))

    assert "PKS Tenaga Honorer Kabupaten Badung" not in _home(client, bali_officer, hari=30)
    page = _home(client, bali_officer, hari=60)
    assert "Berakhir dalam 60 hari" in page and "45 hari lagi" in page
    assert '<option value="60" selected>60 hari</option>' in page
    for odd in ["7", "abc", "-90", ""]:
        page = _home(client, bali_officer, hari=odd)
        assert "Berakhir dalam 90 hari" in page and "PKS Tenaga Honorer Kabupaten Badung" in page
        assert '<option value="90" selected>90 hari</option>' in page


def test_an_agreement_past_its_end_but_still_active_is_listed(client, bali_officer, record):
    record("PKS Tenaga Honorer Kota Denpasar", expires_on=_days(-5))
    card = _card(_home(client, bali_officer), "attention-expired")
    assert "Sudah lewat masa berlaku, masih berstatus aktif" in card
    assert "PKS Tenaga Honorer Kota Denpasar" in card
    assert f"Berakhir pada {_days(-5):%d-%m-%Y}" in card and "5 hari yang lalu" in card


def test_a_draft_untouched_for_a_month_is_listed_and_a_fresh_one_is_not(
    client, bali_officer, record
):
    old = record("Draf PKS Kabupaten Gianyar", active=False)
    record("Draf PKS Kabupaten Tabanan", active=False)
    Agreement.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=40))

    card = _card(_home(client, bali_officer), "attention-drafts")
    assert "Draf tanpa perubahan 30 hari atau lebih" in card
    assert "Draf PKS Kabupaten Gianyar" in card and "40 hari yang lalu" in card
    assert "Draf PKS Kabupaten Tabanan" not in card


def test_an_empty_list_says_so_in_one_sentence(client, bali_officer, record):
    pks = record("PKS Tenaga Honorer Kabupaten Buleleng", expires_on=_days(400))
    follow_up_save(
        agreement=pks,
        by=bali_officer,
        action="Kirim data honorer tahap 1",
        person_in_charge="Kepala BKPSDM",
        due_on=_days(-3),
    )
    page = _home(client, bali_officer)
    assert "Kirim data honorer tahap 1" in _card(page, "attention-follow-ups")
    assert "Tidak ada perjanjian yang berakhir dalam 90 hari ke depan." in page
    assert "Tidak ada perjanjian yang sudah lewat masa berlakunya" in page
    assert "Tidak ada draf yang dibiarkan tanpa perubahan selama 30 hari." in page
    assert "Tidak ada tindak lanjut yang terlambat." not in page
    assert ALL_CLEAR not in page


def test_when_nothing_needs_attention_the_page_says_so_once(client, bali_officer, record):
    record("PKS Tenaga Honorer Kabupaten Karangasem", expires_on=_days(400))
    page = _home(client, bali_officer)
    assert ATTENTION in page
    assert page.count(ALL_CLEAR) == 1
    assert 'data-testid="attention-expiring"' not in page
    assert "Tidak ada tindak lanjut yang terlambat." not in page


@pytest.mark.parametrize("role", ["banten_partner_admin", "manager"])
def test_partner_admins_and_managers_do_not_see_the_attention_list(client, request, role):
    page = _home(client, request.getfixturevalue(role))
    assert ATTENTION not in page and ALL_CLEAR not in page
    assert "Kirim data guru madrasah diniyah tahap 2" not in page
    if role == "banten_partner_admin":
        assert "Lembaga Anda" in page and "Kantor Kemenag Kota Serang" in page


def test_the_maluku_draft_is_outside_a_banten_officers_attention(client, kanwil_officer):
    Agreement.objects.filter(title=MALUKU_DRAFT).update(
        updated_at=timezone.now() - dt.timedelta(days=90)
    )
    assert MALUKU_DRAFT not in _home(client, kanwil_officer)


def test_the_home_page_costs_the_same_few_queries_with_dozens_of_agreements(
    client, bali_officer, bali_office, pemprov_bali, django_assert_max_num_queries
):
    start = dt.date(2025, 1, 2)
    common = dict(institution=pemprov_bali, office=bali_office, kind=Agreement.Kind.PKS)
    live = dict(status=Agreement.Status.ACTIVE, signed_on=start, effective_from=start)
    agreements = Agreement.objects.bulk_create(
        [
            Agreement(title=f"PKS akan berakhir {i}", expires_on=_days(i + 1), **live, **common)
            for i in range(24)
        ]
        + [
            Agreement(title=f"PKS lewat masa {i}", expires_on=_days(-i - 1), **live, **common)
            for i in range(13)
        ]
        + [Agreement(title=f"Draf lama {i}", **common) for i in range(12)]
    )
    Agreement.objects.filter(title__startswith="Draf lama").update(
        updated_at=timezone.now() - dt.timedelta(days=45)
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            agreement=agreement,
            action=f"Kirim data tahap {i}",
            person_in_charge="Kepala BKPSDM",
            due_on=_days(-i - 1),
        )
        for i, agreement in enumerate(agreements[:30])
    )

    client.force_login(bali_officer)
    # session, user, the second factor's device, roles, office tree, office areas, institution
    # count, the 4 lists and their 4 counts, and the idle-timeout session save (with its
    # savepoint): none grows with rows
    with django_assert_max_num_queries(18):
        page = client.get(reverse("home")).content.decode()

    assert "Menampilkan 10 dari 24." in _card(page, "attention-expiring")
    assert "Menampilkan 10 dari 13." in _card(page, "attention-expired")
    assert "Menampilkan 10 dari 30." in _card(page, "attention-follow-ups")
    assert "Menampilkan 10 dari 12." in _card(page, "attention-drafts")
    assert page.count("/mitra/perjanjian/") >= 40
