"""An officer's agreement work in a real browser: MoU, derived PKS, target, follow-up, and the
home page that reminds them once the follow-up is overdue; a partner elsewhere sees none of it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from partners.models import Agreement

pytestmark = pytest.mark.browser

MOU = "Nota Kesepahaman Perlindungan Pegawai Non-ASN Kemenag Banten 2026"
PKS = "PKS Perlindungan Guru Madrasah Kota Serang 2026"
FOLLOW_UP = "Kirim data guru madrasah diniyah Kota Serang tahap 1"


def _fill_dates(page: Page, signed: dt.date, expires: dt.date) -> None:
    page.locator("#id_place_signed").fill("Serang")
    page.locator("#id_signed_on").fill(signed.isoformat())
    page.locator("#id_effective_from").fill(signed.isoformat())
    page.locator("#id_expires_on").fill(expires.isoformat())


def test_an_officer_records_an_mou_derives_a_pks_and_is_reminded_of_an_overdue_follow_up(
    page, browser, live_server, sign_in, kanwil_officer, maluku_partner_admin, screenshot
):
    today = timezone.localdate()
    sign_in(page, kanwil_officer.username)

    # The MoU with Kanwil Kemenag Banten
    page.get_by_test_id("main-nav").get_by_role("link", name="Perjanjian", exact=True).click()
    page.get_by_role("link", name="Catat perjanjian").click()
    page.locator("#id_kind").select_option("mou")
    page.locator("#id_title").fill(MOU)
    page.locator("#id_institution").select_option(label="Kanwil Kemenag Provinsi Banten")
    page.locator("#id_office").select_option(label="Kantor Wilayah Banten")
    page.locator("#id_institution_number").fill("B-1207/Kw.28/HM.01/2026")
    page.locator("#id_office_number").fill("NK/15/012026")
    _fill_dates(page, today - dt.timedelta(days=30), today + dt.timedelta(days=700))
    page.get_by_label("Perluasan kepesertaan").check()
    page.get_by_label("Pertukaran data").check()
    for program in ["JKK", "JKM", "JHT"]:
        page.get_by_label(program, exact=False).first.check()
    page.locator("#id_funding_source").select_option("apbn")
    page.locator("#id_flat_wage").fill("2000000")
    screenshot(page, "agreement-mou-form")
    page.get_by_role("button", name="Simpan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(MOU)
    expect(page.get_by_text("Perjanjian telah dicatat.")).to_be_visible()
    expect(page.get_by_text("B-1207/Kw.28/HM.01/2026")).to_be_visible()
    screenshot(page, "agreement-mou-detail")

    # A PKS derived from it for Kemenag Kota Serang
    page.get_by_role("link", name="Buat PKS turunan").click()
    expect(page.locator("#id_kind")).to_have_value("pks")
    expect(page.get_by_label("JKK", exact=False).first).to_be_checked()
    page.locator("#id_title").fill(PKS)
    page.locator("#id_institution").select_option(label="Kantor Kemenag Kota Serang")
    page.locator("#id_office").select_option(label="Kantor Cabang Serang")
    page.locator("#id_institution_number").fill("B-88/Kk.28.73/2026")
    page.locator("#id_office_number").fill("PKS/KC-SRG/07/2026")
    _fill_dates(page, today - dt.timedelta(days=20), today + dt.timedelta(days=600))
    screenshot(page, "agreement-derive-form")
    page.get_by_role("button", name="Simpan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(PKS)
    expect(page.get_by_role("link", name=MOU).first).to_be_visible()

    # A target and a follow-up
    page.get_by_text("Tambah target").click()
    page.locator("#targets select[name=category]").select_option(label="Guru Madrasah Diniyah")
    page.locator("#targets input[name=potential]").fill("1250")
    page.locator("#targets input[name=baseline]").fill("300")
    page.locator("#targets input[name=target]").fill("1250")
    page.locator("#targets").get_by_role("button", name="Tambah").click()
    targets = page.get_by_test_id("targets")
    expect(targets).to_contain_text("Guru Madrasah Diniyah")
    expect(targets).to_contain_text("1.250")
    expect(targets).to_contain_text("950")

    page.get_by_text("Tambah tindak lanjut").click()
    page.locator("#follow-ups input[name=action]").fill(FOLLOW_UP)
    page.locator("#follow-ups input[name=person_in_charge]").fill("Kasi Pendidikan Madrasah")
    page.locator("#follow-ups input[name=due_on]").fill((today + dt.timedelta(days=7)).isoformat())
    page.locator("#follow-ups").get_by_role("button", name="Tambah").click()
    expect(page.get_by_test_id("follow-ups")).to_contain_text(FOLLOW_UP)
    expect(page.get_by_test_id("follow-ups").get_by_text("Terlambat")).to_have_count(0)
    expect(page.get_by_test_id("history")).to_contain_text("Ditambahkan")
    screenshot(page, "agreement-pks-detail")
    pks_url = page.url

    page.get_by_test_id("main-nav").get_by_role("link", name="Beranda", exact=True).click()
    expect(page.get_by_text(FOLLOW_UP)).to_have_count(0)  # not due yet

    # Ten days later the follow-up is overdue, and the home page says so.
    with time_machine.travel(timezone.now() + dt.timedelta(days=10), tick=True):
        sign_in(page, kanwil_officer.username)
        expect(page.get_by_text(FOLLOW_UP)).to_be_visible()
        screenshot(page, "home-overdue-follow-up")
        page.get_by_text(FOLLOW_UP).click()
        expect(page.get_by_test_id("follow-ups").get_by_text("Terlambat")).to_be_visible()

    # A partner admin in Maluku cannot reach any of it.
    pks = Agreement.objects.get(title=PKS)
    mou = Agreement.objects.get(title=MOU)
    maluku = browser.new_context(base_url=live_server.url, locale="id-ID")
    other = maluku.new_page()
    sign_in(other, maluku_partner_admin.username)
    for url in [
        pks_url,
        reverse("partners:agreement_detail", args=[mou.pk]),
        reverse("partners:agreement_derive", args=[mou.pk]),
        reverse("partners:target_add", args=[pks.pk]),
    ]:
        response = other.goto(url)
        assert response is not None and response.status == 404, url
    expect(other.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")
    other.goto(live_server.url + reverse("partners:agreement_list"))
    expect(other.get_by_text(PKS)).to_have_count(0)
    expect(other.get_by_text(MOU)).to_have_count(0)
    screenshot(other, "mitra.maluku-agreements")
    maluku.close()
