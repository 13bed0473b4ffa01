"""Every write to the governance records: one keyword-only function per step, atomic, the row
locked, the rule checked, the write audited.  ``actor=None`` is a system task (the seed).

A record a user edits is saved only against the version they loaded (``expected_version``);
a stale edit raises ConflictError instead of overwriting someone else's change.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from orgs.governance import rules
from orgs.models import (
    AttendeeKind,
    CommitteeMember,
    CommitteeRole,
    CommitteeTerm,
    Congress,
    CongressSession,
    Consultation,
    Delegate,
    Expense,
    ExpenseKind,
    ExpenseLimits,
    MandateBasis,
    MandateEnd,
    Meeting,
    Motion,
    MotionOutcome,
    Org,
    SessionAttendee,
    SpecialCommittee,
)
from orgs.services import ConflictError
from unionportal import audit
from unionportal.scoping import Action, can
from unionportal.uploads import PDF_IMAGES_WORD, check_upload

MEETING_FIELDS = ("kind", "date", "chaired_by", "attendees", "absentees", "agenda", "decisions")
CONSULTATION_FIELDS = (
    "year", "date", "employer", "union_representatives", "employer_representatives", "pay",
    "hours", "leave", "safety", "insurance", "contract_signed_on", "contract_valid_until",
    "approved_by",
)
TERM_FIELDS = ("number", "start", "end", "chair", "vice_chairs", "members")
LIMIT_FIELDS = ("cash_on_hand", "bank_transfer_from", "petty_item", "petty_total")

# Minutes: PDF, PNG, JPEG or Word (.docx), 10 MB at most.
MINUTES_TYPES = PDF_IMAGES_WORD


def _require_record(actor, org: Org) -> None:
    if actor is not None and not can(actor, Action.RECORD, org):
        raise PermissionDenied


def _snapshot(instance, fields=None) -> dict:
    data = audit.snapshot(instance, fields)
    return {key: (value.name if isinstance(value, FieldFile) else value) for key, value in data.items()}


def _lock(model, obj, expected_version: int | None):
    """The row, locked for this transaction; ConflictError if it changed since it was loaded."""
    current = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(
            _("This record was changed by someone else after you opened it. "
              "Reload the page to see their change, then edit again."),
            code="conflict",
        )
    return current


def _creator(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _update(model, obj, *, actor, org, expected_version, fields, action, changes, check=None):
    with transaction.atomic():
        _require_record(actor, org)
        current = _lock(model, obj, expected_version)
        before = _snapshot(current, fields)
        for name, value in changes.items():
            setattr(current, name, value)
        if check is not None:
            check(current)
        current.full_clean()
        current.version += 1
        current.save()
        after = _snapshot(current, fields)
        if before != after:
            audit.record(actor=actor, action=action, instance=current, org=org, before=before, after=after)
    return current


# Meetings ------------------------------------------------------------------------------------

def record_meeting(*, actor, org: Org, kind: str, date: dt.date, attendees: str, agenda: str,
                   chaired_by: str = "", absentees: str = "", decisions: str = "",
                   minutes=None) -> Meeting:
    if minutes is not None:
        check_upload(minutes, allowed=MINUTES_TYPES)
    with transaction.atomic():
        _require_record(actor, org)
        meeting = Meeting(org=org, kind=kind, date=date, attendees=attendees, agenda=agenda,
                          chaired_by=chaired_by, absentees=absentees, decisions=decisions,
                          created_by=_creator(actor))
        meeting.full_clean()
        if minutes is not None:
            meeting.minutes_name = minutes.name[:200]
            meeting.minutes.save(minutes.name, minutes, save=False)
        meeting.save()
        audit.record(actor=actor, action="governance.meeting.create", instance=meeting, org=org,
                     after=_snapshot(meeting))
    return meeting


def update_meeting(*, actor, meeting: Meeting, expected_version: int | None, minutes=None,
                   **changes) -> Meeting:
    if minutes is not None:
        check_upload(minutes, allowed=MINUTES_TYPES)

    def attach(current):
        if minutes is not None:
            current.minutes_name = minutes.name[:200]
            current.minutes.save(minutes.name, minutes, save=False)

    return _update(Meeting, meeting, actor=actor, org=meeting.org, expected_version=expected_version,
                   fields=(*MEETING_FIELDS, "minutes", "minutes_name"),
                   action="governance.meeting.update", changes=changes, check=attach)


# Congresses and delegates --------------------------------------------------------------------

def create_congress(*, actor, org: Org, kind: str, name: str = "") -> Congress:
    with transaction.atomic():
        _require_record(actor, org)
        if Congress.objects.filter(org=org, kind=kind).exists():
            raise ValidationError(_("This union already has that congress."))
        congress = Congress(org=org, kind=kind, name=name, created_by=_creator(actor))
        congress.full_clean()
        congress.save()
        audit.record(actor=actor, action="governance.congress.create", instance=congress, org=org,
                     after=_snapshot(congress))
    return congress


def _new_mandate(*, actor, congress, name, unit, start, basis, end=None) -> Delegate:
    name = name.strip()
    if not name:
        raise ValidationError(_("A delegate needs a name."))
    if Delegate.objects.filter(congress=congress, name=name, ended_on__isnull=True,
                               end__gte=start).exists():
        raise ValidationError(_("%(name)s already holds a mandate.") % {"name": name})
    delegate = Delegate(congress=congress, name=name, unit=unit.strip(), basis=basis, start=start,
                        end=end or rules.delegate_term_end(start), created_by=_creator(actor))
    delegate.full_clean()
    delegate.save()
    audit.record(actor=actor, action=f"governance.delegate.{basis}", instance=delegate,
                 org=congress.org, after=_snapshot(delegate))
    return delegate


def elect_delegates(*, actor, congress: Congress, delegates: list[tuple[str, str]], start: dt.date,
                    basis: str = MandateBasis.ELECTION) -> list[Delegate]:
    """A general election: each (name, electoral unit) gets a two-year mandate from ``start``.
    A re-elected delegate's open mandate is closed the day before the new one starts."""
    with transaction.atomic():
        _require_record(actor, congress.org)
        Congress.objects.select_for_update().get(pk=congress.pk)
        elected = []
        for name, unit in delegates:
            previous = (Delegate.objects.select_for_update()
                        .filter(congress=congress, name=name.strip(), ended_on__isnull=True).first())
            if previous is not None:
                _close_mandate(actor, previous, start, MandateEnd.RE_ELECTED)
            elected.append(_new_mandate(actor=actor, congress=congress, name=name, unit=unit,
                                        start=start,
                                        basis=MandateBasis.RE_ELECTION if previous else basis))
    return elected


