"""What the assessment commands share: finding an org and a sheet by code and year."""

from django.utils.translation import gettext as _

from assessment.models import Sheet
from orgs.models import Org
from unionportal.commands import InputError


def org_by_code(code: str) -> Org:
    matches = list(Org.objects.resolve(code)[:2])
    if len(matches) != 1:
        raise InputError(_("no organisation has the code “%(code)s”.") % {"code": code})
    return matches[0]


def sheet_of(code: str, year: int, assessor: str | None) -> Sheet:
    org = org_by_code(code)
    sheets = Sheet.objects.filter(org=org, year=year).select_related("assessor", "org", "template", "round")
    if assessor:
        sheets = sheets.filter(assessor=org_by_code(assessor))
    found = list(sheets.order_by("-assessor__level")[:2])
    if not found:
        raise InputError(_("%(org)s has no sheet for %(year)d.") % {"org": org.code, "year": year})
    if len(found) > 1 and not assessor:
        raise InputError(_("%(org)s has sheets from several assessors in %(year)d; choose one with --assessor.")
                         % {"org": org.code, "year": year})
    return found[0]
