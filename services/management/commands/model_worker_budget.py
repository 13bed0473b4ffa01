from django.utils.translation import gettext as _

from orgs.models import Org
from services.budget import budget_report, report_headers, write_budget
from services.pdf import render_budget_pdf
from unionportal.commands import InputError, PortalCommand, UsageError
from unionportal.tabular import format_of


class Command(PortalCommand):
    help = ("Print the model-worker budget of the subtree of CODE for YEAR; "
            "write it as .pdf or .xlsx when PATH is given.")

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("year")
        parser.add_argument("path", nargs="?")

    def handle(self, *args, code, year, path=None, **options):
        fmt = format_of(path, formats=("pdf", "xlsx")) if path else None
        if not year.isdigit() or not 1900 <= int(year) <= 2099:
            raise UsageError(_("YEAR must be a year such as 2016 (found “%(year)s”).") % {"year": year})
        org = Org.objects.filter(code=code).first()
        if org is None:
            raise InputError(_("no organisation has the code %(code)s.") % {"code": code})
        report = budget_report(org, int(year))
        headers = report_headers()
        self.stdout.write(_("Model-worker budget of %(org)s for %(year)s (%(source)s)")
                          % {"org": org.name, "year": year, "source": report.rates_source})
        self.stdout.write("\t".join(headers))
        for row in report.rows():
            self.stdout.write("\t".join(row))
        if path:
            with self.output_path(path) as partial:
                if fmt == "pdf":
                    with open(partial, "wb") as target:
                        target.write(render_budget_pdf(report))
                else:
                    write_budget(partial, fmt, report)
            self.stdout.write(_("Written to %(path)s.") % {"path": path})
