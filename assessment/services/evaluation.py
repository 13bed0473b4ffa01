"""Writes of 会员评家, the member evaluation of a union (seed 004).

The union's own staff (and admins above it) record the evaluation, its ratings, the
publication of its results and each rectification: Action.RECORD.  Only the superior union
(a user who manages it, or a reviewer of the unions below it) records its approval of a
lower participation ratio; the union itself may not.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.member_evaluation import evaluation_contents
from assessment.models import EvaluationRating, MemberEvaluation, RatingSubject, Rectification
from assessment.selectors import may_approve_lower_ratio
from orgs.access import Action, require
from orgs.models import Org
from unionportal import audit
from unionportal.actors import user_or_none
from unionportal.concurrency import lock


@dataclass(frozen=True)
class RatingSpec:
    """How many participants rated one subject on one content of seed 004."""

    subject: str
    content_number: int
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    person: str = ""


def rating_contents(subject: str) -> tuple[str, ...]:
    """The contents of seed 004 a subject is rated on: six for the committee, five for leaders."""
    contents = evaluation_contents()
    return contents.committee if subject == RatingSubject.COMMITTEE else contents.leaders


def _rating_row(rating) -> dict:
    return {"subject": rating.subject, "person": rating.person, "content_number": rating.content_number,
            "satisfied": rating.satisfied, "basically_satisfied": rating.basically_satisfied,
            "dissatisfied": rating.dissatisfied}


def _evaluation_snapshot(evaluation: MemberEvaluation) -> dict:
    """The evaluation's fields with every rating and rectification (what an audit compares)."""
    data = audit.snapshot(evaluation)
    for key in ("held_on", "published_on", "approved_at"):
        if data.get(key) is not None:
            data[key] = data[key].isoformat()
    data["ratings"] = [_rating_row(r) for r in evaluation.ratings.order_by("subject", "person", "content_number")]
    data["rectifications"] = [
        {"id": r.pk, "issue": r.issue, "measure": r.measure, "outcome": r.outcome, "completed": r.completed,
         "reported_on": r.reported_on.isoformat() if r.reported_on else None}
        for r in evaluation.rectifications.order_by("id")]
    return data


def _clean_ratings(ratings, participants: int) -> list[EvaluationRating]:
    """Check ratings against the contents of seed 004; EvaluationRating rows without evaluation."""
    rows, seen, errors = [], set(), []
    for spec in ratings:
        try:
            subject = RatingSubject(spec.subject)
        except ValueError:
            errors.append(_("Unknown rated subject %(subject)s.") % {"subject": spec.subject})
            continue
        person = (spec.person or "").strip()
        if subject == RatingSubject.COMMITTEE:
            person = ""
        elif not person:
            errors.append(_("Give the name of the %(subject)s rated.") % {"subject": subject.label})
            continue
        contents = rating_contents(subject)
        number = int(spec.content_number)
        if not 1 <= number <= len(contents):
            errors.append(_("The %(subject)s is rated on contents 1 to %(count)d of the document, not "
                            "%(number)d.") % {"subject": subject.label, "count": len(contents), "number": number})
            continue
        key = (subject.value, person, number)
        if key in seen:
            errors.append(_("Content %(number)d of %(subject)s %(person)s is rated twice.")
                          % {"number": number, "subject": subject.label, "person": person})
            continue
        seen.add(key)
        counts = (spec.satisfied, spec.basically_satisfied, spec.dissatisfied)
        if any(int(c) < 0 for c in counts):
            errors.append(_("Counts of votes cannot be negative."))
            continue
        if sum(int(c) for c in counts) > participants:
            errors.append(_("Content %(number)d of %(subject)s %(person)s has %(votes)d votes, more than "
                            "the %(participants)d participants.")
                          % {"number": number, "subject": subject.label, "person": person,
                             "votes": sum(int(c) for c in counts), "participants": participants})
            continue
        rows.append(EvaluationRating(subject=subject.value, person=person, content_number=number,
                                     content=contents[number - 1][:200], satisfied=int(spec.satisfied),
                                     basically_satisfied=int(spec.basically_satisfied),
                                     dissatisfied=int(spec.dissatisfied)))
    if errors:
        raise ValidationError(errors, code="ratings")
    return rows


