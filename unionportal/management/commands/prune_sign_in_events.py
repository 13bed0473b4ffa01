from django.conf import settings

from unionportal.accounts.events import prune
from unionportal.commands import PortalCommand


class Command(PortalCommand):
    help = ("Delete sign-in events older than UNIONPORTAL_SIGN_IN_EVENTS_DAYS "
            "(also done now and then as events are written).")

    def handle(self, *args, **options):
        deleted = prune()
        self.stdout.write(f"{deleted} sign-in events older than "
                          f"{settings.UNIONPORTAL_SIGN_IN_EVENTS_DAYS} days deleted.")
