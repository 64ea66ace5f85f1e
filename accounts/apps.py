from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    default = True


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Sinergi's site: staff reach it only after the second factor."""

    default = False
    default_site = "accounts.admin_site.AdminSite"
