from pathlib import Path

from django.utils.translation import gettext as _

from duties.exchange import import_duties
from unionportal.commands import PortalCommand


class Command(PortalCommand):
    help = ("Import duty catalogues from a .csv or .xlsx file: each org named in it gets a new "
            "version holding exactly its rows (all or nothing). An org whose catalogue has an open "
            "draft is refused (publish or discard the draft first); with --draft the import "
            "replaces that draft.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--draft", action="store_true", help="keep the new versions as drafts")

    def handle(self, *args, path, dry_run=False, draft=False, **options):
        with self.open_input(path) as (source, fmt):
            result = import_duties(source, fmt, actor=self.actor, dry_run=dry_run, draft=draft,
                                   note=_("imported from %(file)s") % {"file": Path(path).name},
                                   limits=self.input_limits())
        if result.report.ok:
            for plan in result.plans:
                self.stdout.write(plan.summary)
        self.report(result.report, dry_run=dry_run, what=_("Duty catalogues"))
