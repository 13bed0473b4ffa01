from django.utils.translation import gettext as _

from orgs import seeding
from unionportal.commands import PortalCommand


class Command(PortalCommand):
    help = "Load the source documents (organisations, catalogues, templates); --demo adds demo data."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="also load demo unions and accounts")

    def handle(self, *args, demo=False, **options):
        created = seeding.seed_orgs()
        self.stdout.write(_("Organisations: %(count)d new.") % {"count": created})
        if not demo:
            return
        created = seeding.seed_demo_orgs()
        self.stdout.write(_("Demo base unions: %(count)d new.") % {"count": created})
        self.stdout.write(_("Demo accounts (username  password  role  org-code):"))
        for username, password, role, code in seeding.seed_demo_accounts():
            self.stdout.write(f"{username}  {password}  {role}  {code}")
