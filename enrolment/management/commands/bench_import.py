"""`make bench`: the roster import measured against its peers in one run (QUALITY.md) and
against its own floor (enrolment.imports.floor: the rows it wrote, copied with indexes only,
then keys, then the trail), the smallest CSV once more as a partner sends it the next month (the
same people, a tenth of them with a new wage), then, at the size the largest import leaves (1.000.000 workers by default),
the worker search, the coverage dashboards and both under load from concurrent clients over
HTTP.

Each import figure is a ratio of two measurements taken in the same run, so that machine noise
cancels, with the absolute figure beside it; the pages have no peer, so their lines give the
absolute server time against their targets. It runs in its own database (`make bench` starts
one in .data/bench) and empties the worker tables there between runs; it refuses any other
database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import psutil
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, RoleAssignment, User
from coverage.models import CoverageFigure, PrimaryEmployment, SnapshotRun, WorkforceFigure
from coverage.selectors import TREND_MONTHS
from coverage.services import coverage_refresh, coverage_snapshot
from coverage.views import DRAWN, PASTS
from enrolment.imports.floor import write_floor
from enrolment.imports.generate import generate_rows, load_choices, write_csv, write_xlsx
from enrolment.imports.validation import mask_nik
from enrolment.models import Enrolment, Program, Worker
from partners.models import Institution
from privacy.bench import access_log_bench
from regions.models import Office, Regency

FILES = Path(settings.BASE_DIR) / ".data" / "bench" / "files"
# The roster sent again: every tenth person's wage changed.
CHANGED_EVERY = 10
WORKER_TABLES = [
    "audit_event",
    "coverage_primaryemployment",
    "coverage_coveragefigure",
    "coverage_workforcefigure",
    "coverage_registrationfigure",
    "coverage_coveragesnapshot",
    "coverage_workforcesnapshot",
    "coverage_snapshotrun",
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
DASHBOARD_TARGET_MS = 100  # median server time of each coverage page
LOAD_TARGET_MS = 300  # p95 of every request under load
LOAD_CLIENTS = 20
LOAD_WORKERS = 3  # gunicorn processes: 2 cores, and requests also wait on PostgreSQL
MEDIAN_UP_TO = 100_000  # rows of a file imported `--runs` times; larger ones once
KEPT_AT_BENCH = 10  # one worker in 10 stays at the provincial institution, the rest go local


class Command(BaseCommand):
    help = (
        "Benchmark the roster import (rows/s against raw COPY and django-import-export), then "
        "the worker search, the coverage dashboards and both under HTTP load at the largest "
        "imported size."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="100000,1000000", help="CSV sizes in rows")
        parser.add_argument("--xlsx", type=int, default=100_000, help="XLSX size in rows")
        parser.add_argument("--baseline", type=int, default=10_000, help="import-export rows")
        parser.add_argument(
            "--runs",
            type=int,
            default=3,
            help=f"first imports of each file of up to {MEDIAN_UP_TO:,} rows, of which the "
            "median is reported (larger files are imported once)",
        )
        parser.add_argument(
            "--search-rounds",
            type=int,
            default=20,
            help="timed worker-list requests per search, after the CSV imports (0: no search)",
        )
        parser.add_argument(
            "--explain", action="store_true", help="print EXPLAIN ANALYZE of each search's queries"
        )
        parser.add_argument(
            "--coverage-rounds",
            type=int,
            default=20,
            help="timed requests of each coverage page, after the search (0: no dashboards)",
        )
        parser.add_argument(
            "--load-seconds",
            type=int,
            default=60,
            help=f"seconds of {LOAD_CLIENTS} concurrent HTTP clients on the dashboards and the "
            "worker list, after the dashboards (0: no load test)",
        )
        parser.add_argument(
            "--access-log-rows",
            type=int,
            default=10_000_000,
            help="generated access-log rows the breach query (access_report) is timed on, after "
            "the load test (0: no access report)",
        )

    def handle(
        self,
        *args,
        sizes: str,
        xlsx: int,
        baseline: int,
        runs: int,
        search_rounds: int,
        explain: bool,
        coverage_rounds: int,
        load_seconds: int,
        access_log_rows: int,
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
        for n, rows in enumerate(int(n) for n in sizes.split(",") if n):
            path = _roster(rows, "csv")
            copy_rate = _raw_copy(path)
            result = _median_import(path, institution, rows=rows, runs=runs)
            self._line(f"CSV {rows:,} rows", result, copy_rate)
            self._floor(f"CSV {rows:,} rows", result, copy_rate)
            if n == 0:  # the same people again, as a partner sends its roster each month
                changed = _changed_roster(path)
                result = _pipeline(changed, institution, empty=False)
                self._line(
                    f"CSV {rows:,} rows again, every {CHANGED_EVERY}th wage changed",
                    result,
                    copy_rate,
                )
        if search_rounds:  # on what the largest CSV import left, before the others empty it
            self._worker_search(rounds=search_rounds, explain=explain)
        if coverage_rounds or load_seconds:  # the same data, spread over the country first
            self._coverage(
                institution, rounds=coverage_rounds, load_seconds=load_seconds, explain=explain
            )
        if access_log_rows:  # on the same workers; empties the access log again
            self.stdout.write(access_log_bench(access_log_rows))
        if xlsx:
            path = _roster(xlsx, "xlsx")
            result = _median_import(path, institution, rows=xlsx, runs=runs)
            copy_rate = _raw_copy(_roster(xlsx, "csv"))
            self._line(f"XLSX {xlsx:,} rows", result, copy_rate)
            self._floor(f"XLSX {xlsx:,} rows", result, copy_rate)
        if baseline:
            path = _roster(baseline, "csv")
            ours = _median_import(path, institution, rows=baseline, runs=runs)
            floor = self._floor(f"CSV {baseline:,} rows", ours, _raw_copy(path))
            theirs = _import_export_rate(path)
            self.stdout.write(
                f"import vs django-import-export ({baseline:,} rows): "
                f"{ours['rate'] / theirs:.1f}x faster "
                f"(pipeline {ours['rate']:,.0f} rows/s, the median of "
                f"{', '.join(f'{seconds:.2f}' for seconds in ours['runs'])} s; ModelResource "
                f"{theirs:,.0f} rows/s); "
                "its floor allows at most "
                + ", ".join(f"{rate / theirs:.1f}x {label}" for label, rate in floor.items())
            )

    def _line(self, name: str, result: dict, copy_rate: float) -> None:
        phases = ", ".join(f"{k} {v:.2f}s" for k, v in sorted(result["timings"].items()))
        created, updated, unchanged = result["workers"]
        self.stdout.write(
            f"{name}: {result['rate']:,.0f} rows/s full pipeline in {result['seconds']:.1f} s "
            f"= 1/{copy_rate / result['rate']:.0f} of raw COPY ({copy_rate:,.0f} rows/s); "
            f"peak RSS {result['rss_mb']:.0f} MB; workers {created:,} new, "
            f"{updated:,} changed, {unchanged:,} unchanged; "
            f"{result['enrolments']:,} enrolments; "
            f"phases: {phases}"
        )
        if len(result.get("runs", ())) > 1:
            self.stdout.write(
                f"  the median of {len(result['runs'])} runs: "
                + ", ".join(f"{seconds:.1f} s" for seconds in result["runs"])
            )

    def _floor(self, name: str, result: dict, copy_rate: float) -> dict[str, float]:
        """The least the rows of the import just made cost to write (enrolment.imports.floor),
        with the check phase of the same import, as ratios to raw COPY; returns the rows per
        second each copy allows."""
        floor = write_floor(roster_import_id=result["import_id"])
        with connection.cursor() as cursor:  # the trail's copy left dead rows there
            cursor.execute("VACUUM audit_event")
        validate = result["timings"]["validate"]
        rows = result["rows"]
        workers, employments, enrolments = floor.rows.values()
        parts, rates = [], {}
        for label, seconds in (
            ("with their indexes and checks", floor.indexes),
            ("with their foreign keys too", floor.keys),
            ("with keys and the trail too", floor.trail),
        ):
            total = sum(seconds.values())
            rates[label] = rows / (validate + total)
            ratio = copy_rate / rates[label]
            each = ", ".join(
                f"{table.removeprefix('enrolment_')}s {s:.2f}" for table, s in seconds.items()
            )
            parts.append(f"{total:.1f} s {label} ({each}), 1/{ratio:.0f} of raw COPY")
        self.stdout.write(
            f"{name}, its floor: the rows it wrote ({workers:,} workers, {employments:,} "
            f"employments, {enrolments:,} enrolments) copied into tables made like theirs, "
            f"after its check phase of {validate:.2f} s: " + "; ".join(parts)
        )
        return rates

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
        _sign_in_with_second_factor(client, _search_officer())
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

    def _explain(self, queries: CaptureQueriesContext, tables: tuple[str, ...] = ("enrolment_",)):
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                sql = query["sql"]
                if not sql.startswith("SELECT") or not any(t in sql for t in tables):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n    ".join(line for (line,) in cursor.fetchall())
                self.stdout.write(f"  {sql}\n    {plan}")

    def _coverage(
        self, institution: Institution, *, rounds: int, load_seconds: int, explain: bool
    ) -> None:
        """The coverage dashboards as a national manager reads them, from the country down to the
        bench institution and its people not yet registered: the refresh that rebuilds their
        summary after each import, the server time of each page through the whole Django stack
        and its query count, then the dashboards and the worker list under load over HTTP."""
        workers = Worker.objects.count()
        if not workers:
            self.stdout.write("coverage: skipped, no workers (import a CSV size first)")
            return
        moved = _spread_over_regencies(institution)
        added = _enrol_everyone(Program.objects.get(code="JHT"))
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (ANALYZE) enrolment_employment, enrolment_enrolment, partners_institution"
            )
        enrolments = Enrolment.objects.count()
        started = time.perf_counter()
        coverage_refresh()
        seconds = time.perf_counter() - started
        months = _snapshot_last_year()
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (ANALYZE) coverage_primaryemployment, coverage_coveragefigure, "
                "coverage_workforcefigure, coverage_registrationfigure, coverage_coveragesnapshot, "
                "coverage_workforcesnapshot"
            )
        size = f"{workers:,} workers, {enrolments:,} enrolments"
        if moved or added:
            size += f" (this run moved {moved:,} employments and added {added:,} JHT enrolments)"
        institutions = PrimaryEmployment.objects.values("institution_id").distinct().count()
        self.stdout.write(
            f"coverage refresh of every institution at {size}: {seconds:.1f} s for "
            f"{PrimaryEmployment.objects.count():,} primary employments at {institutions:,} "
            f"institutions, {CoverageFigure.objects.count():,} program figures, "
            f"{WorkforceFigure.objects.count():,} workforce figures; {months} monthly "
            "snapshots behind the trends"
        )
        manager = _national_manager()
        pages = _coverage_pages(institution)
        if rounds:
            self._time_pages(pages, manager, rounds=rounds, explain=explain, workers=workers)
        if load_seconds:
            national, _kanwil, _province, regency, own, _pending = (page[1] for page in pages)
            lists = reverse("enrolment:worker_list")
            self._load(
                seconds=load_seconds,
                user=manager,
                urls=[
                    ("national dashboard", national),
                    ("regency dashboard", regency),
                    ("institution dashboard", own),
                    ("worker list", lists),
                    (
                        f"worker list, name {COMMON_NAME!r}",
                        f"{lists}?{urlencode({'q': COMMON_NAME})}",
                    ),
                ],
            )

    def _time_pages(
        self, pages: list, manager: User, *, rounds: int, explain: bool, workers: int
    ) -> None:
        """Each page `rounds` times after two warm-ups, for all programs and for JKK. A dashboard
        is kept rendered until what it is drawn from changes (coverage.views.DRAWN), and its
        Past (trend, last month) until a snapshot (PASTS), so it is timed three times: read
        again, first read after a refresh (DRAWN emptied before each request) and first read
        after a snapshot (both emptied). The target holds for the first two; a snapshot is
        taken once a month."""
        for label, path, params, expect, kept in pages:
            for program in ({}, {"program": "JKK"}):
                client = Client()
                client.force_login(manager)
                query = {**params, **program}
                times, response = _timed(client, path, query, rounds)
                if response.status_code != 200 or expect not in response.content.decode():
                    raise CommandError(f"{path} {query}: {response.status_code}, no {expect!r}")
                with CaptureQueriesContext(connection) as queries:
                    client.get(path, query)
                line = (
                    f"coverage {label}{' (JKK)' if program else ''} at {workers:,} workers: "
                    f"median {statistics.median(times):.1f} ms, p95 "
                    f"{_percentile(times, 95):.1f} ms, max {max(times):.1f} ms of {rounds} "
                    f"requests, {len(queries)} queries"
                )
                medians = [statistics.median(times)]
                if kept:
                    first, _response = _timed(client, path, query, rounds, before=DRAWN.clear)
                    with CaptureQueriesContext(connection) as drawing:
                        DRAWN.clear()
                        client.get(path, query)
                    monthly, _response = _timed(client, path, query, rounds, before=_forget)
                    with CaptureQueriesContext(connection) as queries:
                        _forget()
                        client.get(path, query)
                    medians.append(statistics.median(first))
                    line += (
                        f"; first read after a refresh: median {medians[-1]:.1f} ms, p95 "
                        f"{_percentile(first, 95):.1f} ms, {len(drawing)} queries; after a "
                        f"snapshot: median {statistics.median(monthly):.1f} ms, p95 "
                        f"{_percentile(monthly, 95):.1f} ms, {len(queries)} queries"
                    )
                verdict = "under" if max(medians) <= DASHBOARD_TARGET_MS else "OVER"
                self.stdout.write(f"{line}; median {verdict} the {DASHBOARD_TARGET_MS} ms target")
                if explain:
                    self._explain(queries, ("coverage_", "enrolment_"))

    def _load(self, *, seconds: int, user: User, urls: list[tuple[str, str]]) -> None:
        """LOAD_CLIENTS threads, each logged in with a session of its own, request the urls in
        turn, back to back (no think time), from a gunicorn on loopback with the bench's
        settings; a few seconds of the same load first warm its workers up."""
        cookies = []
        for _n in range(LOAD_CLIENTS):
            client = Client()
            client.force_login(user)
            cookies.append(
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (backend,) = cursor.fetchone()
        hammer = _hammer_wrk if shutil.which("wrk") else _hammer
        with _http_server() as (server, port):
            hammer(port, cookies, urls, min(5, seconds))
            processes = {
                "gunicorn": _process(server.pid),
                "PostgreSQL": _process(backend, up=1),
            }
            # The clients: wrk's process, or this process's threads (not its children).
            clients_before = _clients_cpu()
            before = {name: _cpu_seconds(process) for name, process in processes.items()}
            started = time.perf_counter()
            results = hammer(port, cookies, urls, seconds)
            elapsed = time.perf_counter() - started
            after = {name: _cpu_seconds(process) for name, process in processes.items()}
            clients = _clients_cpu() - clients_before
        times = [ms for _label, ms, ok in results]
        errors = sum(not ok for _label, _ms, ok in results)
        p95 = _percentile(times, 95)
        verdict = "under" if p95 <= LOAD_TARGET_MS and not errors else "OVER"
        self.stdout.write(
            f"load: {LOAD_CLIENTS} clients ({'wrk' if hammer is _hammer_wrk else 'Python threads'})"
            f" for {seconds} s against gunicorn ({LOAD_WORKERS} "
            f"workers) on loopback: {len(results):,} requests ({len(results) / elapsed:.1f}/s), "
            f"{errors} errors; p50 {_percentile(times, 50):.0f} ms, p95 {p95:.0f} ms, "
            f"p99 {_percentile(times, 99):.0f} ms; p95 {verdict} the {LOAD_TARGET_MS} ms target"
        )
        if None not in (*before.values(), *after.values()):
            cpu = {name: 1000 * (after[name] - before[name]) / len(results) for name in after}
            cores = os.cpu_count() or 1
            self.stdout.write(
                "  CPU per request: "
                + ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu.items())
                + f": {cores} cores serve at most {1000 * cores / sum(cpu.values()):.0f} "
                f"requests/s, so {LOAD_CLIENTS} clients back to back wait about "
                f"{LOAD_CLIENTS * sum(cpu.values()) / cores:.0f} ms each; the clients took "
                f"{1000 * clients / len(results):.1f} ms of the same cores per request"
            )
        by_url = defaultdict(list)
        for label, ms, ok in results:
            by_url[label].append((ms, ok))
        for label, _path in urls:
            lines = by_url[label]
            times = [ms for ms, _ok in lines]
            if not times:
                continue
            self.stdout.write(
                f"  {label}: {len(times):,} requests, {sum(not ok for _ms, ok in lines)} errors; "
                f"p50 {_percentile(times, 50):.0f} ms, p95 {_percentile(times, 95):.0f} ms, "
                f"p99 {_percentile(times, 99):.0f} ms"
            )


def _timed(client: Client, path: str, query: dict, rounds: int, before=None):
    """Server time of `rounds` requests after two warm-ups, and the last response; `before`
    is called before each request, outside the time."""
    times = []
    for n in range(2 + rounds):
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(path, query)
        if n >= 2:
            times.append((time.perf_counter() - started) * 1000)
    return times, response


def _forget() -> None:
    DRAWN.clear()
    PASTS.clear()


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


# The bench rows as a country's: one Kantor Kemenag per regency employs the workers who live there.
SPREAD_SQL = """
UPDATE enrolment_employment e SET institution_id = i.id
FROM enrolment_worker w, partners_institution i
WHERE w.id = e.worker_id AND i.code = %(prefix)s || replace(w.regency_id, '.', '')
  AND e.institution_id = %(bench)s AND e.worker_id %% %(kept)s <> 0
