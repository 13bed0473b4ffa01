from django.utils.translation import gettext as _

from services.exchange import import_model_workers
from unionportal.commands import InputError, PortalCommand
from unionportal.tabular import format_of


class Command(PortalCommand):
    help = "Import the model-worker register from a .csv or .xlsx file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, path, dry_run=False, **options):
        fmt = format_of(path)
        try:
            with open(path, "rb") as source:
                report = import_model_workers(source, fmt, dry_run=dry_run)
        except FileNotFoundError as exc:
            raise InputError(_("file not found: %(path)s") % {"path": path}) from exc
        self.report(report, dry_run=dry_run, what=_("Model workers"))
