"""Small steps the browser journeys share."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


def submit_login_form(page: Page, username: str, password: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator(".login-card").get_by_role("button").click()


def main_nav_links(page: Page) -> Locator:
    """The links of the main navigation bar, in order."""
    return page.get_by_test_id("main-nav").get_by_role("link")
