"""The assessment's files: templates (import), the sheet exchange file (export and the staff's
offline self-assessment import) and the round's results (export).  Formats: interfaces.md.

Imports check every row first and report problems as ``row N: COLUMN: message``; only a clean
file is applied, in one transaction, through the services (so every change is audited).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import services
from assessment.models import (
    GRADE_FILE_LABELS,
    GRADE_FILE_NAMES,
    AssesseeRule,
    Sheet,
    SheetStatus,
)
from assessment.offline_sheet import finish_offline_sheet, points_cell, score_cell
from assessment.text_splitters import item_points, split_items, split_name_points, tidy_name
from orgs.access import Action, scope_orgs
from orgs.models import KIND_FILE_LABELS, KIND_FILE_NAMES, Org, OrgKind
from unionportal.columns import ChoiceColumn, PositiveDecimalColumn, YearColumn, YesNoColumn
from unionportal.tabular import (
    Column,
    Number,
    Report,
    Row,
    import_transaction,
    read_table,
    write_table,
)

TOTAL_ROW = "合计"

SHEET_COLUMNS = [
    Column("seq", "序号", "seq", required=True),
    Column("indicator", "考核指标", "indicator"),
    Column("content", "考核内容", "content"),
    Column("points", "分值", "points"),
    ChoiceColumn("self_grade", "自评等级", "self_grade", choices=tuple(GRADE_FILE_NAMES.items()),
                 unknown=gettext_lazy("unknown grade “%(grade)s”; use 全面完成, 基本完成 or 未完成."),
                 value_name="grade"),
    YesNoColumn("self_docs", "资料齐全", "self_docs", message="not"),
    Column("self_note", "自评说明", "self_note"),
    Column("self_score", "自评分", "self_score"),
    Column("review_grade", "审核等级", "review_grade"),
    Column("review_docs", "审核资料齐全", "review_docs"),
    Column("review_note", "审核意见", "review_note"),
    Column("final_score", "考核得分", "final_score"),
]

TEMPLATE_COLUMNS = [
    Column("assessor", "考核单位编码", "assessor", required=True),
    Column("assessees", "被考核单位编码", "assessees"),
    YearColumn("year", "年度", "year", required=True),
    Column("number", "序号", "number", required=True),
    Column("section", "考核类别", "section"),
    Column("indicator", "考核指标", "indicator", required=True),
    Column("content", "考核内容", "content"),
    Column("rule", "扣分方法", "rule"),
    PositiveDecimalColumn("weight", "权重", "weight", required=True),
]
_SHEET_COLUMN = {column.key: column for column in SHEET_COLUMNS}
_TEMPLATE_COLUMN = {column.key: column for column in TEMPLATE_COLUMNS}


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


# --- the sheet exchange file --------------------------------------------------------------


def sheet_rows(sheet: Sheet, units=None):
    units = units if units is not None else list(sheet.units.select_related("indicator", "item"))
    for unit in units:
        yield [
            unit.seq, tidy_name(unit.indicator.name), unit.content, points_cell(unit.points),
            GRADE_FILE_LABELS.get(unit.self_grade, ""), yes_no(unit.self_docs), unit.self_note,
            score_cell(unit.self_score), GRADE_FILE_LABELS.get(unit.review_grade, ""),
            yes_no(unit.review_docs), unit.review_note, score_cell(unit.final_score),
        ]
    weights = sum((Decimal(row["weight"]) for row in sheet.indicator_scores), Decimal(0))
    yield [TOTAL_ROW, "", "", points_cell(weights), "", "", "", score_cell(sheet.self_total), "", "", "",
           score_cell(sheet.final_total)]


def export_sheet(target, fmt: str, sheet: Sheet) -> None:
    write_table(target, fmt, [c.zh for c in SHEET_COLUMNS], sheet_rows(sheet),
                title=f"{sheet.year} {sheet.org.code}", finish=finish_offline_sheet)


def import_self_assessment(source, fmt: str, sheet: Sheet, *, actor, dry_run: bool = False,
                           filename: str = "", limits=None) -> Report:
    """Fill a draft or returned sheet from an exchange file: all rows valid, or nothing changes."""
    report = Report()
    table = read_table(source, fmt, SHEET_COLUMNS, report=report, limits=limits)
    sheet.refresh_from_db()
    if sheet.status not in services.EDITABLE_BY_STAFF:
        report.error(None, None, _("the sheet of %(org)s for %(year)d is %(status)s; only a draft or "
                                   "returned sheet accepts a file.")
                     % {"org": sheet.org.name, "year": sheet.year, "status": sheet.get_status_display()})
        return report
    units = {unit.seq: unit for unit in sheet.units.all()}
    returned_only = sheet.status == SheetStatus.RETURNED
    seen: dict[str, int] = {}
    entries: dict[str, services.Entry] = {}
    for row in table.rows:
        seq = row["seq"]
        if seq == TOTAL_ROW:
            continue
        if not seq:
            report.error(row, "seq", _("is required."))
            continue
        if seq in seen:
            report.error(row, "seq", _("%(seq)s appears twice (already in row %(row)d).")
                         % {"seq": seq, "row": seen[seq]})
            continue
        seen[seq] = row.number
        unit = units.get(seq)
        if unit is None:
            report.error(row, "seq", _("this sheet has no unit %(seq)s.") % {"seq": seq})
            continue
        entry = _row_entry(row, report)
        if entry is None:
            continue
        if returned_only and not unit.returned and _changes(unit, entry):
            report.error(row, "seq", _("unit %(seq)s was not returned; only returned units may change.")
                         % {"seq": seq})
            continue
        if _changes(unit, entry):
            entries[seq] = entry
            report.updated += 1
        else:
            report.unchanged += 1
    if not report.ok or dry_run or not entries:
        return report
    try:
        with transaction.atomic():
            services.save_self_assessment(actor=actor, sheet=sheet, entries=entries,
                                          source=_("file %(name)s") % {"name": filename or "—"})
    except ValidationError as exc:
        for message in exc.messages:
            report.error(None, None, message)
        report.updated = 0
    except PermissionDenied:
        report.error(None, None, _("you may not fill in this sheet."))
        report.updated = 0
    return report


def _row_entry(row: Row, report: Report) -> services.Entry | None:
    entry = services.Entry()
    ok = True
    if "self_grade" in row.headers:
        text = row["self_grade"]
        if text:
            errors = len(report.errors)
            entry.grade = _SHEET_COLUMN["self_grade"].read(row, report) or ""
            if not row["self_docs"]:
                report.error(row, "self_docs" if "self_docs" in row.headers else "self_grade",
                             _("is required where 自评等级 is given (是 or 否)."))
            else:
                entry.docs = _SHEET_COLUMN["self_docs"].read(row, report)
            ok = len(report.errors) == errors
        else:
            entry.grade = ""
    if "self_note" in row.headers:
        entry.note = row["self_note"]
    return entry if ok else None


def _changes(unit, entry: services.Entry) -> bool:
    if entry.grade is not None and entry.grade != unit.self_grade:
        return True
    if entry.grade and entry.docs is not None and entry.docs != unit.self_docs:
        return True
    return entry.note is not None and entry.note.strip() != unit.self_note


# --- templates ----------------------------------------------------------------------------


@dataclass
class _PlannedTemplate:
    first_row: Row
    assessor: Org
    year: int
    rule: str
    kind: str
    assessees: list[Org]
    indicators: list[services.IndicatorSpec] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def content_items(content: str) -> list[services.ItemSpec]:
    """Items numbered ``1、…`` as in the documents, else one per line; ``（N分）`` gives points."""
    numbered = split_items(content)
    if numbered:
        return [services.ItemSpec(item.number, item.text, item.points) for item in numbered]
    lines = [line.strip() for line in content.split("\n") if line.strip()]
    if len(lines) < 2:
        return []
    return [services.ItemSpec(str(n), line, item_points(line)) for n, line in enumerate(lines, 1)]


def _resolve(reference: str, candidates) -> tuple[Org | None, str]:
    matches = list(candidates.resolve(reference)[:2])
    if len(matches) == 1:
        return matches[0], ""
    if not matches:
        return None, _("no organisation has the code or name “%(ref)s”.") % {"ref": reference}
    return None, _("“%(ref)s” names more than one organisation; use its code.") % {"ref": reference}


def _assessees(row: Row, assessor: Org, report: Report, candidates):
    text = row["assessees"].strip()
    if not text:
        return AssesseeRule.CHILDREN, "", []
    kind = KIND_FILE_NAMES.get(text) or (text.lower() if text.lower() in OrgKind.values else None)
    if kind:
        return AssesseeRule.KIND, kind, []
    orgs = []
    for reference in (part.strip() for part in re.split(r"[、,，]", text)):
        if not reference:
            continue
        org, problem = _resolve(reference, candidates)
        if org is None:
            report.error(row, "assessees", problem)
            continue
        if not (org.tree_id == assessor.tree_id and assessor.lft < org.lft and org.rght < assessor.rght):
            report.error(row, "assessees", _("%(org)s is not below the assessor %(assessor)s.")
                         % {"org": org.code, "assessor": assessor.code})
            continue
        orgs.append(org)
    return AssesseeRule.NAMED, "", orgs


class _TemplatePlans:
    """The templates a file describes, row by row: one per assessor, year and assessee set."""

    def __init__(self, report: Report, candidates):
        self.report, self.candidates = report, candidates
        self.plans: dict[tuple, _PlannedTemplate] = {}
        self.sections: dict[tuple, str] = {}
        self.numbers: dict[tuple, dict[str, int]] = {}
        self.assessors: dict[str, Org | None] = {}

    def _assessor(self, row: Row) -> Org | None:
        reference = row["assessor"]
        if not reference:
            self.report.error(row, "assessor", _("is required."))
            return None
        if reference not in self.assessors:
            org, problem = _resolve(reference, self.candidates)
            self.assessors[reference] = org
            if org is None:
                self.report.error(row, "assessor", problem)
        return self.assessors[reference]

    def _year(self, row: Row) -> int | None:
        return _TEMPLATE_COLUMN["year"].read(row, self.report)

    def _number(self, row: Row, key: tuple) -> str:
        number = row["number"]
        if not number:
            self.report.error(row, "number", _("is required."))
        elif number in self.numbers.setdefault(key, {}):
            self.report.error(row, "number", _("%(seq)s appears twice (already in row %(row)d).")
                              % {"seq": number, "row": self.numbers[key][number]})
        else:
            self.numbers[key][number] = row.number
        return number

    def _weight(self, row: Row) -> Decimal | None:
        return _TEMPLATE_COLUMN["weight"].read(row, self.report)

    def add(self, row: Row) -> None:
        assessor = self._assessor(row)
        if assessor is None:
            return
        year = self._year(row)
        if year is None:
            return
        rule, kind, orgs = _assessees(row, assessor, self.report, self.candidates)
        key = (assessor.pk, year, services.assessee_key(rule, kind, orgs))
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = _PlannedTemplate(row, assessor, year, rule, kind, orgs)
        number = self._number(row, key)
        name, stated = split_name_points(row["indicator"])
        if not name:
            self.report.error(row, "indicator", _("is required."))
        weight = self._weight(row)
        if weight is None:
            return
        section = row["section"] or self.sections.get(key, "")
        self.sections[key] = section
        content = row["content"]
        plan.indicators.append(services.IndicatorSpec(
            number=number, name=name, weight=weight, section=section, content=content,
            rule_text=row["rule"], stated_points=stated, items=content_items(content)))
        plan.rows.append(row)

    def check(self) -> None:
        """Weights that do not add up to 100 are errors; items' points against a weight, warnings."""
        for plan in self.plans.values():
            if error := services.weight_error([spec.weight for spec in plan.indicators]):
                self.report.error(plan.first_row, "weight", error)
            for spec, points in services.points_warnings(plan.indicators):
                row = plan.rows[plan.indicators.index(spec)]
                self.report.warn(row, "content", services.points_warning_text(spec.number, spec.name, points,
                                                                              spec.weight))


