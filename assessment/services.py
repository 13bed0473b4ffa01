"""Every write of the assessment: one function per workflow step.

Each step checks who acts and the sheet's state, runs in one transaction with the sheet row
locked (``select_for_update``), bumps the sheet's version (optimistic locking against a
stale form), recomputes the scores, writes the sheet's history and the audit trail (before
and after).  A repeated step (a double click on submit or finalise) does nothing the second
time.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.models import (
    GRADE_FILE_LABELS,
    AssesseeRule,
    EvaluationRating,
    Evidence,
    Grade,
    Indicator,
    Item,
    MemberEvaluation,
    RatingSubject,
    Rectification,
    Round,
    Sheet,
    SheetEvent,
    SheetStatus,
    Template,
    Unit,
)
from orgs.models import Org, OrgKind
from unionportal import audit
from unionportal.scoping import Action, can
from unionportal.stored_files import removed_on_failure, stored
from unionportal.uploads import MB, check_upload

TOTAL_WEIGHT = Decimal(100)
EDITABLE_BY_STAFF = (SheetStatus.DRAFT, SheetStatus.RETURNED)


class ConflictError(ValidationError):
    """Someone else saved the sheet after the user loaded it; nothing was written."""


def _require(actor, action, org):
    if actor is not None and not can(actor, action, org):
        raise PermissionDenied


def _conflict(sheet: Sheet) -> ConflictError:
    return ConflictError(
        _("Someone else saved this sheet after you opened it (now version %(version)d). "
          "Nothing of yours was saved: your entries are still in the form; compare them with "
          "the current sheet and save again.") % {"version": sheet.version},
        code="conflict",
    )


def _locked(sheet: Sheet, expected_version: int | None) -> Sheet:
    current = (Sheet.objects.select_for_update().select_related("template", "org", "assessor", "round")
               .get(pk=sheet.pk))
    if expected_version is not None and current.version != expected_version:
        raise _conflict(current)
    return current


def _sheet_state(sheet: Sheet) -> dict:
    return {"status": sheet.status, "version": sheet.version,
            "self_total": sheet.self_total, "final_total": sheet.final_total}


UNIT_FIELDS = ("self_grade", "self_docs", "self_note", "review_grade", "review_docs", "review_note",
               "returned", "return_reason", "self_score", "final_score")


def _unit_state(unit: Unit) -> dict:
    return {name: getattr(unit, name) for name in UNIT_FIELDS}


def _event(sheet, kind, actor, comment="", data=None):
    return SheetEvent.objects.create(
        sheet=sheet, kind=kind, actor=actor if actor is not None and actor.is_authenticated else None,
        submission=sheet.submissions, comment=comment, data=data or {},
    )


# --- templates ----------------------------------------------------------------------------


@dataclass
class ItemSpec:
    number: str
    text: str
    points: Decimal | None = None


@dataclass
class IndicatorSpec:
    number: str
    name: str
    weight: Decimal
    section: str = ""
    content: str = ""
    rule_text: str = ""
    stated_points: Decimal | None = None
    items: list[ItemSpec] = field(default_factory=list)


def assessee_key(rule: str, kind: str = "", orgs=()) -> str:
    if rule == AssesseeRule.NAMED:
        return "named:" + ",".join(str(pk) for pk in sorted(org.pk for org in orgs))
    if rule == AssesseeRule.KIND:
        return f"kind:{kind}"
    return "children"


def weight_error(weights) -> str | None:
    total = sum((Decimal(w) for w in weights), Decimal(0))
    if total != TOTAL_WEIGHT:
        return _("the weights add up to %(total)s, not 100; the template is refused.") % {
            "total": scoring.num(total)}
    return None


def points_warnings(indicators: list[IndicatorSpec]) -> list[tuple[IndicatorSpec, Decimal]]:
    """(indicator, item-point sum) for every indicator whose items' points disagree with its weight."""
    found = []
    for spec in indicators:
        points = [item.points for item in spec.items if item.points is not None]
        if points and sum(points, Decimal(0)) != spec.weight:
            found.append((spec, sum(points, Decimal(0))))
    return found


def points_warning_text(number: str, name: str, points: Decimal, weight: Decimal) -> str:
    return _("indicator %(number)s %(name)s: its items' points add up to %(points)s but its weight "
             "is %(weight)s; the weight governs and scores are scaled to it.") % {
        "number": number, "name": name, "points": scoring.num(points), "weight": scoring.num(weight)}


def template_warnings(template: Template) -> list[str]:
    warnings = []
    for indicator in template.indicators.all():
        points = [item.points for item in indicator.items.all() if item.points is not None]
        if points and sum(points, Decimal(0)) != indicator.weight:
            warnings.append(points_warning_text(indicator.number, indicator.name, sum(points, Decimal(0)),
                                                indicator.weight))
    return warnings


def _template_snapshot(template: Template) -> dict:
    return {
        "assessor": template.assessor.code, "year": template.year, "title": template.title,
        "assessees": template.assessee_label(), "headers": template.headers,
        "factors": [template.full_factor, template.basic_factor, template.none_factor,
                    template.docs_penalty],
        "indicators": [
            {"number": i.number, "section": i.section, "name": i.name, "weight": i.weight,
             "items": [[it.number, it.points] for it in i.items.all()]}
            for i in template.indicators.all()
        ],
    }


def _write_indicators(template: Template, indicators: list[IndicatorSpec]) -> None:
    for position, spec in enumerate(indicators, start=1):
        indicator = Indicator.objects.create(
            template=template, position=position, number=spec.number, section=spec.section,
            name=spec.name, stated_points=spec.stated_points, weight=spec.weight,
            content=spec.content, rule_text=spec.rule_text,
        )
        Item.objects.bulk_create(
            Item(indicator=indicator, position=n, number=item.number, text=item.text, points=item.points)
            for n, item in enumerate(spec.items, start=1)
        )


