"""Who sits on the committees: the union committee's terms (换届) with their chair, and the
congress's special committees (专门委员会)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.access import Action, require
from orgs.governance import rules
from orgs.governance.models import (
    CommitteeMember,
    CommitteeRole,
    CommitteeTerm,
    Congress,
    SpecialCommittee,
)
from orgs.governance.services._common import (
    _lock,
    _snapshot,
    _update,
)
from orgs.models import Org
from unionportal import audit
from unionportal.actors import user_or_none

TERM_FIELDS = ("number", "start", "end", "chair", "vice_chairs", "members")


# Committee terms (换届) -----------------------------------------------------------------------

def _check_term(term: CommitteeTerm) -> None:
    if term.end <= term.start:
        raise ValidationError(_("A term ends after it starts."))
    problem = rules.committee_term_problem(term.start, term.end)
    if problem:
        raise ValidationError(problem, code="term_length")
    overlapping = CommitteeTerm.objects.filter(org=term.org, start__lt=term.end, end__gt=term.start,
                                               voided_at__isnull=True)
    if term.pk:
        overlapping = overlapping.exclude(pk=term.pk)
    if overlapping.exists():
        raise ValidationError(_("The term overlaps another recorded term of this union."))


def record_term(*, actor, org: Org, start: dt.date, end: dt.date, chair: str, vice_chairs: str = "",
                members: str = "", number: int | None = None, comment: str = "") -> CommitteeTerm:
    """An election (换届): the new committee, its chair and vice-chairs, with the term's dates.

    ``comment`` goes to the audit entry."""
    with transaction.atomic():
        require(actor, Action.RECORD, org)
        return _record_term(actor=actor, org=org, start=start, end=end, chair=chair,
                            vice_chairs=vice_chairs, members=members, number=number, comment=comment)


def record_first_term(*, actor, org: Org, start: dt.date, chair: str, vice_chairs: str = "",
                      comment: str = "") -> CommitteeTerm:
    """Internal step of a founding case (services.founding, inside its transaction): the new
    union's first committee term, the full five years from ``start``.  It asks no permission
    (the case's own check decided who may complete it) and records the case's real actor."""
    return _record_term(actor=actor, org=org, start=start, end=rules.committee_term_end(start),
                        chair=chair, vice_chairs=vice_chairs, number=1, comment=comment)


def _record_term(*, actor, org, start, end, chair, vice_chairs="", members="", number=None, comment=""):
    with transaction.atomic():
        Org.objects.select_for_update().filter(pk=org.pk).first()  # one election at a time
        term = CommitteeTerm(org=org, number=number, start=start, end=end, chair=chair.strip(),
                             vice_chairs=vice_chairs, members=members, created_by=user_or_none(actor))
        term.full_clean()
        _check_term(term)
        term.save()
        audit.record(actor=actor, action="governance.term.create", instance=term, org=org,
                     after=_snapshot(term, TERM_FIELDS), comment=comment)
    return term


def update_term(*, actor, term: CommitteeTerm, expected_version: int | None, **changes) -> CommitteeTerm:
    return _update(CommitteeTerm, term, actor=actor, org=term.org, expected_version=expected_version,
                   fields=TERM_FIELDS, action="governance.term.update", changes=changes,
                   check=_check_term)


def chair_on(org: Org, day: dt.date) -> str | None:
    term = (CommitteeTerm.objects.filter(org=org, start__lte=day, end__gte=day, voided_at__isnull=True)
            .order_by("-start").first())
    return term.chair if term else None


# Special committees --------------------------------------------------------------------------

def set_committee(*, actor, congress: Congress, kind: str, members: list[tuple[str, str]],
                  expected_version: int | None = None, non_delegates=()) -> SpecialCommittee:
    """Form or re-form a special committee: 9–11 members, one chair, one vice-chair.

    ``non_delegates``: the names among ``members`` who are not delegates (第二十条 聘请非代表职工);
    the delegate checks (a member serves as a delegate of the congress) skip them."""
    members = [(name.strip(), role) for name, role in members if name.strip()]
    non_delegates = {name.strip() for name in non_delegates if name.strip()}
    unknown = sorted(non_delegates - {name for name, _role in members})
    if unknown:
        raise ValidationError(_("Not among the committee's members: %(names)s.") % {"names": "、".join(unknown)},
                              code="non_delegate_unknown")
    problems = rules.committee_problems(
        size=len(members),
        chairs=sum(role == CommitteeRole.CHAIR for _n, role in members),
        vice_chairs=sum(role == CommitteeRole.VICE_CHAIR for _n, role in members),
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        org = congress.org
        require(actor, Action.RECORD, org)
        committee = SpecialCommittee.objects.filter(congress=congress, kind=kind).first()
        if committee is None:
            committee = SpecialCommittee(congress=congress, kind=kind, created_by=user_or_none(actor))
            committee.full_clean()
            committee.save()
            before = None
        else:
            committee = _lock(committee, expected_version)
            before = sorted([m.name, m.role, m.non_delegate] for m in committee.members.all())
            committee.members.all().delete()
            committee.save_new_version()
        CommitteeMember.objects.bulk_create(
            CommitteeMember(committee=committee, name=name, role=role, non_delegate=name in non_delegates)
            for name, role in members
        )
        audit.record(actor=actor, action="governance.committee.set", instance=committee, org=org,
                     before=before, after=sorted([name, role, name in non_delegates] for name, role in members))
    return committee