def _save_plans(plans, headers, *, actor, report: Report) -> None:
    for plan in plans:
        title = f"{plan.year}年度工作考核细则"
        try:
            _template, created, _warnings = services.save_template(
                actor=actor, assessor=plan.assessor, year=plan.year, title=title,
                indicators=plan.indicators, rule=plan.rule, kind=plan.kind,
                assessees=plan.assessees, headers=headers, source=_("imported file"))
        except ValidationError as exc:
            for message in exc.messages:
                report.error(plan.first_row, "assessor", message)
            continue
        if created:
            report.created += 1
        else:
            report.updated += 1


def import_templates(source, fmt: str, *, actor, dry_run: bool = False, limits=None) -> Report:
    report = Report()
    table = read_table(source, fmt, TEMPLATE_COLUMNS, report=report, limits=limits)
    # An org outside the actor's scope reads as one that does not exist, so the preview does not
    # tell which orgs other trees hold (commands act as the system: all orgs).
    plans = _TemplatePlans(report, scope_orgs(Org.objects.all(), actor, Action.MANAGE))
    for row in table.rows:
        plans.add(row)
    plans.check()
    if not report.ok:
        return report
    # The print layout's header cells, as the file wrote them.
    headers = ["序号", "考核指标", table.headers.get("content", "考核内容"),
               table.headers.get("rule", "扣分方法"), "权重（分）", "自评分"]
    with import_transaction(report, dry_run=dry_run):
        _save_plans(plans.plans.values(), headers, actor=actor, report=report)
    return report


