"""Reads of the accounts app: a user's second factor (authenticator app, recovery codes, history)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecondFactorEvent, User


def totp_device_of(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def recovery_device_of(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_events_of(user: User) -> QuerySet[SecondFactorEvent]:
    return SecondFactorEvent.objects.filter(user=user).select_related("by")
