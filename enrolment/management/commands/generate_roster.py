import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enrolment.imports.generate import generate_rows, load_choices, write_csv, write_xlsx


class Command(BaseCommand):
    help = "Write a realistic roster in the template's columns (valid NIKs, optional bad rows)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], required=True)
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument(
            "--error-rate", type=float, default=0.0, help="share of bad rows, 0 to 1"
        )
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **options):
        rows, error_rate = options["rows"], options["error_rate"]
        if rows < 0:
            raise CommandError("--rows must be 0 or more.")
        if not 0 <= error_rate <= 1:
            raise CommandError("--error-rate must be between 0 and 1.")
        districts, categories = load_choices()
        if not districts or not categories:
            raise CommandError("No districts or worker categories: run `manage.py load_reference`.")
        started = time.perf_counter()
        generated = generate_rows(
            rows,
            seed=options["seed"],
            error_rate=error_rate,
            districts=districts,
            categories=categories,
        )
        write = write_csv if options["format"] == "csv" else write_xlsx
        written = write(generated, options["output"])
        seconds = time.perf_counter() - started
        self.stdout.write(f"{written} rows written to {options['output']} in {seconds:.1f} s")
