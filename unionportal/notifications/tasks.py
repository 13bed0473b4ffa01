"""Background tasks of notifications (Django's task API, the ``django-tasks`` package).

When the task API is installed, immediate mails leave through a task (a slow mail server never
holds a request) and the daily jobs can be enqueued by a scheduler; every task is idempotent
(a mail is claimed before it is sent, a reminder and a digest are keyed per day), so a task run
twice writes and sends nothing twice.  Without the package, mails are sent right after the
commit, in the process that caused them, and failures are logged.
"""

import datetime as dt

try:
    from django_tasks import task
except ImportError:  # the task API is not installed: plain functions, run in the caller
    def task(**_options):
        return lambda function: function


@task()
def send_emails_task(ids: list[int]) -> int:
    """The immediate mails of these notifications (each claimed first: never sent twice)."""
    from unionportal.notifications.delivery import send_emails

    return send_emails(ids)


@task()
def daily_task(day: str = "") -> list[str]:
    """The daily reminders (deadlines, governance rules) of ``day`` (ISO date; today)."""
    from unionportal.notifications import scheduled

    return scheduled.run_daily(dt.date.fromisoformat(day) if day else None)


@task()
def digest_task(day: str = "") -> int:
    """Each digest user's one mail of ``day`` (ISO date; today)."""
    from unionportal.notifications import digest

    return digest.send_digests(dt.date.fromisoformat(day) if day else None)


def enqueue_emails(ids: list[int]) -> None:
    """Send the immediate mails of ``ids``: queued when there is a task API, else now."""
    if hasattr(send_emails_task, "enqueue"):
        send_emails_task.enqueue(list(ids))
    else:
        send_emails_task(list(ids))
