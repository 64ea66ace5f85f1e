"""The cast: one user per role, on the reference data and demo institutions `make run` shows.

The reference data (regions, offices, programs, rates) and the demo cast are loaded once into the
test database. Transactional tests (live server, Celery worker) empty the tables when they end,
so they ask for `reference_data` again, which reloads what is missing.
"""

from __future__ import annotations

import contextlib
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
from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import demo_seed
from accounts.middleware import RENEWED_AT
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


@pytest.fixture(autouse=True)
def _no_filter_options_kept():
    """Each test reads the worker list's filter options and counts afresh (they are kept a
    minute)."""
    from enrolment.tables import CAPPED
    from enrolment.views.workers import OPTIONS

    OPTIONS.clear()
    CAPPED.clear()


@pytest.fixture
def reference_data(db):
    _load_everything()


# --- the second factor -----------------------------------------------------------------------
# Every role that sees personal data must pass a second factor (accounts/middleware.py), and the
# tests run with that on. A test client signed in with force_login() or login() has passed it
# with a test authenticator app, unless the test is marked `real_second_factor` (the tests of
# the second factor itself, which sign in as a person would).

TEST_DEVICE = "test app"


def pass_second_factor(client, user: User) -> TOTPDevice:
    """Mark the client's session verified by the user's app (made here when they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TEST_DEVICE, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[RENEWED_AT] = int(time.time())  # as a sign-in through the page stamps it
    session.save()
    return device


@pytest.fixture(autouse=True)
def _signed_in_clients_pass_the_second_factor(request, monkeypatch):
    if request.node.get_closest_marker("real_second_factor"):
        return
    force_login, login = ClientMixin.force_login, ClientMixin.login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        pass_second_factor(self, user)

    def login_verified(self, **credentials):
        if not login(self, **credentials):
            return False
        pass_second_factor(self, User.objects.get(pk=self.session["_auth_user_id"]))
        return True

    monkeypatch.setattr(ClientMixin, "force_login", force_login_verified)
    monkeypatch.setattr(ClientMixin, "login", login_verified)


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


def start_worker(
    hostname: str, output: Path | None = None, *, loglevel: str = "WARNING"
) -> subprocess.Popen:
    """A worker on both queues with the solo pool, answering pings; the caller stops it. With
    `output`, its stdout and stderr are appended to that file."""
    env = dict(os.environ, DATABASE_URL=_test_database_url())
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(output.open("ab")) if output is not None else None
        worker = subprocess.Popen(
            celery_worker_argv(
                "--pool",
                "solo",
                "--hostname",
                hostname,
                "--loglevel",
                loglevel,
                "--without-mingle",
                "--without-gossip",
            ),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
        )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(destination=[hostname], timeout=0.5):
        said = output.read_text()[-2000:] if output is not None else "see its output above"
        assert worker.poll() is None, f"the Celery worker exited while starting: {said}"
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
        worker.wait(10)
