from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts.forms import PasswordAgainForm, SecondFactorForm, SecondFactorResetForm, SetUpForm
from accounts.selectors import (
    recovery_codes_left,
    recovery_device_of,
    second_factor_events_of,
    totp_device_of,
)
from accounts.services import (
    recovery_codes_renew,
    second_factor_reset,
    second_factor_set_up,
    totp_device_start,
)
from partners.selectors import Attention, attention_for, institutions_for, own_institutions

# How far ahead the attention list looks for agreements ending, as the officer picks it (`?hari=`).
WARN_DAY_CHOICES = (30, 60, 90, 180)


def _warn_days(request: HttpRequest) -> tuple[int, list[int]]:
    """The chosen window and the choices offered; anything else falls back to the default."""
    default = settings.AGREEMENT_WARN_DAYS
    choices = sorted({*WARN_DAY_CHOICES, default})
    try:
        days = int(request.GET.get("hari", default))
    except ValueError:
        days = default
    return (days if days in choices else default), choices


def _with_days(attention: Attention) -> Attention:
    """Days left, past or idle for each shown row (the lists are capped, so this stays small)."""
    today = timezone.localdate()
    now = timezone.now()
    for agreement in attention.expiring:
        agreement.days_left = (agreement.expires_on - today).days
    for agreement in attention.expired_still_active:
        agreement.days_past = (today - agreement.expires_on).days
    for follow_up in attention.overdue_follow_ups:
        follow_up.days_overdue = (today - follow_up.due_on).days
    for agreement in attention.stale_drafts:
        agreement.days_idle = (now - agreement.updated_at).days
    return attention


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {}
    if user.can_manage_partners:
        warn_days, choices = _warn_days(request)
        context["institution_count"] = institutions_for(user).count()
        context["attention"] = _with_days(
            attention_for(user=user, today=timezone.localdate(), warn_days=warn_days)
        )
        context["warn_day_choices"] = choices
        context["stale_days"] = settings.AGREEMENT_STALE_DRAFT_DAYS
    elif user.can_upload_rosters:
        context["my_institutions"] = list(own_institutions(user=user)[:20])
    return render(request, "accounts/home.html", context)


# --- the second factor ---------------------------------------------------------------------------

RECOVERY_CODES_TO_SHOW = "sinergi_recovery_codes"  # session key: shown once, then dropped


def _next_url(request: HttpRequest) -> str:
    """Where to go once the code is in: the page asked for, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _locked_out(request: HttpRequest, credentials: dict) -> HttpResponse:
    """End the session; AxesMiddleware turns the response into the lockout page (429)."""
    logout(request)
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return HttpResponse(status=429)


@login_required
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if totp_device_of(user) is None and recovery_device_of(user) is None:
        return redirect(_with_next("second_factor_setup", next_url))
    form = SecondFactorForm(request.POST or None, user=user)
    if request.method == "POST":
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return _locked_out(request, credentials)
        if form.is_valid():
            otp_login(request, form.device)
            request.session.cycle_key()
            return redirect(next_url)
        if form.has_error("code", "invalid_token") or form.has_error("code", "throttled"):
            # A wrong code is a failed sign-in for django-axes: enough of them (with the wrong
            # passwords before) lock the account for this address, as wrong passwords do.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, credentials)
    return render(
        request, "accounts/second_factor_verify.html", {"form": form, "next_url": next_url}
    )


@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in (or after a reset): scan the QR code, prove it with a code, get the
    recovery codes. One app at a time; a new phone goes through a reset."""
    user = request.user
    next_url = _next_url(request)
    if totp_device_of(user) is not None:
        if user.is_verified():
            return redirect("account_security")
        return redirect(_with_next("second_factor_verify", next_url))
    device = totp_device_start(user=user)
    form = SetUpForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        codes = second_factor_set_up(device=device, by=user, request=request)
        otp_login(request, device)
        request.session.cycle_key()
        request.session[RECOVERY_CODES_TO_SHOW] = codes
        return redirect(_with_next("recovery_codes", next_url))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next_url": next_url,
        "qr_svg": mark_safe(  # noqa: S308 - segno draws it from the key URI; no user text
            segno.make(device.config_url, error="m").svg_inline(
                scale=5, dark="#000", light="#fff", title=str(_("QR code for your app"))
            )
        ),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/second_factor_setup.html", context)


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, once: reloading the page does not show them again."""
    codes = request.session.pop(RECOVERY_CODES_TO_SHOW, None)
    if not codes:
        return redirect("account_security")
    text = "\n".join(
        [str(_("Sinergi recovery codes for %(user)s") % {"user": request.user.username}), ""]
        + codes
    )
    context = {
        "codes": codes,
        "next_url": _next_url(request),
        "download": "data:text/plain;charset=utf-8," + quote(text + "\n"),
    }
    return render(request, "accounts/recovery_codes.html", context)


def _security_page(request: HttpRequest, **bound) -> HttpResponse:
    """The page, with a form that was just sent back with its errors (`bound`), if any."""
    user = request.user
    context = {
        "device": totp_device_of(user),
        "codes_left": recovery_codes_left(user),
        "events": second_factor_events_of(user)[:10],
        "renew_form": bound.get("renew_form") or PasswordAgainForm(request=request),
        "reset_form": (bound.get("reset_form") or SecondFactorResetForm())
        if user.is_national_admin
        else None,
    }
    return render(request, "accounts/security.html", context)


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


@login_required
@require_POST
def renew_recovery_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    if totp_device_of(user) is None:
        return redirect("second_factor_setup")
    form = PasswordAgainForm(request.POST, request=request)
    if not form.is_valid():
        if getattr(request, "axes_locked_out", False):  # wrong passwords here count too
            return _locked_out(request, {"username": user.get_username()})
        return _security_page(request, renew_form=form)
    codes = recovery_codes_renew(user=user, by=user, request=request)
    request.session[RECOVERY_CODES_TO_SHOW] = codes
    return redirect(_with_next("recovery_codes", reverse("account_security")))


@login_required
@require_POST
def reset_second_factor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_national_admin:
        raise PermissionDenied
    form = SecondFactorResetForm(request.POST)
    if not form.is_valid():
        return _security_page(request, reset_form=form)
    target = form.cleaned_data["username"]
    second_factor_reset(
        user=target, by=request.user, reason=form.cleaned_data["reason"], request=request
    )
    messages.success(
        request,
        _(
            "The second factor of %(user)s has been removed. At their next page they set up "
            "their authenticator app again and get new recovery codes."
        )
        % {"user": target.username},
    )
    return redirect("account_security")
