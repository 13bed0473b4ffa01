from django.utils.translation import gettext as _

from orgs.exchange import export_orgs
from orgs.models import Org
from unionportal.commands import PortalCommand
from unionportal.tabular import format_of


class Command(PortalCommand):
    help = "Export the whole org tree to a .csv or .xlsx file (the import format)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        fmt = format_of(path)
        queryset = Org.objects.all()
        with self.output_path(path) as partial:
            export_orgs(partial, fmt, queryset)
        self.stdout.write(_("%(count)d organisations written to %(path)s.")
                          % {"count": queryset.count(), "path": path})
