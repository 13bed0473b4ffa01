from pathlib import Path

from django.utils.translation import gettext as _

from assessment.exchange import import_self_assessment
from assessment.management.commands._common import sheet_of
from unionportal.commands import PortalCommand


class Command(PortalCommand):
    help = "Fill a draft or returned sheet from a filled-in exchange file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("year", type=int)
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--assessor", help="the assessor's code, where several assess the org")

    def handle(self, *args, code, year, path, dry_run=False, assessor=None, **options):
        with self.open_input(path) as (source, fmt):
            sheet = sheet_of(code, year, assessor)
            report = import_self_assessment(source, fmt, sheet, actor=self.actor, dry_run=dry_run,
                                            filename=Path(path).name,
                                            limits=self.input_limits())
        self.report(report, dry_run=dry_run, what=_("Graded units"))
