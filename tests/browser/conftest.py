"""Playwright on Debian's Chromium against pytest-django's live server.

One browser for the whole session, a fresh context (cookies, language, storage) for every test.
Never `playwright install`: the browser is /usr/bin/chromium (`make chromium` installs it).

Every browser test is transactional (the live server runs in another thread and must see the
data), so the tables are flushed when each test ends; `page` asks for `reference_data` again,
which reloads the regions and the demo cast.

Passwords are hashed with MD5 in tests (tests/conftest.py): the demo cast is re-created for every
transactional test, and PBKDF2's cost is not what these journeys test.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.helpers import pass_second_factor, submit_login_form

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# Fail fast: a page of this app renders in milliseconds, a missing element should not cost 30 s.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests use Debian's package: run "
            "`make chromium` (or `sudo apt-get install chromium`). Do not run `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Browser, live_server, reference_data) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember each phase's report on the test item, so `page` knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page; a screenshot of it when the test fails, and no JavaScript errors allowed."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        failures = SCREENSHOTS / "failures"
        failures.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        with contextlib.suppress(Exception):  # the page may be gone; the failure is what matters
            page.screenshot(path=str(failures / f"{name}.png"), full_page=True)
    if errors:
        pytest.fail("JavaScript errors on the page:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """Save a full-page screenshot as artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login_url(live_server) -> str:
    return live_server.url + reverse("login")


@pytest.fixture
def sign_in(login_url: str) -> Callable[..., None]:
    """Sign in through the login form as a demo user, pass the second factor where the role
    needs one (setting up the app the first time), and wait for the home page."""

    def sign_in(page: Page, username: str, password: str | None = None) -> None:
        page.goto(login_url)
        submit_login_form(page, username, password or django_settings.DEMO_PASSWORD)
        pass_second_factor(page, username)

    return sign_in