"""
ENROL_SQL = """
INSERT INTO enrolment_enrolment (worker_id, program_id, status, rejected_reason, created_at,
                                 updated_at)
SELECT w.id, %(program)s, 'pending', '', now(), now() FROM enrolment_worker w
WHERE NOT EXISTS (SELECT 1 FROM enrolment_enrolment n
                  WHERE n.worker_id = w.id AND n.program_id = %(program)s)
"""


def _spread_over_regencies(institution: Institution) -> int:
    """Give the imported workers a country's shape for the dashboards: a Kantor Kemenag in each
    regency (Banten's under the bench Kanwil Kemenag) employs those who live there, and one in
    KEPT_AT_BENCH stays at the bench institution. All answer to the bench office, so the search
    section's regional officer still sees every worker. Returns the employments moved (none when
    an earlier run spread them already)."""
    Institution.objects.bulk_create(
        [
            Institution(
                code=f"{BENCH_CODE}-{regency.code.replace('.', '')}",
                name=f"Kantor Kemenag {regency.name}",
                kind=Institution.Kind.KEMENAG_KABKOTA,
                level=Institution.Level.REGENCY,
                province_id=regency.province_id,
                regency_id=regency.code,
                parent=institution if regency.province_id == institution.province_id else None,
                office_id=institution.office_id,
            )
            for regency in Regency.objects.all()
        ],
        ignore_conflicts=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            SPREAD_SQL, {"prefix": f"{BENCH_CODE}-", "bench": institution.pk, "kept": KEPT_AT_BENCH}
        )
        return cursor.rowcount


def _enrol_everyone(program: Program) -> int:
    """Enrol every worker in `program` too (pending), as an agreement with JHT would: three
    enrolments per worker, the size the dashboards' target is set at. Returns the rows added."""
    with connection.cursor() as cursor:
        cursor.execute(ENROL_SQL, {"program": program.pk})
        return cursor.rowcount


