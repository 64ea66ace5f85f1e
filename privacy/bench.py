"""`make bench`'s breach query: the access report on a year of generated access-log rows.

`bench_import --access-log-rows N` (default 10.000.000) calls `access_log_bench` on the workers
the imports left: it fills the access log with one set-based INSERT … SELECT over
generate_series (a year of views and exports by many users from many addresses, a share of
exports naming their people), times `manage.py access_report` for one user and for one address
over three days, and one export of 100.000 people written and then found by person. Then it
empties the log and removes its users again. Only for the benchmark's own database.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AccessLog, PersonalField, User
from accounts.services import access_log_record

TARGET_SECONDS = 5.0
USERS = 500
ADDRESSES = 2_000
EXPORT_PERCENT = 2  # of the rows; each names 1–100 people
BIG_EXPORT = 100_000
USER_PREFIX = "bench.akses."

GENERATE_SQL = """
INSERT INTO accounts_accesslog (user_id, at, action, worker_id, workers, fields, what, rows, ip)
SELECT (%(users)s::bigint[])[1 + h.h1 %% %(user_count)s],
       %(start)s + (g::bigint * %(span)s / %(rows)s) * interval '1 second',
       CASE WHEN h.export THEN 'export' ELSE 'view' END,
       CASE WHEN h.export THEN NULL ELSE p.id END,
       CASE WHEN h.export
            THEN ARRAY(SELECT generate_series(%(low)s + h.h3 %% %(spread)s,
                                              %(low)s + h.h3 %% %(spread)s + h.h3 %% 100))
            ELSE '{}' END,
       CASE WHEN h.export THEN '{nik,full_name,employment,wage,enrolment}'::varchar(20)[]
            ELSE '{nik,full_name,birth_date,phone,address,kpj,employment,wage}'::varchar(20)[] END,
       CASE WHEN h.export THEN 'daftar pekerja' ELSE 'halaman pekerja #' || p.id END,
       CASE WHEN h.export THEN 1 + h.h3 %% 100 ELSE 1 END,
       '10.0.0.0'::inet + (h.h2 %% %(addresses)s)