def save_template(*, actor, assessor: Org, year: int, title: str, indicators: list[IndicatorSpec],
                  rule: str = AssesseeRule.CHILDREN, kind: str = "", assessees=(), headers=(),
                  source: str = "", is_demo: bool = False) -> tuple[Template, bool, list[str]]:
    """Create or replace the template keyed by (assessor, year, assessee set).

    Returns (template, created, warnings).  Weights that do not add up to 100 are refused;
    items whose points disagree with their indicator's weight are warnings.  A template whose
    round has sheets is not replaced (copy it to a new year instead).
    """
    _require(actor, Action.MANAGE, assessor)
    if error := weight_error([spec.weight for spec in indicators]):
        raise ValidationError(error, code="weights")
    warnings = [points_warning_text(spec.number, spec.name, points, spec.weight)
                for spec, points in points_warnings(indicators)]
    key = assessee_key(rule, kind, assessees)
    with transaction.atomic():
        template = (Template.objects.select_for_update()
                    .filter(assessor=assessor, year=year, assessee_key=key).first())
        created = template is None
        before = None
        if created:
            template = Template(assessor=assessor, year=year, assessee_key=key)
        else:
            if template.sheets.exists():
                raise ValidationError(
                    _("The %(year)d template of %(assessor)s for %(assessees)s already has sheets; "
                      "it cannot be replaced. Copy it to a new year instead.")
                    % {"year": year, "assessor": assessor.name, "assessees": template.assessee_label()},
                    code="in_use",
                )
            before = _template_snapshot(template)
            template.indicators.all().delete()
            template.version += 1
        template.title = title
        template.assessee_rule = rule
        template.assessee_kind = kind if rule == AssesseeRule.KIND else ""
        template.headers = list(headers)
        template.source = source
        template.is_demo = is_demo
        template.save()
        template.assessees.set(assessees if rule == AssesseeRule.NAMED else [])
        _write_indicators(template, indicators)
        after = _template_snapshot(template)
        if before != after:
            audit.record(actor=actor, action="assessment.template." + ("create" if created else "update"),
                         instance=template, org=assessor, before=before, after=after,
                         comment="\n".join(warnings))
    return template, created, warnings


def copy_template(*, actor, template: Template, year: int) -> Template:
    """The same template (indicators, items, factors, assessees) for another year."""
    _require(actor, Action.MANAGE, template.assessor)
    with transaction.atomic():
        exists = Template.objects.filter(assessor=template.assessor, year=year,
                                         assessee_key=template.assessee_key).first()
        if exists is not None:
            raise ValidationError(
                _("%(assessor)s already has a %(year)d template for %(assessees)s.")
                % {"assessor": template.assessor.name, "year": year,
                   "assessees": template.assessee_label()}, code="exists")
        title = template.title.replace(str(template.year), str(year), 1)
        copy = Template.objects.create(
            assessor=template.assessor, year=year, title=title, assessee_rule=template.assessee_rule,
            assessee_kind=template.assessee_kind, assessee_key=template.assessee_key,
            headers=[h.replace(str(template.year), str(year)) for h in template.headers],
            full_factor=template.full_factor, basic_factor=template.basic_factor,
            none_factor=template.none_factor, docs_penalty=template.docs_penalty,
            copied_from=template, source=template.source, is_demo=template.is_demo,
        )
        copy.assessees.set(template.assessees.all())
        _write_indicators(copy, [
            IndicatorSpec(number=i.number, name=i.name, weight=i.weight, section=i.section,
                          content=i.content, rule_text=i.rule_text, stated_points=i.stated_points,
                          items=[ItemSpec(it.number, it.text, it.points) for it in i.items.all()])
            for i in template.indicators.prefetch_related("items")
        ])
        audit.record(actor=actor, action="assessment.template.copy", instance=copy,
                     org=template.assessor, before={"from": template.pk, "year": template.year},
                     after=_template_snapshot(copy))
    return copy


def copied_template_line(template: Template) -> str:
    """One line per template copied when a round opens: which, for whom, from and to which year."""
    return _("Copied the %(from)d template “%(title)s” for %(assessees)s to %(year)d.") % {
        "from": template.copied_from.year, "title": template.title,
        "assessees": template.assessee_label(), "year": template.year}


def update_template_factors(*, actor, template: Template, **factors) -> Template:
    """Change the rule's factors (the admin); refused once the template has sheets."""
    _require(actor, Action.MANAGE, template.assessor)
    with transaction.atomic():
        current = Template.objects.select_for_update().get(pk=template.pk)
        before = _template_snapshot(current)
        changed = {k: v for k, v in factors.items() if getattr(current, k) != v}
        if not changed:
            return current
        if current.sheets.exists():
            raise ValidationError(_("This template already has sheets; its factors cannot change."))
        for name, value in changed.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        audit.record(actor=actor, action="assessment.template.update", instance=current,
                     org=current.assessor, before=before, after=_template_snapshot(current))
    return current


def delete_template(*, actor, template: Template) -> None:
    """Delete a template that has no sheets (the admin); audited with its full contents."""
    _require(actor, Action.MANAGE, template.assessor)
    with transaction.atomic():
        current = Template.objects.select_for_update().select_related("assessor").get(pk=template.pk)
        if current.sheets.exists():
            raise ValidationError(
                _("The %(year)d template of %(assessor)s has sheets; it cannot be deleted.")
                % {"year": current.year, "assessor": current.assessor.name}, code="in_use")
        audit.record(actor=actor, action="assessment.template.delete", instance=current,
                     org=current.assessor, before=_template_snapshot(current))
        current.delete()


def delete_member_evaluation(*, actor, evaluation: MemberEvaluation) -> None:
    """Delete one 会员评家 record with its ratings and rectifications (the admin); audited."""
    _require(actor, Action.MANAGE, evaluation.org)
    with transaction.atomic():
        current = MemberEvaluation.objects.select_for_update().select_related("org").get(pk=evaluation.pk)
        audit.record(actor=actor, action="assessment.member_evaluation.delete", instance=current,
                     org=current.org, before=_evaluation_snapshot(current))
        current.delete()


# --- 会员评家: the member evaluation of a union (seed 004) ------------------------------------
#
# The union's own staff (and admins above it) record the evaluation, its ratings, the
# publication of its results and each rectification: Action.RECORD.  Only the superior union
# (a user who manages it, or a reviewer of the unions below it) records its approval of a
# lower participation ratio; the union itself may not.


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
    from assessment.member_evaluation import evaluation_contents

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


