"""建会: what completing a founding case writes - the new base union in the tree under the
applicant, its elected officers, and its committee's first term in the governance records.

Internal steps of ``services.cases.complete_case`` (inside its transaction, after its own
check that the actor may take the last step): they take the case's real actor, so the audit
trail names who founded the union, and they ask no further permission of it.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs import services as org_services
from orgs.governance.services.committees import record_first_term
from orgs.models import Org, OrgKind, code_validator
from services.models import Case, Officer, OfficerRole
from unionportal import audit


def check_founding(details: dict) -> None:
    """The new union's name and code: present, valid and free."""
    name, code = (details.get("new_name") or "").strip(), (details.get("new_code") or "").strip()
    if not name or not code:
        raise ValidationError(_("Enter the name and the code of the union to be founded."))
    code_validator(code)
    if Org.objects.filter(code=code).exists():
        raise ValidationError({"new_code": _("The code %(code)s is already taken.") % {"code": code}})


def found_union(case: Case, actor, now) -> None:
    """The new base union joins the tree under the applicant, with its officers and the
    elected committee's first term."""
    details = case.details
    check_founding(details)
    officers = details.get("officers") or {}
    if not officers.get("chair"):
        raise ValidationError(_("Record the elected chair before completing."))
    # The applicant's staff act for the preparation group: the tree write (tree lock, audit)
    # is recorded as theirs; the case's own check covered their right to take this step.
    org = org_services.found_union(actor=actor, parent=case.applicant, code=details["new_code"].strip(),
                                   name=details["new_name"].strip(), kind=OrgKind.BASE,
                                   members=details.get("members"),
                                   contact_person=officers["chair"][:50], is_demo=case.is_demo)
    elected_on = officers.get("elected_on") or None
    if isinstance(elected_on, str):  # stored on the case as ISO text
        elected_on = dt.date.fromisoformat(elected_on)
    vice_chairs = [name.strip()[:50] for name in _names(officers.get("vice_chairs"))]
    rows = [(OfficerRole.CHAIR, officers["chair"])]
    rows += [(OfficerRole.VICE_CHAIR, name) for name in vice_chairs]
    rows += [(OfficerRole.FUNDS_CHAIR, officers.get("funds_chair")),
             (OfficerRole.WOMEN_CHAIR, officers.get("women_chair"))]
    Officer.objects.bulk_create(
        Officer(org=org, role=role, name=name.strip()[:50], elected_on=elected_on, case=case)
        for role, name in rows if name and name.strip()
    )
    # The elected committee's first term, through the governance records (audited there), so
    # the new union's governance page shows its officers and no overdue election.
    record_first_term(
        actor=actor, org=org, start=elected_on or timezone.localdate(now),
        chair=officers["chair"].strip()[:50], vice_chairs="\n".join(vice_chairs),
        comment=_("Elected at the founding, case %(number)s") % {"number": case.number},
    )
    case.new_org = org
    audit.record(actor=actor, action="case.found_union", instance=org, org=org,
                 after={"case": case.pk, "officers": officers}, comment=case.number)


def _names(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    for separator in ("，", ",", "；", ";"):
        value = value.replace(separator, "、")
    return [part for part in (p.strip() for p in value.split("、")) if part]
