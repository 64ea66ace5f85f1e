"""A real Celery worker process, on the real broker, writing to the test database."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from config.celery import app as celery_app
from config.embedded import celery_worker_argv

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


@pytest.fixture
def celery_worker_process(transactional_db):
    celery_app.control.purge()
    env = dict(os.environ, DATABASE_URL=_test_database_url())
    hostname = f"test-{os.getpid()}@sinergi"
    worker = subprocess.Popen(
        celery_worker_argv(
            "--pool",
            "solo",
            "--hostname",
            hostname,
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
        ),
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[hostname], timeout=0.5):
            assert worker.poll() is None, "the Celery worker exited while starting"
            assert time.monotonic() < deadline, "the Celery worker did not answer within 60 s"
        yield hostname
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
