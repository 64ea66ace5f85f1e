"""The second factor: after the password, every role that sees personal data enters a code from
an authenticator app (or a one-time recovery code) before any page; managers may, not must.

These tests sign in as a person does (the form, then the code): they opt out of the signed-in
test clients that tests/conftest.py marks verified.
"""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32decode
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_site import AdminSite
from accounts.models import SecondFactorEvent
from accounts.services import second_factor_reset, second_factor_set_up, totp_device_start

pytestmark = pytest.mark.real_second_factor

SEES_PERSONAL_DATA = [
    "national_admin",
    "kanwil_officer",
    "branch_officer",
    "banten_partner_admin",
    "serang_partner_admin",
    "maluku_partner_admin",
]
PERSONAL_DATA_PAGE = "enrolment:worker_list"


def sign_in(client, user, url: str | None = None):
    """The password only, through the sign-in form."""
    response = client.post(
        url or reverse("login"), {"username": user.username, "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    return response


def code_of(device: TOTPDevice, *, key: bytes | None = None) -> str:
    """What the user's authenticator app shows now."""
    value = totp(key or device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def app_of(user) -> tuple[TOTPDevice, list[str]]:
    """An authenticator app set up for the user (as the setup page does), with recovery codes."""
    device = totp_device_start(user=user)
    return device, second_factor_set_up(device=device, by=user)


def enter_code(client, code: str, next_url: str = ""):
    return client.post(reverse("second_factor_verify"), {"code": code, "next": next_url})


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def error_codes(response) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data()["code"]]


# --- who is asked ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", SEES_PERSONAL_DATA)
def test_every_role_that_sees_personal_data_must_set_up_an_app_before_any_page(
    client, request, role
):
    user = request.getfixturevalue(role)
    sign_in(client, user)

    page = reverse(PERSONAL_DATA_PAGE)
    response = client.get(page)

    assert response.status_code == 302
    assert response.url == with_next("second_factor_setup", page)
    assert client.get(reverse("home")).url == with_next("second_factor_setup", reverse("home"))


@pytest.mark.parametrize("role", SEES_PERSONAL_DATA)
def test_every_role_that_sees_personal_data_is_refused_without_the_code_and_let_in_with_it(
    client, request, role
):
    user = request.getfixturevalue(role)
    device, _codes = app_of(user)
    sign_in(client, user)
    page = reverse(PERSONAL_DATA_PAGE)

    refused = client.get(page)
    assert refused.status_code == 302
    assert refused.url == with_next("second_factor_verify", page)

    passed = enter_code(client, code_of(device), next_url=page)
    assert passed.status_code == 302 and passed.url == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("role", SEES_PERSONAL_DATA)
def test_force_login_alone_is_not_enough_for_a_role_that_sees_personal_data(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 302


def test_a_manager_without_an_app_is_not_asked_for_one(client, manager):
    sign_in(client, manager)

    assert client.get(reverse("coverage:dashboard")).status_code == 200
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 200


def test_a_manager_who_set_up_an_app_is_asked_for_its_code(client, manager):
    device, _codes = app_of(manager)
    sign_in(client, manager)

    assert client.get(reverse("home")).url == with_next("second_factor_verify", reverse("home"))
    enter_code(client, code_of(device))
    assert client.get(reverse("home")).status_code == 200


def test_the_pages_before_the_code_show_no_navigation_but_let_the_user_sign_out(
    client, kanwil_officer
):
    app_of(kanwil_officer)
    sign_in(client, kanwil_officer)

    page = client.get(reverse("second_factor_verify")).content.decode()

    assert 'data-testid="main-nav"' not in page
    assert f'action="{reverse("logout")}"' in page
    client.post(reverse("logout"))
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_an_htmx_request_without_the_code_sends_the_whole_page_to_the_code(client, kanwil_officer):
    app_of(kanwil_officer)
    sign_in(client, kanwil_officer)
    workers = reverse(PERSONAL_DATA_PAGE)

    response = client.get(
        workers, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{workers}"}
    )

    assert response["HX-Redirect"] == with_next("second_factor_verify", workers)


def test_next_pointing_to_another_site_is_ignored(client, kanwil_officer):
    device, _codes = app_of(kanwil_officer)
    sign_in(client, kanwil_officer)

    response = enter_code(client, code_of(device), next_url="https://evil.example/")

    assert response.url == reverse("home")


# --- codes ------------------------------------------------------------------------------------


def test_a_wrong_code_says_what_to_do_and_lets_nobody_in(client, kanwil_officer):
    device, _codes = app_of(kanwil_officer)
    sign_in(client, kanwil_officer)
    wrong = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"

    response = enter_code(client, wrong)

    assert response.status_code == 200
    assert error_codes(response) == ["invalid_token"]
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_lets_the_user_in_once(client, branch_officer):
    _device, codes = app_of(branch_officer)
    assert len(codes) == 10 and len(set(codes)) == 10

    sign_in(client, branch_officer)
    assert enter_code(client, codes[0].upper()).status_code == 302  # typed in capitals: fine
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 200
    client.post(reverse("logout"))

    sign_in(client, branch_officer)
    again = enter_code(client, codes[0])
    assert again.status_code == 200
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 302
    assert StaticToken.objects.filter(device__user=branch_officer).count() == 9


def test_the_same_app_code_does_not_work_twice(client, kanwil_officer):
    device, _codes = app_of(kanwil_officer)
    code = code_of(device)
    sign_in(client, kanwil_officer)
    enter_code(client, code)
    client.post(reverse("logout"))

    sign_in(client, kanwil_officer)

    assert enter_code(client, code).status_code == 200  # a code seen once is spent


def test_wrong_codes_lock_the_account_and_end_the_session(client, kanwil_officer):
    device, _codes = app_of(kanwil_officer)
    sign_in(client, kanwil_officer)
    wrong = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert enter_code(client, wrong).status_code == 200
    locked = enter_code(client, wrong)

    assert locked.status_code == 429
    assert "Akun dikunci sementara" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        client.post(
            reverse("login"),
            {"username": kanwil_officer.username, "password": settings.DEMO_PASSWORD},
        ).status_code
        == 429
    )


def test_after_a_wrong_code_even_the_right_one_waits(client, kanwil_officer):
    device, _codes = app_of(kanwil_officer)
    sign_in(client, kanwil_officer)
    wrong = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"

    with time_machine.travel(timezone.now(), tick=False):
        enter_code(client, wrong)
        refused = enter_code(client, code_of(device))  # right, but within the wait

    assert refused.status_code == 200
    assert error_codes(refused) == ["throttled"]
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


# --- the admin -------------------------------------------------------------------------------


def test_the_admin_asks_for_the_second_factor_after_its_own_login_form(client, national_admin):
    device, _codes = app_of(national_admin)
    sign_in(client, national_admin, url=reverse("admin:login"))

    refused = client.get(reverse("admin:index"))
    assert refused.url == with_next("second_factor_verify", reverse("admin:index"))
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302

    enter_code(client, code_of(device))
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_site_refuses_staff_that_did_not_pass_the_second_factor(national_admin):
    request = RequestFactory().get("/admin/")
    request.user = national_admin
    national_admin.is_verified = lambda: False
    assert not AdminSite().has_permission(request)

    national_admin.is_verified = lambda: True
    assert AdminSite().has_permission(request)


def test_a_user_locked_out_on_the_sign_in_page_cannot_sign_in_to_the_admin(client, national_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "admin", "password": "salah-sekali"})

    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": settings.DEMO_PASSWORD}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


# --- setting up ------------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_key_and_a_code_confirms_it(
    client, serang_partner_admin
):
    sign_in(client, serang_partner_admin)
    page = client.get(reverse("second_factor_setup"))
    html = page.content.decode()

    assert page.status_code == 200
    assert "<svg" in html and "<path" in html  # the QR code, inline
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=serang_partner_admin)
    assert not device.confirmed
    assert client.get(reverse("second_factor_setup")).context["secret"] == secret  # same key

    key = b32decode(secret.replace(" ", ""))
    confirmed = client.post(
        reverse("second_factor_setup"), {"code": code_of(device, key=key), "next": "/"}
    )

    assert confirmed.url == with_next("recovery_codes", "/")
    shown = client.get(confirmed.url)
    assert len(shown.context["codes"]) == 10
    assert "sinergi-kode-pemulihan.txt" in shown.content.decode()
    assert client.get(confirmed.url).url == reverse("account_security")  # shown once
    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert SecondFactorEvent.objects.get(user=serang_partner_admin).action == "set_up"


