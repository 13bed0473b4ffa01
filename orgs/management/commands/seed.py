from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from fixtures.demo_orgs import DEMO_ACCOUNTS
from unionportal.commands import InputError, PortalCommand

# Each step loads one room's share of the source documents, idempotently, in this order
# (catalogues and templates need the orgs; demo data needs the demo accounts that
# orgs.seeding.seed_demo creates).  A step returns the lines it reports.
SEED_STEPS = ("orgs.seeding.seed", "duties.seeding.seed", "assessment.seeding.seed",
              "services.seeding.seed")
DEMO_STEPS = ("orgs.seeding.seed_demo", "assessment.seeding.seed_demo",
             "orgs.governance.seeding.seed_demo", "services.seeding.seed_demo")


class Command(PortalCommand):
    help = "Load the source documents (organisations, catalogues, templates); --demo adds demo data."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="also load demo unions and accounts")
        parser.add_argument("--i-know-this-is-not-production", action="store_true",
                            dest="not_production",
                            help="allow --demo with debug off (the demo accounts have public passwords)")

    def handle(self, *args, demo=False, not_production=False, **options):
        # The test suite runs with debug off and says so with UNIONPORTAL_DEMO_ALLOWED.
        allowed = settings.DEBUG or getattr(settings, "UNIONPORTAL_DEMO_ALLOWED", False)
        if demo and not allowed and not not_production:
            raise InputError(_("--demo creates accounts whose passwords are public; it runs only "
                               "with DJANGO_DEBUG=1, or with --i-know-this-is-not-production."))
        for step in SEED_STEPS:
            self._run(step)
        if not demo:
            return
        for step in DEMO_STEPS:
            self._run(step)
        self.stdout.write(_("Demo accounts (username  password  role  org-code):"))
        for username, password, role, code in DEMO_ACCOUNTS:
            self.stdout.write(f"{username}  {password}  {role}  {code}")

    def _run(self, step: str) -> None:
        for line in import_string(step)():
            # Warnings (accepted input, e.g. item points that disagree with a weight) go to
            # standard error, like every command's.
            (self.stderr if line.startswith("warning:") else self.stdout).write(line)