def _coverage_pages(institution: Institution) -> list[tuple[str, str, dict, str, bool]]:
    """(label, path, query, text the page must show, a dashboard): the country, the bench
    institution's Kanwil, province and the first regency of the province, the institution, and
    its workers not yet registered."""
    office = institution.office
    province = institution.province
    regency = Regency.objects.filter(province_id=institution.province_id).order_by("code").first()
    area = "coverage:area"
    return [
        ("national dashboard", reverse("coverage:dashboard"), {}, "Indonesia", True),
        (
            f"Kanwil dashboard ({office.name})",
            reverse(area, args=["wilayah", office.pk]),
            {},
            office.name,
            True,
        ),
        (
            f"province dashboard ({province.name})",
            reverse(area, args=["provinsi", province.pk]),
            {},
            province.name,
            True,
        ),
        (
            f"regency dashboard ({regency.name})",
            reverse(area, args=["kabkota", regency.code]),
            {},
            regency.name,
            True,
        ),
        (
            f"institution dashboard ({institution.name})",
            reverse(area, args=["lembaga", institution.pk]),
            {},
            institution.name,
            True,
        ),
        (
            "institution's workers not yet registered",
            reverse("coverage:workers", args=["lembaga", institution.pk]),
            {"status": "pending"},
            institution.name,
            False,
        ),
    ]


