import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessment import services
from assessment.management.commands._common import org_by_code
from unionportal.commands import InputError, PortalCommand, UsageError


class Command(PortalCommand):
    help = "Open the YEAR round of every template the org CODE owns: create each assessee's sheet."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("year", type=int)
        parser.add_argument("--deadline", help="YYYY-MM-DD")

    def handle(self, *args, code, year, deadline=None, **options):
        if deadline:
            try:
                deadline = dt.date.fromisoformat(deadline)
            except ValueError as exc:
                raise UsageError(_("--deadline must be a date as YYYY-MM-DD.")) from exc
        assessor = org_by_code(code)
        try:
            opened = services.open_round(actor=self.actor, assessor=assessor, year=year, deadline=deadline)
        except ValidationError as exc:
            raise InputError(*exc.messages) from exc
        for template in opened.templates_copied:
            self.stdout.write(services.copied_template_line(template))
        self.stdout.write(_("Round %(year)d of %(org)s: %(n)d new sheet(s), %(total)d in all; deadline %(deadline)s.")
                          % {"year": year, "org": assessor.code, "n": opened.sheets_created,
                             "total": opened.round.sheets.count(), "deadline": opened.round.deadline or "—"})
