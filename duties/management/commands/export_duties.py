from pathlib import Path

from django.utils.translation import gettext as _

from duties import selectors
from duties.exchange import export_duties
from duties.pdf import render_catalogue_pdf
from orgs.models import Org
from unionportal.commands import InputError, PortalCommand
from unionportal.tabular import format_of


class Command(PortalCommand):
    help = ("Export the published duty catalogue of CODE (with --subtree, or when CODE has none of "
            "its own, every org below too).")

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("path")
        parser.add_argument("--subtree", action="store_true", help="add every org below CODE")

    def handle(self, *args, code, path, subtree=False, **options):
        fmt = format_of(path, formats=("csv", "xlsx", "pdf"))
        org = Org.objects.filter(code=code).first()
        if org is None:
            raise InputError(_("no organisation has the code %(code)s.") % {"code": code})
        subtree, versions = selectors.export_versions(org, None, subtree=subtree, unscoped=True)
        if not versions:
            raise InputError(_("%(code)s has no published duty catalogue.") % {"code": code})
        with self.output_path(path) as partial:
            if fmt == "pdf":
                Path(partial).write_bytes(render_catalogue_pdf(org, versions, subtree=subtree))
            else:
                export_duties(partial, fmt, versions)
        count = sum(len(version.items.all()) for version in versions)
        self.stdout.write(_("%(count)d duty items of %(orgs)d organisations written to %(path)s.")
                          % {"count": count, "orgs": len(versions), "path": path})
