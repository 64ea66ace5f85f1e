"""Small steps the browser journeys share."""

from __future__ import annotations

from base64 import b32decode

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect


def submit_login_form(page: Page, username: str, password: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator(".login-card").get_by_role("button").click()


def app_code(key: bytes) -> str:
    """The 6 digits an authenticator app holding this key shows now."""
    return f"{totp(key):06d}"


def pass_second_factor(page: Page, username: str) -> None:
    """After the password, what a person does when Sinergi asks for the second factor: the first
    time, set up the app from the key on the page and note the recovery codes; later, type the
    code the app shows. Roles that need none (a manager without an app) go straight on."""
    nav = page.get_by_test_id("main-nav")
    setup = page.get_by_test_id("second-factor-setup")
    verify = page.get_by_test_id("second-factor")
    expect(nav.or_(setup).or_(verify).first).to_be_visible()
    if setup.is_visible():
        secret = page.get_by_test_id("totp-secret").text_content() or ""
        page.locator("#id_code").fill(app_code(b32decode(secret.replace(" ", "").strip())))
        setup.get_by_role("button").click()
        expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
        page.get_by_test_id("recovery-codes-kept").click()
    elif verify.is_visible():
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        # A journey may sign the same user in twice within one 30-second step, and an app code
        # is accepted once; here the test plays the phone, so it forgets the last one seen.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        page.locator("#id_code").fill(app_code(device.bin_key))
        verify.get_by_role("button").click()
    expect(nav).to_be_visible()


def main_nav_links(page: Page) -> Locator:
    """The links of the main navigation bar, in order."""
    return page.get_by_test_id("main-nav").get_by_role("link")
