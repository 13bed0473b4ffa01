"""The workers' congress (职工代表大会): the congress, its delegates' mandates, its sessions
and the motions voted there."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.access import Action, require
from orgs.governance import quorum, rules
from orgs.governance.models import (
    AttendeeKind,
    Congress,
    CongressSession,
    Delegate,
    MandateBasis,
    MandateEnd,
    Motion,
    MotionOutcome,
    SessionAttendee,
)
from orgs.governance.services._common import (
    _lock,
    _refuse_voided,
    _snapshot,
)
from orgs.models import Org
from unionportal import audit
from unionportal.actors import user_or_none

# Congresses and delegates --------------------------------------------------------------------

def create_congress(*, actor, org: Org, kind: str, name: str = "") -> Congress:
    with transaction.atomic():
        require(actor, Action.RECORD, org)
        if Congress.objects.filter(org=org, kind=kind).exists():
            raise ValidationError(_("This union already has that congress."))
        congress = Congress(org=org, kind=kind, name=name, created_by=user_or_none(actor))
        congress.full_clean()
        congress.save()
        audit.record(actor=actor, action="governance.congress.create", instance=congress, org=org,
                     after=_snapshot(congress))
    return congress


def _new_mandate(*, actor, congress, name, unit, start, basis, end=None) -> Delegate:
    name = name.strip()
    if not name:
        raise ValidationError(_("A delegate needs a name."))
    if end is not None:
        problem = rules.delegate_term_problem(start, end, by_election=basis == MandateBasis.BY_ELECTION)
        if problem:
            raise ValidationError(problem, code="delegate_term")
    if Delegate.objects.filter(congress=congress, name=name, ended_on__isnull=True,
                               end__gte=start).exists():
        raise ValidationError(_("%(name)s already holds a mandate.") % {"name": name})
    delegate = Delegate(congress=congress, name=name, unit=unit.strip(), basis=basis, start=start,
                        end=end or rules.delegate_term_end(start), created_by=user_or_none(actor))
    delegate.full_clean()
    delegate.save()
    audit.record(actor=actor, action=f"governance.delegate.{basis}", instance=delegate,
                 org=congress.org, after=_snapshot(delegate))
    return delegate


def elect_delegates(*, actor, congress: Congress, delegates: list[tuple[str, str]], start: dt.date,
                    basis: str = MandateBasis.ELECTION, end: dt.date | None = None) -> list[Delegate]:
    """A general election: each (name, electoral unit) gets a two-year mandate from ``start``.
    A re-elected delegate's open mandate is closed the day before the new one starts."""
    with transaction.atomic():
        require(actor, Action.RECORD, congress.org)
        Congress.objects.select_for_update().get(pk=congress.pk)
        elected = []
        for name, unit in delegates:
            previous = (Delegate.objects.select_for_update()
                        .filter(congress=congress, name=name.strip(), ended_on__isnull=True).first())
            if previous is not None:
                _close_mandate(actor, previous, start, MandateEnd.RE_ELECTED)
            elected.append(_new_mandate(actor=actor, congress=congress, name=name, unit=unit,
                                        start=start, end=end,
                                        basis=MandateBasis.RE_ELECTION if previous else basis))
    return elected


def by_elect_delegate(*, actor, congress: Congress, name: str, unit: str, start: dt.date,
                      replaces: Delegate | None = None) -> Delegate:
    """A by-election (补选, 第十二条): the new delegate serves the rest of the replaced mandate,
    or two years when no one is replaced."""
    with transaction.atomic():
        require(actor, Action.RECORD, congress.org)
        end = None
        if replaces is not None:
            replaced = Delegate.objects.select_for_update().get(pk=replaces.pk, congress=congress)
            if replaced.ended_on is None:
                raise ValidationError(_("End %(name)s's mandate before electing a successor.")
                                      % {"name": replaced.name})
            end = replaced.end if replaced.end > start else None
        return _new_mandate(actor=actor, congress=congress, name=name, unit=unit, start=start,
                            basis=MandateBasis.BY_ELECTION, end=end)


def _close_mandate(actor, delegate: Delegate, ended_on: dt.date, reason: str) -> Delegate:
    before = _snapshot(delegate)
    delegate.ended_on = ended_on
    delegate.end_reason = reason
    delegate.save_new_version()
    audit.record(actor=actor, action="governance.delegate.end", instance=delegate,
                 org=delegate.congress.org, before=before, after=_snapshot(delegate))
    return delegate


def end_mandate(*, actor, delegate: Delegate, ended_on: dt.date, reason: str,
                expected_version: int | None = None) -> Delegate:
    """End of a delegate's mandate: term over, retired or left, or revoked (第十二条)."""
    if reason not in MandateEnd.values:
        raise ValidationError(_("Unknown reason."))
    with transaction.atomic():
        org = delegate.congress.org
        require(actor, Action.RECORD, org)
        current = _lock(delegate, expected_version)
        if current.ended_on is not None:
            raise ValidationError(_("This mandate has already ended."))
        if ended_on < current.start:
            raise ValidationError(_("A mandate cannot end before it starts."))
        return _close_mandate(actor, current, ended_on, reason)


