"""The service URLs the embedded servers hand to Django and Celery."""

from config.settings import _celery_url, _redis_db


def test_a_redis_socket_url_gets_its_logical_database():
    assert _redis_db("unix:///srv/.data/redis.sock?db=0", 2) == "unix:///srv/.data/redis.sock?db=2"


def test_a_redis_server_url_gets_its_logical_database():
    assert _redis_db("redis://127.0.0.1:6379/0", 1) == "redis://127.0.0.1:6379/1"
    assert _redis_db("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"
    assert (
        _redis_db("rediss://:secret@redis.internal:6380/5", 0)
        == "rediss://:secret@redis.internal:6380/0"
    )


def test_celery_spells_a_socket_as_redis_plus_socket():
    assert _celery_url("unix:///srv/r.sock?db=2") == "redis+socket:///srv/r.sock?virtual_host=2"
    assert _celery_url("redis://h:6379/0") == "redis://h:6379/0"