def by_elect_delegate(*, actor, congress: Congress, name: str, unit: str, start: dt.date,
                      replaces: Delegate | None = None) -> Delegate:
    """A by-election (补选, 第十二条): the new delegate serves the rest of the replaced mandate,
    or two years when no one is replaced."""
    with transaction.atomic():
        _require_record(actor, congress.org)
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
    delegate.version += 1
    delegate.save()
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
        _require_record(actor, org)
        current = _lock(Delegate, delegate, expected_version)
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
        _require_record(actor, congress.org)
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
        session = CongressSession(congress=congress, title=title, date=date, agenda=agenda,
                                  delegates_total=total, created_by=_creator(actor))
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
        _require_record(actor, org)
        current = CongressSession.objects.select_for_update().get(pk=session.pk)
        present = current.attendees.filter(kind=AttendeeKind.DELEGATE).count()
        problems = rules.votes_problems(votes_for=votes_for, votes_against=votes_against,
                                        abstentions=abstentions, delegates_present=present,
                                        delegates_total=current.delegates_total)
        if problems:
            raise ValidationError(problems)
        passes = rules.resolution_passes(votes_for, current.delegates_total)
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
                        created_by=_creator(actor))
        motion.full_clean()
        motion.save()
        audit.record(actor=actor, action="governance.motion.create", instance=motion, org=org,
                     after=_snapshot(motion))
    return motion


# Special committees --------------------------------------------------------------------------