def test_a_wrong_first_code_does_not_set_up_the_app(client, serang_partner_admin):
    sign_in(client, serang_partner_admin)
    client.get(reverse("second_factor_setup"))

    response = client.post(reverse("second_factor_setup"), {"code": "000000"})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=serang_partner_admin, confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


def test_with_an_app_set_up_the_setup_page_asks_for_its_code_instead(client, kanwil_officer):
    app_of(kanwil_officer)
    sign_in(client, kanwil_officer)

    response = client.get(reverse("second_factor_setup"))

    assert response.url.startswith(reverse("second_factor_verify"))


# --- account security ------------------------------------------------------------------------


def signed_in_with_code(client, user) -> TOTPDevice:
    device, _codes = app_of(user)
    sign_in(client, user)
    assert enter_code(client, code_of(device)).status_code == 302
    return device


def test_the_security_page_shows_the_app_and_the_codes_left(client, kanwil_officer):
    signed_in_with_code(client, kanwil_officer)

    page = client.get(reverse("account_security"))

    assert page.status_code == 200
    assert page.context["device"].user == kanwil_officer
    assert page.context["codes_left"] == 10
    assert page.context["reset_form"] is None  # only national admins reset others


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(client, kanwil_officer):
    signed_in_with_code(client, kanwil_officer)
    old = set(
        StaticToken.objects.filter(device__user=kanwil_officer).values_list("token", flat=True)
    )

    refused = client.post(reverse("recovery_codes_renew"), {"password": "bukan-ini"})
    assert refused.status_code == 200
    assert refused.context["renew_form"].errors
    assert (
        set(StaticToken.objects.values_list("token", flat=True).filter(device__user=kanwil_officer))
        == old
    )

    renewed = client.post(reverse("recovery_codes_renew"), {"password": settings.DEMO_PASSWORD})
    shown = client.get(renewed.url).context["codes"]
    assert len(shown) == 10 and not (set(shown) & old)
    assert SecondFactorEvent.objects.filter(user=kanwil_officer, action="codes_renewed").exists()


