import pytest
from django.db import transaction

from config.celery import app as celery_app
from ops.models import WorkerHeartbeat
from ops.tasks import heartbeat


@pytest.mark.worker
def test_a_real_worker_runs_a_task_from_the_broker_and_writes_to_the_database(
    celery_worker_process,
):
    result = heartbeat.delay()
    row_id = result.get(timeout=60)
    beat = WorkerHeartbeat.objects.get(pk=row_id)
    assert beat.hostname == celery_worker_process


def test_tasks_travel_as_json_only_with_explicit_time_limits():
    conf = celery_app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit


def test_the_imports_queue_outlasts_its_longest_task():
    from django.conf import settings

    conf = celery_app.conf
    assert {q.name for q in conf.task_queues} == {"default", "imports"}
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > settings.IMPORT_TASK_TIME_LIMIT
    assert conf.task_routes["enrolment.tasks.*"] == {"queue": "imports"}


def test_the_beat_schedule_lives_in_settings():
    assert celery_app.conf.beat_schedule["ops-heartbeat"]["task"] == "ops.tasks.heartbeat"


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_is_never_sent():
    celery_app.control.purge()
    with pytest.raises(RuntimeError), transaction.atomic():
        transaction.on_commit(heartbeat.delay)
        raise RuntimeError("the request failed")
    with celery_app.connection_for_write() as conn:
        assert conn.default_channel.client.llen("default") == 0