def save_member_evaluation(*, actor, org: Org, year: int, members: int, participants: int,
                           frontline_participants: int, basis: str = MemberEvaluation.Basis.MEMBERS,
                           held_on: dt.date | None = None, ratings=None,
                           is_demo: bool = False) -> tuple[MemberEvaluation, bool]:
    """Record (or correct) the union's YEAR evaluation; ``ratings`` (RatingSpec…) replace the
    stored ratings when given.  Returns (evaluation, created)."""
    require(actor, Action.RECORD, org)
    members, participants, frontline = int(members), int(participants), int(frontline_participants)
    if min(members, participants, frontline) < 0:
        raise ValidationError(_("Counts cannot be negative."), code="counts")
    if participants > members:
        raise ValidationError(_("More participants (%(participants)d) than members or representatives "
                                "(%(members)d).") % {"participants": participants, "members": members},
                              code="counts")
    if frontline > participants:
        raise ValidationError(_("More frontline participants than participants."), code="counts")
    if basis not in MemberEvaluation.Basis.values:
        raise ValidationError(_("Unknown basis %(basis)s.") % {"basis": basis}, code="basis")
    rows = None if ratings is None else _clean_ratings(ratings, participants)
    with transaction.atomic():
        current = MemberEvaluation.objects.select_for_update().filter(org=org, year=year).first()
        created = current is None
        if created:
            current = MemberEvaluation(org=org, year=year, is_demo=is_demo)
            before = None
        else:
            before = _evaluation_snapshot(current)
        if rows is None and current.pk:
            votes = max((r.votes for r in current.ratings.all()), default=0)
            if votes > participants:
                raise ValidationError(_("A rating has %(votes)d votes, more than the %(participants)d "
                                        "participants.") % {"votes": votes, "participants": participants},
                                      code="ratings")
        current.members, current.participants, current.frontline_participants = members, participants, frontline
        current.basis, current.held_on = basis, held_on
        current.save()
        if rows is not None:
            current.ratings.all().delete()
            for row in rows:
                row.evaluation = current
            EvaluationRating.objects.bulk_create(rows)
        after = _evaluation_snapshot(current)
        if before != after:
            audit.record(actor=actor, action="assessment.member_evaluation." + ("create" if created else "update"),
                         instance=current, org=org, before=before, after=after)
    return current, created


def _locked_evaluation(evaluation: MemberEvaluation) -> MemberEvaluation:
    return lock(MemberEvaluation.objects.select_related("org").filter(pk=evaluation.pk), None)


def record_superior_approval(*, actor, evaluation: MemberEvaluation, approved: bool = True,
                             note: str = "") -> MemberEvaluation:
    """The superior union records (or withdraws) its approval of a lower participation ratio."""
    if evaluation.org.parent_id is None:
        raise ValidationError(_("%(org)s has no superior union to approve a lower ratio.")
                              % {"org": evaluation.org.name}, code="no_superior")
    if not may_approve_lower_ratio(actor, evaluation.org):
        raise PermissionDenied
    if approved and not note.strip():
        raise ValidationError(_("Say how the superior union approved the lower ratio (document, date)."),
                              code="note")
    with transaction.atomic():
        current = _locked_evaluation(evaluation)
        before = _evaluation_snapshot(current)
        current.superior_approval = approved
        current.approval_note = note.strip() if approved else ""
        current.approved_by = user_or_none(actor) if approved else None
        current.approved_at = timezone.now() if approved else None
        current.save()
        audit.record(actor=actor, action="assessment.member_evaluation." + ("approve" if approved else "withdraw_approval"),
                     instance=current, org=current.org, before=before, after=_evaluation_snapshot(current),
                     comment=current.approval_note)
    return current


def publish_evaluation_results(*, actor, evaluation: MemberEvaluation, published_on: dt.date,
                               channel: str) -> MemberEvaluation:
    """Record that the results were published to the members: when and how."""
    require(actor, Action.RECORD, evaluation.org)
    if published_on is None or not channel.strip():
        raise ValidationError(_("Give the date and the channel of the publication."), code="publication")
    with transaction.atomic():
        current = _locked_evaluation(evaluation)
        before = _evaluation_snapshot(current)
        current.published_on, current.publication_note = published_on, channel.strip()[:200]
        current.save()
        audit.record(actor=actor, action="assessment.member_evaluation.publish", instance=current,
                     org=current.org, before=before, after=_evaluation_snapshot(current))
    return current


def record_rectification(*, actor, evaluation: MemberEvaluation, issue: str, measure: str = "",
                         outcome: str = "", completed: bool = False, reported_on: dt.date | None = None,
                         rectification: Rectification | None = None) -> Rectification:
    """Add a rectification item (members' opinion and measure) or record its outcome."""
    require(actor, Action.RECORD, evaluation.org)
    if not issue.strip():
        raise ValidationError(_("Give the members' opinion to rectify."), code="issue")
    if completed and not outcome.strip():
        raise ValidationError(_("A completed rectification needs its outcome."), code="outcome")
    with transaction.atomic():
        current = _locked_evaluation(evaluation)
        before = _evaluation_snapshot(current)
        if rectification is None:
            item = Rectification(evaluation=current)
        else:
            item = Rectification.objects.select_for_update().filter(pk=rectification.pk, evaluation=current).first()
            if item is None:
                raise ValidationError(_("This rectification belongs to another evaluation."), code="other")
        item.issue, item.measure, item.outcome = issue.strip(), measure.strip(), outcome.strip()
        item.completed, item.reported_on = completed, reported_on
        item.save()
        audit.record(actor=actor, action="assessment.member_evaluation.rectification", instance=current,
                     org=current.org, before=before, after=_evaluation_snapshot(current))
    return item


def delete_member_evaluation(*, actor, evaluation: MemberEvaluation) -> None:
    """Delete one 会员评家 record with its ratings and rectifications (the admin); audited."""
    require(actor, Action.MANAGE, evaluation.org)
    with transaction.atomic():
        current = _locked_evaluation(evaluation)
        audit.record(actor=actor, action="assessment.member_evaluation.delete", instance=current,
                     org=current.org, before=_evaluation_snapshot(current))
        current.delete()
