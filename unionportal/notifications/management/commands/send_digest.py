"""``manage.py send_digest [--date YYYY-MM-DD]``: each digest user's one mail of the day.

Run once a day by the scheduler, after ``send_reminders``; a second run the same day sends
nothing (one digest per user per day).
"""

import datetime as dt

from django.core.management.base import CommandError

from unionportal.commands import PortalCommand
from unionportal.notifications import digest


class Command(PortalCommand):
    help = "Mail each user who chose the daily digest their unsent notifications (once a day)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the digest's day (YYYY-MM-DD; default today)")

    def handle(self, *args, date=None, **options):
        day = None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError("--date: use YYYY-MM-DD", returncode=2) from None
        self.stdout.write(f"digests sent: {digest.send_digests(day)}")
