from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.demo import demo_seed


class Command(BaseCommand):
    help = "Create demo offices, institutions and one login per role, and print the logins."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates known passwords; it runs only with DJANGO_DEBUG=true."
            )
        translation.activate("id")
        logins = demo_seed()
        self.stdout.write("")
        self.stdout.write(f"Login demo (kata sandi semua akun: {settings.DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.role:<26} {login.scope}")
        self.stdout.write("")
