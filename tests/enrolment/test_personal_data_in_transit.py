"""Personal data stays in the database: a whole import with bad rows, through a real worker, leaves
no NIK, name or wage in the logs (the worker's output at INFO and this process's), in the broker's
messages or in the stored task results. Tasks carry the import's id; results are a status."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import threading

import pytest

from config.celery import app as celery_app
from enrolment import services
from enrolment.models import ImportEvent, RosterImport, Worker
from tests.conftest import start_worker, stop_worker
from tests.enrolment.processes import RedisServer, wait_for
from tests.enrolment.rosters import roster_file, row

pytestmark = pytest.mark.worker

SERANG = "Kantor Kemenag Kota Serang"
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
BASE64 = re.compile(rb"[A-Za-z0-9+/]{16,}={0,2}")
FIRST_NAMES = ["Siti", "Ahmad", "Nurul", "Dewi", "Rahmat", "Fitri", "Joko", "Wahyuni"]


def roster() -> list[dict[str, str]]:
    """Forty rows, every tenth with an error (a NIK of 15 digits, a wage in words, a date of
    birth in the future, a NIK repeated), each with a name and wage found nowhere else."""
    rows = []
    for n in range(1, 41):
        values = {
            "NAMA_LENGKAP": f"{FIRST_NAMES[n % 8]} Rahasiawati {n:02d}",
            "UPAH": f"{2_345_600 + n:,}".replace(",", "."),
        }
        if n == 10:
            values["NIK"] = row(n)["NIK"][:15]
        elif n == 20:
            values["UPAH"] = "dua juta tiga ratus"
        elif n == 30:
            values["TANGGAL_LAHIR"] = "01-01-2099"
        elif n == 40:
            values["NIK"] = row(39)["NIK"]
        rows.append(row(n, **values))
    return rows


def personal_values(rows: list[dict[str, str]]) -> set[str]:
    values = set()
    for cells in rows:
        values.add(cells["NIK"])
        values.add(cells["NAMA_LENGKAP"])
        values.add(f"Rahasiawati {cells['NAMA_LENGKAP'][-2:]}")
        if cells["UPAH"][0].isdigit():
            values.add(cells["UPAH"])
            values.add(cells["UPAH"].replace(".", ""))
    return values


def redis_texts(server: RedisServer, db: int) -> dict[str, str]:
    """Every key of one Redis database and what it holds, base64 bodies (kombu's) decoded too."""
    client = server.client(db)
    found = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key)]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "hash":
            values = [part for pair in client.hgetall(key).items() for part in pair]
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = client.zrange(key, 0, -1)
        else:
            values = [kind.encode()]
        found[key.decode()] = "\n".join(decoded(value) for value in values)
    return found


class BrokerTap:
    """Every command the broker (db 0) and the result backend (db 2) receive, as Redis MONITOR
    shows it: each message as it was queued, even after the worker consumed it."""

    def __init__(self, server: RedisServer):
        self.client = server.client(0)
        self.commands: list[str] = []
        self._listening = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()
        assert self._listening.wait(5), "MONITOR did not start"

    def _listen(self) -> None:
        with self.client.monitor() as monitor:
            self._listening.set()
            for command in monitor.listen():
                if command.get("db") in (0, 2):
                    self.commands.append(command["command"])
                if self._stopping.is_set():
                    return

    def stop(self) -> str:
        self._stopping.set()
        self.client.ping()  # one more command, so the listener sees the flag
        self._thread.join(5)
        return "\n".join(decoded(command.encode()) for command in self.commands)


def decoded(value: bytes) -> str:
    parts = [value.decode("utf-8", "replace")]
    for candidate in BASE64.findall(value):
        try:
            parts.append(base64.b64decode(candidate, validate=True).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            continue
    return "\n".join(parts)


def leaks(text: str, personal: set[str]) -> list[str]:
    return sorted(set(SIXTEEN_DIGITS.findall(text)) | {v for v in personal if v in text})


@pytest.fixture
def logged_worker(own_redis, transactional_db, tmp_path):
    output = tmp_path / "worker.log"
    process = start_worker(f"privacy-{os.getpid()}@sinergi", output, loglevel="INFO")
    try:
        yield output
    finally:
        stop_worker(process)


def test_a_whole_import_with_bad_rows_leaves_no_personal_data_in_logs_messages_or_results(
    own_redis, logged_worker, caplog, reference_data, serang_partner_admin, institution
):
    caplog.set_level(logging.INFO)
    rows = roster()
    personal = personal_values(rows)
    tap = BrokerTap(own_redis)

    roster_import = services.roster_upload(
        by=serang_partner_admin, institution=institution(SERANG), upload=roster_file(rows)
    )
    wait_for(lambda: _status(roster_import.pk) == "validated", what="the check")
    roster_import.refresh_from_db()
    assert (roster_import.rows_valid, roster_import.rows_error) == (36, 4)
    services.roster_confirm(by=serang_partner_admin, roster_import=roster_import)
    wait_for(lambda: _status(roster_import.pk) == "applied", what="the apply")
    assert Worker.objects.count() == 36
    # A task asked for its result, as the command line and the tests do: a status or None.
    result = celery_app.send_task("enrolment.tasks.validate_roster", args=[roster_import.pk])
    assert result.get(timeout=30) is None  # already checked: claimed by no one
    sent = tap.stop()
    worker_output = logged_worker.read_text()

    assert "enrolment.tasks.apply_roster" in worker_output  # the INFO lines were kept
    assert leaks(worker_output, personal) == []
    assert leaks(caplog.text, personal) == []
    assert f"[[{roster_import.pk}]," in sent  # the messages were seen: args, the import's id
    assert leaks(sent, personal) == []
    for db in (0, 2):  # and what is left in the broker and the result backend
        left = redis_texts(own_redis, db)
        assert {key: leaks(text, personal) for key, text in left.items()} == dict.fromkeys(left, [])
    stored = [
        json.loads(text.split("\n")[0])
        for key, text in redis_texts(own_redis, 2).items()
        if key.startswith("celery-task-meta-")
    ]
    assert [meta["result"] for meta in stored] == [None]
    events = ImportEvent.objects.filter(roster_import=roster_import)
    assert leaks(json.dumps(list(events.values_list("details", flat=True))), personal) == []


def _status(pk: int) -> str:
    return RosterImport.objects.values_list("status", flat=True).get(pk=pk)