# --- results ------------------------------------------------------------------------------

RESULT_HEADERS = ["名次", "系统内名次", "编码", "单位", "系统工会", "状态", "自评分", "考核得分", "上年得分", "同比变化"]


def _assessees_cell(template) -> str:
    """被考核单位编码 as the import reads it: blank (the assessor's children), a kind, or codes."""
    if template.assessee_rule == AssesseeRule.KIND:
        return KIND_FILE_LABELS[template.assessee_kind]
    if template.assessee_rule == AssesseeRule.NAMED:
        return "、".join(org.code for org in template.assessees.all())
    return ""


def template_export_rows(queryset):
    """Header and rows of the template file for ``queryset``: one row per indicator; the file
    imports back unchanged."""
    headers = [column.zh for column in TEMPLATE_COLUMNS]
    templates = (queryset.select_related("assessor").prefetch_related("assessees", "indicators")
                 .order_by("assessor__tree_id", "assessor__lft", "year", "pk"))
    rows = (
        [template.assessor.code, _assessees_cell(template), Number(template.year, "0"), indicator.number,
         indicator.section,
         f"{indicator.name}（{Number(indicator.stated_points).text()}分）" if indicator.stated_points is not None
         else indicator.name,
         indicator.content, indicator.rule_text, Number(indicator.weight, "0.##")]
        for template in templates
        for indicator in sorted(template.indicators.all(), key=lambda i: i.position)
    )
    return headers, rows


def rank_cell(rank) -> Number:
    return Number(rank if isinstance(rank, int) else None, "0")


def change_cell(change) -> Number:
    # The change from last year keeps its sign: +1.50 / -2.00.
    return Number(None if change in (None, "") else Decimal(change), "+0.00;-0.00;0.00")


def export_results(target, fmt: str, ranking) -> None:
    rows = (
        [rank_cell(r.rank), rank_cell(r.group_rank), r.code, r.name, r.group_name, r.status_label,
         score_cell(r.self_total), score_cell(r.total), score_cell(r.previous), change_cell(r.change)]
        for r in ranking.rows
    )
    write_table(target, fmt, RESULT_HEADERS, rows, title=f"{ranking.round.year} {ranking.round.assessor.code}")
