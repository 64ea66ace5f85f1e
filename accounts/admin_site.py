"""The Django admin, open only to staff who passed the second factor.

django-otp's OTPAdminSite refuses an unverified user; its own login form (password and code on
one page) is not used: the admin's login keeps the plain password form under django-axes, and
accounts.middleware sends a signed-in user to Sinergi's second-factor page before any admin page.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminSite


class AdminSite(OTPAdminSite):
    login_form = AdminAuthenticationForm
    login_template = None  # Django's own admin/login.html

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
