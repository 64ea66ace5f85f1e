from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.demo import demo_seed


class Command(BaseCommand):
    help = "Create demo offices, institutions and one login per role (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true", help="print the demo logins")
        parser.add_argument(
            "--force", action="store_true", help="allow with DEBUG off (never in production)"
        )

    def handle(self, *args, print_logins=False, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates known passwords; it runs only with DJANGO_DEBUG=true."
            )
        translation.activate("id")
        logins = demo_seed()
        if not print_logins:
            self.stdout.write(f"demo data: {len(logins)} logins present")
            return
        self.stdout.write("")
        self.stdout.write(f"Login demo (kata sandi semua akun: {settings.DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.role:<26} {login.scope}")
        self.stdout.write("")