FROM generate_series(1, %(rows)s) g
CROSS JOIN LATERAL (
    SELECT hashint8extended(g, 1) & 9223372036854775807 AS h1,
           hashint8extended(g, 2) & 9223372036854775807 AS h2,
           hashint8extended(g, 3) & 9223372036854775807 AS h3,
           (hashint8extended(g, 4) & 9223372036854775807) %% 100 < %(export_percent)s AS export
) h
JOIN bench_people p ON p.k = h.h1 %% %(people)s
"""


@dataclass
class _Sink:
    """Where the printed report goes (as to /dev/null), counting its lines."""

    lines: int = 0

    def write(self, text: str) -> None:
        self.lines += text.count("\n")

    def flush(self) -> None:
        pass


def _timed_report(*args: str) -> tuple[float, int]:
    sink = _Sink()
    started = time.perf_counter()
    call_command("access_report", *args, stdout=sink)
    return time.perf_counter() - started, sink.lines - 3  # title, headers and the summary


def _fill(rows: int, users: list[int]) -> float:
    """The rows in one statement, in time order. The log's secondary indexes are dropped for it
    and built again after, in the same transaction (a failure leaves the table as it was):
    kept, they made each million rows cost some 40 s more on the 2-core machine."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_people ON COMMIT DROP AS"
            " SELECT (row_number() OVER (ORDER BY id) - 1)::bigint AS k, id FROM enrolment_worker"
        )
        cursor.execute("ANALYZE bench_people")  # a hash join, which keeps the series' order
        cursor.execute("SELECT count(*), min(id), max(id) FROM enrolment_worker")
        people, low, high = cursor.fetchone()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'accounts_accesslog'"
            " AND indexname <> 'accounts_accesslog_pkey'"
        )
        indexes = cursor.fetchall()
        started = time.perf_counter()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        now = timezone.now().replace(microsecond=0)
        cursor.execute(
            GENERATE_SQL,
            {
                "users": users,
                "user_count": len(users),
                "start": now - dt.timedelta(days=365),
                "span": 365 * 24 * 3600,
                "rows": rows,
                "low": low,
                "spread": max(1, high - low - 100),
                "addresses": ADDRESSES,
                "export_percent": EXPORT_PERCENT,
                "people": people,
            },
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred key checks, now
        for _name, definition in indexes:
            cursor.execute(definition)
        seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # As autovacuum does soon after: statistics, and the time indexes' block ranges summed
        # up (unsummed ranges match every window, so the trail's import rows would be read).
        cursor.execute("VACUUM ANALYZE accounts_accesslog")
        cursor.execute("VACUUM ANALYZE audit_event")
    return seconds


def _big_export(user: User) -> tuple[float, int, float]:
    """One export of BIG_EXPORT people: the time of its one INSERT, the bytes its list takes,
    and the time to find it by one of its people (the data-subject report's query)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM enrolment_worker ORDER BY id LIMIT %s", [BIG_EXPORT])
        ids = [pk for (pk,) in cursor.fetchall()]
    started = time.perf_counter()
    log = access_log_record(
        user=user,
        action=AccessLog.Action.EXPORT,
        what="daftar pekerja (bench)",
        fields=[PersonalField.NIK, PersonalField.FULL_NAME, PersonalField.WAGE],
        workers=ids,
    )
    written = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(workers) FROM accounts_accesslog WHERE id = %s", [log.pk]
        )
        (size,) = cursor.fetchone()
    someone = ids[len(ids) // 2]
    started = time.perf_counter()
    found = list(
        AccessLog.objects.filter(Q(worker_id=someone) | Q(workers__contains=[someone]))
        .defer("workers")
        .values_list("pk", flat=True)
    )
    seconds = time.perf_counter() - started
    assert log.pk in found
    return written, size, seconds


def access_log_bench(rows: int) -> str:
    """The line `make bench` prints; leaves the access log empty and its users gone."""
    if not connection.settings_dict["NAME"].endswith("bench"):
        raise RuntimeError("the access-log benchmark empties the access log: bench database only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enrolment_worker")
        (workers,) = cursor.fetchone()
    if workers < BIG_EXPORT:
        return f"access report: skipped, {workers:,} workers (import at least {BIG_EXPORT:,} first)"
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"{USER_PREFIX}{n:03d}", full_name=f"Petugas Akses {n}", password=password
            )
            for n in range(USERS)
        ],
        ignore_conflicts=True,
    )
    users = list(
        User.objects.filter(username__startswith=USER_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    try:
        generated = _fill(rows, users)
        total = AccessLog.objects.count()
        # Three days a month ago: a breach found late, as they are.
        until = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        until -= dt.timedelta(days=30)
        since = until - dt.timedelta(days=3)
        window = ["--since", since.isoformat(), "--until", until.isoformat()]
        user = User.objects.get(pk=users[7])
        by_user, user_rows = _timed_report("--user", user.username, *window)
        by_ip, ip_rows = _timed_report("--ip", "10.0.0.7", *window)
        written, size, found = _big_export(user)
        # The last three days, which hold that export and the trail of the imports just run.
        recent = ["--since", (timezone.now() - dt.timedelta(days=3)).isoformat()]
        with_export, export_rows = _timed_report("--user", user.username, *recent)
    finally:
        with connection.cursor() as cursor:
            # Append-only: no DELETE; TRUNCATE is the owner's, and this is the bench's database.
            cursor.execute("TRUNCATE accounts_accesslog")
        User.objects.filter(username__startswith=USER_PREFIX).delete()
    slowest = max(by_user, by_ip, with_export)
    verdict = "under" if slowest < TARGET_SECONDS else "OVER"
    return (
        f"access report on {total:,} access-log rows (a year, {len(users)} users, "
        f"{ADDRESSES:,} addresses, {EXPORT_PERCENT} % exports of 1–100 people; generated in "
        f"{generated:.0f} s): user {user.username} over 3 days {by_user:.2f} s ({user_rows:,} "
        f"rows), ip 10.0.0.7 over 3 days {by_ip:.2f} s ({ip_rows:,} rows), the user over "
        f"the last 3 days with an export of {BIG_EXPORT:,} people {with_export:.2f} s "
        f"({export_rows:,} rows); {verdict} the {TARGET_SECONDS:.0f} s target. That export: "
        f"INSERT {written * 1000:.0f} ms, its list {size / 1024:.0f} kB, found by one of its "
        f"people in {found * 1000:.1f} ms"
    )