def set_committee(*, actor, congress: Congress, kind: str, members: list[tuple[str, str]],
                  expected_version: int | None = None) -> SpecialCommittee:
    """Form or re-form a special committee: 9–11 members, one chair, one vice-chair."""
    members = [(name.strip(), role) for name, role in members if name.strip()]
    problems = rules.committee_problems(
        size=len(members),
        chairs=sum(role == CommitteeRole.CHAIR for _n, role in members),
        vice_chairs=sum(role == CommitteeRole.VICE_CHAIR for _n, role in members),
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        org = congress.org
        _require_record(actor, org)
        committee = SpecialCommittee.objects.filter(congress=congress, kind=kind).first()
        if committee is None:
            committee = SpecialCommittee(congress=congress, kind=kind, created_by=_creator(actor))
            committee.full_clean()
            committee.save()
            before = None
        else:
            committee = _lock(SpecialCommittee, committee, expected_version)
            before = sorted([m.name, m.role] for m in committee.members.all())
            committee.members.all().delete()
            committee.version += 1
            committee.save()
        CommitteeMember.objects.bulk_create(
            CommitteeMember(committee=committee, name=name, role=role) for name, role in members
        )
        audit.record(actor=actor, action="governance.committee.set", instance=committee, org=org,
                     before=before, after=sorted([name, role] for name, role in members))
    return committee


# Collective consultation ---------------------------------------------------------------------

def chair_on(org: Org, day: dt.date) -> str | None:
    term = (CommitteeTerm.objects.filter(org=org, start__lte=day, end__gte=day)
            .order_by("-start").first())
    return term.chair if term else None


def _check_consultation(consultation: Consultation) -> None:
    problems = rules.representatives_problems(
        union_side=consultation.union_side(), employer_side=consultation.employer_side(),
        union_chair=chair_on(consultation.org, consultation.date),
    )
    if consultation.approved_by_id is not None:
        motion = consultation.approved_by
        if motion.session.congress.org_id != consultation.org_id:
            problems.append(_("The approving resolution must be one of this union's congress."))
        elif motion.outcome != MotionOutcome.PASSED:
            problems.append(_("The chosen motion did not pass; it cannot approve the contract."))
        elif consultation.contract_signed_on and motion.session.date > consultation.contract_signed_on:
            problems.append(_("The contract is signed after the congress approves the terms."))
    if consultation.contract_signed_on and consultation.approved_by_id is None:
        problems.append(_("The terms go to the workers' congress before the contract is signed; "
                          "choose the resolution that approved them."))
    if (consultation.contract_signed_on and consultation.contract_valid_until
            and consultation.contract_valid_until < consultation.contract_signed_on):
        problems.append(_("The contract cannot end before it is signed."))
    if problems:
        raise ValidationError(problems)


def record_consultation(*, actor, org: Org, **values) -> Consultation:
    with transaction.atomic():
        _require_record(actor, org)
        consultation = Consultation(org=org, created_by=_creator(actor), **values)
        consultation.full_clean()
        _check_consultation(consultation)
        consultation.save()
        audit.record(actor=actor, action="governance.consultation.create", instance=consultation,
                     org=org, after=_snapshot(consultation, CONSULTATION_FIELDS))
    return consultation


def update_consultation(*, actor, consultation: Consultation, expected_version: int | None,
                        **changes) -> Consultation:
    return _update(Consultation, consultation, actor=actor, org=consultation.org,
                   expected_version=expected_version, fields=CONSULTATION_FIELDS,
                   action="governance.consultation.update", changes=changes,
                   check=_check_consultation)


# Committee terms (换届) -----------------------------------------------------------------------

def _check_term(term: CommitteeTerm) -> None:
    if term.end <= term.start:
        raise ValidationError(_("A term ends after it starts."))
    overlapping = CommitteeTerm.objects.filter(org=term.org, start__lt=term.end, end__gt=term.start)
    if term.pk:
        overlapping = overlapping.exclude(pk=term.pk)
    if overlapping.exists():
        raise ValidationError(_("The term overlaps another recorded term of this union."))


def record_term(*, actor, org: Org, start: dt.date, end: dt.date, chair: str, vice_chairs: str = "",
                members: str = "", number: int | None = None, comment: str = "") -> CommitteeTerm:
    """An election (换届): the new committee, its chair and vice-chairs, with the term's dates.

    ``comment`` goes to the audit entry (the founding case that elected it, for instance)."""
    with transaction.atomic():
        _require_record(actor, org)
        Org.objects.select_for_update().filter(pk=org.pk).first()  # one election at a time
        term = CommitteeTerm(org=org, number=number, start=start, end=end, chair=chair.strip(),
                             vice_chairs=vice_chairs, members=members, created_by=_creator(actor))
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


# Expenses (一支笔) ----------------------------------------------------------------------------

def limits_for(org: Org) -> ExpenseLimits:
    """The org's limits (defaults until it sets its own; not saved by reading)."""
    return ExpenseLimits.objects.filter(org=org).first() or ExpenseLimits(org=org)


def set_expense_limits(*, actor, org: Org, expected_version: int | None = None,
                       **values) -> ExpenseLimits:
    with transaction.atomic():
        _require_record(actor, org)
        limits, _created = ExpenseLimits.objects.get_or_create(
            org=org, defaults={"created_by": _creator(actor)})
        return _update(ExpenseLimits, limits, actor=actor, org=org, expected_version=expected_version,
                   fields=LIMIT_FIELDS, action="governance.limits.update", changes=values)


def record_expense(*, actor, org: Org, kind: str, date: dt.date, purpose: str, amount: Decimal,
                   handler: str) -> Expense:
    with transaction.atomic():
        _require_record(actor, org)
        expense = Expense(org=org, kind=kind, date=date, purpose=purpose, amount=amount,
                          handler=handler, created_by=_creator(actor))
        expense.full_clean()
        if expense.amount <= 0:
            raise ValidationError(_("The amount must be more than zero."))
        expense.save()
        audit.record(actor=actor, action="governance.expense.create", instance=expense, org=org,
                     after=_snapshot(expense))
    return expense


def _expense_step(expense, *, actor, expected_version, action, step):
    with transaction.atomic():
        _require_record(actor, expense.org)
        current = _lock(Expense, expense, expected_version)
        before = _snapshot(current)
        step(current)
        current.full_clean()
        current.version += 1
        current.save()
        audit.record(actor=actor, action=action, instance=current, org=current.org, before=before,
                     after=_snapshot(current))
    return current


def sign_expense(*, actor, expense: Expense, as_role: str, name: str, on: dt.date,
                 expected_version: int | None = None) -> Expense:
    """The handler (经手人) or the witness (证明人) signs; they are two different people."""
    def step(current):
        if current.paid_on:
            raise ValidationError(_("It has been paid already."))
        if as_role == "handler":
            if name.strip() != current.handler:
                raise ValidationError(_("Only the handler, %(name)s, signs as handler.")
                                      % {"name": current.handler})
            current.handler_signed_on = on
        elif as_role == "witness":
            if not name.strip() or name.strip() == current.handler:
                raise ValidationError(_("The witness is someone other than the handler."))
            current.witness, current.witness_signed_on = name.strip(), on
        else:
            raise ValidationError(_("Unknown signature."))

    return _expense_step(expense, actor=actor, expected_version=expected_version,
                         action=f"governance.expense.sign.{as_role}", step=step)


def approve_expense(*, actor, expense: Expense, chair: str, on: dt.date,
                    expected_version: int | None = None) -> Expense:
    """The chair's approval (主席核批); where a term is recorded, only its chair approves."""
    def step(current):
        if current.paid_on:
            raise ValidationError(_("It has been paid already."))
        known_chair = chair_on(current.org, on)
        if known_chair is not None and chair.strip() != known_chair:
            raise ValidationError(_("Only the union's chair, %(name)s, approves expenses.")
                                  % {"name": known_chair})
        current.approved_by, current.approved_on = chair.strip(), on

    return _expense_step(expense, actor=actor, expected_version=expected_version,
                         action="governance.expense.approve", step=step)


def pay_expense(*, actor, expense: Expense, on: dt.date, method: str,
                expected_version: int | None = None) -> Expense:
    """Payment, refused until handler and witness have signed and the chair has approved."""
    def step(current):
        if current.paid_on:
            raise ValidationError(_("It has been paid already."))
        problems = rules.payment_problems(
            handler_signed=current.handler_signed_on is not None,
            witness_signed=current.witness_signed_on is not None,
            approved=current.approved_on is not None, amount=current.amount, method=method,
            bank_transfer_from=limits_for(current.org).bank_transfer_from,
        )
        if problems:
            raise ValidationError([ValidationError(p, code="not_payable") for p in problems])
        current.paid_on, current.payment_method = on, method

    return _expense_step(expense, actor=actor, expected_version=expected_version,
                         action="governance.expense.pay", step=step)


def settle_advance(*, actor, expense: Expense, on: dt.date,
                   expected_version: int | None = None) -> Expense:
    def step(current):
        if current.kind != ExpenseKind.ADVANCE:
            raise ValidationError(_("Only a cash advance is settled."))
        if current.paid_on is None:
            raise ValidationError(_("The advance has not been paid out."))
        if current.settled_on is not None:
            raise ValidationError(_("The advance is settled already."))
        if on < current.paid_on:
            raise ValidationError(_("An advance is settled after it is paid."))
        current.settled_on = on

    return _expense_step(expense, actor=actor, expected_version=expected_version,
                         action="governance.expense.settle", step=step)