def _snapshot_last_year() -> int:
    """Monthly snapshots of the twelve months before this one, as a year of Sinergi leaves them
    (the trend of each dashboard reads them); taken once, from the current figures."""
    month = timezone.localdate().replace(day=1)
    for _n in range(TREND_MONTHS):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        if not SnapshotRun.objects.filter(month=month).exists():
            coverage_snapshot(month=month)
    return SnapshotRun.objects.count()


def _national_manager() -> User:
    """A manager without an office: reads every dashboard, no personal data."""
    manager, _created = User.objects.get_or_create(
        username="bench.manajer", defaults={"full_name": "Manajer Benchmark"}
    )
    RoleAssignment.objects.get_or_create(user=manager, role=Role.MANAGER, office=None)
    return manager


@contextlib.contextmanager
def _http_server():
    """gunicorn on a free loopback port with this process's environment (the bench database and
    its settings); yields it and its port, and stops it (SIGTERM, then SIGKILL after 30 s)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--workers",
        str(LOAD_WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--no-control-socket",
    ]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=log, stderr=log)
        try:
            _wait_serving(server, port, log)
            yield server, port
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _process(pid: int, up: int = 0) -> psutil.Process | None:
    """The process `pid`, or its parent `up` levels up (a backend's postmaster); None when it
    is not on this machine."""
    try:
        process = psutil.Process(pid)
        for _level in range(up):
            process = process.parent()
        return process
    except (psutil.Error, AttributeError):
        return None


def _cpu_seconds(process: psutil.Process | None) -> float | None:
    """CPU time of a server: its own, its children's, and that of the children it has reaped
    (gunicorn's recycled workers, PostgreSQL's ended backends)."""
    if process is None:
        return None
    try:
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
        return total
    except psutil.Error:
        return None


def _wait_serving(server: subprocess.Popen, port: int, log) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise CommandError(f"gunicorn stopped: {log.read().decode()[-2000:]}")
        connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection_.request("GET", reverse("healthz"))
            if connection_.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection_.close()
        time.sleep(0.2)
    raise CommandError("gunicorn did not answer /healthz within 60 s")


def _hammer(
    port: int, cookies: list[str], urls: list[tuple[str, str]], seconds: float
) -> list[tuple[str, float, bool]]:
    """One thread per cookie requests the urls in turn, each starting at another one, until
    `seconds` have passed: (label, milliseconds, 200 or not) of every request."""
    deadline = time.perf_counter() + seconds
    results: list[list[tuple[str, float, bool]]] = [[] for _cookie in cookies]

    def client(n: int) -> None:
        connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        turn = n
        while time.perf_counter() < deadline:
            label, path = urls[turn % len(urls)]
            turn += 1
            started = time.perf_counter()
            try:
                connection_.request("GET", path, headers={"Cookie": cookies[n]})
                response = connection_.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection_.close()
                ok = False
            results[n].append((label, (time.perf_counter() - started) * 1000, ok))
        connection_.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(cookies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [line for lines in results for line in lines]


WRK_SCRIPT = Path(__file__).with_name("bench_load.lua")


def _hammer_wrk(
    port: int, cookies: list[str], urls: list[tuple[str, str]], seconds: float
) -> list[tuple[str, float, bool]]:
    """The same clients as `_hammer`, from wrk (Debian's package, which `make bench` installs):
    one thread and one connection per cookie, so the two cores go to the server rather than to
    20 Python threads taking turns at one interpreter lock. Its script times each request."""
    environment = {
        **os.environ,
        "LOAD_COOKIES": "\n".join(cookies),
        "LOAD_PATHS": "\n".join(path for _label, path in urls),
    }
    threads = str(len(cookies))
    command = ["wrk", "-t", threads, "-c", threads, "-d", f"{max(1, round(seconds))}s"]
    command += ["--timeout", "30s", "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}"]
    global _wrk_cpu  # noqa: PLW0603 - the last run's CPU, read by _clients_cpu
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
        _pid, status, usage = os.wait4(process.pid, 0)
        _wrk_cpu += usage.ru_utime + usage.ru_stime
        out.seek(0)
        text = out.read().decode()
    if os.waitstatus_to_exitcode(status):
        raise CommandError(f"wrk failed: {text[-2000:]}")
    results = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0].isdigit():
            index, code, ms = fields
            results.append((urls[int(index) - 1][0], float(ms), code == "200"))
        elif line.startswith("# errors"):
            failed = sum(int(n) for n in fields[3::2])
            results += [("connection", 0.0, False)] * failed
    return results


_wrk_cpu = 0.0


def _clients_cpu() -> float:
    """CPU seconds of the load clients so far: this process's threads and wrk's runs."""
    return time.process_time() + _wrk_cpu


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


def _sign_in_with_second_factor(client: Client, user: User) -> None:
    """Signed in as someone who passed their authenticator app (an officer sees personal data,
    so every page asks for it): the session names the app, as django-otp's login does."""
    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


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


def _changed_roster(path: Path) -> Path:
    """The roster at `path` with the wage of every CHANGED_EVERY-th person raised Rp50.000."""
    changed = path.with_name(f"{path.stem}-changed{path.suffix}")
    if not changed.exists():
        partial = changed.with_suffix(".part")
        with path.open(encoding="utf-8-sig") as src, partial.open("w", encoding="utf-8") as out:
            header = src.readline()
            out.write(header)
            wage = header.rstrip("\r\n").split(";").index("UPAH")
            for n, line in enumerate(src):
                if n % CHANGED_EVERY == 0:
                    cells = line.rstrip("\r\n").split(";")
                    cells[wage] = str(int(cells[wage]) + 50_000)
                    line = ";".join(cells) + "\n"
                out.write(line)
        partial.rename(changed)
    return changed


def _empty_worker_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(WORKER_TABLES)} RESTART IDENTITY CASCADE")
    _settle_tables()


def _settle_tables() -> None:
    """Every import starts from a steady state: fresh statistics, as autovacuum leaves them, and
    no pages of the steps before it still to be written (a checkpoint). In a whole run of
    22-11-2026 without the checkpoint, the two imports after the access log's 10.000.000 rows
    each spent ~6 s more than usual in their commit."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_checkpoint', 'MEMBER') "
            "FROM pg_roles WHERE rolname = current_user"
        )
        if cursor.fetchone()[0]:  # a server's role may not be allowed to: then it waits
            cursor.execute("CHECKPOINT")


def _median_import(path: Path, institution: Institution, *, rows: int, runs: int) -> dict:
    """The file of `rows` rows imported into empty tables `runs` times when it has up to
    MEDIAN_UP_TO rows (once otherwise): the run of median time, with the seconds of each. The
    tables keep the last run's rows, the same rows whichever run it was."""
    results = [_pipeline(path, institution) for _run in range(runs if rows <= MEDIAN_UP_TO else 1)]
    median = sorted(results, key=lambda result: result["seconds"])[len(results) // 2]
    return median | {
        "runs": [result["seconds"] for result in results],
        "import_id": results[-1]["import_id"],
    }


def _pipeline(path: Path, institution: Institution, *, empty: bool = True) -> dict:
    """The whole import (upload, check, stage, apply with enrolments) as the worker runs it, in
    a process of its own so that its peak memory is its own; into empty tables unless `empty`
    is false."""
    if empty:
        _empty_worker_tables()
    else:
        _settle_tables()
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
        "rows": result["rows"],
        "import_id": result["import_id"],
        "seconds": seconds,
        "rss_mb": rss / 1024,
        "timings": result["timings"],
        "enrolments": result["enrolments"],
        "workers": (result["created"], result["updated"], result["unchanged"]),
    }


def _raw_copy(path: Path, runs: int = 3) -> float:
    """The limit: the same file COPY'd as text into a table without indexes or constraints; the
    median of `runs` copies, since one copy of 100.000 rows lasts a fraction of a second."""
    with path.open(encoding="utf-8-sig") as handle:  # as many columns as the file has
        width = handle.readline().count(";") + 1
    columns = ", ".join(f"c{i} text" for i in range(width))
    rates = []
    with connection.cursor() as cursor:
        for _run in range(runs):
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
            rates.append(cursor.fetchone()[0] / seconds)
        cursor.execute("DROP TABLE bench_raw_copy")
    return statistics.median(rates)


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
