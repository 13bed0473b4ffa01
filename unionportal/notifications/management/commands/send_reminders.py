"""``manage.py send_reminders [--date YYYY-MM-DD] [--only JOB]``: the day's reminders.

Run once a day by the scheduler (cron, a systemd timer): assessment deadlines (7 days and
1 day before, then daily while overdue) and governance rules about to be broken.  Every
reminder is keyed by its day, so running it twice the same day writes and sends nothing twice.
"""

import datetime as dt

from django.core.management.base import CommandError

from unionportal.commands import PortalCommand
from unionportal.notifications import scheduled


class Command(PortalCommand):
    help = "Write the day's reminders (deadlines, governance rules) to the inboxes and mail them."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD; default today)")
        parser.add_argument("--only", default="", help="run one job: " + ", ".join(sorted(scheduled.DAILY)))

    def handle(self, *args, date=None, only="", **options):
        day = None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError("--date: use YYYY-MM-DD", returncode=2) from None
        if only and only not in scheduled.DAILY:
            raise CommandError(f"--only: unknown job {only!r}", returncode=2)
        for line in scheduled.run_daily(day, only=only):
            self.stdout.write(line)
