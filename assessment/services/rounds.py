"""Writes of a round: open it (each assessee gets its sheet), remind the late, finalise it."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.models import Round, Sheet, SheetEvent, SheetStatus, Template, Unit
from assessment.selectors import assessees_of, graded_units, latest_templates_before, may_open_round
from assessment.services._common import EDITABLE_BY_STAFF
from assessment.services.templates import _copy_template
from assessment.services.transitions import apply_transition
from orgs.access import Action, require
from orgs.models import Org, OrgKind
from unionportal import audit
from unionportal.actors import user_or_none

BATCH = 2000


@dataclass
class OpenedRound:
    round: Round
    created_round: bool
    sheets_created: int
    templates_copied: list[Template]


def copied_template_line(template: Template) -> str:
    """One line per template copied when a round opens: which, for whom, from and to which year."""
    return _("Copied the %(from)d template “%(title)s” for %(assessees)s to %(year)d.") % {
        "from": template.copied_from.year, "title": template.title,
        "assessees": template.assessee_label(), "year": template.year}


def _containing(org: Org, candidates) -> int | None:
    return next((pk for pk, tree_id, lft, rght in candidates
                 if tree_id == org.tree_id and lft <= org.lft and org.rght <= rght), None)


def group_of(orgs: list[Org], assessor: Org) -> dict[int, int | None]:
    """org id → the system union it belongs to (itself if it is one), else the assessor's child."""
    tree_ids = {org.tree_id for org in orgs}
    anchors = list(Org.objects.filter(tree_id__in=tree_ids, kind=OrgKind.SYSTEM)
                   .values_list("pk", "tree_id", "lft", "rght"))
    children = list(assessor.get_children().values_list("pk", "tree_id", "lft", "rght"))
    return {org.pk: _containing(org, anchors) or _containing(org, children) for org in orgs}


def _round_templates(actor, assessor: Org, year: int, copy_latest: bool) -> tuple[list, list]:
    """The YEAR templates of the assessor, copied from the latest earlier ones if it has none."""
    copied = []
    templates = list(Template.objects.filter(assessor=assessor, year=year))
    if not templates and copy_latest:
        # A step of the user's own act: the copies are audited as theirs.
        copied = [_copy_template(actor, template, year) for template in latest_templates_before(assessor, year)]
        templates = copied
    if not templates:
        raise ValidationError(
            _("%(assessor)s has no assessment template for %(year)d or any earlier year.")
            % {"assessor": assessor.name, "year": year}, code="no_template")
    return templates, copied


def _locked_round(actor, assessor: Org, year: int, deadline, is_demo: bool) -> tuple[Round, bool, dict | None]:
    round_, created = Round.objects.select_for_update().get_or_create(
        assessor=assessor, year=year,
        defaults={"deadline": deadline, "opened_by": user_or_none(actor), "is_demo": is_demo},
    )
    before = None if created else {"deadline": round_.deadline, "sheets": round_.sheets.count()}
    if not created and deadline is not None and round_.deadline != deadline:
        round_.deadline = deadline
        round_.save(update_fields=["deadline"])
    return round_, created, before


def _plan_sheets(round_: Round, templates: list[Template], assessor: Org, year: int) -> list[tuple[Org, Template]]:
    """(assessee, template) of every sheet to create, in tree order; an overlap is refused."""
    have = set(round_.sheets.values_list("org_id", flat=True))
    plans: dict[int, tuple[Org, Template]] = {}
    for template in templates:
        for org in assessees_of(template):
            if org.pk in plans and plans[org.pk][1] != template:
                raise ValidationError(
                    _("%(org)s is assessed by two %(year)d templates of %(assessor)s; keep one.")
                    % {"org": org.name, "year": year, "assessor": assessor.name}, code="overlap")
            if org.pk not in have:
                plans[org.pk] = (org, template)
    return sorted(plans.values(), key=lambda plan: (plan[0].tree_id, plan[0].lft))


def _blank_scores(template: Template, units_of_template) -> list[dict]:
    """The indicator scores every new sheet of a template starts with (nothing graded)."""
    blank = [Unit(indicator=i, item=item, seq=seq, position=n, points=p)
             for n, (i, item, seq, p) in enumerate(units_of_template, 1)]
    indicators = {i.pk: i for i, *_rest in units_of_template}
    return scoring.indicator_scores(blank, indicators, scoring.Factors.of(template))


