from django.utils.translation import gettext as _

from orgs.exchange import import_orgs
from unionportal.commands import PortalCommand, progress


class Command(PortalCommand):
    help = "Import the org tree from a .csv or .xlsx file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, path, dry_run=False, **options):
        with self.open_input(path) as (source, fmt):
            report = import_orgs(source, fmt, actor=self.actor, dry_run=dry_run, progress=progress,
                                 limits=self.input_limits())
        self.report(report, dry_run=dry_run, what=_("Organisations"))
