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


# From this many orgs under the assessor, the portal opens the round in a background job, a
# STEP of assessees at a time (5,000 sheets of 20 units take longer than a request should).
OPEN_IN_JOB_FROM = 1000
STEP = 500


@dataclass
class OpenedRound:
    round: Round
    created_round: bool
    sheets_created: int
    templates_copied: list[Template]
    remaining: int = 0  # assessees still without a sheet (opening with a ``limit``)


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


def _shared_columns(model, instance, varying: tuple[str, ...]) -> tuple[list[str], list[str], list]:
    """(columns, placeholders, values) of every field of ``instance`` but the ``varying`` ones:
    what all the rows copied by one INSERT … SELECT share.  PostgreSQL types an untyped
    parameter of a SELECT list as text, hence the casts there."""
    quote, typed = connection.ops.quote_name, connection.vendor == "postgresql"
    columns, placeholders, values = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in varying:
            continue
        columns.append(quote(field.column))
        placeholders.append(f"CAST(%s AS {field.cast_db_type(connection)})" if typed else "%s")
        values.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
    return columns, placeholders, values


def _copy_over_sheets(model, instance, round_: Round, id_range: tuple[int, int], template=None) -> None:
    """One row of ``model`` like ``instance`` per sheet of the round with an id in ``id_range``
    (of ``template`` if given), copied by the database: no ORM object per row."""
    quote = connection.ops.quote_name
    columns, placeholders, values = _shared_columns(model, instance, ("sheet_id",))
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({quote('sheet_id')}, {', '.join(columns)}) "
           f"SELECT s.{quote('id')}, {', '.join(placeholders)} FROM {quote(Sheet._meta.db_table)} s "
           f"WHERE s.{quote('round_id')} = %s AND s.{quote('id')} BETWEEN %s AND %s")
    params = [*values, round_.pk, *id_range]
    if template is not None:
        sql += f" AND s.{quote('template_id')} = %s"
        params.append(template.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql + f" ORDER BY s.{quote('id')}", params)


def _insert_units(round_: Round, template: Template, id_range: tuple[int, int], units_of_template) -> None:
    """Every new sheet of ``template`` gets its blank units, one INSERT … SELECT per unit
    (100,000 ORM objects took most of the time)."""
    for position, (indicator, item, seq, points) in enumerate(units_of_template, 1):
        blank = Unit(indicator=indicator, item=item, seq=seq, position=position, points=points)
        _copy_over_sheets(Unit, blank, round_, id_range, template)