def _insert_units(round_: Round, template: Template, id_range: tuple[int, int], units_of_template) -> None:
    """Every new sheet of ``template`` gets its blank units: one INSERT … SELECT per unit, so
    the database copies them over the sheets (100,000 ORM objects took most of the time)."""
    table, quote = Unit._meta.db_table, connection.ops.quote_name
    names = ("sheet", "indicator", "item", "seq", "position", "points", "self_grade", "self_docs", "self_note",
             "self_score", "review_grade", "review_docs", "review_note", "final_score", "returned", "return_reason")
    columns = ", ".join(quote(Unit._meta.get_field(name).column) for name in names)
    sheets = Sheet._meta.db_table
    sql = (f"INSERT INTO {quote(table)} ({columns}) "
           f"SELECT s.{quote('id')}, CAST(%s AS BIGINT), CAST(%s AS BIGINT), %s, CAST(%s AS INTEGER), "
           f"CAST(%s AS NUMERIC), '', CAST(NULL AS BOOLEAN), '', CAST(NULL AS NUMERIC), '', "
           f"CAST(NULL AS BOOLEAN), '', CAST(NULL AS NUMERIC), %s, '' "
           f"FROM {quote(sheets)} s WHERE s.{quote('round_id')} = %s AND s.{quote('template_id')} = %s "
           f"AND s.{quote('id')} BETWEEN %s AND %s ORDER BY s.{quote('id')}")
    with connection.cursor() as cursor:
        for position, (indicator, item, seq, points) in enumerate(units_of_template, 1):
            cursor.execute(sql, [indicator.pk, item.pk if item else None, seq, position, str(points), False,
                                 round_.pk, template.pk, *id_range])


def _create_sheets(round_: Round, assessor: Org, year: int, plans, templates) -> list[Sheet]:
    """The sheets in bulk, then their units copied over them by the database."""
    units_of = {t.pk: graded_units(t.indicators.prefetch_related("items")) for t in templates}
    scores = {t.pk: _blank_scores(t, units_of[t.pk]) for t in templates}
    orgs = [org for org, _template in plans]
    groups = group_of(orgs, assessor)
    sheets = Sheet.objects.bulk_create(
        (Sheet(round=round_, template=template, org=org, assessor=assessor, year=year,
               group_id=groups.get(org.pk), indicator_scores=scores[template.pk])
         for org, template in plans), batch_size=BATCH)
    if sheets and sheets[0].pk is None:  # backends that do not return ids
        sheets = list(round_.sheets.filter(org__in=orgs))
    if sheets:
        # The round's row is locked: the sheets with ids in this range are the ones just made.
        id_range = (min(sheet.pk for sheet in sheets), max(sheet.pk for sheet in sheets))
        for template in templates:
            _insert_units(round_, template, id_range, units_of[template.pk])
    return sheets


def open_round(*, actor, assessor: Org, year: int, deadline: dt.date | None = None,
               copy_latest: bool = True, is_demo: bool = False) -> OpenedRound:
    """Open the YEAR round of every template ``assessor`` owns: each assessee gets its sheet.

    Without a YEAR template, the latest earlier templates are copied to YEAR first.  Opening
    again adds sheets for assessees that have none (and updates the deadline); it never
    touches existing sheets.
    """
    if not may_open_round(actor, assessor):
        raise PermissionDenied
    with transaction.atomic():
        templates, copied = _round_templates(actor, assessor, year, copy_latest)
        round_, created, before = _locked_round(actor, assessor, year, deadline, is_demo)
        plans = _plan_sheets(round_, templates, assessor, year)
        sheets = _create_sheets(round_, assessor, year, plans, templates)
        SheetEvent.objects.bulk_create(
            (SheetEvent(sheet_id=sheet.pk, kind=SheetEvent.Kind.OPENED, actor=user_or_none(actor),
                        comment=str(deadline or "")) for sheet in sheets), batch_size=BATCH)
        audit.record(actor=actor, action="assessment.round.open", instance=round_, org=assessor,
                     before=before, after={"year": year, "deadline": round_.deadline,
                                           "sheets_created": len(sheets),
                                           "templates": [t.pk for t in templates]})
    return OpenedRound(round_, created, len(sheets), copied)


def remind(*, actor, round: Round, sheets=None, message: str = "") -> int:
    """Record a reminder on each overdue sheet (or the given ones); staff see it on their sheet."""
    if not may_open_round(actor, round.assessor):
        raise PermissionDenied
    if sheets is None:
        sheets = round.sheets.filter(status__in=EDITABLE_BY_STAFF)
    text = message.strip() or _("Please complete and submit your %(year)d assessment sheet "
                                "(deadline %(deadline)s).") % {"year": round.year,
                                                                "deadline": round.deadline or "—"}
    with transaction.atomic():
        ids = list(sheets.values_list("pk", flat=True))
        SheetEvent.objects.bulk_create(
            (SheetEvent(sheet_id=pk, kind=SheetEvent.Kind.REMINDED, actor=user_or_none(actor), comment=text)
             for pk in ids), batch_size=BATCH)
        audit.record(actor=actor, action="assessment.round.remind", instance=round, org=round.assessor,
                     after={"sheets": len(ids), "message": text})
    return len(ids)


def finalise_round(*, actor, round: Round) -> int:
    """Finalise every scored or reviewed sheet of a round that is complete; returns how many."""
    require(actor, Action.SCORE, round.assessor)
    done = 0
    for sheet in round.sheets.filter(status__in=(SheetStatus.REVIEWED, SheetStatus.SCORED)).select_related("org"):
        done += apply_transition(actor=actor, sheet=sheet, name="finalise")
    return done
