"""The second factor, asked for after the password and before any page.

A signed-in user who has not passed it yet reaches only the sign-in and sign-out pages, the
second-factor pages and the language switch. Everyone else is sent to enter a code (or to set
up an authenticator app first, when they have none). It is required of every role that sees
personal data and of staff (accounts.User.needs_second_factor); a manager who set one up
passes it too. The verification lives in the session (django-otp), so it ends with it: idle
expiry, sign-out, or a reset of the device by a national administrator.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.selectors import totp_device_of

OPEN_VIEWS = frozenset(
    {
        "login",
        "logout",
        "second_factor_verify",
        "second_factor_setup",
        "set_language",
        "healthz",
    }
)


class SecondFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        device = totp_device_of(user)
        if device is None and not user.needs_second_factor:
            return None  # a manager who has not set one up
        request.second_factor_pending = True  # the navigation stays empty until it is passed
        if request.resolver_match.view_name in OPEN_VIEWS:
            return None
        url = reverse("second_factor_verify" if device else "second_factor_setup")
        if request.htmx:  # a partial update: send the whole page, and back to it afterwards
            back = request.htmx.current_url_abs_path
            return HttpResponseClientRedirect(f"{url}?{urlencode({'next': back})}" if back else url)
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)