def may_approve_lower_ratio(user, org: Org) -> bool:
    """Whether ``user`` acts for the superior union of ``org``: manages its parent, or reviews
    the unions below the parent (a reviewer granted on the parent or higher).  Never the union
    itself, whatever its role there."""
    if user is None or org.parent_id is None:
        return False
    parent = Org.objects.get(pk=org.parent_id)
    return can(user, Action.MANAGE, parent) or can(user, Action.REVIEW, org)


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
    _require(actor, Action.RECORD, org)
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
    return MemberEvaluation.objects.select_for_update().select_related("org").get(pk=evaluation.pk)


def record_superior_approval(*, actor, evaluation: MemberEvaluation, approved: bool = True,
                             note: str = "") -> MemberEvaluation:
    """The superior union records (or withdraws) its approval of a lower participation ratio."""
    if actor is not None and not may_approve_lower_ratio(actor, evaluation.org):
        raise PermissionDenied
    if evaluation.org.parent_id is None:
        raise ValidationError(_("%(org)s has no superior union to approve a lower ratio.")
                              % {"org": evaluation.org.name}, code="no_superior")
    if approved and not note.strip():
        raise ValidationError(_("Say how the superior union approved the lower ratio (document, date)."),
                              code="note")
    with transaction.atomic():
        current = _locked_evaluation(evaluation)
        before = _evaluation_snapshot(current)
        current.superior_approval = approved
        current.approval_note = note.strip() if approved else ""
        current.approved_by = actor if approved and actor is not None and actor.is_authenticated else None
        current.approved_at = timezone.now() if approved else None
        current.save()
        audit.record(actor=actor, action="assessment.member_evaluation." + ("approve" if approved else "withdraw_approval"),
                     instance=current, org=current.org, before=before, after=_evaluation_snapshot(current),
                     comment=current.approval_note)
    return current


def publish_evaluation_results(*, actor, evaluation: MemberEvaluation, published_on: dt.date,
                               channel: str) -> MemberEvaluation:
    """Record that the results were published to the members: when and how."""
    _require(actor, Action.RECORD, evaluation.org)
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
    _require(actor, Action.RECORD, evaluation.org)
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


# --- opening a round ----------------------------------------------------------------------


def graded_units(indicators) -> list[tuple[Indicator, Item | None, str, Decimal]]:
    """(indicator, item, 序号, points) of every graded unit: items with points, else the indicator."""
    units = []
    for indicator in indicators:
        items = [item for item in indicator.items.all() if item.points is not None]
        if items:
            units += [(indicator, item, f"{indicator.number}.{item.number}", item.points) for item in items]
        else:
            units.append((indicator, None, indicator.number, indicator.weight))
    return units


def template_assessees(template: Template):
    assessor = template.assessor
    if template.assessee_rule == AssesseeRule.NAMED:
        return template.assessees.all()
    if template.assessee_rule == AssesseeRule.KIND:
        return assessor.get_descendants().filter(kind=template.assessee_kind)
    return assessor.get_children()


def _group_of(orgs: list[Org], assessor: Org) -> dict[int, int | None]:
    """org id → the system union it belongs to (itself if it is one), else the assessor's child."""
    tree_ids = {org.tree_id for org in orgs}
    anchors = list(
        Org.objects.filter(tree_id__in=tree_ids, kind=OrgKind.SYSTEM).values_list("pk", "tree_id", "lft", "rght")
    ) or []
    children = list(assessor.get_children().values_list("pk", "tree_id", "lft", "rght"))
    groups = {}
    for org in orgs:
        found = None
        for candidates in (anchors, children):
            for pk, tree_id, lft, rght in candidates:
                if tree_id == org.tree_id and lft <= org.lft and org.rght <= rght:
                    found = pk
                    break
            if found:
                break
        groups[org.pk] = found
    return groups


def latest_templates_before(assessor: Org, year: int) -> list[Template]:
    """Per assessee set, the assessor's most recent template of an earlier year."""
    latest: dict[str, Template] = {}
    for template in Template.objects.filter(assessor=assessor, year__lt=year).order_by("-year"):
        latest.setdefault(template.assessee_key, template)
    return list(latest.values())


@dataclass
class OpenedRound:
    round: Round
    created_round: bool
    sheets_created: int
    templates_copied: list[Template]


