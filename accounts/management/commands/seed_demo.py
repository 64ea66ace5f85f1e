from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.demo import demo_seed, demo_seed_workers


class Command(BaseCommand):
    help = (
        "Create demo offices, institutions, one login per role and agreements, then workers with "
        "registrations and payments at three Kemenag Kab/Kota; print the logins."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates known passwords; it runs only with DJANGO_DEBUG=true."
            )
        translation.activate("id")
        logins = demo_seed()
        # Apart from demo_seed, which the tests load for every session: they want no workers.
        workers = demo_seed_workers()
        self.stdout.write("")
        self.stdout.write(f"Login demo (kata sandi semua akun: {settings.DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.role:<26} {login.scope}")
        self.stdout.write(
            "  Peran yang melihat data pribadi memasang aplikasi autentikator saat pertama masuk."
        )
        self.stdout.write("")
        self.stdout.write(workers)
        self.stdout.write("")