def _insert_sheets(prototype: Sheet, orgs_and_groups: list[tuple[int, int | None]]) -> list[int]:
    """The ids of new sheets like ``prototype``, one per (org id, group id), in that order.

    On PostgreSQL one INSERT … SELECT over two arrays: each sheet's values (its indicator
    scores' JSON above all) are prepared once, not 5,000 times; elsewhere ``bulk_create``.
    """
    if connection.vendor != "postgresql":
        sheets = Sheet.objects.bulk_create(
            (Sheet(**{f.attname: getattr(prototype, f.attname) for f in Sheet._meta.concrete_fields
                      if not f.primary_key and f.attname not in ("org_id", "group_id")},
                   org_id=org_id, group_id=group_id)
             for org_id, group_id in orgs_and_groups), batch_size=BATCH)
        if sheets and sheets[0].pk is None:  # backends that do not return ids
            found = dict(Sheet.objects.filter(round_id=prototype.round_id, org_id__in=[o for o, _g in orgs_and_groups])
                         .values_list("org_id", "pk"))
            return [found[org_id] for org_id, _group in orgs_and_groups]
        return [sheet.pk for sheet in sheets]
    quote = connection.ops.quote_name
    columns, placeholders, values = _shared_columns(Sheet, prototype, ("org_id", "group_id"))
    sql = (f"INSERT INTO {quote(Sheet._meta.db_table)} ({', '.join(columns)}, {quote('org_id')}, "
           f"{quote('group_id')}) SELECT {', '.join(placeholders)}, t.org, t.grp "
           f"FROM UNNEST(CAST(%s AS BIGINT[]), CAST(%s AS BIGINT[])) WITH ORDINALITY AS t(org, grp, n) "
           f"ORDER BY t.n RETURNING {quote('id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, [o for o, _g in orgs_and_groups], [g for _o, g in orgs_and_groups]])
        return sorted(pk for (pk,) in cursor.fetchall())


def _create_sheets(round_: Round, assessor: Org, year: int, plans, templates) -> list[int]:
    """The sheets in bulk, then their units copied over them by the database; the new ids."""
    units_of = {t.pk: graded_units(t.indicators.prefetch_related("items")) for t in templates}
    groups = group_of([org for org, _template in plans], assessor)
    ids = []
    for template in templates:
        prototype = Sheet(round=round_, template=template, assessor=assessor, year=year,
                          indicator_scores=_blank_scores(template, units_of[template.pk]))
        ids += _insert_sheets(prototype, [(org.pk, groups.get(org.pk)) for org, t in plans if t == template])
    if ids:
        # The round's row is locked: the sheets with ids in this range are the ones just made.
        id_range = (min(ids), max(ids))
        for template in templates:
            _insert_units(round_, template, id_range, units_of[template.pk])
    return ids


def open_round(*, actor, assessor: Org, year: int, deadline: dt.date | None = None,
               copy_latest: bool = True, is_demo: bool = False, limit: int | None = None) -> OpenedRound:
    """Open the YEAR round of every template ``assessor`` owns: each assessee gets its sheet.

    Without a YEAR template, the latest earlier templates are copied to YEAR first.  Opening
    again adds sheets for assessees that have none (and updates the deadline); it never
    touches existing sheets.  With ``limit``, only the first ``limit`` assessees without a
    sheet (in tree order) get theirs; ``remaining`` says how many are left.
    """
    if not may_open_round(actor, assessor):
        raise PermissionDenied
    with transaction.atomic():
        templates, copied = _round_templates(actor, assessor, year, copy_latest)
        round_, created, before = _locked_round(actor, assessor, year, deadline, is_demo)
        plans = _plan_sheets(round_, templates, assessor, year)
        remaining = max(0, len(plans) - limit) if limit is not None else 0
        sheets = _create_sheets(round_, assessor, year, plans[:limit], templates)
        if sheets:
            opened = SheetEvent(kind=SheetEvent.Kind.OPENED, actor=user_or_none(actor), comment=str(deadline or ""))
            _copy_over_sheets(SheetEvent, opened, round_, (min(sheets), max(sheets)))
        audit.record(actor=actor, action="assessment.round.open", instance=round_, org=assessor,
                     before=before, after={"year": year, "deadline": round_.deadline,
                                           "sheets_created": len(sheets),
                                           "templates": [t.pk for t in templates]})
    return OpenedRound(round_, created, len(sheets), copied, remaining)


def open_round_in_steps(*, actor, assessor: Org, year: int, deadline: dt.date | None = None,
                        step: int | None = None, on_step=None, on_first=None) -> OpenedRound:
    """``open_round`` STEP assessees at a time, each step its own transaction (and audit
    entry): a large round opened in a background job, whose progress ``on_step(done, total)``
    is seen between steps, and which learns from ``on_first(opened)`` what the first step did
    (the templates it copied) before the next begins.  A step that fails leaves the earlier
    ones, which opening again completes."""
    step = step or STEP
    first = opened = open_round(actor=actor, assessor=assessor, year=year, deadline=deadline, limit=step)
    if on_first is not None:
        on_first(first)
    created, total = opened.sheets_created, opened.sheets_created + opened.remaining
    while True:
        if on_step is not None:
            on_step(created, total)
        if not opened.remaining or not opened.sheets_created:
            break
        opened = open_round(actor=actor, assessor=assessor, year=year, deadline=deadline, limit=step)
        created += opened.sheets_created
    return OpenedRound(first.round, first.created_round, created, first.templates_copied, opened.remaining)


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