def open_round(*, actor, assessor: Org, year: int, deadline: dt.date | None = None,
               copy_latest: bool = True, is_demo: bool = False) -> OpenedRound:
    """Open the YEAR round of every template ``assessor`` owns: each assessee gets its sheet.

    Without a YEAR template, the latest earlier templates are copied to YEAR first.  Opening
    again adds sheets for assessees that have none (and updates the deadline); it never
    touches existing sheets.
    """
    if actor is not None and not (can(actor, Action.SCORE, assessor) or can(actor, Action.MANAGE, assessor)):
        raise PermissionDenied
    with transaction.atomic():
        copied = []
        templates = list(Template.objects.filter(assessor=assessor, year=year))
        if not templates and copy_latest:
            for template in latest_templates_before(assessor, year):
                copied.append(copy_template(actor=None, template=template, year=year))
            templates = copied
        if not templates:
            raise ValidationError(
                _("%(assessor)s has no assessment template for %(year)d or any earlier year.")
                % {"assessor": assessor.name, "year": year}, code="no_template")
        round_, created = Round.objects.select_for_update().get_or_create(
            assessor=assessor, year=year,
            defaults={"deadline": deadline, "opened_by": actor if actor and actor.is_authenticated else None,
                      "is_demo": is_demo},
        )
        before = None if created else {"deadline": round_.deadline, "sheets": round_.sheets.count()}
        if not created and deadline is not None and round_.deadline != deadline:
            round_.deadline = deadline
            round_.save(update_fields=["deadline"])
        have = set(round_.sheets.values_list("org_id", flat=True))
        plans: dict[int, tuple[Org, Template]] = {}
        for template in templates:
            for org in template_assessees(template):
                if org.pk in plans and plans[org.pk][1] != template:
                    raise ValidationError(
                        _("%(org)s is assessed by two %(year)d templates of %(assessor)s; keep one.")
                        % {"org": org.name, "year": year, "assessor": assessor.name}, code="overlap")
                if org.pk not in have:
                    plans[org.pk] = (org, template)
        orgs = [org for org, _template in plans.values()]
        groups = _group_of(orgs, assessor)
        units_of = {t.pk: graded_units(t.indicators.prefetch_related("items")) for t in templates}
        sheets = Sheet.objects.bulk_create(
            Sheet(round=round_, template=template, org=org, assessor=assessor, year=year,
                  group_id=groups.get(org.pk))
            for org, template in sorted(plans.values(), key=lambda p: (p[0].tree_id, p[0].lft))
        )
        if sheets and sheets[0].pk is None:  # backends that do not return ids
            sheets = list(round_.sheets.filter(org__in=orgs))
        units, empty_scores = [], {}
        for template in templates:
            # Every sheet of a template starts with the same (empty) indicator scores.
            blank = [Unit(indicator=i, item=item, seq=seq, position=n, points=p)
                     for n, (i, item, seq, p) in enumerate(units_of[template.pk], 1)]
            empty_scores[template.pk] = _indicator_scores(
                blank, {i.pk: i for i, *_rest in units_of[template.pk]}, scoring.Factors.of(template))
        for sheet in sheets:
            for position, (indicator, item, seq, points) in enumerate(units_of[sheet.template_id], 1):
                units.append(Unit(sheet=sheet, indicator=indicator, item=item, seq=seq,
                                  position=position, points=points))
            sheet.indicator_scores = empty_scores[sheet.template_id]
        Unit.objects.bulk_create(units, batch_size=2000)
        Sheet.objects.bulk_update(sheets, ["indicator_scores"], batch_size=2000)
        actor_or_none = actor if actor is not None and actor.is_authenticated else None
        SheetEvent.objects.bulk_create(
            (SheetEvent(sheet=sheet, kind=SheetEvent.Kind.OPENED, actor=actor_or_none,
                        comment=str(deadline or "")) for sheet in sheets), batch_size=2000)
        audit.record(actor=actor, action="assessment.round.open", instance=round_, org=assessor,
                     before=before, after={"year": year, "deadline": round_.deadline,
                                           "sheets_created": len(sheets),
                                           "templates": [t.pk for t in templates]})
    return OpenedRound(round_, created, len(sheets), copied)


def remind(*, actor, round: Round, sheets=None, message: str = "") -> int:
    """Record a reminder on each overdue sheet (or the given ones); staff see it on their sheet."""
    if actor is not None and not (can(actor, Action.SCORE, round.assessor) or can(actor, Action.MANAGE, round.assessor)):
        raise PermissionDenied
    if sheets is None:
        sheets = round.sheets.filter(status__in=EDITABLE_BY_STAFF)
    text = message.strip() or _("Please complete and submit your %(year)d assessment sheet "
                                "(deadline %(deadline)s).") % {"year": round.year,
                                                                "deadline": round.deadline or "—"}
    with transaction.atomic():
        ids = list(sheets.values_list("pk", flat=True))
        actor_or_none = actor if actor is not None and actor.is_authenticated else None
        SheetEvent.objects.bulk_create(
            (SheetEvent(sheet_id=pk, kind=SheetEvent.Kind.REMINDED, actor=actor_or_none, comment=text)
             for pk in ids), batch_size=2000)
        audit.record(actor=actor, action="assessment.round.remind", instance=round, org=round.assessor,
                     after={"sheets": len(ids), "message": text})
    return len(ids)


# --- scores -------------------------------------------------------------------------------


def _indicator_scores(units: list[Unit], indicators: dict, factors) -> list[dict]:
    by_indicator: dict[int, list[Unit]] = {}
    for unit in units:
        by_indicator.setdefault(unit.indicator_id, []).append(unit)
    rows = []
    for indicator_id, members in by_indicator.items():
        indicator = indicators[indicator_id]
        self_score = scoring.indicator_score(indicator.weight, [(u.points, u.self_score) for u in members])
        final_graded = all(u.review_grade for u in members)
        final = scoring.indicator_score(indicator.weight, [(u.points, u.final_score) for u in members])
        rows.append({"number": indicator.number, "name": " ".join(indicator.name.split()),
                     "weight": str(indicator.weight), "self": str(self_score),
                     "final": str(final) if final_graded else None,
                     "scaled": scoring.needs_scaling(indicator.weight, [u.points for u in members])})
    return rows


def recompute(sheet: Sheet, units: list[Unit]) -> None:
    """Every unit's self and final score, the indicator scores and the sheet's totals."""
    factors = scoring.Factors.of(sheet.template)
    for unit in units:
        unit.self_score = scoring.unit_score(unit.points, unit.self_grade, unit.self_docs, factors)
        unit.final_score = scoring.unit_score(unit.points, unit.review_grade, unit.review_docs, factors)
    indicators = {unit.indicator_id: unit.indicator for unit in units}
    sheet.indicator_scores = _indicator_scores(units, indicators, factors)
    sheet.self_total = scoring.sheet_total(Decimal(row["self"]) for row in sheet.indicator_scores)
    if units and all(unit.review_grade for unit in units):
        sheet.final_total = scoring.sheet_total(Decimal(row["final"]) for row in sheet.indicator_scores)
    else:
        sheet.final_total = None


def _units(sheet: Sheet) -> list[Unit]:
    return list(sheet.units.select_related("indicator", "item").order_by("position"))


@dataclass
class Entry:
    """What a form or file gives for one unit; None leaves a field as it is."""

    grade: str | None = None
    docs: bool | None = None
    note: str | None = None


