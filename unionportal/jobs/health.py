"""The job queue's answer for ``/healthz`` (key "jobs"): "ok" when the queue answers."""

import logging

logger = logging.getLogger(__name__)


def queue_status() -> str:
    """"ok" or "error": Redis answers a PING (RQ), or the database backend's table reads."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]

    try:
        if type(backend).__name__ == "RQBackend":
            import django_rq

            django_rq.get_connection("default").ping()
        elif type(backend).__name__ == "DatabaseBackend":
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
    except Exception:  # any failure of the queue is "error", never a 500
        logger.warning("job queue unavailable", exc_info=True)
        return "error"
    return "ok"
