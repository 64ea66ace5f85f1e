"""The roster tasks on a real Celery worker: killed mid-apply, delivered twice, broker down."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import psycopg
import pytest
from django.db import connection, transaction

from config.celery import app as celery_app
from enrolment import services
from enrolment.models import Enrolment, ImportEvent, RosterImport, Worker
from tests.conftest import _test_database_url, start_worker, stop_worker
from tests.enrolment.rosters import roster_file, row

pytestmark = pytest.mark.worker

SERANG = "Kantor Kemenag Kota Serang"


def _wait(condition, *, seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.2)


def _new_broker_pool() -> None:
    """Connections to the broker now configured (what Celery does itself after a fork)."""
    celery_app._after_fork()


def _status(pk: int) -> str:
    return RosterImport.objects.values_list("status", flat=True).get(pk=pk)


def _checked_import(user, institution, rows: int) -> RosterImport:
    roster_import = services.roster_upload(
        by=user,
        institution=institution,
        upload=roster_file([row(n) for n in range(1, rows + 1)]),
        enqueue=False,
    )
    return services.roster_validate(import_id=roster_import.pk)


def _apply_waiting_for_the_enrolments_table() -> bool:
    with connection.cursor() as cursor:
        # The apply's first statement on enrolments (ending some, or creating them) waits.
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ~ %s",
            [r"(INSERT INTO|UPDATE) enrolment_enrolment\M"],
        )
        return cursor.fetchone()[0] == 1


def test_a_worker_killed_during_apply_leaves_no_rows_and_the_import_completes_after_restart(
    transactional_db, reference_data, serang_partner_admin, institution
):
    celery_app.control.purge()
    checked = _checked_import(serang_partner_admin, institution(SERANG), rows=200)
    worker = start_worker(f"doomed-{os.getpid()}@sinergi")
    # Another session holds the enrolments table, so the apply stops after it has written the
    # workers and their employments, inside its transaction: that is where the worker dies.
    blocker = psycopg.connect(_test_database_url())
    blocker.execute("LOCK TABLE enrolment_enrolment IN EXCLUSIVE MODE")
    try:
        services.roster_confirm(by=serang_partner_admin, roster_import=checked)
        _wait(_apply_waiting_for_the_enrolments_table, what="the apply to reach the enrolments")
        assert _status(checked.pk) == "applying"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None and worker.returncode is None:
            worker.kill()  # the test failed before the kill: never leave a worker behind
        worker.wait(20)
        blocker.rollback()
        blocker.close()
    _wait(lambda: not _apply_waiting_for_the_enrolments_table(), what="the dead session to end")
    assert Worker.objects.count() == 0 and Enrolment.objects.count() == 0  # none, not half

    restarted = start_worker(f"restarted-{os.getpid()}@sinergi")
    try:
        _wait(lambda: _status(checked.pk) == "applied", what="the import to be applied")
    finally:
        stop_worker(restarted)
    assert Worker.objects.count() == 200 and Enrolment.objects.count() == 600
    actions = list(
        ImportEvent.objects.filter(roster_import=checked).values_list("action", flat=True)
    )
    assert actions[:3] == ["applied", "retried", "failed"]


def test_an_apply_delivered_twice_writes_once(
    celery_worker_process, reference_data, serang_partner_admin, institution
):
    checked = _checked_import(serang_partner_admin, institution(SERANG), rows=20)
    RosterImport.objects.filter(pk=checked.pk).update(applied_by=serang_partner_admin)
    first = celery_app.send_task("enrolment.tasks.apply_roster", args=[checked.pk])
    second = celery_app.send_task("enrolment.tasks.apply_roster", args=[checked.pk])
    results = {first.get(timeout=60), second.get(timeout=60)}
    assert results == {"applied", None}
    assert Worker.objects.count() == 20
    assert ImportEvent.objects.filter(roster_import=checked, action="applied").count() == 1


def test_an_upload_checked_by_the_worker_reaches_confirmation(
    celery_worker_process, reference_data, serang_partner_admin, institution
):
    roster_import = services.roster_upload(
        by=serang_partner_admin,
        institution=institution(SERANG),
        upload=roster_file([row(1), row(2, NIK="1")]),
    )
    assert roster_import.queued is True
    _wait(lambda: _status(roster_import.pk) == "validated", what="the check")
    roster_import.refresh_from_db()
    assert (roster_import.rows_valid, roster_import.rows_error) == (1, 1)


def test_an_upload_in_a_rolled_back_transaction_is_never_checked(
    transactional_db, reference_data, serang_partner_admin, institution
):
    celery_app.control.purge()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.roster_upload(
            by=serang_partner_admin, institution=institution(SERANG), upload=roster_file([row(1)])
        )
        raise RuntimeError("the request failed")
    with celery_app.connection_for_write() as conn:
        assert conn.default_channel.client.llen("imports") == 0
    assert not RosterImport.objects.exists()


def test_with_the_broker_down_the_upload_is_kept_and_checked_when_it_returns(
    transactional_db, reference_data, serang_partner_admin, institution
):
    celery_app.control.purge()
    broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    _new_broker_pool()
    try:
        roster_import = services.roster_upload(
            by=serang_partner_admin, institution=institution(SERANG), upload=roster_file([row(1)])
        )
    finally:
        celery_app.conf.broker_url = broker
        _new_broker_pool()
    assert roster_import.queued is False and _status(roster_import.pk) == "uploaded"
    assert roster_import.file.size > 0

    services.rosters_reap(stale_after=dt.timedelta(0))
    with celery_app.connection_for_write() as conn:
        assert conn.default_channel.client.llen("imports") == 1
    celery_app.control.purge()
