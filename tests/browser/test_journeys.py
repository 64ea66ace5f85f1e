"""What a person does in a real browser: sign in, find their way, switch language, sign out.

The interface speaks Indonesian by default (the browser sends Accept-Language: id-ID), so the
assertions are in Indonesian. Screenshots land in artifacts/screenshots/ for a human to look at.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.helpers import main_nav_links, pass_second_factor, submit_login_form

pytestmark = pytest.mark.browser

# The main navigation of each demo user, in order, keyed by the cast fixture that provides them.
NAVIGATION = {
    "national_admin": [
        "Beranda",
        "Mitra",
        "Perjanjian",
        "Unggah daftar",
        "Pekerja",
        "Berkas BPJS",
        "Cakupan",
        "Wilayah",
        "Subjek data",
        "Status sistem",
        "Administrasi",
    ],
    "kanwil_officer": [
        "Beranda",
        "Mitra",
        "Perjanjian",
        "Unggah daftar",
        "Pekerja",
        "Berkas BPJS",
        "Cakupan",
        "Wilayah",
        "Subjek data",
    ],
    "branch_officer": [
        "Beranda",
        "Mitra",
        "Perjanjian",
        "Unggah daftar",
        "Pekerja",
        "Berkas BPJS",
        "Cakupan",
        "Wilayah",
        "Subjek data",
    ],
    "manager": ["Beranda", "Mitra", "Perjanjian", "Pekerja", "Cakupan"],
    "banten_partner_admin": [
        "Beranda",
        "Lembaga saya",
        "Perjanjian",
        "Unggah daftar",
        "Pekerja",
        "Cakupan",
    ],
    "serang_partner_admin": [
        "Beranda",
        "Lembaga saya",
        "Perjanjian",
        "Unggah daftar",
        "Pekerja",
        "Cakupan",
    ],
    "maluku_partner_admin": [
        "Beranda",
        "Lembaga saya",
        "Perjanjian",
        "Unggah daftar",
        "Pekerja",
        "Cakupan",
    ],
}
USERNAMES = {
    "national_admin": "admin",
    "kanwil_officer": "petugas.kanwil",
    "branch_officer": "petugas.serang",
    "manager": "manajer",
    "banten_partner_admin": "mitra.banten",
    "serang_partner_admin": "mitra.serang",
    "maluku_partner_admin": "mitra.maluku",
}
EVERY_LINK = [
    "Beranda",
    "Mitra",
    "Perjanjian",
    "Lembaga saya",
    "Unggah daftar",
    "Pekerja",
    "Berkas BPJS",
    "Cakupan",
    "Wilayah",
    "Subjek data",
    "Status sistem",
    "Administrasi",
]

LOGIN_HEADING = "Masuk ke Sinergi"
WRONG_PASSWORD = "Nama pengguna atau kata sandi salah"


def login_url_pattern(live_server) -> re.Pattern[str]:
    return re.compile(re.escape(live_server.url + reverse("login")) + r"(\?.*)?$")


def expect_login_page(page: Page, live_server) -> None:
    expect(page).to_have_url(login_url_pattern(live_server))
    expect(page.get_by_role("heading", name=LOGIN_HEADING)).to_be_visible()


def test_the_login_page_asks_for_username_and_password(page, live_server, login_url, screenshot):
    page.goto(login_url)

    expect_login_page(page, live_server)
    expect(page.locator("#id_username")).to_be_focused()
    expect(page.locator("#id_password")).to_have_attribute("type", "password")
    expect(page.get_by_test_id("main-nav")).to_have_count(0)
    screenshot(page, "login")


@pytest.mark.parametrize("cast", list(NAVIGATION), ids=list(USERNAMES.values()))
def test_each_demo_user_signs_in_and_sees_the_navigation_of_their_role(
    page, live_server, screenshot, request, cast
):
    user = request.getfixturevalue(cast)
    username, navigation = USERNAMES[cast], NAVIGATION[cast]
    assert user.username == username

    page.goto(live_server.url + reverse("home"))
    expect_login_page(page, live_server)

    submit_login_form(page, username, settings.DEMO_PASSWORD)
    pass_second_factor(page, username)

    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Selamat datang, {user.full_name}")
    expect(main_nav_links(page)).to_have_text(navigation)
    nav = page.get_by_test_id("main-nav")
    for label in (label for label in EVERY_LINK if label not in navigation):
        # e.g. no "Mitra" or "Wilayah" for a partner admin, no "Mitra" for the manager
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
    expect(page.get_by_test_id("user-menu")).to_have_text(user.full_name)
    screenshot(page, f"{username}-home")


def test_a_wrong_password_shows_an_error_and_stays_on_the_login_page(
    page, live_server, login_url, kanwil_officer, screenshot
):
    page.goto(login_url)

    submit_login_form(page, kanwil_officer.username, "bukan-kata-sandinya")

    expect_login_page(page, live_server)
    alert = page.locator(".login-card").get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(WRONG_PASSWORD)
    expect(page.locator("#id_username")).to_have_value(kanwil_officer.username)
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.get_by_test_id("main-nav")).to_have_count(0)
    screenshot(page, "login-error")


def test_signing_out_from_the_user_menu_returns_to_the_login_page(
    page, live_server, sign_in, kanwil_officer
):
    sign_in(page, kanwil_officer.username)

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Keluar", exact=True).click()

    expect_login_page(page, live_server)
    expect(page.get_by_test_id("main-nav")).to_have_count(0)
    # Signed out for real: the home page sends the browser back to the login page.
    page.goto(live_server.url + reverse("home"))
    expect_login_page(page, live_server)


def test_the_language_switch_turns_the_interface_english_and_back(
    page, live_server, sign_in, kanwil_officer
):
    sign_in(page, kanwil_officer.username)
    expect(main_nav_links(page)).to_have_text(
        [
            "Beranda",
            "Mitra",
            "Perjanjian",
            "Unggah daftar",
            "Pekerja",
            "Berkas BPJS",
            "Cakupan",
            "Wilayah",
            "Subjek data",
        ]
    )
    expect(page.locator("html")).to_have_attribute("lang", "id")

    page.get_by_role("button", name="English", exact=True).click()

    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(main_nav_links(page)).to_have_text(
        [
            "Home",
            "Partners",
            "Agreements",
            "Upload roster",
            "Workers",
            "BPJS files",
            "Coverage",
            "Regions",
            "Data subjects",
        ]
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Welcome, {kanwil_officer.full_name}"
    )

    page.get_by_role("button", name="Bahasa Indonesia", exact=True).click()

    expect(main_nav_links(page)).to_have_text(
        [
            "Beranda",
            "Mitra",
            "Perjanjian",
            "Unggah daftar",
            "Pekerja",
            "Berkas BPJS",
            "Cakupan",
            "Wilayah",
            "Subjek data",
        ]
    )
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Selamat datang, {kanwil_officer.full_name}"
    )


def test_a_partner_admin_sees_their_institution_but_not_one_in_another_province(
    page, live_server, sign_in, serang_partner_admin, institution, screenshot
):
    maluku = institution("Kanwil Kemenag Provinsi Maluku")
    sign_in(page, serang_partner_admin.username)

    page.get_by_test_id("main-nav").get_by_role("link", name="Lembaga saya", exact=True).click()

    expect(page).to_have_url(live_server.url + reverse("partners:institution_list"))
    expect(page.get_by_role("link", name="Kantor Kemenag Kota Serang", exact=True)).to_be_visible()
    expect(page.get_by_text("Kanwil Kemenag Provinsi Maluku")).to_have_count(0)

    response = page.goto(live_server.url + reverse("partners:institution_detail", args=[maluku.pk]))

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")
    expect(page.get_by_text("Kanwil Kemenag Provinsi Maluku")).to_have_count(0)
    screenshot(page, "mitra.serang-404")


def test_the_national_admin_walks_every_page_of_the_navigation(
    page, live_server, sign_in, national_admin, screenshot
):
    sign_in(page, national_admin.username)
    headings = {
        "Mitra": "Lembaga mitra",
        "Perjanjian": "Perjanjian",
        "Berkas BPJS": "Berkas dari sistem inti BPJS",
        "Cakupan": "Cakupan · Indonesia",
        "Wilayah": "Provinsi dan Kantor Wilayah BPJS",
        "Status sistem": "Status sistem",
    }
    for link, heading in headings.items():
        page.get_by_test_id("main-nav").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        screenshot(page, f"admin-{link.lower().replace(' ', '-')}")

    page.get_by_test_id("main-nav").get_by_role("link", name="Mitra", exact=True).click()
    page.get_by_role("link", name="Kanwil Kemenag Provinsi Banten", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kanwil Kemenag Provinsi Banten")
    expect(page.get_by_role("link", name="Kantor Kemenag Kota Serang", exact=True)).to_be_visible()
    screenshot(page, "admin-mitra-detail")

    page.get_by_test_id("main-nav").get_by_role("link", name="Wilayah", exact=True).click()
    page.get_by_role("link", name="Kalimantan Tengah", exact=True).click()
    expect(page.get_by_role("cell", name="Kota Palangkaraya", exact=True)).to_be_visible()
    screenshot(page, "admin-wilayah-kalimantan-tengah")