def delegates_serving(congress: Congress, day: dt.date):
    return Delegate.objects.filter(congress=congress, start__lte=day, end__gte=day).exclude(
        ended_on__lte=day
    )


# Sessions and motions ------------------------------------------------------------------------

def record_session(*, actor, congress: Congress, title: str, date: dt.date, agenda: str = "",
                   present: list[Delegate] = (), non_voting: list[str] = (),
                   invited: list[str] = ()) -> CongressSession:
    """A congress session with its attendance.  Refused when non-voting and invited attendees
    together exceed one fifth of the delegates serving (第十三条)."""
    non_voting = [name.strip() for name in non_voting if name.strip()]
    invited = [name.strip() for name in invited if name.strip()]
    with transaction.atomic():
        require(actor, Action.RECORD, congress.org)
        Congress.objects.select_for_update().get(pk=congress.pk)
        serving = {delegate.pk: delegate for delegate in delegates_serving(congress, date)}
        total = len(serving)
        if total == 0:
            raise ValidationError(_("The congress has no delegates serving on %(date)s; record the "
                                    "election of its delegates first.") % {"date": date.isoformat()})
        strangers = [d.name for d in present if d.pk not in serving]
        if strangers:
            raise ValidationError(_("Not serving on that date: %(names)s.") % {"names": "、".join(strangers)})
        if not rules.non_voting_within_limit(non_voting=len(non_voting), invited=len(invited),
                                             delegates_total=total):
            raise ValidationError(
                _("%(count)d non-voting and invited attendees: at most one fifth of the %(total)d "
                  "delegates, that is %(allowed)d.")
                % {"count": len(non_voting) + len(invited), "total": total,
                   "allowed": rules.non_voting_allowed(total)},
                code="non_voting_share",
            )
        # Below the federation's quorum (企业民主管理规定) the session is kept but flagged.
        needed, problem = quorum.session_quorum(congress.org, present=len(present), delegates_total=total)
        session = CongressSession(congress=congress, title=title, date=date, agenda=agenda,
                                  delegates_total=total, quorum_needed=needed, quorate=not problem,
                                  created_by=user_or_none(actor))
        session.full_clean()
        session.save()
        SessionAttendee.objects.bulk_create(
            [SessionAttendee(session=session, kind=AttendeeKind.DELEGATE, name=serving[d.pk].name,
                             delegate=serving[d.pk]) for d in present]
            + [SessionAttendee(session=session, kind=AttendeeKind.NON_VOTING, name=n) for n in non_voting]
            + [SessionAttendee(session=session, kind=AttendeeKind.INVITED, name=n) for n in invited]
        )
        audit.record(actor=actor, action="governance.session.create", instance=session,
                     org=congress.org,
                     after={**_snapshot(session), "present": len(present),
                            "non_voting": non_voting, "invited": invited})
    return session


def record_motion(*, actor, session: CongressSession, title: str, votes_for: int,
                  votes_against: int = 0, abstentions: int = 0, text: str = "",
                  proposed_by: str = "", declared: str | None = None) -> Motion:
    """A motion and its votes; the portal computes the outcome (more than half of ALL delegates
    serving) and refuses a declared "passed" that the votes do not carry."""
    with transaction.atomic():
        org = session.congress.org
        require(actor, Action.RECORD, org)
        current = CongressSession.objects.select_for_update().get(pk=session.pk)
        _refuse_voided(current)
        present = current.attendees.filter(kind=AttendeeKind.DELEGATE).count()
        problems = rules.votes_problems(votes_for=votes_for, votes_against=votes_against,
                                        abstentions=abstentions, delegates_present=present,
                                        delegates_total=current.delegates_total)
        if problems:
            raise ValidationError(problems)
        passes = rules.resolution_passes(votes_for, current.delegates_total)
        if not current.quorate and (passes or declared == MotionOutcome.PASSED):
            raise ValidationError(
                _("The session was below its quorum, so no motion of it can pass: %(rule)s")
                % {"rule": quorum.session_flag(current)}, code="no_quorum")
        if declared == MotionOutcome.PASSED and not passes:
            raise ValidationError(
                _("%(votes)d votes for is not more than half of all %(total)d delegates: the "
                  "motion has not passed.") % {"votes": votes_for, "total": current.delegates_total},
                code="not_passed",
            )
        number = (current.motions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        motion = Motion(session=current, number=number, title=title, text=text,
                        proposed_by=proposed_by, votes_for=votes_for, votes_against=votes_against,
                        abstentions=abstentions, delegates_total=current.delegates_total,
                        outcome=MotionOutcome.PASSED if passes else MotionOutcome.FAILED,
                        created_by=user_or_none(actor))
        motion.full_clean()
        motion.save()
        audit.record(actor=actor, action="governance.motion.create", instance=motion, org=org,
                     after=_snapshot(motion))
    return motion
