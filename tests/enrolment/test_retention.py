"""Retention (UU 27/2022): after RETENTION_DAYS an import that is over loses its stored file, its
row issues and any staged row; its summary (counts, dates, who, status, hash) stays."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enrolment import services, tasks
from enrolment.models import (
    Employment,
    Enrolment,
    ImportEvent,
    RosterImport,
    RowIssue,
    StagedResult,
    Worker,
)
from partners.models import Institution
from tests.enrolment.rosters import csv_bytes, roster_file, row
from tests.enrolment.test_result_imports import KPJ, REGISTRATION, results, run

SERANG = "Kantor Kemenag Kota Serang"
SUMMARY = [
    "kind",
    "institution_id",
    "agreement_id",
    "uploaded_by_id",
    "applied_by_id",
    "rejected_by_id",
    "status",
    "sha256",
    "size",
    "format",
    "rows_total",
    "rows_valid",
    "rows_warning",
    "rows_error",
    "workers_created",
    "workers_updated",
    "workers_unchanged",
    "enrolments_created",
    "summary",
    "created_at",
    "validated_at",
    "applied_at",
]


@pytest.fixture
def serang(reference_data, settings, tmp_path) -> Institution:
    settings.MEDIA_ROOT = tmp_path
    return Institution.objects.get(name=SERANG)


def later(days: int):
    """The clock `days` from now, standing still."""
    return time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False)


def purge(days: int) -> services.Purged:
    with later(days):
        return services.imports_purge_expired()


def summary(roster_import: RosterImport) -> dict:
    return RosterImport.objects.filter(pk=roster_import.pk).values(*SUMMARY).get()


@pytest.fixture
def applied(serang, serang_partner_admin) -> RosterImport:
    """A roster applied today: two workers, one row with an error."""
    return run(
        serang_partner_admin,
        serang,
        roster_file([row(1), row(2), row(3, NAMA_LENGKAP="")], name="Roster Siti Aminah.csv"),
    )


def test_after_the_period_the_file_and_the_rows_go_and_the_summary_stays(applied):
    stored = applied.file.name
    before = summary(applied)
    people = (Worker.objects.count(), Employment.objects.count(), Enrolment.objects.count())
    assert default_storage.exists(stored) and applied.issues.count() == 1

    purged = purge(django_settings.RETENTION_DAYS + 1)

    assert (purged.imports, purged.issues, purged.failed) == (1, 1, 0)
    applied.refresh_from_db()
    assert not default_storage.exists(stored)
    assert not RowIssue.objects.filter(roster_import=applied).exists()
    assert summary(applied) == before  # counts, dates, actors, status, sha256
    assert applied.is_purged and applied.file.name == ""
    assert applied.original_name == f"berkas-{applied.pk}.csv"  # the name could name a person
    assert applied.events.get(action=ImportEvent.Action.UPLOADED).details["name"] == (
        applied.original_name
    )
    event = applied.events.get(action=ImportEvent.Action.PURGED)
    assert event.actor is None and event.details == {
        "days": django_settings.RETENTION_DAYS,
        "issues": 1,
        "file": True,
    }
    # the registry's own records of the people are not the file's: they stay
    assert (Worker.objects.count(), Employment.objects.count(), Enrolment.objects.count()) == people


def test_younger_and_active_imports_are_left_alone_and_a_second_run_changes_nothing(
    applied, serang, serang_partner_admin, branch_officer
):
    with later(60):
        younger = run(serang_partner_admin, serang, roster_file([row(4), row(5, UPAH="x")]))
    active = services.roster_upload(
        by=branch_officer,
        institution=serang,
        upload=results((1, KPJ[1], timezone.localdate().strftime("%d-%m-%Y"), "")),
        kind=REGISTRATION,
        enqueue=False,
    )
    active = services.roster_validate(import_id=active.pk)  # checked, never confirmed
    assert active.status == "validated" and StagedResult.objects.filter(roster_import=active)

    first = purge(91)
    states = {ri.pk: summary(ri) | {"purged_at": ri.purged_at} for ri in RosterImport.objects.all()}
    second = purge(91)

    assert (first.imports, second.imports, second.issues, second.failed) == (1, 0, 0, 0)
    assert {ri.pk for ri in RosterImport.objects.filter(purged_at__isnull=False)} == {applied.pk}
    for kept in (younger, active):
        kept.refresh_from_db()
        assert default_storage.exists(kept.file.name) and not kept.is_purged
    assert younger.issues.exists()
    assert StagedResult.objects.filter(roster_import=active).exists()
    assert states == {
        ri.pk: summary(ri) | {"purged_at": ri.purged_at} for ri in RosterImport.objects.all()
    }
    assert ImportEvent.objects.filter(action=ImportEvent.Action.PURGED).count() == 1


def test_every_finished_status_is_purged_in_batches(
    serang, serang_partner_admin, branch_officer, monkeypatch
):
    finished = []
    for serial, end in enumerate(["cancel", "reject", "fail", "refuse", "apply"], start=1):
        upload = roster_file([row(serial)], name=f"{serial}.csv")
        if end == "refuse":
            upload = roster_file([], name="kosong.csv", header=["NAMA"])
        uploaded = services.roster_upload(
            by=serang_partner_admin, institution=serang, upload=upload, enqueue=False
        )
        checked = services.roster_validate(import_id=uploaded.pk)
        if end == "cancel":
            services.roster_cancel(by=serang_partner_admin, roster_import=checked)
        elif end == "reject":
            services.roster_reject(by=branch_officer, roster_import=checked, reason="Bukan 2026")
        elif end == "fail":
            RosterImport.objects.filter(pk=checked.pk).update(status="failed")
        elif end == "apply":
            services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
            services.roster_apply(import_id=checked.pk)
        finished.append(RosterImport.objects.get(pk=uploaded.pk))
    assert {ri.status for ri in finished} == set(RosterImport.FINISHED)
    monkeypatch.setattr(services, "RETENTION_BATCH", 2)

    purged = purge(91)

    assert purged.imports == 5
    for roster_import in finished:
        roster_import.refresh_from_db()
        assert roster_import.is_purged and roster_import.file.name == ""


def test_a_refused_file_keeps_its_code_but_not_the_words_quoting_its_first_row(
    serang, serang_partner_admin
):
    # No header row: the first person's cells are taken for headers and quoted in the refusal.
    first = row(1)
    content = csv_bytes([row(2)], header=list(first.values()))
    uploaded = services.roster_upload(
        by=serang_partner_admin,
        institution=serang,
        upload=SimpleUploadedFile("tanpa-judul.csv", content, "text/csv"),
        enqueue=False,
    )
    refused = services.roster_validate(import_id=uploaded.pk)
    assert refused.status == "refused" and first["NAMA_LENGKAP"] in refused.message

    purge(91)

    refused.refresh_from_db()
    assert refused.file_code == "missing_columns"
    assert (refused.message, refused.unknown_columns) == ("", [])


def test_the_pages_say_when_the_file_was_deleted_instead_of_failing(
    client, applied, serang_partner_admin
):
    RosterImport.objects.filter(pk=applied.pk).update(status="failed")
    purge(91)
    applied.refresh_from_db()
    client.force_login(serang_partner_admin)
    detail_url = reverse("enrolment:roster_detail", args=[applied.pk])

    page = client.get(detail_url)
    report = client.get(reverse("enrolment:roster_issue_report", args=[applied.pk]))
    failed_rows = client.get(reverse("enrolment:roster_failed_rows", args=[applied.pk]))

    notice = page.context["purged_notice"]
    assert timezone.localtime(applied.purged_at).strftime("%d-%m-%Y") in notice
    assert 'data-testid="purged"' in page.content.decode()
    assert 'id="issues"' not in page.content.decode()
    assert not page.context["can_retry"] and not page.context["can_download_failed_rows"]
    for download in (report, failed_rows):
        assert download.status_code == 302 and download.url == detail_url
    with pytest.raises(services.RosterError):
        services.roster_retry(by=serang_partner_admin, roster_import=applied)
    # The same file may come again: the purged import can no longer be retried.
    again = services.roster_upload(
        by=serang_partner_admin,
        institution=applied.institution,
        upload=roster_file([row(1), row(2), row(3, NAMA_LENGKAP="")]),
        enqueue=False,
    )
    assert again.pk != applied.pk and again.sha256 == applied.sha256


def test_a_storage_error_leaves_the_import_whole_for_the_next_run(applied, monkeypatch, caplog):
    def broken(self, name):
        raise OSError("storage unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(FileSystemStorage, "delete", broken)  # the tests' storage
        first = purge(91)
    applied.refresh_from_db()
    assert (first.imports, first.failed) == (0, 1)
    assert not applied.is_purged and applied.issues.exists()
    assert default_storage.exists(applied.file.name)

    with caplog.at_level(logging.INFO, logger="enrolment.services"):
        second = purge(91)

    assert (second.imports, second.failed) == (1, 0)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert str(applied.pk) in logged
    assert "Siti" not in logged and row(1)["NIK"] not in logged  # ids and counts only


def test_the_nightly_task_purges_at_a_quiet_hour(applied, settings):
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "enrolment.tasks.purge_expired_imports"
    )
    assert entry["schedule"].hour == {3}

    with later(91):
        counts = tasks.purge_expired_imports()

    assert counts == {"imports": 1, "issues": 1, "failed": 0}


def test_the_period_comes_from_the_setting(applied, settings):
    settings.RETENTION_DAYS = 30
    assert purge(29).imports == 0
    assert purge(31).imports == 1
