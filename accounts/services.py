"""Writes of the accounts app: the record of who saw or exported personal data (UU 27/2022);
setting up, renewing and resetting a user's second factor, each recorded with who did it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessLog, SecondFactorEvent, User


def access_log_record(
    *,
    user: User,
    action: str,
    what: str,
    fields: Iterable[str] = (),
    worker=None,
    workers: Iterable[int] = (),
    rows: int | None = None,
    request: HttpRequest | None = None,
) -> AccessLog:
    """One row (one INSERT) per act of viewing or exporting personal data; called by the view
    that shows it. `worker` is the one person a page or file is about, `workers` the ids of the
    people of a list or file, `fields` what of them it showed (`PersonalField` values). `rows`,
    the people concerned, defaults to how many that is."""
    ip = (request.META.get("REMOTE_ADDR") or None) if request is not None else None
    people = sorted(set(workers))
    if rows is None:
        rows = len(people) or 1
    return AccessLog.objects.create(
        user=user,
        action=action,
        what=what[:200],
        worker=worker,
        workers=people,
        fields=list(dict.fromkeys(fields)),
        rows=rows,
        ip=ip,
    )


# --- the second factor ---------------------------------------------------------------------------

RECOVERY_CODES = 10


def _ip(request: HttpRequest | None) -> str | None:
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def totp_device_start(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: one unconfirmed device, the same key until confirmed
    (reloading the setup page does not change the QR code the user may already have scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(
        user=user, name=str(_("Authenticator app")), confirmed=False
    )


@transaction.atomic
def second_factor_set_up(
    *, device: TOTPDevice, by: User, request: HttpRequest | None = None
) -> list[str]:
    """Confirm the app the user proved with a code; a fresh set of recovery codes, returned to
    be shown once. Any other app of the user's is dropped: one app at a time."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user=device.user)
    SecondFactorEvent.objects.create(
        user=device.user, by=by, action=SecondFactorEvent.Action.SET_UP, ip=_ip(request)
    )
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User, by: User, request: HttpRequest | None = None) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = _recovery_codes_replace(user=user)
    SecondFactorEvent.objects.create(
        user=user, by=by, action=SecondFactorEvent.Action.CODES_RENEWED, ip=_ip(request)
    )
    return codes


@transaction.atomic
def second_factor_reset(
    *, user: User, by: User, reason: str, request: HttpRequest | None = None
) -> None:
    """A national administrator removes someone's app and recovery codes (a lost phone): their
    sessions lose the verification at once, and their next page asks them to set up a new app."""
    if not by.is_national_admin:
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    SecondFactorEvent.objects.create(
        user=user, by=by, action=SecondFactorEvent.Action.RESET, reason=reason, ip=_ip(request)
    )


def _recovery_codes_replace(*, user: User) -> list[str]:
    device = StaticDevice.objects.filter(user=user).order_by("id").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=str(_("Recovery codes")))
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    device.throttle_reset()
    return codes