def _apply_entries(units, entries: dict[str, Entry], prefix: str, *, only=None) -> dict:
    """Set ``<prefix>_grade/_docs/_note``; returns {seq: (before, after)} of changed units."""
    by_seq = {unit.seq: unit for unit in units}
    unknown = sorted(set(entries) - set(by_seq))
    if unknown:
        raise ValidationError(_("Unknown unit(s): %(seqs)s.") % {"seqs": ", ".join(unknown)})
    changes = {}
    for seq, entry in entries.items():
        unit = by_seq[seq]
        before = _unit_state(unit)
        if entry.grade is not None:
            if entry.grade and entry.grade not in Grade.values:
                raise ValidationError(_("Unknown grade %(grade)s.") % {"grade": entry.grade})
            setattr(unit, f"{prefix}_grade", entry.grade)
            if not entry.grade:
                setattr(unit, f"{prefix}_docs", None)
        if entry.docs is not None and getattr(unit, f"{prefix}_grade"):
            setattr(unit, f"{prefix}_docs", entry.docs)
        if entry.note is not None:
            setattr(unit, f"{prefix}_note", entry.note.strip())
        after = _unit_state(unit)
        if before != after:
            if only is not None and seq not in only:
                raise ValidationError(
                    _("Unit %(seq)s was not returned to you; only returned units may change.")
                    % {"seq": seq}, code="not_returned")
            changes[seq] = (before, after)
    return changes


def _save(sheet, units, changes, *, actor, action, before_state, comment=""):
    """Recompute, store the changed units and the sheet (new version), audit before/after."""
    recompute(sheet, units)
    for unit in units:
        if unit.seq in changes:  # the audited "after" holds the recomputed scores
            changes[unit.seq] = (changes[unit.seq][0], _unit_state(unit))
    Unit.objects.bulk_update(
        [unit for unit in units if unit.seq in changes],
        ["self_grade", "self_docs", "self_note", "self_score", "review_grade", "review_docs",
         "review_note", "final_score", "returned", "return_reason"],
    )
    # Scores of other units may change through scaling; they are stored per unit, unscaled.
    sheet.version += 1
    sheet.save()
    after_state = _sheet_state(sheet)
    audit.record(
        actor=actor, action=action, instance=sheet, org=sheet.org,
        before={**before_state, "units": {seq: b for seq, (b, _a) in changes.items()}},
        after={**after_state, "units": {seq: a for seq, (_b, a) in changes.items()}},
        comment=comment,
    )


def save_self_assessment(*, actor, sheet: Sheet, entries: dict[str, Entry],
                         expected_version: int | None = None, source: str = "") -> Sheet:
    """Staff save grades, 资料齐全 and explanations (a draft, or the returned units)."""
    _require(actor, Action.FILL, sheet.org)
    with transaction.atomic():
        current = _locked(sheet, expected_version)
        if current.status not in EDITABLE_BY_STAFF:
            raise ValidationError(_("This sheet is %(status)s; it can no longer be filled in.")
                                  % {"status": current.get_status_display()}, code="locked")
        units = _units(current)
        only = ({u.seq for u in units if u.returned} if current.status == SheetStatus.RETURNED else None)
        before_state = _sheet_state(current)
        changes = _apply_entries(units, entries, "self", only=only)
        if changes:
            _save(current, units, changes, actor=actor, action="assessment.sheet.self_assess",
                  before_state=before_state, comment=source)
            if source:
                _event(current, SheetEvent.Kind.IMPORTED, actor, comment=source,
                       data={"units": sorted(changes)})
    return current


def _units_snapshot(units) -> list[dict]:
    return [{"seq": u.seq, "self_grade": u.self_grade, "self_docs": u.self_docs, "self_note": u.self_note,
             "self_score": str(u.self_score) if u.self_score is not None else None,
             "review_grade": u.review_grade, "review_docs": u.review_docs, "review_note": u.review_note,
             "returned": u.returned, "return_reason": u.return_reason} for u in units]


def submit_sheet(*, actor, sheet: Sheet, expected_version: int | None = None) -> bool:
    """Staff submit (or resubmit) their sheet: every unit graded.  False if already submitted."""
    _require(actor, Action.FILL, sheet.org)
    with transaction.atomic():
        current = _locked(sheet, None)
        if current.status == SheetStatus.SUBMITTED:
            return False  # the same click twice
        if current.status not in EDITABLE_BY_STAFF:
            raise ValidationError(_("This sheet is %(status)s; it cannot be submitted.")
                                  % {"status": current.get_status_display()}, code="state")
        if expected_version is not None and current.version != expected_version:
            raise _conflict(current)
        _submit(actor, current, _units(current), loaded_version=expected_version)
    return True


def _submit(actor, current: Sheet, units: list[Unit], *, loaded_version: int | None) -> None:
    missing = [u.seq for u in units if not u.self_grade or u.self_docs is None]
    if missing:
        raise ValidationError(
            _("Grade every unit and say whether its documents are complete before submitting "
              "(missing: %(seqs)s).") % {"seqs": "、".join(missing)}, code="incomplete")
    before_state = _sheet_state(current)
    current.status = SheetStatus.SUBMITTED
    current.submissions += 1
    current.submitted_at = timezone.now()
    recompute(current, units)
    current.version += 1
    current.save()
    _event(current, SheetEvent.Kind.SUBMITTED, actor, data={"units": _units_snapshot(units),
                                                              "self_total": str(current.self_total),
                                                              "loaded_version": loaded_version})
    audit.record(actor=actor, action="assessment.sheet.submit", instance=current, org=current.org,
                 before=before_state, after=_sheet_state(current))


@dataclass
class SubmitOutcome:
    sheet: Sheet
    submitted: bool  # submitted now
    repeated: bool = False  # this very submit had been done already (a double click): nothing done
    refused: str = ""  # why the sheet was not submitted (the entries are saved as a draft)
    problems: list[str] = field(default_factory=list)  # evidence files refused


def _entries_match(units: list[Unit], entries: dict[str, Entry]) -> bool:
    """Whether ``entries`` would leave the self-assessment of ``units`` as it is."""
    by_seq = {unit.seq: unit for unit in units}
    for seq, entry in entries.items():
        unit = by_seq.get(seq)
        if unit is None:
            return False
        if entry.grade is not None and entry.grade != unit.self_grade:
            return False
        if entry.docs is not None and unit.self_grade and entry.docs != unit.self_docs:
            return False
        if entry.note is not None and entry.note.strip() != unit.self_note:
            return False
    return True


