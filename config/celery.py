import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sinergi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def send_quietly(task_name: str, args: list) -> bool:
    """Queue a task by name; False (and a warning, with the error's kind only) when the broker
    cannot be reached, for callers whose work waits safely (a reaper or a nightly run catches
    up). No result is asked for: with Redis down, the result backend's retries cost ~20 s."""
    import logging

    try:
        app.send_task(task_name, args=args, retry=False, ignore_result=True)
    except Exception as error:  # kombu raises several kinds; none may lose the caller's work
        logging.getLogger(__name__).warning(
            "broker unavailable (%s): %s not queued", type(error).__name__, task_name
        )
        return False
    return True
