"""Forms of the accounts app: the second factor (a code from the app or a recovery code)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.selectors import recovery_device_of, totp_device_of

APP_CODE = re.compile(r"\d{6}")


def _plain(code: str) -> str:
    """What the user typed, without the spaces and dashes apps and printouts put in codes."""
    return re.sub(r"[\s-]", "", code).lower()


class _CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)  # drawn by _code_field.html

    def _check(self, device: Device | None, code: str) -> Device:
        """The device that accepted the code; django-otp counts each failure and, after a few,
        refuses even the right code for a while (the wait doubles every time)."""
        if device is None:
            raise forms.ValidationError(self.wrong_code, code="invalid_token")
        allowed, why = device.verify_is_allowed()
        if not allowed:
            if why.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
                raise forms.ValidationError(
                    _(
                        "Too many wrong codes. Wait a little (longer after each wrong code), "
                        "then enter the code your app shows at that moment."
                    ),
                    code="throttled",
                )
            raise forms.ValidationError(self.wrong_code, code="invalid_token")
        if not device.verify_token(code):
            raise forms.ValidationError(self.wrong_code, code="invalid_token")
        return device


class SecondFactorForm(_CodeForm):
    """Six digits from the authenticator app, or one of the recovery codes (used up by it)."""

    wrong_code = _(
        "That code is not right. Enter the 6 digits your authenticator app shows now, or one of "
        "your recovery codes."
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Device | None = None

    def clean_code(self) -> str:
        code = _plain(self.cleaned_data["code"])
        if APP_CODE.fullmatch(code):
            self.device = self._check(totp_device_of(self.user), code)
        else:
            self.device = self._check(recovery_device_of(self.user), code)
        return code


class SetUpForm(_CodeForm):
    """The first code of a new app: proves it was scanned right before it counts."""

    wrong_code = _(
        "That code is not right. Check that the app shows “Sinergi” with your username and "
        "enter the 6 digits it shows now."
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = _plain(self.cleaned_data["code"])
        if not APP_CODE.fullmatch(code):
            raise forms.ValidationError(self.wrong_code, code="invalid_token")
        self._check(self.device, code)
        return code


class PasswordAgainForm(forms.Form):
    """The password once more before something that weakens the account if someone else did it.
    Checked through authenticate(), so wrong passwords count towards django-axes' lockout."""

    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        found = authenticate(self.request, username=user.get_username(), password=password)
        if found is None or found.pk != user.pk:
            raise forms.ValidationError(
                _("The password is not right. Enter the password you sign in with."),
                code="wrong_password",
            )
        return password


class SecondFactorResetForm(forms.Form):
    """A national administrator removes someone's app and recovery codes (e.g. a lost phone)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "class": "form-control"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("E.g. “lost phone, confirmed by telephone with the Kanwil head”."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(
                _("There is no user with this username. Check the spelling."), code="unknown"
            )
        return user
