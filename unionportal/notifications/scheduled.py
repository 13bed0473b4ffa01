"""Daily jobs the apps register (deadline reminders, governance rules about to be broken).

``manage.py send_reminders`` (run once a day by cron, a systemd timer or the scheduler) and the
``daily_task`` background task run them all.  Each job keys its notifications by the day, so a
scheduler that runs twice the same day writes nothing the second time.
"""

import logging
from collections.abc import Callable

from django.utils import timezone

log = logging.getLogger("unionportal.notifications")
DAILY: dict[str, Callable] = {}


def register_daily(name: str, job: Callable) -> None:
    """``job(day) -> int``: how many notifications it wrote for ``day``."""
    DAILY[name] = job


def run_daily(day=None, *, only: str = "") -> list[str]:
    """Run every daily job (or the one named ``only``) for ``day``; one line per job."""
    day = day or timezone.localdate()
    lines = []
    for name, job in sorted(DAILY.items()):
        if only and name != only:
            continue
        written = job(day)
        log.info("daily job %s for %s: %d notifications", name, day, written)
        lines.append(f"{name}: {written}")
    return lines
