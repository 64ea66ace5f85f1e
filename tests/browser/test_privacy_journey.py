"""A person who works for Kemenag Kota Serang writes to BPJS: stop processing my data, and tell me
what you hold about me. The regional officer restricts the processing on the person's page, looks
the person up by NIK for the data-subject report, and hands it over as PDF and XLSX; the report
lists its own viewing and downloads among the accesses."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrolment import services
from enrolment.models import RosterImport, Worker
from partners.models import Institution
from tests.enrolment.rosters import roster_file, row

pytestmark = pytest.mark.browser

SERANG = "Kantor Kemenag Kota Serang"
REASON = "Permintaan subjek data melalui surat 12/2026"


@pytest.fixture
def serang_worker(settings, tmp_path, serang_partner_admin) -> Worker:
    """The first of two workers a roster import of the partner admin created."""
    settings.MEDIA_ROOT = tmp_path
    serang = Institution.objects.get(name=SERANG)
    uploaded = services.roster_upload(
        by=serang_partner_admin,
        institution=serang,
        upload=roster_file([row(1), row(2)], name="daftar-guru-madin.csv"),
        enqueue=False,
    )
    checked = services.roster_validate(import_id=uploaded.pk)
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    services.roster_apply(import_id=uploaded.pk)
    return Worker.objects.get(nik=row(1)["NIK"])


def test_an_officer_restricts_a_workers_processing_and_hands_over_the_data_subject_report(
    page, live_server, sign_in, branch_officer, serang_partner_admin, serang_worker, screenshot
):
    worker = serang_worker
    roster_import = RosterImport.objects.get()
    sign_in(page, branch_officer.username)

    page.goto(live_server.url + reverse("enrolment:worker_detail", args=[worker.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pekerja Uji 1")
    expect(page.get_by_test_id("nik")).to_contain_text(worker.nik)
    expect(page.get_by_test_id("restricted-badge")).to_have_count(0)

    restriction = page.get_by_test_id("restriction-form")
    restriction.locator("summary").click()
    restriction.get_by_label("Alasan pemrosesan dibatasi").fill(REASON)
    restriction.get_by_role("button", name="Batasi pemrosesan").click()
    expect(page.get_by_test_id("restricted-badge")).to_have_text("Pemrosesan dibatasi")
    expect(page.get_by_test_id("restriction")).to_contain_text(REASON)
    screenshot(page, "privacy-worker-restricted")

    page.get_by_test_id("main-nav").get_by_role("link", name="Subjek data", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan subjek data")
    page.get_by_label("NIK").fill(worker.nik)
    screenshot(page, "privacy-subject-search")
    page.get_by_role("button", name="Tampilkan laporan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan subjek data: Pekerja Uji 1")
    expect(page.get_by_test_id("person")).to_contain_text(worker.nik)
    expect(page.get_by_test_id("person")).to_contain_text("Pekerja Uji 1")
    employments = page.get_by_test_id("employments")
    expect(employments).to_contain_text(SERANG)
    expect(employments).to_contain_text(f"Impor #{roster_import.pk}")
    imports = page.get_by_test_id("imports")
    expect(imports).to_contain_text("daftar-guru-madin.csv")
    expect(imports).to_contain_text(serang_partner_admin.username)
    expect(page.get_by_test_id("restrictions")).to_contain_text(REASON)
    # The trail recorded the import's writes: the person, the employment, the enrolments.
    changes = page.get_by_test_id("changes")
    expect(changes).to_contain_text("Pekerja Uji 1")
    expect(changes).to_contain_text(f"Impor #{roster_import.pk}")
    accesses = page.get_by_test_id("accesses")
    expect(accesses).to_contain_text(f"halaman pekerja #{worker.pk}")
    expect(accesses).to_contain_text(f"laporan subjek data pekerja #{worker.pk}")
    expect(accesses).to_contain_text(branch_officer.username)
    screenshot(page, "privacy-subject-report")

    with page.expect_download() as pdf:
        page.get_by_test_id("download-pdf").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    with open(pdf.value.path(), "rb") as content:
        assert content.read(5) == b"%PDF-"
    with page.expect_download() as xlsx:
        page.get_by_test_id("download-xlsx").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    with open(xlsx.value.path(), "rb") as content:
        assert content.read(4) == b"PK\x03\x04"  # an XLSX is a zip archive

    page.reload()
    accesses = page.get_by_test_id("accesses")
    expect(accesses).to_contain_text(f"laporan subjek data pekerja #{worker.pk} (PDF)")
    expect(accesses).to_contain_text(f"laporan subjek data pekerja #{worker.pk} (XLSX)")
    expect(accesses.get_by_role("row").filter(has_text="Diekspor")).to_have_count(2)
