"""The service URLs the embedded servers hand to Django and Celery."""

from config.settings import _celery_url, _redis_db


def test_a_redis_socket_url_gets_its_logical_database():
    assert _redis_db("unix:///srv/.data/redis.sock?db=0", 2) == "unix:///srv/.data/redis.sock?db=2"
    assert _redis_db("unix:///srv/.data/redis.sock", 1) == "unix:///srv/.data/redis.sock?db=1"


def test_a_redis_server_url_gets_its_logical_database():
    assert _redis_db("redis://127.0.0.1:6379/0", 1) == "redis://127.0.0.1:6379/1"
    assert _redis_db("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"


def test_the_database_the_url_names_is_the_first_of_sinergis_three():
    """Broker, cache and results take the URL's database and the two after it, so a Redis
    server shared with others (or a second test run) is set apart by the URL alone."""
    shared = "rediss://:secret@redis.internal:6380/5"
    assert [_redis_db(shared, n) for n in (0, 1, 2)] == [
        "rediss://:secret@redis.internal:6380/5",
        "rediss://:secret@redis.internal:6380/6",
        "rediss://:secret@redis.internal:6380/7",
    ]
    assert _redis_db("unix:///r.sock?db=3", 2) == "unix:///r.sock?db=5"


def test_celery_spells_a_socket_as_redis_plus_socket():
    assert _celery_url("unix:///srv/r.sock?db=2") == "redis+socket:///srv/r.sock?virtual_host=2"
    assert _celery_url("redis://h:6379/0") == "redis://h:6379/0"
