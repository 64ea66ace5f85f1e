"""An officer closes the registration loop of Kemenag Kota Serang in a real browser, with a real
Celery worker: export the pending registrations, import the desk's KPJ results, see the workers
registered, read the contribution bill and print a participant card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from enrolment import services
from enrolment.models import Enrolment, Worker
from partners.models import Institution
from tests.enrolment.rosters import roster_file, row

pytestmark = [pytest.mark.browser, pytest.mark.worker]

SERANG = "Kantor Kemenag Kota Serang"


@pytest.fixture
def serang_rostered(serang_partner_admin) -> Institution:
    """Three workers sent by the partner admin, pending registration in the PKS's programs.
    (Files stay in the default MEDIA_ROOT: the Celery worker is another process and reads them
    there.)"""
    Institution.objects.filter(name=SERANG).update(npp="12345678", npp_division="001")
    serang = Institution.objects.get(name=SERANG)
    uploaded = services.roster_upload(
        by=serang_partner_admin,
        institution=serang,
        upload=roster_file([row(1), row(2), row(3)]),
        enqueue=False,
    )
    checked = services.roster_validate(import_id=uploaded.pk)
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    services.roster_apply(import_id=uploaded.pk)
    return serang


def test_an_officer_registers_the_workers_of_kemenag_kota_serang_and_prints_a_card(
    page,
    live_server,
    sign_in,
    branch_officer,
    serang_rostered,
    celery_worker_process,
    screenshot,
    tmp_path,
):
    serang = serang_rostered
    sign_in(page, branch_officer.username)
    page.goto(live_server.url + reverse("partners:institution_detail", args=[serang.pk]))

    with page.expect_download() as pending:
        page.get_by_test_id("pending-registrations").click()
    exported = tmp_path / pending.value.suggested_filename
    pending.value.save_as(exported)

    # The registration desk fills in the KPJ numbers and the date, and refuses nobody.
    book = load_workbook(exported)
    sheet = book["Pendaftaran"]
    today = dt.date.today()
    kpjs = {}
    for number, line in enumerate(sheet.iter_rows(min_row=2), start=1):
        kpjs[line[0].value] = f"2604{number:07d}"
        line[9].value = kpjs[line[0].value]
        line[10].value = today.strftime("%d-%m-%Y")
    assert len(kpjs) == 3
    returned = tmp_path / "hasil-pendaftaran-kota-serang.xlsx"
    book.save(returned)

    page.get_by_test_id("import-results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Berkas dari sistem inti BPJS")
    expect(page.get_by_label("Lembaga")).to_have_value(str(serang.pk))
    page.get_by_label("Hasil pendaftaran (nomor KPJ atau penolakan)").check()
    page.locator("input[type=file]").set_input_files(str(returned))
    screenshot(page, "registration-results-upload")
    page.get_by_role("button", name="Unggah dan periksa").click()

    counts = page.get_by_test_id("counts")
    expect(counts).to_contain_text("Kepesertaan yang akan terdaftar", timeout=30_000)
    expect(counts).to_contain_text("9")  # three workers × JKK, JKM, JHT
    screenshot(page, "registration-results-checked")
    page.get_by_role("button", name="Terapkan 3 baris yang valid").click()
    expect(page.get_by_test_id("counts")).to_contain_text("Nomor KPJ dicatat", timeout=30_000)
    screenshot(page, "registration-results-applied")

    assert set(Enrolment.objects.values_list("status", flat=True)) == {"registered"}
    first = Worker.objects.get(nik=row(1)["NIK"])
    assert first.kpj == kpjs[first.nik]

    page.goto(live_server.url + reverse("enrolment:worker_detail", args=[first.pk]))
    expect(page.get_by_test_id("enrolment-JKK")).to_contain_text("Terdaftar")
    expect(page.get_by_text(first.kpj).first).to_be_visible()
    screenshot(page, "registration-worker-registered")

    card_url = page.get_by_test_id("worker-card").get_attribute("href")
    card = page.request.get(live_server.url + card_url)
    assert card.ok and card.headers["content-type"] == "application/pdf"
    assert card.body().startswith(b"%PDF")

    page.goto(live_server.url + reverse("partners:institution_detail", args=[serang.pk]))
    page.get_by_role("link", name="Tagihan iuran bulanan").click()
    expect(page.locator("body")).to_contain_text("Pekerja Uji 1")
    expect(page.locator("body")).to_contain_text(first.kpj)
    screenshot(page, "registration-contribution-bill")
