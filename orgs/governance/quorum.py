"""Attendance (quorum) of congress sessions and committee meetings, with the thresholds each
federation sets (orgs.governance.models.FederationRules; defaults 2/3 and 1/2).

A record below its quorum is kept but flagged (``quorate`` False, frozen when recorded): the
rule checks do not count it as held, and no motion of such a session passes.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.access import Action, require
from orgs.governance import rules
from orgs.governance.models import FederationRules
from orgs.models import Org
from unionportal import audit
from unionportal.concurrency import lock

THRESHOLD_FIELDS = ("congress_quorum_numerator", "congress_quorum_denominator",
                    "committee_quorum_numerator", "committee_quorum_denominator")


def federation_of(org: Org) -> Org:
    """The federation whose rules hold for ``org``: the root of its tree."""
    return org if org.parent_id is None else org.get_root()


def rules_for(org: Org) -> FederationRules:
    """The federation's rules (defaults until it sets its own; not saved by reading)."""
    federation = federation_of(org)
    return FederationRules.objects.filter(org=federation).first() or FederationRules(org=federation)


def session_quorum(org: Org, *, present: int, delegates_total: int) -> tuple[int, str]:
    """(delegates needed, the rule's sentence when below it, else "")."""
    share = rules_for(org).congress_quorum
    return (rules.congress_quorum_needed(delegates_total, share),
            rules.congress_quorum_problem(present=present, delegates_total=delegates_total, share=share))


def meeting_quorum(org: Org, *, present: int, members_total: int) -> tuple[int, str]:
    share = rules_for(org).committee_quorum
    return (rules.committee_quorum_needed(members_total, share),
            rules.committee_quorum_problem(present=present, members_total=members_total, share=share))


def check_meeting_attendance(meeting) -> None:
    """The federation's committee quorum, frozen on the record: below it the meeting is kept
    but flagged (it does not count as held); more attendees than members is refused."""
    present, total = len(meeting.attendee_list()), meeting.members_counted()
    if present > total:
        raise ValidationError(_("%(present)d attendees but the committee has %(total)d members.")
                              % {"present": present, "total": total}, code="attendance")
    meeting.quorum_needed, problem = meeting_quorum(meeting.org, present=present, members_total=total)
    meeting.quorate = not problem


def session_flag(session) -> str:
    """The sentence shown on a flagged session ("" when it was quorate)."""
    if session.quorate:
        return ""
    present = getattr(session, "present", None)
    if present is None:
        present = session.attendees.filter(kind="delegate").count()
    return session_quorum(session.congress.org, present=present,
                          delegates_total=session.delegates_total)[1] or _below(present, session.quorum_needed)


def meeting_flag(meeting) -> str:
    if meeting.quorate:
        return ""
    present = len(meeting.attendee_list())
    return (meeting_quorum(meeting.org, present=present, members_total=meeting.members_counted())[1]
            or _below(present, meeting.quorum_needed))


def _below(present: int, needed: int) -> str:
    # The federation lowered its threshold since: the record keeps the rule it was held under.
    return _("%(present)d present; %(needed)d were needed when it was recorded.") % {
        "present": present, "needed": needed}


def save_rules(*, actor, rules_row: FederationRules) -> FederationRules:
    """Create or change a federation's thresholds (the admin), audited with the actor."""
    with transaction.atomic():
        before = None
        if rules_row.pk:
            current = lock(rules_row, None)
            before = audit.snapshot(current, THRESHOLD_FIELDS)
            rules_row.version = current.version
        rules_row.full_clean()
        require(actor, Action.MANAGE, rules_row.org)
        if before is None:
            rules_row.save()
        else:
            rules_row.save_new_version()
        audit.record(actor=actor, action="governance.federation_rules.update" if before else
                     "governance.federation_rules.create", instance=rules_row, org=rules_row.org,
                     before=before, after=audit.snapshot(rules_row, THRESHOLD_FIELDS))
    return rules_row


def delete_rules(*, actor, rules_row: FederationRules) -> None:
    """Remove a federation's own thresholds: the defaults hold again (audited)."""
    with transaction.atomic():
        current = lock(rules_row, None)
        require(actor, Action.MANAGE, current.org)
        audit.record(actor=actor, action="governance.federation_rules.delete", instance=current,
                     org=current.org, before=audit.snapshot(current, THRESHOLD_FIELDS))
        current.delete()
