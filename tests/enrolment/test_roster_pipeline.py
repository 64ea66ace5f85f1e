"""The roster import through its services: check, stage, apply exactly once, refuse early."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from enrolment import selectors, services
from enrolment.models import (
    Employment,
    Enrolment,
    EnrolmentChange,
    ImportEvent,
    RosterImport,
    RowIssue,
    StagedRow,
    Worker,
)
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"
AMBON = "Kantor Kemenag Kota Ambon"


def upload(user, institution, rows, **kwargs):
    return services.roster_upload(
        by=user, institution=institution, upload=roster_file(rows, **kwargs), enqueue=False
    )


def check_and_apply(user, roster_import):
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=user, roster_import=checked, enqueue=False)
    return services.roster_apply(import_id=roster_import.pk)


@pytest.fixture
def serang(institution):
    return institution(SERANG)


def test_a_roster_is_checked_then_applied_once_with_its_enrolments(serang_partner_admin, serang):
    rows = [row(n) for n in range(1, 6)] + [row(6, NIK="12345"), row(7, NAMA_LENGKAP="")]
    roster_import = upload(serang_partner_admin, serang, rows)
    assert roster_import.status == "uploaded" and roster_import.format == "csv"

    checked = services.roster_validate(import_id=roster_import.pk)
    assert (checked.status, checked.rows_total, checked.rows_valid, checked.rows_error) == (
        "validated",
        7,
        5,
        2,
    )
    assert (checked.workers_created, checked.workers_updated) == (5, 0)
    issues = {(i.row, i.code) for i in checked.issues.all()}
    assert issues == {(7, "nik_format"), (8, "name_missing")}  # the header is row 1
    assert not Worker.objects.exists()  # nothing applied before the confirmation

    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    applied = services.roster_apply(import_id=roster_import.pk)

    assert applied.status == "applied" and applied.applied_by == serang_partner_admin
    assert Worker.objects.count() == 5
    employments = Employment.objects.filter(institution=serang)
    assert employments.count() == 5 and {e.wage for e in employments} == {2_000_000}
    # tied to Kota Serang's own PKS, which covers JKK, JKM and JHT
    assert applied.agreement.title == "PKS Kantor Kemenag Kota Serang"
    assert sorted(applied.agreement.programs.values_list("code", flat=True)) == [
        "JHT",
        "JKK",
        "JKM",
    ]
    assert Enrolment.objects.filter(status="pending").count() == 15 == applied.enrolments_created
    assert not StagedRow.objects.filter(roster_import_id=roster_import.pk).exists()
    event = applied.events.get(action=ImportEvent.Action.APPLIED)
    assert event.actor == serang_partner_admin and event.details["created"] == 5


def test_each_enrolment_a_roster_creates_names_the_import_and_starts_its_history_pending(
    serang_partner_admin, serang
):
    first = check_and_apply(serang_partner_admin, upload(serang_partner_admin, serang, [row(1)]))
    second = check_and_apply(
        serang_partner_admin,
        upload(serang_partner_admin, serang, [row(1, UPAH="2.100.000"), row(2, PROGRAM="JKK")]),
    )

    assert (first.enrolments_created, second.enrolments_created) == (3, 1)
    by_import = {
        ri.pk: sorted(
            Enrolment.objects.filter(source_import=ri).values_list("worker__nik", flat=True)
        )
        for ri in (first, second)
    }
    assert by_import == {first.pk: [row(1)["NIK"]] * 3, second.pk: [row(2)["NIK"]]}
    # The creation is the enrolment's own record: the import writes no history row for it...
    assert not EnrolmentChange.objects.exists()
    # ...and the worker's page begins each enrolment's history with it, naming the import and
    # who confirmed it (the enrolments the second roster found are untouched).
    for serial, roster_import in ((1, first), (2, second)):
        worker = Worker.objects.get(nik=row(serial)["NIK"])
        detail = selectors.worker_detail(user=serang_partner_admin, worker=worker)
        for enrolment in detail.enrolments:
            [entry] = enrolment.entries
            assert (entry.before, entry.after, entry.after_label) == (
                "",
                "pending",
                "Menunggu pendaftaran",
            )
            assert entry.roster_import_id == roster_import.pk
            assert entry.actor == serang_partner_admin and entry.at == enrolment.created_at


def test_applying_again_changes_nothing(serang_partner_admin, serang):
    roster_import = upload(serang_partner_admin, serang, [row(1), row(2)])
    check_and_apply(serang_partner_admin, roster_import)
    assert services.roster_apply(import_id=roster_import.pk) is None  # already applied
    assert Worker.objects.count() == 2 and Enrolment.objects.count() == 6


def test_two_applies_of_one_import_at_the_same_moment_write_once(
    serang_partner_admin, serang, transactional_db
):
    roster_import = upload(serang_partner_admin, serang, [row(n) for n in range(1, 30)])
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    results = []

    def apply_in_a_thread():
        try:
            results.append(services.roster_apply(import_id=roster_import.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=apply_in_a_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r is None for r in results) == [False, True]
    assert Worker.objects.count() == 29
    assert ImportEvent.objects.filter(action="applied").count() == 1


def test_the_apply_runs_with_the_work_mem_configured_for_it_not_the_servers(
    serang_partner_admin, serang, settings
):
    settings.ROSTER_APPLY_WORK_MEM = "48MB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        (before,) = cursor.fetchone()
        cursor.execute("CREATE TABLE test_seen_work_mem (work_mem text)")
        cursor.execute(
            """CREATE FUNCTION test_remember_work_mem() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN INSERT INTO test_seen_work_mem VALUES (current_setting('work_mem'));
               RETURN NULL; END $$"""
        )
        cursor.execute(
            "CREATE TRIGGER test_remember_work_mem AFTER INSERT ON enrolment_worker "
            "FOR EACH STATEMENT EXECUTE FUNCTION test_remember_work_mem()"
        )

    check_and_apply(serang_partner_admin, upload(serang_partner_admin, serang, [row(1)]))

    with connection.cursor() as cursor:
        cursor.execute("SELECT work_mem FROM test_seen_work_mem")
        assert cursor.fetchall() == [("48MB",)]
        assert before != "48MB"


def test_two_institutions_applying_the_same_new_person_at_once_record_them_once(
    serang_partner_admin, maluku_partner_admin, serang, institution, transactional_db
):
    ambon = institution(AMBON)
    imports = []
    for user, employer in ((serang_partner_admin, serang), (maluku_partner_admin, ambon)):
        checked = services.roster_validate(
            import_id=upload(user, employer, [row(1), row(2 if employer == serang else 3)]).pk
        )
        services.roster_confirm(by=user, roster_import=checked, enqueue=False)
        imports.append(checked.pk)
    start = threading.Barrier(2)
    results = []

    def apply_in_a_thread(import_id):
        try:
            start.wait()
            results.append(services.roster_apply(import_id=import_id).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply_in_a_thread, args=(pk,)) for pk in imports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == ["applied", "applied"]
    both = Worker.objects.get(nik=row(1)["NIK"])
    assert {e.institution for e in both.employments.all()} == {serang, ambon}
    assert both.enrolments.count() == 3  # one of each program, whoever came first
    assert Worker.objects.count() == 3


def test_the_same_file_again_is_refused_with_a_link_to_the_earlier_import(
    serang_partner_admin, serang
):
    first = upload(serang_partner_admin, serang, [row(1)])
    check_and_apply(serang_partner_admin, first)
    with pytest.raises(services.RosterError) as refused:
        upload(serang_partner_admin, serang, [row(1)])
    assert refused.value.code == "duplicate_file" and refused.value.existing == first
    assert "Berkas ini sudah pernah diunggah" in refused.value.message
    assert RosterImport.objects.count() == 1


def test_a_second_roster_waits_until_the_first_is_finished(serang_partner_admin, serang):
    upload(serang_partner_admin, serang, [row(1)])
    with pytest.raises(services.RosterError) as refused:
        upload(serang_partner_admin, serang, [row(2)])
    assert refused.value.code == "import_in_progress"


def test_a_changed_roster_writes_only_the_changes_and_keeps_the_values_before(
    serang_partner_admin, serang
):
    check_and_apply(serang_partner_admin, upload(serang_partner_admin, serang, [row(1), row(2)]))
    changed = [row(1, NAMA_LENGKAP="Siti Aminah Zahra"), row(2, UPAH="2.500.000")]
    roster_import = upload(serang_partner_admin, serang, changed)
    applied = check_and_apply(serang_partner_admin, roster_import)

    assert (applied.workers_created, applied.workers_updated, applied.workers_unchanged) == (
        0,
        2,
        0,
    )
    siti = Worker.objects.get(nik=row(1)["NIK"])
    assert siti.full_name == "Siti Aminah Zahra"
    history = siti.changes.get()
    assert history.changes == {"full_name": ["Pekerja Uji 1", "Siti Aminah Zahra"]}
    assert history.roster_import == roster_import
    assert Employment.objects.get(worker__nik=row(2)["NIK"]).wage == 2_500_000
    assert Enrolment.objects.count() == 6  # no second enrolment for the same program


def test_a_roster_cannot_write_ids_or_another_institutions_data(
    serang_partner_admin, maluku_partner_admin, serang, institution
):
    ambon = institution(AMBON)
    shared = row(1)
    check_and_apply(maluku_partner_admin, upload(maluku_partner_admin, ambon, [shared]))
    ambon_employment = Employment.objects.get(institution=ambon)

    hostile = row(1, NAMA_LENGKAP="Nama Palsu", UPAH="9.999.000")
    hostile.update({"id": str(ambon_employment.pk), "institution": str(ambon.pk)})
    roster_import = upload(serang_partner_admin, serang, [hostile, row(2)])
    checked = services.roster_validate(import_id=roster_import.pk)
    assert checked.unknown_columns == ["id", "institution"]
    warning = checked.issues.get(code="worker_in_other_institution")
    assert warning.severity == "warning" and AMBON in warning.message
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    services.roster_apply(import_id=roster_import.pk)

    ambon_employment.refresh_from_db()
    assert ambon_employment.wage == 2_000_000 and ambon_employment.institution == ambon
    worker = Worker.objects.get(nik=shared["NIK"])
    assert worker.full_name == "Pekerja Uji 1"  # Ambon's record of the person stays
    assert Employment.objects.filter(worker=worker, institution=serang).exists()


def test_a_roster_of_known_and_new_people_adds_the_new_and_fills_only_what_was_empty(
    serang_partner_admin, maluku_partner_admin, serang, institution
):
    ambon = institution(AMBON)
    check_and_apply(maluku_partner_admin, upload(maluku_partner_admin, ambon, [row(1), row(2)]))
    check_and_apply(serang_partner_admin, upload(serang_partner_admin, serang, [row(3)]))
    ambon_workers = {w.pk: w.updated_at for w in Worker.objects.filter(nik__in=[row(2)["NIK"]])}

    mixed = [
        row(1, NAMA_LENGKAP="Nama Lain", NO_HP="081234567890"),  # Ambon's, now Serang's too
        row(3, UPAH="2.750.000"),  # Serang's own, a new wage
        row(4),  # nobody's yet
    ]
    applied = check_and_apply(serang_partner_admin, upload(serang_partner_admin, serang, mixed))

    assert (applied.workers_created, applied.workers_updated, applied.workers_unchanged) == (
        1,
        2,
        0,
    )
    shared = Worker.objects.get(nik=row(1)["NIK"])
    assert (shared.full_name, shared.phone) == ("Pekerja Uji 1", "081234567890")
    assert shared.changes.get().changes == {"phone": ["", "081234567890"]}
    assert Employment.objects.get(worker__nik=row(3)["NIK"]).wage == 2_750_000
    assert not Worker.objects.get(nik=row(3)["NIK"]).changes.exists()
    newcomer = Worker.objects.get(nik=row(4)["NIK"])
    assert newcomer.employments.get().institution == serang
    assert newcomer.enrolments.count() == 3
    assert {e.institution for e in Employment.objects.filter(worker=shared)} == {ambon, serang}
    assert {w.pk: w.updated_at for w in Worker.objects.filter(pk__in=ambon_workers)} == (
        ambon_workers
    )  # a person the roster does not list is left alone
    assert Enrolment.objects.filter(worker=shared).count() == 3  # none twice


def test_a_file_that_is_not_a_roster_is_refused_at_upload_and_kept(serang_partner_admin, serang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("daftar.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")
    roster_import = services.roster_upload(
        by=serang_partner_admin, institution=serang, upload=pdf, enqueue=False
    )
    assert roster_import.status == "refused"
    assert roster_import.file_code == "file_type_unsupported"
    assert roster_import.file.read().startswith(b"%PDF")  # kept for an officer to look at
    # a refused file does not block the next upload
    upload(serang_partner_admin, serang, [row(1)])


def test_missing_columns_are_named_before_any_row_is_read(serang_partner_admin, serang):
    rows = [{"NIK": row(1)["NIK"], "NAMA": "Siti"}]
    roster_import = upload(serang_partner_admin, serang, rows, header=["NIK", "NAMA"])
    refused = services.roster_validate(import_id=roster_import.pk)
    assert refused.status == "refused" and refused.file_code == "missing_columns"
    assert "TANGGAL_LAHIR" in refused.message and "NAMA" in refused.message
    assert not RowIssue.objects.filter(roster_import=refused).exists()


def test_the_program_column_overrides_the_agreements_programs(serang_partner_admin, serang):
    rows = [row(1, PROGRAM="JKK,JKM"), row(2), row(3, PROGRAM="JKK JKM JP")]
    applied = check_and_apply(serang_partner_admin, upload(serang_partner_admin, serang, rows))
    programs = {
        w.nik: sorted(w.enrolments.values_list("program__code", flat=True))
        for w in Worker.objects.all()
    }
    assert programs == {row(1)["NIK"]: ["JKK", "JKM"], row(2)["NIK"]: ["JHT", "JKK", "JKM"]}
    assert applied.issues.get().code == "program_not_allowed"


def test_an_officer_rejects_a_checked_roster_with_a_reason(
    branch_officer, serang_partner_admin, serang
):
    roster_import = upload(serang_partner_admin, serang, [row(1)])
    checked = services.roster_validate(import_id=roster_import.pk)
    with pytest.raises(services.RosterError):
        services.roster_reject(by=serang_partner_admin, roster_import=checked, reason="Salah")
    services.roster_reject(by=branch_officer, roster_import=checked, reason="Bukan daftar 2026")
    checked.refresh_from_db()
    assert checked.status == "rejected" and checked.rejected_reason == "Bukan daftar 2026"
    assert not StagedRow.objects.filter(roster_import_id=checked.pk).exists()
    assert services.roster_apply(import_id=checked.pk) is None


def test_the_reaper_returns_an_import_whose_worker_died_to_work(
    serang_partner_admin, serang, django_capture_on_commit_callbacks
):
    roster_import = upload(serang_partner_admin, serang, [row(1)])
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    # a worker claimed the apply and died: no advisory lock is held any more
    RosterImport.objects.filter(pk=checked.pk).update(status="applying")
    sent = []
    original, services._send = services._send, lambda task, ri: sent.append((task, ri.pk))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reaped = services.rosters_reap(stale_after=dt.timedelta(0))
    finally:
        services._send = original
    assert reaped == [checked.pk]
    checked.refresh_from_db()
    assert checked.status == "validated"
    assert sent == [("enrolment.tasks.apply_roster", checked.pk)]
    assert list(checked.events.values_list("action", flat=True)[:2]) == ["retried", "failed"]


def test_the_command_line_applies_a_roster_and_prints_json(serang, capsys, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(roster_file([row(1), row(2, UPAH="dua juta")]).read())
    call_command("import_roster", str(path), "--institution", serang.code, "--json")
    result = json.loads(capsys.readouterr().out)
    assert {k: result[k] for k in ["status", "rows", "valid", "errors", "created"]} == {
        "status": "applied",
        "rows": 2,
        "valid": 1,
        "errors": 1,
        "created": 1,
    }
    assert result["issues"] == [
        {
            "row": 3,
            "column": "UPAH",
            "code": "wage_invalid",
            "severity": "error",
            "message": result["issues"][0]["message"],
        }
    ]

    with pytest.raises(SystemExit) as exit_code:
        call_command("import_roster", str(path), "--institution", serang.code, "--json")
    assert exit_code.value.code == 2
    assert json.loads(capsys.readouterr().out)["file_code"] == "duplicate_file"


def test_a_dry_run_checks_and_applies_nothing(serang, capsys, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(roster_file([row(1)]).read())
    call_command("import_roster", str(path), "--institution", serang.code, "--dry-run", "--json")
    assert json.loads(capsys.readouterr().out)["status"] == "checked"
    assert not Worker.objects.exists()
    call_command("import_roster", str(path), "--institution", serang.code, "--json")
    assert json.loads(capsys.readouterr().out)["status"] == "applied"