def _is_repeated_submit(actor, current: Sheet, units: list[Unit], entries, loaded_version: int) -> bool:
    """The sheet was submitted from the version this form was loaded with, by the same user,
    with the same entries: the request is a repeat of that submit (a double click)."""
    last = current.events.filter(kind=SheetEvent.Kind.SUBMITTED).order_by("-at", "-id").first()
    if last is None or last.data.get("loaded_version") != loaded_version:
        return False
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    return last.actor_id == actor_id and _entries_match(units, entries)


def submit_self_assessment(*, actor, sheet: Sheet, entries: dict[str, Entry],
                           expected_version: int, evidence=()) -> SubmitOutcome:
    """The sheet page's "submit": save the entries, then submit, under one row lock.

    A repeat of a submit already done (same user, same loaded version, same entries: a double
    click without JavaScript) is reported as done and changes nothing.  A form loaded before
    someone else's save is a conflict.  When the entries are saved but the sheet cannot be
    submitted (a unit without a grade), the draft is kept and ``refused`` says why.
    """
    _require(actor, Action.FILL, sheet.org)
    with transaction.atomic(), removed_on_failure():
        current = _locked(sheet, None)
        units = _units(current)
        if current.version != expected_version:
            if _is_repeated_submit(actor, current, units, entries, expected_version):
                return SubmitOutcome(current, submitted=False, repeated=True)
            raise _conflict(current)
        if current.status not in EDITABLE_BY_STAFF:
            raise ValidationError(_("This sheet is %(status)s; it can no longer be filled in.")
                                  % {"status": current.get_status_display()}, code="locked")
        only = ({u.seq for u in units if u.returned} if current.status == SheetStatus.RETURNED else None)
        before_state = _sheet_state(current)
        changes = _apply_entries(units, entries, "self", only=only)
        if changes:
            _save(current, units, changes, actor=actor, action="assessment.sheet.self_assess",
                  before_state=before_state)
        problems = []
        for seq, upload in evidence:  # (序号, uploaded file): stored before the sheet locks
            try:
                add_evidence(actor=actor, sheet=current, seq=seq, upload=upload)
            except ValidationError as exc:
                problems.append(" ".join(exc.messages))
        try:
            with transaction.atomic():
                _submit(actor, current, units, loaded_version=expected_version)
        except ValidationError as exc:
            current.refresh_from_db()
            return SubmitOutcome(current, submitted=False, refused=" ".join(exc.messages), problems=problems)
    return SubmitOutcome(current, submitted=True, problems=problems)


def _require_reviewer_or_scorer(actor, sheet: Sheet) -> None:
    if actor is None:
        return
    if sheet.status == SheetStatus.SUBMITTED:
        _require(actor, Action.REVIEW, sheet.org)
    elif sheet.status in (SheetStatus.REVIEWED, SheetStatus.SCORED):
        _require(actor, Action.SCORE, sheet.assessor)
    else:
        raise ValidationError(_("This sheet is %(status)s; it cannot be reviewed or scored now.")
                              % {"status": sheet.get_status_display()}, code="state")


@dataclass(frozen=True)
class SheetPermissions:
    """What a user may do on a sheet in its current state (the sheet page shows these forms)."""

    fill: bool = False
    review: bool = False  # grade, return or pass on a submitted sheet
    score: bool = False  # grade, score or finalise a reviewed or scored sheet
    reopen: bool = False  # reopen a final sheet

    @property
    def edits_review(self) -> bool:
        return self.review or self.score


SCORING_STATUSES = (SheetStatus.REVIEWED, SheetStatus.SCORED, SheetStatus.FINAL)


def sheet_permissions(user, sheet: Sheet) -> SheetPermissions:
    status = sheet.status
    may_score = status in SCORING_STATUSES and can(user, Action.SCORE, sheet.assessor)
    return SheetPermissions(
        fill=status in EDITABLE_BY_STAFF and can(user, Action.FILL, sheet.org),
        review=status == SheetStatus.SUBMITTED and can(user, Action.REVIEW, sheet.org),
        score=may_score and status != SheetStatus.FINAL,
        reopen=may_score and status == SheetStatus.FINAL,
    )


def save_review(*, actor, sheet: Sheet, entries: dict[str, Entry],
                expected_version: int | None = None) -> Sheet:
    """A reviewer's (submitted) or scorer's (reviewed, scored) grade, documents and comment per unit."""
    with transaction.atomic():
        current = _locked(sheet, expected_version)
        _require_reviewer_or_scorer(actor, current)
        _save_review_entries(actor, current, _units(current), entries)
    return current


def _save_review_entries(actor, current: Sheet, units: list[Unit], entries: dict[str, Entry]) -> bool:
    before_state = _sheet_state(current)
    changes = _apply_entries(units, entries, "review")
    if changes:
        _save(current, units, changes, actor=actor, action="assessment.sheet.review",
              before_state=before_state)
    return bool(changes)


def return_sheet(*, actor, sheet: Sheet, reasons: dict[str, str] | None = None, reason: str = "",
                 expected_version: int | None = None) -> Sheet:
    """Return the whole sheet (``reason``) or some units (``reasons`` per 序号) to the staff."""
    with transaction.atomic():
        current = _locked(sheet, expected_version)
        _return(actor, current, None, reasons, reason)
    return current


