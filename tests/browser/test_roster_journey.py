"""A partner admin's roster, in a real browser with a real Celery worker: template, upload with
three bad rows, progress, the issues in Indonesian, the failed rows fixed and uploaded again,
confirmation, and the workers in the institution's list."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from enrolment.models import Worker
from tests.enrolment.rosters import csv_bytes, row

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_a_partner_admin_uploads_fixes_and_applies_a_roster(
    page, live_server, sign_in, serang_partner_admin, celery_worker_process, screenshot, tmp_path
):
    sign_in(page, serang_partner_admin.username)
    page.get_by_test_id("main-nav").get_by_role("link", name="Unggah daftar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unggah daftar pekerja")

    with page.expect_download() as template:
        page.get_by_role("link", name="Unduh templat (XLSX)").click()
    saved = tmp_path / template.value.suggested_filename
    template.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = load_workbook(saved).worksheets[0]
    assert sheet["A1"].value == "NIK" and sheet["A2"].number_format == "@"

    good = [row(n) for n in range(1, 8)]
    bad = [
        row(8, NIK="3,67301E+15"),  # a NIK that went through an Excel number cell
        row(9, TANGGAL_LAHIR="04/13/1990"),  # US order: never swapped
        row(10, UPAH="dua juta"),
    ]
    roster = tmp_path / "daftar-guru-madin.csv"
    roster.write_bytes(csv_bytes(good + bad))
    page.locator("input[type=file]").set_input_files(str(roster))
    screenshot(page, "roster-upload-form")
    page.get_by_role("button", name="Unggah dan periksa").click()

    expect(page.get_by_test_id("counts")).to_be_visible(timeout=30_000)  # the worker checked it
    issues = page.locator("#issues table tbody tr")
    expect(issues).to_have_count(3)
    expect(page.locator("#issues")).to_contain_text("Format kolom NIK sebagai Teks")
    expect(page.locator("#issues")).to_contain_text("TANGGAL_LAHIR")
    expect(page.locator("#issues")).to_contain_text("UPAH")
    screenshot(page, "roster-checked-with-issues")

    with page.expect_download() as failed:
        page.get_by_role("link", name="Unduh baris gagal untuk diperbaiki (XLSX)").click()
    failed_rows = tmp_path / failed.value.suggested_filename
    failed.value.save_as(failed_rows)
    data = load_workbook(failed_rows)["Data"]
    values = [[cell.value for cell in line] for line in data.iter_rows(min_row=2)]
    assert len(values) == 3

    # Confirm the seven good rows now; the three fixed rows follow in a second file.
    page.get_by_role("button", name="Terapkan 7 baris yang valid").click()
    expect(page.get_by_test_id("counts")).to_contain_text("Kepesertaan dibuat", timeout=30_000)
    screenshot(page, "roster-applied")

    fixed = tmp_path / "perbaikan.csv"
    fixed.write_bytes(csv_bytes([row(8), row(9), row(10)]))
    page.get_by_test_id("main-nav").get_by_role("link", name="Unggah daftar", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(fixed))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.get_by_role("button", name="Terapkan 3 baris yang valid").click(timeout=30_000)
    expect(page.get_by_test_id("counts")).to_contain_text("Kepesertaan dibuat", timeout=30_000)

    page.get_by_test_id("main-nav").get_by_role("link", name="Pekerja", exact=True).click()
    expect(page.get_by_text("Pekerja Uji 10", exact=True)).to_be_visible()
    assert Worker.objects.count() == 10
    nik = row(1)["NIK"]
    assert nik not in page.content()  # masked in the list
    expect(page.get_by_text(f"{nik[:4]}********{nik[-4:]}")).to_be_visible()
    screenshot(page, "roster-workers")
