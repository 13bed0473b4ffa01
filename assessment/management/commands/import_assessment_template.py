from django.utils.translation import gettext as _

from assessment.exchange import import_templates
from unionportal.commands import PortalCommand


class Command(PortalCommand):
    help = "Import scoring templates (考核细则) from a .csv or .xlsx file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, path, dry_run=False, **options):
        with self.open_input(path) as (source, fmt):
            report = import_templates(source, fmt, actor=self.actor, dry_run=dry_run, limits=self.input_limits())
        self.report(report, dry_run=dry_run, what=_("Assessment templates"))
