"""The second factor, asked for after the password and before any page.

A signed-in user who has not passed it yet reaches only the sign-in and sign-out pages, the
second-factor pages and the language switch. Everyone else is sent to enter a code (or to set
up an authenticator app first, when they have none). It is required of every role that sees
personal data and of staff (accounts.User.needs_second_factor); a manager who set one up
passes it too. The verification lives in the session (django-otp), so it ends with it: idle
expiry, sign-out, or a reset of the device by a national administrator.
"""

from __future__ import annotations

import time
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
        device = _device_of(request, user)
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


# A manager who has no app is looked up again at most once a minute per session, not on every
# request: one query less a page for those who read dashboards all day. An app set up in
# another session is asked for within the minute.
NO_APP_SEEN = "_second_factor_absent_at"
LOOK_AGAIN_AFTER = 60  # seconds


def _device_of(request: HttpRequest, user):
    optional = not user.needs_second_factor
    if optional and time.time() - request.session.get(NO_APP_SEEN, 0) < LOOK_AGAIN_AFTER:
        return None
    device = totp_device_of(user)
    if device is None and optional:
        request.session[NO_APP_SEEN] = int(time.time())
    return device


class SessionRenewalMiddleware:
    """Idle expiry without a database write per request. The session is saved again, which moves
    its end SESSION_COOKIE_AGE further, when a minute has passed since it last was; so a session
    ends after 29 to 30 minutes without a request (SESSION_SAVE_EVERY_REQUEST would write the
    session on every page). Sits right after SessionMiddleware, which then saves it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed:
            return response
        if session.modified:  # saved anyway (a sign-in, say): the minute starts now
            if not session.is_empty():
                session[RENEWED_AT] = int(time.time())
        elif session.session_key and time.time() - session.get(RENEWED_AT, 0) >= RENEW_AFTER:
            session[RENEWED_AT] = int(time.time())
        return response


RENEWED_AT = "_renewed_at"
RENEW_AFTER = 60  # seconds
