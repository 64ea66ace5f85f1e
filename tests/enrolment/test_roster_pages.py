"""Roster pages as a partner admin, an officer and a manager use them: upload, follow the check,
read the issues, download what to fix, confirm or reject, and see the workers.

No Celery worker runs here: after an upload or a confirmation the tests call the services the
tasks would call (`roster_validate`, `roster_apply`). The reliability of the queue itself (a real
worker, a broker that is down) is tested with a real worker elsewhere.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from enrolment import selectors, services
from enrolment.imports import COLUMNS, REQUIRED_COLUMNS
from enrolment.models import RosterImport
from enrolment.views.rosters import progress_of
from enrolment.views.workers import OPTIONS
from partners.models import Agreement

SERANG = "Kantor Kemenag Kota Serang"
MALUKU = "Kanwil Kemenag Provinsi Maluku"
HEADER = REQUIRED_COLUMNS


def nik(serial: int) -> str:
    """Kecamatan Serang (36.73.01), a woman born 12-05-1990, with this serial."""
    return f"367301520590{serial:04d}"


def row(serial: int, **cells: str) -> list[str]:
    values = {
        "NIK": nik(serial),
        "NAMA_LENGKAP": f"Pekerja Uji {serial:02d}",
        "TANGGAL_LAHIR": "12-05-1990",
        "JENIS_KELAMIN": "P",
        "UNIT_KERJA": "MDT Al-Hidayah",
        "KATEGORI": "GURU_MADIN",
        "TGL_MULAI_BEKERJA": "01-07-2015",
        "UPAH": "2000000",
    } | cells
    return [values[column] for column in HEADER]


def csv_file(rows: list[list[str]], name: str = "daftar.csv") -> SimpleUploadedFile:
    lines = [";".join(HEADER), *(";".join(cells) for cells in rows)]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(), "text/csv")


# Row 2 is valid; rows 3-5 have errors: a 14-digit NIK, a formula as the sex, both.
MIXED = [
    row(1),
    row(2, NIK="36730152059000"),
    row(3, JENIS_KELAMIN="=1+1"),
    row(4, NIK="36730152059000", JENIS_KELAMIN="@SUM(A1)"),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sent(monkeypatch):
    """The tasks the pages queued, as (task name, import id).

    Page tests only: this replaces our own services' queue-sending seam (`_send`) with a recorder,
    so that no broker is needed; everything else — upload, check, apply — is the real code.
    """
    calls: list[tuple[str, int]] = []

    def record(task_name: str, roster_import: RosterImport) -> bool:
        calls.append((task_name, roster_import.pk))
        roster_import.queued = True
        return True

    monkeypatch.setattr("enrolment.services._send", record)
    return calls


def checked(by, institution, rows, name: str = "daftar.csv") -> RosterImport:
    roster_import = services.roster_upload(
        by=by, institution=institution, upload=csv_file(rows, name), enqueue=False
    )
    return services.roster_validate(import_id=roster_import.pk)


def applied(by, institution, rows, name: str = "daftar.csv") -> RosterImport:
    roster_import = checked(by, institution, rows, name)
    services.roster_confirm(by=by, roster_import=roster_import, enqueue=False)
    return services.roster_apply(import_id=roster_import.pk)


def upload(client, institution, file, **fields):
    return client.post(
        reverse("enrolment:roster_upload"), {"institution": institution.pk, "file": file, **fields}
    )


def detail(roster_import: RosterImport) -> str:
    return reverse("enrolment:roster_detail", args=[roster_import.pk])


# --- upload ----------------------------------------------------------------------------------


def test_a_partner_admin_uploads_a_roster_and_follows_it_to_the_confirm_button(
    client, serang_partner_admin, institution, sent, django_capture_on_commit_callbacks
):
    client.force_login(serang_partner_admin)
    serang = institution(SERANG)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, serang, csv_file([row(1), row(2)]))

    roster_import = RosterImport.objects.get(institution=serang)
    assert response.status_code == 302 and response.url == detail(roster_import)
    assert roster_import.uploaded_by == serang_partner_admin
    assert (roster_import.status, roster_import.original_name) == ("uploaded", "daftar.csv")
    assert sent == [("enrolment.tasks.validate_roster", roster_import.pk)]
    page = client.get(response.url).content.decode()
    assert "Berkas diterima. Sinergi sedang memeriksa barisnya" in page
    assert "Menunggu diperiksa" in page
    assert 'hx-trigger="every 2s"' in page and "Muat ulang" in page

    services.roster_validate(import_id=roster_import.pk)

    page = client.get(response.url).content.decode()
    assert "diperiksa, menunggu konfirmasi" in page
    assert "Terapkan 2 baris yang valid" in page
    assert "hx-trigger" not in page  # nothing is running: no polling


@pytest.mark.django_db(transaction=True)
def test_when_the_queue_is_down_the_upload_is_kept_and_the_page_says_it_will_be_processed(
    client, serang_partner_admin, institution, monkeypatch
):
    # Committed for real, so the upload's on-commit send runs inside the request; the seam
    # reports what `_send` reports when the broker cannot be reached.
    def broker_down(task_name: str, roster_import: RosterImport) -> bool:
        roster_import.queued = False
        return False

    monkeypatch.setattr("enrolment.services._send", broker_down)
    client.force_login(serang_partner_admin)

    response = upload(client, institution(SERANG), csv_file([row(1)]))

    roster_import = RosterImport.objects.get()
    assert roster_import.status == "uploaded" and roster_import.file.storage.exists(
        roster_import.file.name
    )
    page = client.get(response.url).content.decode()
    assert "antrean pemrosesan sedang tidak dapat dihubungi" in page
    assert "Sinergi memprosesnya otomatis begitu antrean kembali" in page


def test_the_upload_page_explains_the_steps_and_lists_the_history_in_scope(
    client, serang_partner_admin, maluku_partner_admin, national_admin, institution
):
    checked(national_admin, institution(SERANG), [row(1)], name="serang.csv")
    checked(national_admin, institution(MALUKU), [row(1)], name="maluku.csv")
    client.force_login(serang_partner_admin)

    page = client.get(reverse("enrolment:roster_upload")).content.decode()

    for step in ("Unggah", "Diperiksa", "Konfirmasi", "Diterapkan"):
        assert f"<strong>{step}</strong>" in page
    assert reverse("enrolment:roster_template", args=["xlsx"]) in page
    assert reverse("enrolment:roster_template", args=["csv"]) in page
    assert "serang.csv" in page and "maluku.csv" not in page
    assert 'name="institution"' in page and 'accept=".xlsx,.csv"' in page


def test_the_institution_is_preselected_from_the_link_on_its_page(
    client, banten_partner_admin, institution
):
    client.force_login(banten_partner_admin)
    serang = institution(SERANG)

    response = client.get(reverse("enrolment:roster_upload"), {"institution": serang.pk})

    assert response.context["form"]["institution"].value() == serang.pk
    assert (
        client.get(
            reverse("enrolment:roster_upload"), {"institution": institution(MALUKU).pk}
        ).status_code
        == 404
    )


def test_the_same_file_again_is_refused_with_a_link_to_the_earlier_import(
    client, serang_partner_admin, institution, sent
):
    client.force_login(serang_partner_admin)
    serang = institution(SERANG)
    upload(client, serang, csv_file([row(1)]))
    earlier = RosterImport.objects.get(institution=serang)

    response = upload(client, serang, csv_file([row(1)], name="daftar (1).csv"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Berkas ini sudah pernah diunggah untuk lembaga ini pada" in page
    assert f'href="{detail(earlier)}">Lihat impor sebelumnya</a>' in page
    assert RosterImport.objects.filter(institution=serang).count() == 1


def test_a_second_roster_waits_until_the_first_is_finished(
    client, serang_partner_admin, institution, sent
):
    client.force_login(serang_partner_admin)
    serang = institution(SERANG)
    upload(client, serang, csv_file([row(1)]))
    earlier = RosterImport.objects.get(institution=serang)

    response = upload(client, serang, csv_file([row(2)], name="lain.csv"))

    page = response.content.decode()
    assert "masih diproses" in page
    assert f'href="{detail(earlier)}">Buka impor yang sedang diproses</a>' in page
    assert RosterImport.objects.filter(institution=serang).count() == 1


def test_an_agreement_that_does_not_cover_the_institution_is_refused_on_the_form(
    client, national_admin, institution, sent
):
    serang_pks = Agreement.objects.filter(
        institution__name=SERANG, status__in=[Agreement.Status.ACTIVE, Agreement.Status.EXPIRING]
    ).first()
    assert serang_pks is not None
    client.force_login(national_admin)

    response = upload(client, institution(MALUKU), csv_file([row(1)]), agreement=serang_pks.pk)

    assert response.status_code == 200
    assert "tidak mencakup Kanwil Kemenag Provinsi Maluku" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_file_that_is_not_a_roster_is_kept_and_its_page_says_why(
    client, serang_partner_admin, institution, sent
):
    client.force_login(serang_partner_admin)
    pdf = SimpleUploadedFile("daftar.csv", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")

    response = upload(client, institution(SERANG), pdf)

    roster_import = RosterImport.objects.get()
    assert roster_import.status == "refused" and roster_import.file
    page = client.get(response.url).content.decode()
    assert "Alasan berkas ditolak" in page and "file_type_unsupported" in page
    assert "bukan roster" in page  # the pipeline's own Indonesian message
    assert sent == []  # a refused file is not queued


def test_the_templates_download_as_attachments(client, serang_partner_admin):
    client.force_login(serang_partner_admin)

    xlsx = client.get(reverse("enrolment:roster_template", args=["xlsx"]))
    csv = client.get(reverse("enrolment:roster_template", args=["csv"]))

    assert xlsx["Content-Disposition"] == 'attachment; filename="templat-daftar-pekerja.xlsx"'
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Data"
    assert csv["Content-Disposition"] == 'attachment; filename="templat-daftar-pekerja.csv"'
    assert csv.content.decode("utf-8-sig").startswith("NIK;NAMA_LENGKAP;")


# --- progress --------------------------------------------------------------------------------


def test_the_progress_block_polls_while_checking_and_reloads_the_page_when_done(
    client, serang_partner_admin, institution
):
    roster_import = services.roster_upload(
        by=serang_partner_admin,
        institution=institution(SERANG),
        upload=csv_file([row(1)]),
        enqueue=False,
    )
    client.force_login(serang_partner_admin)
    url = reverse("enrolment:roster_progress", args=[roster_import.pk])

    waiting = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in waiting and 'hx-trigger="every 2s"' in waiting.content.decode()

    RosterImport.objects.filter(pk=roster_import.pk).update(
        status="validating",
        rows_done=100,
        rows_total=400,
        claimed_at=timezone.now() - dt.timedelta(seconds=100),
    )
    checking = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "100 dari sekitar 400 baris diperiksa" in checking
    assert 'max="100" value="25"' in checking and "sisa sekitar 5 menit" in checking

    RosterImport.objects.filter(pk=roster_import.pk).update(status="uploaded", claimed_at=None)
    services.roster_validate(import_id=roster_import.pk)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_progress_reports_elapsed_and_remaining_time_from_the_rate_so_far():
    claimed = timezone.now()
    roster_import = RosterImport(
        status="validating", rows_done=2_000, rows_total=10_000, claimed_at=claimed
    )

    with translation.override("id"):
        progress = progress_of(roster_import, now=claimed + dt.timedelta(seconds=100))

    assert (progress.percent, progress.elapsed, progress.remaining) == (
        20,
        "1 menit 40 detik",
        "6 menit 40 detik",
    )


def test_an_apply_has_time_left_from_the_rate_of_the_applies_before_it_until_it_runs_over():
    claimed = timezone.now()
    roster_import = RosterImport(status="applying", rows_valid=60_000, claimed_at=claimed)

    with translation.override("id"):
        early = progress_of(roster_import, claimed + dt.timedelta(seconds=20), apply_rate=500)
        late = progress_of(roster_import, claimed + dt.timedelta(seconds=130), apply_rate=500)
        unknown = progress_of(roster_import, claimed + dt.timedelta(seconds=20))

    assert (early.elapsed, early.remaining) == ("20 detik", "1 menit 40 detik")
    assert (late.elapsed, late.remaining) == ("2 menit 10 detik", "")
    assert (unknown.elapsed, unknown.remaining) == ("20 detik", "")


def test_the_apply_rate_is_the_median_of_recent_roster_applies_of_a_thousand_rows_or_more(
    serang_partner_admin, institution
):
    serang = institution(SERANG)
    assert selectors.roster_apply_rate() is None
    applied = []
    for n, (rows, seconds) in enumerate([(10_000, 2.0), (60_000, 10.0), (3_000, 1.0), (500, 0.01)]):
        roster_import = checked(serang_partner_admin, serang, [row(n + 1)], name=f"{n}.csv")
        services.roster_confirm(by=serang_partner_admin, roster_import=roster_import, enqueue=False)
        services.roster_apply(import_id=roster_import.pk)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            rows_valid=rows, timings={"validate": 0.1, "apply": seconds}
        )
        applied.append(roster_import)

    # 5.000, 6.000 and 3.000 rows a second; the import of 500 rows is left out
    assert selectors.roster_apply_rate() == 5_000
    RosterImport.objects.filter(pk=applied[0].pk).update(kind="registration")
    assert selectors.roster_apply_rate() == 4_500


def test_the_progress_of_an_apply_says_about_how_long_is_left(
    client, serang_partner_admin, institution
):
    serang = institution(SERANG)
    earlier = checked(serang_partner_admin, serang, [row(1)], name="lalu.csv")
    services.roster_confirm(by=serang_partner_admin, roster_import=earlier, enqueue=False)
    services.roster_apply(import_id=earlier.pk)
    RosterImport.objects.filter(pk=earlier.pk).update(
        rows_valid=10_000, timings={"apply": 10.0}
    )  # 1.000 rows a second
    roster_import = checked(serang_partner_admin, serang, [row(2)], name="baru.csv")
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status="applying",
        rows_valid=300_000,
        applied_by=serang_partner_admin,
        claimed_at=timezone.now() - dt.timedelta(seconds=60),
    )
    client.force_login(serang_partner_admin)

    page = client.get(
        reverse("enrolment:roster_progress", args=[roster_import.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "Menerapkan 300.000 baris sekaligus" in page
    assert "sisa sekitar 4 menit" in page


# --- confirm, reject -------------------------------------------------------------------------


def test_confirming_queues_the_apply_and_the_page_shows_the_results_after_it(
    client, serang_partner_admin, institution, sent, django_capture_on_commit_callbacks
):
    roster_import = checked(serang_partner_admin, institution(SERANG), [row(1), row(2)])
    client.force_login(serang_partner_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment:roster_confirm", args=[roster_import.pk]))

    assert response.url == detail(roster_import)
    assert sent == [("enrolment.tasks.apply_roster", roster_import.pk)]
    page = client.get(detail(roster_import)).content.decode()
    assert "Dikonfirmasi: 2 baris yang valid sedang diterapkan." in page
    assert "Dikonfirmasi oleh Siti Aminah" in page
    assert "Terapkan 2 baris" not in page and 'hx-trigger="every 2s"' in page

    progress_url = reverse("enrolment:roster_progress", args=[roster_import.pk])
    RosterImport.objects.filter(pk=roster_import.pk).update(status="applying")  # a worker has it
    applying = client.get(progress_url)
    assert "HX-Refresh" not in applying
    assert "Menerapkan 2 baris sekaligus" in applying.content.decode()
    RosterImport.objects.filter(pk=roster_import.pk).update(status="validated")

    services.roster_apply(import_id=roster_import.pk)

    assert client.get(progress_url)["HX-Refresh"] == "true"
    page = client.get(detail(roster_import)).content.decode()
    assert "Diterapkan. Data pekerja sudah dicatat" in page
    counts = page[page.index('data-testid="counts"') :]
    assert 'Pekerja baru</th><td class="num">2<' in counts
    assert "Kepesertaan dibuat" in counts


def test_an_officer_rejects_a_checked_roster_with_a_reason_the_partner_reads(
    client, branch_officer, serang_partner_admin, institution
):
    roster_import = checked(serang_partner_admin, institution(SERANG), MIXED)
    client.force_login(branch_officer)
    assert "Tolak daftar pekerja ini" in client.get(detail(roster_import)).content.decode()

    client.post(
        reverse("enrolment:roster_reject", args=[roster_import.pk]),
        {"reason": "Unit kerja belum sesuai SK penugasan"},
    )

    roster_import.refresh_from_db()
    assert roster_import.status == "rejected" and roster_import.rejected_by == branch_officer
    client.force_login(serang_partner_admin)
    page = client.get(detail(roster_import)).content.decode()
    assert "Ditolak oleh Ahmad Fauzi" in page
    assert "Unit kerja belum sesuai SK penugasan" in page


def test_a_partner_admin_cannot_reject_and_is_not_offered_to(
    client, serang_partner_admin, institution
):
    roster_import = checked(serang_partner_admin, institution(SERANG), MIXED)
    client.force_login(serang_partner_admin)

    response = client.post(
        reverse("enrolment:roster_reject", args=[roster_import.pk]), {"reason": "Tidak perlu"}
    )

    assert response.status_code == 403
    roster_import.refresh_from_db()
    assert roster_import.status == "validated"
    assert "Tolak daftar pekerja ini" not in client.get(detail(roster_import)).content.decode()


def test_a_reject_without_a_reason_is_refused(client, branch_officer, institution):
    roster_import = checked(branch_officer, institution(SERANG), MIXED)
    client.force_login(branch_officer)

    client.post(reverse("enrolment:roster_reject", args=[roster_import.pk]), {"reason": " "})

    roster_import.refresh_from_db()
    assert roster_import.status == "validated"
    page = client.get(detail(roster_import)).content.decode()
    assert "Tuliskan alasannya" in page


def test_a_manager_reads_an_import_without_any_action(
    client, manager, serang_partner_admin, institution
):
    roster_import = checked(serang_partner_admin, institution(SERANG), MIXED)
    client.force_login(manager)

    page = client.get(detail(roster_import)).content.decode()

    assert "Terapkan" not in page and "Batalkan impor" not in page and "Tolak" not in page
    assert reverse("enrolment:roster_issue_report", args=[roster_import.pk]) in page
    # whole rows carry NIKs: the failed-rows file is not for managers
    assert reverse("enrolment:roster_failed_rows", args=[roster_import.pk]) not in page
    upload_page = client.get(reverse("enrolment:roster_upload")).content.decode()
    assert "daftar.csv" in upload_page and 'type="file"' not in upload_page


def test_cancel_and_retry_go_through_the_services(client, serang_partner_admin, institution):
    roster_import = checked(serang_partner_admin, institution(SERANG), MIXED)
    client.force_login(serang_partner_admin)

    client.post(reverse("enrolment:roster_retry", args=[roster_import.pk]))
    page = client.get(detail(roster_import)).content.decode()
    assert "Hanya impor yang gagal yang dapat dicoba lagi." in page

    client.post(reverse("enrolment:roster_cancel", args=[roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == "cancelled"
    assert "Impor dibatalkan" in client.get(detail(roster_import)).content.decode()


# --- issues and downloads --------------------------------------------------------------------


def _listed_rows(response) -> list[tuple[int, str, str]]:
    table = response.context["issues"]
    return [(r.record.row, r.record.column, r.record.code) for r in table.paginated_rows]


def test_the_issues_are_filtered_by_severity_code_and_column(
    client, serang_partner_admin, institution
):
    roster_import = checked(serang_partner_admin, institution(SERANG), MIXED)
    assert (roster_import.rows_valid, roster_import.rows_error) == (1, 3)
    client.force_login(serang_partner_admin)

    everything = client.get(detail(roster_import))
    by_column = client.get(detail(roster_import), {"column": "NIK"})
    by_code = client.get(detail(roster_import), {"severity": "error", "code": "gender_invalid"})

    assert [r[0] for r in _listed_rows(everything)] == [3, 4, 5, 5]
    assert _listed_rows(by_column) == [(3, "NIK", "nik_format"), (5, "NIK", "nik_format")]
    assert _listed_rows(by_code) == [
        (4, "JENIS_KELAMIN", "gender_invalid"),
        (5, "JENIS_KELAMIN", "gender_invalid"),
    ]
    page = everything.content.decode()
    assert "36730152059000" not in page  # the value is shown masked
    assert 'data-testid="issues"' in page


def test_the_issue_report_keeps_every_cell_text_and_masks_the_nik(
    client, serang_partner_admin, institution
):
    roster_import = checked(serang_partner_admin, institution(SERANG), MIXED)
    client.force_login(serang_partner_admin)

    response = client.get(reverse("enrolment:roster_issue_report", args=[roster_import.pk]))

    assert response["Content-Disposition"].endswith(f'"laporan-impor-{roster_import.pk}.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Baris", "Kolom", "Nilai", "Kode", "Tingkat", "Pesan")
    assert [(r[0], r[1], r[3], r[4]) for r in rows[1:]] == [
        (3, "NIK", "nik_format", "Kesalahan"),
        (4, "JENIS_KELAMIN", "gender_invalid", "Kesalahan"),
        (5, "NIK", "nik_format", "Kesalahan"),
        (5, "JENIS_KELAMIN", "gender_invalid", "Kesalahan"),
    ]
    formulas = [
        cell for line in sheet.iter_rows() for cell in line if cell.value in ("=1+1", "@SUM(A1)")
    ]
    assert len(formulas) == 2 and all(cell.data_type == "s" for cell in formulas)
    assert not any("36730152059000" in str(value) for line in rows for value in line)


def test_the_failed_rows_file_holds_exactly_the_error_rows_ready_to_upload_again(
    client, serang_partner_admin, institution
):
    serang = institution(SERANG)
    roster_import = checked(serang_partner_admin, serang, MIXED)
    client.force_login(serang_partner_admin)

    response = client.get(reverse("enrolment:roster_failed_rows", args=[roster_import.pk]))

    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    data = workbook["Data"]
    rows = list(data.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert [r[:8] for r in rows[1:]] == [
        tuple(row(2, NIK="36730152059000")),
        tuple(row(3, JENIS_KELAMIN="=1+1")),
        tuple(row(4, NIK="36730152059000", JENIS_KELAMIN="@SUM(A1)")),
    ]
    nik_cell = data["A2"]
    assert (nik_cell.data_type, nik_cell.number_format) == ("s", "@")
    assert data["D3"].data_type == "s"  # "=1+1" stays text
    notes = list(workbook["Kesalahan"].iter_rows(values_only=True))
    assert [(n[0], n[1], n[2]) for n in notes[1:]] == [
        (2, 3, "NIK"),
        (3, 4, "JENIS_KELAMIN"),
        (4, 5, "NIK"),
        (4, 5, "JENIS_KELAMIN"),
    ]

    # Fixed or not, the file goes straight back into the pipeline.
    services.roster_cancel(by=serang_partner_admin, roster_import=roster_import)
    again = services.roster_upload(
        by=serang_partner_admin,
        institution=serang,
        upload=SimpleUploadedFile("baris-gagal.xlsx", content),
        enqueue=False,
    )
    again = services.roster_validate(import_id=again.pk)
    assert (again.format, again.rows_total, again.rows_error) == ("xlsx", 3, 3)
    assert again.unknown_columns == []


# --- workers ---------------------------------------------------------------------------------


def _worker_page(client, **params):
    OPTIONS.clear()  # the filters' choices are kept a minute: read here as on a first page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("enrolment:worker_list"), params)
    assert response.status_code == 200
    return response, len(queries)


def test_the_worker_list_masks_niks_and_needs_the_same_queries_for_any_page_size(
    client, serang_partner_admin, institution
):
    serang = institution(SERANG)
    applied(serang_partner_admin, serang, [row(n) for n in range(1, 4)], name="a.csv")
    client.force_login(serang_partner_admin)

    small, small_queries = _worker_page(client)
    applied(serang_partner_admin, serang, [row(n) for n in range(4, 24)], name="b.csv")
    large, large_queries = _worker_page(client)

    assert small.context["table"].paginator.count == 3
    assert large.context["table"].paginator.count == 23
    # Pinned: session, user, the second factor's device, roles, scope, count, the filters' four
    # lists of choices (institutions, provinces, categories, programs), page, employments,
    # enrolments: 13, however many workers the page shows (the session is saved once a minute,
    # not on every page).
    assert small_queries == large_queries == 13
    page = large.content.decode()
    assert "3673********0001" in page and nik(1) not in page
    assert "Pekerja Uji 01" in page and "MDT Al-Hidayah" in page
    assert "Guru Madrasah Diniyah" in page and "JKK: Menunggu pendaftaran" in page


def test_the_worker_list_shows_only_workers_in_scope_and_filters_by_institution(
    client, serang_partner_admin, maluku_partner_admin, national_admin, institution
):
    serang, maluku = institution(SERANG), institution(MALUKU)
    applied(national_admin, serang, [row(1), row(2)], name="serang.csv")
    applied(national_admin, maluku, [row(3)], name="maluku.csv")

    client.force_login(maluku_partner_admin)
    response, _queries = _worker_page(client)
    assert [w.full_name for w in response.context["table"].data] == ["Pekerja Uji 03"]

    client.force_login(national_admin)
    response, _queries = _worker_page(client, institution=serang.pk)
    assert [w.full_name for w in response.context["table"].data] == [
        "Pekerja Uji 01",
        "Pekerja Uji 02",
    ]
    assert response.context["form"]["institution"].value() == str(serang.pk)
    response, _queries = _worker_page(client, q="uji 03")
    assert [w.full_name for w in response.context["table"].data] == ["Pekerja Uji 03"]

    client.force_login(serang_partner_admin)
    response, _queries = _worker_page(client, institution=maluku.pk)
    assert list(response.context["table"].data) == []


# --- the institution's page ------------------------------------------------------------------


def test_the_institution_page_lists_its_last_imports_and_counts_its_workers(
    client, serang_partner_admin, manager, institution
):
    serang = institution(SERANG)
    roster_import = applied(serang_partner_admin, serang, [row(1), row(2), row(3)])
    url = reverse("partners:institution_detail", args=[serang.pk])
    client.force_login(serang_partner_admin)

    page = client.get(url).content.decode()

    assert f'href="{detail(roster_import)}">daftar.csv</a>' in page
    assert f"{reverse('enrolment:roster_upload')}?institution={serang.pk}" in page
    assert "3 pekerja tercatat di lembaga ini." in page
    assert f"{reverse('enrolment:worker_list')}?institution={serang.pk}" in page

    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "daftar.csv" in page and "?institution=" in page
    assert f"{reverse('enrolment:roster_upload')}?institution=" not in page
