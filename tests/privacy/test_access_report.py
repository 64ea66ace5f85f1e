"""The breach query: the people and fields one account or one address touched in a window."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from openpyxl import load_workbook

from accounts.models import AccessLog, PersonalField
from accounts.services import access_log_record
from enrolment import services
from enrolment.imports.validation import mask_nik
from enrolment.models import Employment, Worker
from privacy.management.commands.access_report import parse_moment
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(serial: int) -> Worker:
    return Worker.objects.get(nik=row(serial)["NIK"])


@pytest.fixture
def people(serang_partner_admin, institution):
    """Five workers of Kemenag Kota Serang, imported by its partner admin."""
    roster_import = services.roster_upload(
        by=serang_partner_admin,
        institution=institution(SERANG),
        upload=roster_file([row(n) for n in range(1, 6)]),
        enqueue=False,
    )
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    services.roster_apply(import_id=roster_import.pk)


def _at(moment: dt.datetime, **record) -> AccessLog:
    """An access as it was written at `moment` from `ip` (the log is append-only: no backdating)."""
    ip = record.pop("ip", "10.0.0.1")
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    with time_machine.travel(moment, tick=False):
        return access_log_record(request=request, **record)


@pytest.fixture
def accesses(people, branch_officer, kanwil_officer):
    """The branch officer, on 2 March 2026 from 10.9.8.7, viewed person 1's page and exported
    persons 2 and 3; on 10 March viewed person 4; the Kanwil officer, from the same address on
    2 March, viewed person 5."""
    on_2_march = dt.datetime(2026, 3, 2, 9, 30, tzinfo=WIB)
    _at(
        on_2_march,
        user=branch_officer,
        action="view",
        what=f"halaman pekerja #{person(1).pk}",
        worker=person(1),
        fields=[PersonalField.NIK, PersonalField.FULL_NAME, PersonalField.PHONE],
        ip="10.9.8.7",
    )
    _at(
        on_2_march + dt.timedelta(hours=1),
        user=branch_officer,
        action="export",
        what="daftar pekerja",
        workers=[person(2).pk, person(3).pk],
        fields=[PersonalField.NIK, PersonalField.WAGE],
        ip="10.9.8.7",
    )
    _at(
        dt.datetime(2026, 3, 10, 8, tzinfo=WIB),
        user=branch_officer,
        action="view",
        what=f"halaman pekerja #{person(4).pk}",
        worker=person(4),
        ip="10.9.8.7",
    )
    _at(
        on_2_march + dt.timedelta(hours=2),
        user=kanwil_officer,
        action="view",
        what=f"halaman pekerja #{person(5).pk}",
        worker=person(5),
        ip="10.9.8.7",
    )


def report(*args: str) -> list[list[str]]:
    out = io.StringIO()
    call_command("access_report", *args, stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines()]


def body(lines: list[list[str]]) -> list[list[str]]:
    return [line for line in lines[2:] if not line[0].startswith("#")]


def test_by_user_it_lists_each_person_touched_in_the_window_with_what_and_from_where(
    accesses, branch_officer
):
    lines = report("--user", "petugas.serang", "--since", "2026-03-01", "--until", "2026-03-03")

    assert lines[0][0].startswith("# access report: user petugas.serang, 2026-03-01 00:00")
    assert [(line[0], line[2], line[3], line[4], line[5], line[8]) for line in body(lines)] == [
        (
            "2026-03-02 09:30:00",
            "petugas.serang",
            "10.9.8.7",
            f"halaman pekerja #{person(1).pk}",
            str(person(1).pk),
            "nik,full_name,phone",
        ),
        (
            "2026-03-02 10:30:00",
            "petugas.serang",
            "10.9.8.7",
            "daftar pekerja",
            str(person(2).pk),
            "nik,wage",
        ),
        (
            "2026-03-02 10:30:00",
            "petugas.serang",
            "10.9.8.7",
            "daftar pekerja",
            str(person(3).pk),
            "nik,wage",
        ),
    ]
    assert lines[-1] == ["# 2 acts, 3 people"]


def test_by_address_it_lists_every_account_that_used_it(accesses):
    lines = report("--ip", "10.9.8.7", "--since", "2026-03-02", "--until", "2026-03-02")

    assert [(line[2], line[5]) for line in body(lines)] == [
        ("petugas.serang", str(person(1).pk)),
        ("petugas.serang", str(person(2).pk)),
        ("petugas.serang", str(person(3).pk)),
        ("petugas.kanwil", str(person(5).pk)),
    ]
    network = report("--ip", "10.9.8.0/24", "--since", "2026-03-02", "--until", "2026-03-02")
    assert body(network) == body(lines)
    elsewhere = report("--ip", "10.9.9.7", "--since", "2026-03-01", "--until", "2026-03-31")
    assert body(elsewhere) == []


def test_nothing_outside_the_window_is_listed(accesses):
    before = report("--user", "petugas.serang", "--since", "2026-02-01", "--until", "2026-03-01")
    later = report(
        "--user", "petugas.serang", "--since", "2026-03-02T10:31", "--until", "2026-03-10T08:00"
    )
    after = report(
        "--user", "petugas.serang", "--since", "2026-03-02T10:31", "--until", "2026-03-10T08:01"
    )

    assert body(before) == [] and body(later) == []
    assert [line[5] for line in body(after)] == [str(person(4).pk)]


def test_niks_are_masked_unless_the_officer_asks_for_them_whole_and_that_is_logged(
    accesses, national_admin
):
    masked = report("--user", "petugas.serang", "--since", "2026-03-01", "--until", "2026-03-31")
    assert [line[6] for line in body(masked)][0] == mask_nik(person(1).nik)
    assert person(1).nik not in str(masked)
    assert not AccessLog.objects.filter(user=national_admin).exists()

    whole = report(
        "--user",
        "petugas.serang",
        "--since",
        "2026-03-01",
        "--until",
        "2026-03-31",
        "--full-nik",
        "--by",
        "admin",
    )

    assert [line[6] for line in body(whole)] == [person(n).nik for n in (1, 2, 3, 4)]
    log = AccessLog.objects.get(user=national_admin)
    assert sorted(log.workers) == sorted(person(n).pk for n in (1, 2, 3, 4))
    assert log.what.startswith("laporan akses user petugas.serang")


def test_whole_niks_need_the_account_of_an_officer_who_handles_such_requests(accesses):
    args = ["--user", "petugas.serang", "--since", "2026-03-01", "--full-nik"]
    with pytest.raises(CommandError, match="--by"):
        call_command("access_report", *args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="not an active national administrator"):
        call_command("access_report", *args, "--by", "mitra.serang", stdout=io.StringIO())


def test_changes_the_user_made_are_listed_with_the_fields_they_changed(
    client, people, branch_officer
):
    employment = Employment.objects.get(worker=person(1))
    client.force_login(branch_officer)
    client.post(
        f"/pekerja/{person(1).pk}/hubungan-kerja/{employment.pk}/akhiri/",
        {"ended_on": "31-10-2026", "reason": "resigned"},
        REMOTE_ADDR="10.5.5.5",
    )
    today = dt.date.today().isoformat()

    lines = body(report("--user", "petugas.serang", "--since", today, "--until", today))
    changes = [line for line in lines if line[4].startswith(("hubungan kerja", "kepesertaan"))]

    assert {line[5] for line in changes} == {str(person(1).pk)}
    assert {line[8] for line in changes} == {"employment", "enrolment"}
    assert {line[3] for line in changes} == {"10.5.5.5"}
    by_ip = body(report("--ip", "10.5.5.5", "--since", today, "--until", today))
    assert {line[5] for line in by_ip} == {str(person(1).pk)}
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert (
        body(report("--user", "petugas.serang", "--since", yesterday, "--until", yesterday)) == []
    )


def test_the_people_an_import_wrote_are_listed_for_the_user_who_confirmed_it(people):
    today = dt.date.today().isoformat()

    lines = body(report("--user", "mitra.serang", "--since", today, "--until", today))

    assert {line[5] for line in lines} == {str(person(n).pk) for n in range(1, 6)}
    assert "nik" in {field for line in lines for field in line[8].split(",")}
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert body(report("--user", "mitra.serang", "--since", yesterday, "--until", yesterday)) == []


def test_csv_and_xlsx_are_written_to_the_named_file(accesses, tmp_path):
    window = ["--user", "petugas.serang", "--since", "2026-03-01", "--until", "2026-03-31"]
    call_command(
        "access_report",
        *window,
        "--format",
        "csv",
        "--output",
        tmp_path / "r.csv",
        stdout=io.StringIO(),
    )
    call_command(
        "access_report",
        *window,
        "--format",
        "xlsx",
        "--output",
        tmp_path / "r.xlsx",
        stdout=io.StringIO(),
    )

    rows = list(csv.reader((tmp_path / "r.csv").read_text("utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) == 1 + 4 and rows[1][6] == mask_nik(person(1).nik)
    sheet = load_workbook(tmp_path / "r.xlsx").active
    assert sheet.max_row == 1 + 4
    with pytest.raises(CommandError, match="--output"):
        call_command("access_report", *window, "--format", "csv", stdout=io.StringIO())


def test_times_are_read_in_jakarta_unless_they_carry_an_offset():
    assert parse_moment("2026-03-01") == dt.datetime(2026, 3, 1, tzinfo=WIB)
    assert parse_moment("2026-03-01", end=True) == dt.datetime(2026, 3, 2, tzinfo=WIB)
    assert parse_moment("2026-03-01T14:30") == dt.datetime(2026, 3, 1, 14, 30, tzinfo=WIB)
    assert parse_moment("2026-03-01T14:30+00:00") == dt.datetime(2026, 3, 1, 21, 30, tzinfo=WIB)
    with pytest.raises(CommandError, match="not a date"):
        parse_moment("1 Maret 2026")


def test_a_user_or_an_address_and_a_known_one(accesses):
    with pytest.raises(CommandError):
        call_command("access_report", "--since", "2026-03-01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command(
            "access_report", "--user", "siapa", "--since", "2026-03-01", stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="not an address"):
        call_command(
            "access_report", "--ip", "10.9.8", "--since", "2026-03-01", stdout=io.StringIO()
        )