def _return(actor, current: Sheet, units: list[Unit] | None, reasons: dict[str, str] | None,
            reason: str) -> None:
    if current.status != SheetStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted sheet can be returned."), code="state")
    _require(actor, Action.REVIEW, current.org)
    units = _units(current) if units is None else units
    reasons = {seq: text.strip() for seq, text in (reasons or {}).items()}
    if not reasons:
        if not reason.strip():
            raise ValidationError(_("Give a reason for returning the sheet."), code="reason")
        reasons = {unit.seq: reason.strip() for unit in units}
    unknown = sorted(set(reasons) - {u.seq for u in units})
    if unknown:
        raise ValidationError(_("Unknown unit(s): %(seqs)s.") % {"seqs": ", ".join(unknown)})
    blank = [seq for seq, text in reasons.items() if not text]
    if blank:
        raise ValidationError(_("Give a reason for each returned unit (missing: %(seqs)s).")
                              % {"seqs": "、".join(blank)}, code="reason")
    before_state = _sheet_state(current)
    changes = {}
    for unit in units:
        before = _unit_state(unit)
        unit.returned = unit.seq in reasons
        unit.return_reason = reasons.get(unit.seq, "")
        if before != _unit_state(unit):
            changes[unit.seq] = (before, _unit_state(unit))
    current.status = SheetStatus.RETURNED
    whole = len(reasons) == len(units)
    _save(current, units, changes, actor=actor, action="assessment.sheet.return",
          before_state=before_state, comment=reason)
    _event(current, SheetEvent.Kind.RETURNED, actor, comment=reason.strip(),
           data={"whole": whole, "reasons": reasons})


def pass_review(*, actor, sheet: Sheet, expected_version: int | None = None) -> bool:
    """The reviewer passes the sheet on to the scorers; ungraded units keep the self-assessment."""
    with transaction.atomic():
        current = _locked(sheet, None)
        if current.status == SheetStatus.REVIEWED:
            return False
        if expected_version is not None and current.status == SheetStatus.SUBMITTED \
                and current.version != expected_version:
            raise _conflict(current)
        _pass(actor, current, None)
    return True


def _pass(actor, current: Sheet, units: list[Unit] | None) -> None:
    if current.status != SheetStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted sheet can be passed on."), code="state")
    _require(actor, Action.REVIEW, current.org)
    units = _units(current) if units is None else units
    before_state = _sheet_state(current)
    changes, accepted = {}, []
    for unit in units:
        before = _unit_state(unit)
        if not unit.review_grade:
            unit.review_grade, unit.review_docs = unit.self_grade, unit.self_docs
            accepted.append(unit.seq)
        unit.returned, unit.return_reason = False, ""
        if before != _unit_state(unit):
            changes[unit.seq] = (before, _unit_state(unit))
    current.status = SheetStatus.REVIEWED
    current.reviewed_at = timezone.now()
    _save(current, units, changes, actor=actor, action="assessment.sheet.pass",
          before_state=before_state)
    _event(current, SheetEvent.Kind.REVIEWED, actor,
           data={"accepted_as_self_assessed": accepted, "final_total": str(current.final_total)})


def score_sheet(*, actor, sheet: Sheet, expected_version: int | None = None) -> bool:
    """The scorer confirms the final scores of a reviewed sheet."""
    with transaction.atomic():
        current = _locked(sheet, None)
        if current.status == SheetStatus.SCORED:
            return False
        if expected_version is not None and current.status == SheetStatus.REVIEWED \
                and current.version != expected_version:
            raise _conflict(current)
        _score(actor, current, None)
    return True


def _score(actor, current: Sheet, units: list[Unit] | None) -> None:
    if current.status != SheetStatus.REVIEWED:
        raise ValidationError(_("Only a reviewed sheet can be scored."), code="state")
    _require(actor, Action.SCORE, current.assessor)
    units = _units(current) if units is None else units
    if not all(u.review_grade for u in units):
        raise ValidationError(_("Give every unit a final grade first."), code="incomplete")
    before_state = _sheet_state(current)
    current.status = SheetStatus.SCORED
    current.scored_at = timezone.now()
    recompute(current, units)
    current.version += 1
    current.save()
    _event(current, SheetEvent.Kind.SCORED, actor, data={"final_total": str(current.final_total)})
    audit.record(actor=actor, action="assessment.sheet.score", instance=current, org=current.org,
                 before=before_state, after=_sheet_state(current))


def finalise_sheet(*, actor, sheet: Sheet, expected_version: int | None = None) -> bool:
    """Lock a scored (or reviewed) sheet for everyone.  False if it is final already."""
    with transaction.atomic():
        current = _locked(sheet, None)
        if current.status == SheetStatus.FINAL:
            return False
        if expected_version is not None and current.status in (SheetStatus.REVIEWED, SheetStatus.SCORED) \
                and current.version != expected_version:
            raise _conflict(current)
        _finalise(actor, current, None)
    return True


def _finalise(actor, current: Sheet, units: list[Unit] | None) -> None:
    if current.status not in (SheetStatus.REVIEWED, SheetStatus.SCORED):
        raise ValidationError(_("Only a reviewed or scored sheet can be finalised."), code="state")
    _require(actor, Action.SCORE, current.assessor)
    units = _units(current) if units is None else units
    if not all(u.review_grade for u in units):
        raise ValidationError(_("Give every unit a final grade first."), code="incomplete")
    before_state = _sheet_state(current)
    now = timezone.now()
    current.scored_at = current.scored_at or now
    current.status = SheetStatus.FINAL
    current.finalised_at = now
    recompute(current, units)
    current.version += 1
    current.save()
    _event(current, SheetEvent.Kind.FINALISED, actor, data={"final_total": str(current.final_total)})
    audit.record(actor=actor, action="assessment.sheet.finalise", instance=current, org=current.org,
                 before=before_state, after=_sheet_state(current))


class ReviewStep(StrEnum):
    SAVE = "save"
    RETURN = "return"
    PASS = "pass"
    SCORE = "score"
    FINALISE = "finalise"


# A step is a repeat (a double click, or someone was quicker) once the sheet is in one of these.
_TAKEN = {
    ReviewStep.PASS: SCORING_STATUSES,
    ReviewStep.SCORE: (SheetStatus.SCORED, SheetStatus.FINAL),
    ReviewStep.FINALISE: (SheetStatus.FINAL,),
}


def _holds_right(actor, sheet: Sheet, step: ReviewStep) -> bool:
    """Whether the actor's role may take ``step`` at all (whatever the sheet's state)."""
    if actor is None:
        return True
    if step in (ReviewStep.RETURN, ReviewStep.PASS):
        return can(actor, Action.REVIEW, sheet.org)
    if step in (ReviewStep.SCORE, ReviewStep.FINALISE):
        return can(actor, Action.SCORE, sheet.assessor)
    return can(actor, Action.REVIEW, sheet.org) or can(actor, Action.SCORE, sheet.assessor)


