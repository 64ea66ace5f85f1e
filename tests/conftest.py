"""The cast: one user per role, on the reference data and demo institutions `make run` shows.

The reference data (regions, offices, programs, rates) and the demo cast are loaded once into the
test database. Transactional tests (live server, Celery worker) empty the tables when they end,
so they ask for `reference_data` again, which reloads what is missing.
"""

from __future__ import annotations

import io
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from accounts.demo import demo_seed
from accounts.models import User
from config.celery import app as celery_app
from config.embedded import celery_worker_argv
from partners.models import Institution
from regions.models import Province


def _load_everything() -> None:
    if not Province.objects.exists():
        call_command("load_reference", stdout=io.StringIO())
    if not User.objects.filter(username="admin").exists():
        demo_seed()


@pytest.fixture(scope="session")
def fast_password_hasher():
    """Login tests check many passwords; the production hasher's cost is not what they test."""
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(fast_password_hasher, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _load_everything()


@pytest.fixture(autouse=True)
def _fast_hasher_everywhere(fast_password_hasher):
    pass


@pytest.fixture
def reference_data(db):
    _load_everything()


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def national_admin(reference_data) -> User:
    return _user("admin")


@pytest.fixture
def kanwil_officer(reference_data) -> User:
    """Regional officer of Kantor Wilayah Banten."""
    return _user("petugas.kanwil")


@pytest.fixture
def branch_officer(reference_data) -> User:
    """Regional officer of Kantor Cabang Serang (Kota and Kabupaten Serang)."""
    return _user("petugas.serang")


@pytest.fixture
def manager(reference_data) -> User:
    return _user("manajer")


@pytest.fixture
def banten_partner_admin(reference_data) -> User:
    """Partner admin of Kanwil Kemenag Banten (and so of its Kemenag Kab/Kota)."""
    return _user("mitra.banten")


@pytest.fixture
def serang_partner_admin(reference_data) -> User:
    return _user("mitra.serang")


@pytest.fixture
def maluku_partner_admin(reference_data) -> User:
    return _user("mitra.maluku")


@pytest.fixture
def user_without_role(reference_data) -> User:
    return User.objects.create_user(username="tanpa.peran", password="irrelevant-pass-123")


@pytest.fixture
def institution(reference_data):
    """Look up a demo institution by its name."""
    return lambda name: Institution.objects.get(name=name)


# --- a real Celery worker process, on the real broker, writing to the test database ----------

ROOT = Path(__file__).resolve().parents[1]


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


def start_worker(hostname: str) -> subprocess.Popen:
    """A worker on both queues with the solo pool, answering pings; the caller stops it."""
    env = dict(os.environ, DATABASE_URL=_test_database_url())
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
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(destination=[hostname], timeout=0.5):
        assert worker.poll() is None, "the Celery worker exited while starting"
        assert time.monotonic() < deadline, "the Celery worker did not answer within 60 s"
    return worker


@pytest.fixture
def celery_worker_process(transactional_db):
    celery_app.control.purge()
    hostname = f"test-{os.getpid()}@sinergi"
    worker = start_worker(hostname)
    try:
        yield hostname
    finally:
        stop_worker(worker)


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(20)
    except subprocess.TimeoutExpired:
        worker.kill()