def test_a_national_admin_resets_a_users_second_factor_and_it_is_recorded(
    client, national_admin, kanwil_officer
):
    officer = Client()
    signed_in_with_code(officer, kanwil_officer)
    assert officer.get(reverse(PERSONAL_DATA_PAGE)).status_code == 200
    signed_in_with_code(client, national_admin)

    response = client.post(
        reverse("second_factor_reset"),
        {"username": kanwil_officer.username, "reason": "HP hilang, dikonfirmasi lewat telepon"},
    )

    assert response.url == reverse("account_security")
    assert not TOTPDevice.objects.filter(user=kanwil_officer).exists()
    event = SecondFactorEvent.objects.get(user=kanwil_officer, action="reset")
    assert (event.by, event.reason) == (national_admin, "HP hilang, dikonfirmasi lewat telepon")
    # The officer's open session lost its verification: the next page asks for a new app.
    assert officer.get(reverse(PERSONAL_DATA_PAGE)).url.startswith(reverse("second_factor_setup"))


def test_only_a_national_admin_resets_a_second_factor(client, kanwil_officer, branch_officer):
    signed_in_with_code(client, kanwil_officer)
    app_of(branch_officer)

    response = client.post(
        reverse("second_factor_reset"), {"username": branch_officer.username, "reason": "x"}
    )

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=branch_officer).exists()
    with pytest.raises(PermissionDenied):
        second_factor_reset(user=branch_officer, by=kanwil_officer, reason="x")


# --- idle sessions ---------------------------------------------------------------------------


def test_a_session_idle_past_the_limit_is_sent_to_sign_in(client, kanwil_officer):
    signed_in_with_code(client, kanwil_officer)
    page = reverse(PERSONAL_DATA_PAGE)
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    almost = timezone.now() + idle - dt.timedelta(minutes=5)

    with time_machine.travel(almost):
        assert client.get(page).status_code == 200  # in use: the idle clock starts again
    with time_machine.travel(almost + idle - dt.timedelta(minutes=5)):
        assert client.get(page).status_code == 200
    with time_machine.travel(almost + 2 * idle):
        response = client.get(page)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_second_factor_does_not_outlive_the_session(client, kanwil_officer):
    device = signed_in_with_code(client, kanwil_officer)
    page = reverse(PERSONAL_DATA_PAGE)
    later = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)

    with time_machine.travel(later):
        assert client.get(page).url.startswith(reverse("login"))
        sign_in(client, kanwil_officer)  # the password again is not enough
        assert client.get(page).url == with_next("second_factor_verify", page)
        enter_code(client, code_of(device))
        assert client.get(page).status_code == 200


def test_signing_out_ends_the_second_factor_too(client, kanwil_officer):
    signed_in_with_code(client, kanwil_officer)
    client.post(reverse("logout"))

    sign_in(client, kanwil_officer)

    assert client.get(reverse(PERSONAL_DATA_PAGE)).status_code == 302


def test_an_empty_code_asks_again_without_counting_as_a_wrong_one(client, kanwil_officer):
    app_of(kanwil_officer)
    sign_in(client, kanwil_officer)

    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = enter_code(client, "")

    assert response.status_code == 200
    assert error_codes(response) == ["required"]