@dataclass
class ReviewOutcome:
    sheet: Sheet
    step: ReviewStep
    taken: bool  # the step was taken now; False: it had been taken already (nothing of it was done)
    saved: bool  # the review entries changed something


def review_step(*, actor, sheet: Sheet, entries: dict[str, Entry], step: str = ReviewStep.SAVE,
                reasons: dict[str, str] | None = None, reason: str = "",
                expected_version: int | None = None) -> ReviewOutcome:
    """The sheet page's review form: save the entries, then return, pass on, score or finalise.

    One transaction: if the step fails (no reason to return, a unit without a final grade),
    the entries are not saved either and the version stays, so the form can be sent again.
    A step already taken (a double click) is reported, not repeated, to a user whose role may
    take it; anyone else gets PermissionDenied, as for any step their role may not take.
    """
    try:
        step = ReviewStep(step)
    except ValueError:
        raise ValidationError(_("Unknown action %(action)s.") % {"action": step}, code="action") from None
    with transaction.atomic():
        current = _locked(sheet, None)
        if not _holds_right(actor, current, step):
            raise PermissionDenied
        may_edit = actor is None or sheet_permissions(actor, current).edits_review
        stale = expected_version is not None and current.version != expected_version
        if current.status in _TAKEN.get(step, ()):
            saved = False
            if may_edit and not stale:  # e.g. the scorer grades a scored sheet and clicks “score”
                saved = _save_review_entries(actor, current, _units(current), entries)
            return ReviewOutcome(current, step, taken=False, saved=saved)
        if not may_edit:
            raise PermissionDenied
        if stale:
            raise _conflict(current)
        _require_reviewer_or_scorer(actor, current)
        units = _units(current)
        saved = _save_review_entries(actor, current, units, entries)
        if step == ReviewStep.RETURN:
            _return(actor, current, units, reasons, reason)
        elif step == ReviewStep.PASS:
            _pass(actor, current, units)
        elif step == ReviewStep.SCORE:
            _score(actor, current, units)
        elif step == ReviewStep.FINALISE:
            _finalise(actor, current, units)
    return ReviewOutcome(current, step, taken=True, saved=saved)


def finalise_round(*, actor, round: Round) -> int:
    """Finalise every scored or reviewed sheet of a round that is complete; returns how many."""
    _require(actor, Action.SCORE, round.assessor)
    done = 0
    for sheet in round.sheets.filter(status__in=(SheetStatus.REVIEWED, SheetStatus.SCORED)).select_related("org"):
        done += finalise_sheet(actor=actor, sheet=sheet)
    return done


def reopen_sheet(*, actor, sheet: Sheet, reason: str) -> Sheet:
    """Reopen a final sheet for the scorers; the reason is required and logged."""
    if not reason.strip():
        raise ValidationError(_("Give a reason for reopening the sheet."), code="reason")
    with transaction.atomic():
        current = _locked(sheet, None)
        if current.status != SheetStatus.FINAL:
            raise ValidationError(_("Only a final sheet can be reopened."), code="state")
        _require(actor, Action.SCORE, current.assessor)
        before_state = _sheet_state(current)
        current.status = SheetStatus.SCORED
        current.finalised_at = None
        current.version += 1
        current.save()
        _event(current, SheetEvent.Kind.REOPENED, actor, comment=reason.strip())
        audit.record(actor=actor, action="assessment.sheet.reopen", instance=current, org=current.org,
                     before=before_state, after=_sheet_state(current), comment=reason.strip())
    return current


# --- evidence -----------------------------------------------------------------------------

# Evidence: PDF, images and office files, 20 MB at most.
MAX_EVIDENCE_BYTES = 20 * MB


def add_evidence(*, actor, sheet: Sheet, seq: str, upload) -> Evidence:
    _require(actor, Action.FILL, sheet.org)
    content_type = check_upload(upload, max_bytes=MAX_EVIDENCE_BYTES)
    with transaction.atomic(), removed_on_failure():
        current = _locked(sheet, None)
        if current.status not in EDITABLE_BY_STAFF:
            raise ValidationError(_("This sheet is %(status)s; it can no longer be changed.")
                                  % {"status": current.get_status_display()}, code="locked")
        unit = current.units.filter(seq=seq).first()
        if unit is None:
            raise ValidationError(_("Unknown unit(s): %(seqs)s.") % {"seqs": seq})
        if current.status == SheetStatus.RETURNED and not unit.returned:
            raise ValidationError(_("Unit %(seq)s was not returned to you; only returned units may change.")
                                  % {"seq": seq}, code="not_returned")
        evidence = Evidence(unit=unit, name=upload.name[:200], content_type=content_type,
                            size=upload.size, uploaded_by=actor if actor and actor.is_authenticated else None)
        evidence.file.save(upload.name, upload, save=False)
        stored(evidence.file)  # removed again if this or the caller's transition fails
        evidence.save()
        audit.record(actor=actor, action="assessment.evidence.add", instance=evidence, org=current.org,
                     after={"sheet": current.pk, "unit": seq, "name": evidence.name, "size": evidence.size})
    return evidence


def delete_evidence(*, actor, evidence: Evidence) -> None:
    sheet = evidence.unit.sheet
    _require(actor, Action.FILL, sheet.org)
    with transaction.atomic():
        current = _locked(sheet, None)
        if current.status not in EDITABLE_BY_STAFF or (
                current.status == SheetStatus.RETURNED and not evidence.unit.returned):
            raise ValidationError(_("This evidence can no longer be removed."), code="locked")
        before = {"sheet": current.pk, "unit": evidence.unit.seq, "name": evidence.name}
        storage, path = evidence.file.storage, evidence.file.name
        audit.record(actor=actor, action="assessment.evidence.delete", instance=evidence,
                     org=current.org, before=before)
        evidence.delete()
        transaction.on_commit(lambda: storage.delete(path))


def grade_label(grade: str) -> str:
    return GRADE_FILE_LABELS.get(grade, "")
