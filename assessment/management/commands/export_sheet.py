from pathlib import Path

from django.utils.translation import gettext as _

from assessment.exchange import export_sheet
from assessment.management.commands._common import sheet_of
from assessment.pdf import render_sheet_pdf
from unionportal.commands import PortalCommand
from unionportal.tabular import format_of


class Command(PortalCommand):
    help = "Write one sheet: .pdf (the official layout) or .xlsx/.csv (the exchange format)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("year", type=int)
        parser.add_argument("path")
        parser.add_argument("--assessor", help="the assessor's code, where several assess the org")

    def handle(self, *args, code, year, path, assessor=None, **options):
        fmt = format_of(path, ("csv", "xlsx", "pdf"))
        sheet = sheet_of(code, year, assessor)
        with self.output_path(path) as partial:
            if fmt == "pdf":
                Path(partial).write_bytes(render_sheet_pdf(sheet))
            else:
                with open(partial, "wb") as target:
                    export_sheet(target, fmt, sheet)
        self.stdout.write(_("Wrote the %(year)d sheet of %(org)s to %(path)s.")
                          % {"year": year, "org": sheet.org.code, "path": path})
