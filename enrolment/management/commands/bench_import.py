"""`make bench`: the roster import measured against its peers in one run (QUALITY.md), and the
worker search at the size the largest import leaves (1.000.000 workers by default).

Each import figure is a ratio of two measurements taken in the same run, so that machine noise
cancels, with the absolute figure beside it; the search has no peer, so its lines give the
absolute server time against the 100 ms target. It runs in its own database (`make bench` starts
one in .data/bench) and empties the worker tables there between runs; it refuses any other
database.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, RoleAssignment, User
from enrolment.imports.generate import generate_rows, load_choices, write_csv, write_xlsx
from enrolment.imports.validation import mask_nik
from enrolment.models import Worker
from partners.models import Institution
from regions.models import Office

FILES = Path(settings.BASE_DIR) / ".data" / "bench" / "files"
WORKER_TABLES = [
    "enrolment_enrolmentchange",
    "accounts_accesslog",
    "enrolment_enrolment",
    "enrolment_workerchange",
    "enrolment_employment",
    "enrolment_worker",
    "enrolment_stagedrow",
    "enrolment_rowissue",
    "enrolment_importevent",
    "enrolment_rosterimport",
]
BENCH_CODE = "bench-kemenag"
BENCH_OFFICE = "kanwil-banten"
SEARCH_TARGET_MS = 100
SEARCH_AT_WORKERS = 1_000_000
COMMON_NAME = "Hidayat"  # the generator's family name that is also a first name: ~2 % of people


class Command(BaseCommand):
    help = (
        "Benchmark the roster import (rows/s against raw COPY and django-import-export) and the "
        "worker search at the largest imported size."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="100000,1000000", help="CSV sizes in rows")
        parser.add_argument("--xlsx", type=int, default=100_000, help="XLSX size in rows")
        parser.add_argument("--baseline", type=int, default=10_000, help="import-export rows")
        parser.add_argument(
            "--search-rounds",
            type=int,
            default=20,
            help="timed worker-list requests per search, after the CSV imports (0: no search)",
        )
        parser.add_argument(
            "--explain", action="store_true", help="print EXPLAIN ANALYZE of each search's queries"
        )

    def handle(
        self,
        *args,
        sizes: str,
        xlsx: int,
        baseline: int,
        search_rounds: int,
        explain: bool,
        **options,
    ):
        if os.environ.get("SINERGI_BENCH") != "1" or not connection.settings_dict["NAME"].endswith(
            "bench"
        ):
            raise CommandError("Run it with `make bench`: it empties the worker tables.")
        call_command("migrate", verbosity=0)
        call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        institution = _bench_institution()
        FILES.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"# roster import benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
        for rows in [int(n) for n in sizes.split(",") if n]:
            path = _roster(rows, "csv")
            copy_rate = _raw_copy(path)
            result = _pipeline(path, institution)
            self._line(f"CSV {rows:,} rows", result, copy_rate)
        if search_rounds:  # on what the largest CSV import left, before the others empty it
            self._worker_search(rounds=search_rounds, explain=explain)
        if xlsx:
            path = _roster(xlsx, "xlsx")
            result = _pipeline(path, institution)
            copy_rate = _raw_copy(_roster(xlsx, "csv"))
            self._line(f"XLSX {xlsx:,} rows", result, copy_rate)
        if baseline:
            path = _roster(baseline, "csv")
            ours = _pipeline(path, institution)
            theirs = _import_export_rate(path)
            self.stdout.write(
                f"import vs django-import-export ({baseline:,} rows): "
                f"{ours['rate'] / theirs:.1f}x faster "
                f"(pipeline {ours['rate']:,.0f} rows/s, ModelResource {theirs:,.0f} rows/s)"
            )

    def _line(self, name: str, result: dict, copy_rate: float) -> None:
        phases = ", ".join(f"{k} {v:.2f}s" for k, v in sorted(result["timings"].items()))
        self.stdout.write(
            f"{name}: {result['rate']:,.0f} rows/s full pipeline in {result['seconds']:.1f} s "
            f"= 1/{copy_rate / result['rate']:.0f} of raw COPY ({copy_rate:,.0f} rows/s); "
            f"peak RSS {result['rss_mb']:.0f} MB; {result['enrolments']:,} enrolments; "
            f"phases: {phases}"
        )

    def _worker_search(self, *, rounds: int, explain: bool) -> None:
        """The worker list as an officer uses it, through the whole Django stack (middleware,
        session, selector, table, template): server time of each search and its query count."""
        with connection.cursor() as cursor:
            # The steady state: autovacuum comes round within a minute or two of a large import.
            # Until it does, the trigram index's pending list (up to 4 MB) adds some 15 ms to
            # each name query and the plans run on the statistics of the emptied tables.
            cursor.execute(
                "VACUUM (ANALYZE) enrolment_worker, enrolment_employment, enrolment_enrolment"
            )
        workers = Worker.objects.count()
        if not workers:
            self.stdout.write("worker search: skipped, no workers (import a CSV size first)")
            return
        size = f"{workers:,} workers"
        if workers < SEARCH_AT_WORKERS:
            size += f" (below the {SEARCH_AT_WORKERS:,} the target is set at)"
        client = Client()
        client.force_login(_search_officer())
        url = reverse("enrolment:worker_list")
        for label, query, expect in _search_probes(workers):
            params = {"q": query} if query else {}
            times = []
            for n in range(2 + rounds):  # two warm-ups
                started = time.perf_counter()
                response = client.get(url, params)
                elapsed = (time.perf_counter() - started) * 1000
                if n >= 2:
                    times.append(elapsed)
            if response.status_code != 200 or expect not in response.content.decode():
                raise CommandError(f"worker list {params}: {response.status_code}, no {expect!r}")
            with CaptureQueriesContext(connection) as queries:
                client.get(url, params)
            median = statistics.median(times)
            p95 = sorted(times)[math.ceil(0.95 * len(times)) - 1]
            slowest = max(times)
            verdict = "under" if p95 < SEARCH_TARGET_MS else "OVER"
            self.stdout.write(
                f"worker list {label} at {size}: median {median:.1f} ms, p95 {p95:.1f} ms, "
                f"max {slowest:.1f} ms of {rounds} requests (server time with template "
                f"rendering); {len(queries)} queries; p95 {verdict} the {SEARCH_TARGET_MS} ms "
                "target"
            )
            if explain:
                self._explain(queries)

    def _explain(self, queries: CaptureQueriesContext) -> None:
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                sql = query["sql"]
                if not sql.startswith("SELECT") or "enrolment_" not in sql:
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n    ".join(line for (line,) in cursor.fetchall())
                self.stdout.write(f"  {sql}\n    {plan}")


def _search_officer() -> User:
    """A regional officer of the office the bench institution reports to: sees its workers
    and their personal data."""
    officer, _created = User.objects.get_or_create(
        username="bench.petugas", defaults={"full_name": "Petugas Benchmark"}
    )
    RoleAssignment.objects.get_or_create(
        user=officer, role=Role.REGIONAL_OFFICER, office=Office.objects.get(code=BENCH_OFFICE)
    )
    return officer


def _search_probes(workers: int) -> list[tuple[str, str, str]]:
    """(label, q, text the page must show): a whole NIK, a common name, the rarest full name
    and no search at all."""
    nik = Worker.objects.order_by("pk").values_list("nik", flat=True)[workers // 2]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT full_name FROM enrolment_worker GROUP BY full_name ORDER BY count(*), 1 LIMIT 1"
        )
        (rare,) = cursor.fetchone()
    common = Worker.objects.filter(full_name__icontains=COMMON_NAME).count()
    matching = Worker.objects.filter(full_name__icontains=rare).count()
    first = Worker.objects.order_by("full_name", "pk").values_list("full_name", flat=True)[0]
    return [
        ("searched by NIK (1 match)", nik, mask_nik(nik)),
        (f"searched by name {COMMON_NAME!r} ({common:,} matches)", COMMON_NAME, COMMON_NAME),
        (f"searched by the rarest full name {rare!r} ({matching:,} matches)", rare, rare),
        ("without a search (sorted by name)", "", first),
    ]


def _bench_institution() -> Institution:
    institution, _created = Institution.objects.get_or_create(
        code=BENCH_CODE,
        defaults={
            "name": "Kanwil Kemenag Benchmark",
            "kind": Institution.Kind.KANWIL_KEMENAG,
            "level": Institution.Level.PROVINCE,
            "province_id": "36",
            "office": Office.objects.get(code="kanwil-banten"),
        },
    )
    return institution


def _roster(rows: int, fmt: str) -> Path:
    path = FILES / f"roster-{rows}.{fmt}"
    if not path.exists():
        districts, categories = load_choices()
        write = write_csv if fmt == "csv" else write_xlsx
        partial = path.with_suffix(".part")
        write(generate_rows(rows, seed=rows, districts=districts, categories=categories), partial)
        partial.rename(path)
    return path


def _empty_worker_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(WORKER_TABLES)} RESTART IDENTITY")
        cursor.execute("VACUUM ANALYZE")  # every run starts from the same state


def _pipeline(path: Path, institution: Institution) -> dict:
    """The whole import (upload, check, stage, apply with enrolments) as the worker runs it, in
    a process of its own so that its peak memory is its own."""
    _empty_worker_tables()
    command = [
        sys.executable,
        "manage.py",
        "import_roster",
        str(path),
        "--institution",
        institution.code,
        "--json",
    ]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise CommandError(f"import_roster failed: {err.read().decode()[-2000:]}")
        out = out.read()
    result = json.loads(out)
    rss = usage.ru_maxrss
    # The pipeline's own time, from upload to commit, without the process's start-up.
    seconds = result["seconds"]
    return {
        "rate": result["rows"] / seconds,
        "seconds": seconds,
        "rss_mb": rss / 1024,
        "timings": result["timings"],
        "enrolments": result["enrolments"],
    }


def _raw_copy(path: Path) -> float:
    """The limit: the same file COPY'd as text into a table without indexes or constraints."""
    columns = ", ".join(f"c{i} text" for i in range(15))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy ({columns})")
        started = time.perf_counter()
        with (
            cursor.connection.cursor().copy(
                "COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
            ) as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1024 * 1024):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_raw_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_raw_copy")
    return rows / seconds


def _import_export_rate(path: Path) -> float:
    """django-import-export's default ModelResource import of the same rows into Worker."""
    import tablib
    from import_export import fields, resources

    from enrolment.models import Worker

    class WorkerResource(resources.ModelResource):
        nik = fields.Field(attribute="nik", column_name="NIK")
        full_name = fields.Field(attribute="full_name", column_name="NAMA_LENGKAP")
        birth_date = fields.Field(attribute="birth_date", column_name="TANGGAL_LAHIR")
        sex = fields.Field(attribute="sex", column_name="JENIS_KELAMIN")

        class Meta:
            model = Worker
            import_id_fields = ["nik"]
            fields = ["nik", "full_name", "birth_date", "sex"]

        def before_import_row(self, row, **kwargs):
            day, month, year = str(row["TANGGAL_LAHIR"]).split("-")
            row["TANGGAL_LAHIR"] = f"{year}-{month}-{day}"

    _empty_worker_tables()
    text = path.read_text(encoding="utf-8-sig")
    dataset = tablib.Dataset().load(text, format="csv", delimiter=";")
    started = time.perf_counter()
    result = WorkerResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors()
    return len(dataset) / seconds
