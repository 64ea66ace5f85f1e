"""Faults against real processes: the broker stopped under an upload, Redis restarted under an
import. Each test runs its own redis-server (nothing kept on disk, so a restart loses every
queued message) and a real Celery worker on it; recovery comes from the database state, through
the reaper that beat runs every minute."""

from __future__ import annotations

import datetime as dt
import os

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from enrolment import services
from enrolment.models import Employment, Enrolment, ImportEvent, RosterImport, Worker
from tests.conftest import _test_database_url, start_worker, stop_worker
from tests.enrolment.processes import wait_for
from tests.enrolment.rosters import roster_file, row

pytestmark = pytest.mark.worker

SERANG = "Kantor Kemenag Kota Serang"
AMBON = "Kantor Kemenag Kota Ambon"
ROWS = 3_000


def _status(pk: int) -> str:
    return RosterImport.objects.values_list("status", flat=True).get(pk=pk)


def _actions(roster_import: RosterImport) -> list[str]:
    return sorted(
        ImportEvent.objects.filter(roster_import=roster_import).values_list("action", flat=True)
    )


def _reap() -> None:
    """What beat's `reap_rosters` does once its minute has passed."""
    services.rosters_reap(stale_after=dt.timedelta(0))


def _waiting_on(table: str) -> bool:
    """A session (the worker's) waits for the lock the test holds on `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ~ %s",
            [rf"\m{table}\M"],
        )
        return cursor.fetchone()[0] >= 1


class _TableLock:
    """Another session holds `table`, so the worker's task stops there, mid-way."""

    def __init__(self, table: str):
        self.table = table
        self.session = psycopg.connect(_test_database_url())
        self.session.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")

    def release(self) -> None:
        if not self.session.closed:
            self.session.rollback()
            self.session.close()


@pytest.fixture
def worker(own_redis, transactional_db, tmp_path):
    process = start_worker(f"faults-{os.getpid()}@sinergi", tmp_path / "worker.log")
    try:
        yield process
    finally:
        stop_worker(process)


def test_with_the_broker_stopped_an_upload_is_kept_and_checked_once_when_it_is_back(
    own_redis, worker, client, reference_data, serang_partner_admin, institution
):
    own_redis.kill()
    client.force_login(serang_partner_admin)

    response = client.post(
        reverse("enrolment:roster_upload"),
        {"institution": institution(SERANG).pk, "file": roster_file([row(1), row(2)])},
        follow=True,
    )

    roster_import = RosterImport.objects.get()
    page = response.content.decode()
    assert "Berkas sudah disimpan, tetapi antrean pemrosesan sedang tidak dapat" in page
    assert "Sinergi memprosesnya otomatis begitu antrean kembali" in page
    assert roster_import.status == "uploaded"
    assert roster_import.file.storage.exists(roster_import.file.name)

    own_redis.start()
    wait_for(
        lambda: _status(roster_import.pk) == "validated",
        what="the worker to check the upload the reaper queued again",
        every=_reap,  # beat, every minute; here as often as the test polls (duplicates included)
    )
    _reap()
    wait_for(lambda: not own_redis.client(0).llen("imports"), what="the queue to drain")
    roster_import.refresh_from_db()
    assert (roster_import.rows_valid, roster_import.rows_error) == (2, 0)
    assert _actions(roster_import) == ["uploaded", "validated"]


def test_a_redis_restart_while_the_worker_checks_and_applies_loses_nothing_and_doubles_nothing(
    own_redis, worker, reference_data, serang_partner_admin, institution
):
    lock = _TableLock("enrolment_stagedrow")
    try:
        roster_import = services.roster_upload(
            by=serang_partner_admin,
            institution=institution(SERANG),
            upload=roster_file([row(n) for n in range(1, ROWS + 1)]),
        )
        wait_for(lambda: _waiting_on("enrolment_stagedrow"), what="the check to start")
        assert _status(roster_import.pk) == "validating"
        own_redis.restart()  # the check's message (unacknowledged) and every queue are gone
    finally:
        lock.release()
    wait_for(lambda: _status(roster_import.pk) == "validated", what="the check", every=_reap)

    lock = _TableLock("enrolment_enrolment")
    try:
        roster_import.refresh_from_db()
        services.roster_confirm(by=serang_partner_admin, roster_import=roster_import)
        assert roster_import.queued is True  # this process reconnected to the new Redis
        wait_for(lambda: _waiting_on("enrolment_enrolment"), what="the apply to reach enrolments")
        assert _status(roster_import.pk) == "applying"
        own_redis.restart()
    finally:
        lock.release()
    wait_for(lambda: _status(roster_import.pk) == "applied", what="the apply", every=_reap)

    _reap()
    assert Worker.objects.count() == ROWS and Employment.objects.count() == ROWS
    programs = len(services.default_programs(roster_import.agreement))
    assert Enrolment.objects.count() == ROWS * programs
    assert _actions(roster_import) == ["applied", "uploaded", "validated"]


def test_an_apply_waiting_in_the_queue_when_redis_restarts_is_queued_again_by_the_reaper(
    own_redis, worker, reference_data, serang_partner_admin, branch_officer, institution
):
    # Checked here, confirmed later: its apply goes to the queue behind another file's check.
    waiting = services.roster_upload(
        by=serang_partner_admin,
        institution=institution(SERANG),
        upload=roster_file([row(n) for n in range(1, 201)]),
        enqueue=False,
    )
    waiting = services.roster_validate(import_id=waiting.pk)
    lock = _TableLock("enrolment_stagedrow")
    try:
        busy = services.roster_upload(
            by=branch_officer,
            institution=institution("Kantor Kemenag Kabupaten Serang"),
            upload=roster_file([row(n) for n in range(5_001, 5_101)]),
        )
        wait_for(lambda: _waiting_on("enrolment_stagedrow"), what="the worker to be busy")
        services.roster_confirm(by=serang_partner_admin, roster_import=waiting)
        assert own_redis.client(0).llen("imports") == 1
        own_redis.restart()  # the confirmed apply was only in the queue: it is gone
    finally:
        lock.release()
    wait_for(lambda: _status(busy.pk) == "validated", what="the other file's check")
    assert _status(waiting.pk) == "validated"

    wait_for(lambda: _status(waiting.pk) == "applied", what="the apply", every=_reap)

    assert Worker.objects.filter(employments__institution__name=SERANG).distinct().count() == 200
    assert _actions(waiting) == ["applied", "uploaded", "validated"]


def test_a_retry_made_while_the_broker_was_down_is_queued_when_it_is_back(
    own_redis, transactional_db, reference_data, serang_partner_admin, institution
):
    roster_import = services.roster_upload(
        by=serang_partner_admin,
        institution=institution(SERANG),
        upload=roster_file([row(1)]),
        enqueue=False,
    )
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status="failed", claimed_at=roster_import.created_at, attempts=1
    )
    roster_import.refresh_from_db()
    own_redis.kill()

    services.roster_retry(by=serang_partner_admin, roster_import=roster_import)

    assert roster_import.queued is False and _status(roster_import.pk) == "uploaded"
    own_redis.start()
    _reap()
    assert own_redis.client(0).llen("imports") == 1
