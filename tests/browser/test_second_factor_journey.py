"""The second factor and the content policy in a real browser: a first sign-in sets up the app
on a phone-sized screen, the next one asks for its code, and the pages run under the Content
Security Policy without a single refusal (Bootstrap's menus and htmx included)."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.helpers import app_code, pass_second_factor, submit_login_form

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def csp_refusals(page) -> list[str]:
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refusals


def test_a_first_sign_in_sets_up_the_app_and_the_next_asks_for_its_code(
    page, live_server, login_url, kanwil_officer, screenshot
):
    refusals = csp_refusals(page)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("enrolment:worker_list"))
    submit_login_form(page, kanwil_officer.username, settings.DEMO_PASSWORD)

    setup = page.get_by_test_id("second-factor-setup")
    expect(setup).to_be_visible()
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("main-nav")).to_have_count(0)
    screenshot(page, "second-factor-setup-phone")
    page.locator("details summary").click()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.locator("#id_code").fill(app_code(b32decode(secret.replace(" ", ""))))
    setup.get_by_role("button").click()

    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    screenshot(page, "second-factor-recovery-codes-phone")
    page.get_by_test_id("recovery-codes-kept").click()
    expect(page).to_have_url(live_server.url + reverse("enrolment:worker_list"))

    # Signed out and in again: the password, then the code of the app.
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("button", name="Menu").click()
    # The phone menu slides open; a click on the user menu while it still moves can be lost.
    expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Keluar", exact=True).click()
    expect(page.locator("#id_username")).to_be_visible()  # signed out, at the login page
    page.goto(login_url)
    submit_login_form(page, kanwil_officer.username, settings.DEMO_PASSWORD)
    verify = page.get_by_test_id("second-factor")
    expect(verify).to_be_visible()
    screenshot(page, "second-factor-code-phone")
    device = TOTPDevice.objects.get(user=kanwil_officer, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same 30 s as the setup
    page.locator("#id_code").fill(app_code(device.bin_key))
    verify.get_by_role("button").click()
    expect(page.get_by_test_id("main-nav")).to_be_attached()

    assert refusals == []


def test_the_pages_run_under_the_content_policy_without_a_refusal(
    page, live_server, login_url, kanwil_officer, screenshot
):
    refusals = csp_refusals(page)
    page.goto(login_url)
    submit_login_form(page, kanwil_officer.username, settings.DEMO_PASSWORD)
    pass_second_factor(page, kanwil_officer.username)

    for url_name in (
        "home",
        "partners:institution_list",
        "partners:agreement_list",
        "enrolment:roster_upload",
        "enrolment:worker_list",
        "regions:province_list",
        "account_security",
    ):
        page.goto(live_server.url + reverse(url_name))
        expect(page.get_by_test_id("main-nav")).to_be_visible()
    # Bootstrap's JavaScript runs (the user menu opens), and htmx is loaded with its config.
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("link", name="Ubah kata sandi")).to_be_visible()
    assert page.evaluate("htmx.config.allowEval === false && !htmx.config.includeIndicatorStyles")
    screenshot(page, "account-security")

    assert refusals == []
