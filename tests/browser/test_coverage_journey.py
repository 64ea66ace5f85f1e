"""The demo manager reads coverage in a real browser: the national dashboard, then Kanwil Banten,
Kota Serang and Kemenag Kota Serang, down to the workers not yet registered there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.demo import demo_seed_workers
from config.celery import app as celery_app

pytestmark = pytest.mark.browser

SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


@pytest.fixture
def demo_workers(reference_data, settings, tmp_path, monkeypatch):
    """The workers `make run` shows. The figures are refreshed synchronously by the demo; the
    refreshes the imports queue would only sit in the broker (no worker here), so none is sent."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(celery_app, "send_task", lambda *args, **kwargs: None)
    return demo_seed_workers()


def number(text: str) -> int:
    """An Indonesian-formatted count (1.234) as an int."""
    return int(text.strip().replace(".", ""))


def test_the_manager_drills_down_to_the_workers_not_yet_registered_at_kemenag_kota_serang(
    page, live_server, sign_in, manager, demo_workers, screenshot
):
    sign_in(page, manager.username)
    page.goto(live_server.url + "/cakupan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cakupan · Indonesia")
    expect(page.get_by_test_id("as-of")).to_contain_text("Angka per")
    for kpi in ("kpi-potential", "kpi-registered", "kpi-active"):
        expect(page.get_by_test_id(kpi)).to_have_text(re.compile(r"^\s*[1-9][\d.]*\s*$"))
    assert number(page.get_by_test_id("kpi-registered").inner_text()) == 445
    expect(page.get_by_test_id("kpi-change")).to_have_text("+90")  # registered this month
    screenshot(page, "coverage-national")

    table = page.get_by_test_id("area-table")
    table.get_by_role("link", name="Kantor Wilayah Banten", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cakupan · Kantor Wilayah Banten")
    screenshot(page, "coverage-kanwil-banten")

    table.get_by_role("link", name="Kota Serang", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cakupan · Kota Serang")
    screenshot(page, "coverage-kota-serang")

    table.get_by_role("link", name="Kantor Kemenag Kota Serang", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cakupan · Kantor Kemenag Kota Serang"
    )
    expect(page.get_by_test_id("kpi-registered")).to_have_text("240")
    pending = page.get_by_test_id("drill-pending")
    not_registered = number(pending.inner_text())
    assert not_registered == 400 - 240
    screenshot(page, "coverage-kemenag-kota-serang")

    pending.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kantor Kemenag Kota Serang")
    expect(page.get_by_test_id("count")).to_have_text(f"{not_registered} pekerja")
    rows = page.get_by_test_id("workers").locator("tbody tr")
    expect(rows).to_have_count(50)  # the first page
    assert not SIXTEEN_DIGITS.search(page.content())  # NIKs masked, and nothing like one shown
    expect(rows.first.locator("code")).to_have_text(re.compile(r"^3673\*{8}\d{4}$"))
    expect(rows.first.get_by_role("link")).to_have_attribute("href", re.compile(r"/pekerja/\d+/"))
    screenshot(page, "coverage-not-registered-kemenag-kota-serang")

    first = rows.first.get_by_role("link")
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    assert not SIXTEEN_DIGITS.search(page.content())  # a manager reads no full NIK there either
    screenshot(page, "coverage-worker-not-registered")
