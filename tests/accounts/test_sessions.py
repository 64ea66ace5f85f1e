"""Idle expiry without a write per page: a session in use is saved again once a minute."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice


def _session_writes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(q["sql"].startswith("UPDATE") and "django_session" in q["sql"] for q in queries)


def test_pages_within_a_minute_do_not_write_the_session_and_the_next_minute_does(
    client, kanwil_officer
):
    client.force_login(kanwil_officer)
    page = reverse("enrolment:worker_list")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(page)
        assert _session_writes(client, page) == 0
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert _session_writes(client, page) == 0
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert _session_writes(client, page) == 1
        assert _session_writes(client, page) == 0


def test_a_session_used_now_and_then_lives_on_and_one_left_alone_ends(client, kanwil_officer):
    client.force_login(kanwil_officer)
    page = reverse("enrolment:worker_list")
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    for minutes in (20, 40, 60, 80):  # every twenty minutes for more than an hour
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            assert client.get(page).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=80) + idle + dt.timedelta(seconds=1)):
        assert client.get(page).url.startswith(reverse("login"))


@pytest.mark.real_second_factor  # signed in without the test app the other tests get
def test_a_manager_without_an_app_is_looked_up_once_a_minute_and_asked_once_they_have_one(
    client, manager
):
    client.force_login(manager)
    page = reverse("coverage:dashboard")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        assert not [q for q in queries if "otp_totp_totpdevice" in q["sql"]]
        TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert client.get(page).url.startswith(reverse("second_factor_verify"))
