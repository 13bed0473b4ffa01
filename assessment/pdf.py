"""The official sheet layout of seed 003 as PDF (one sheet, or a round: its sheets joined, a
bookmark each)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from assessment.models import GRADE_FILE_LABELS, Sheet, Unit
from assessment.scoring import num
from assessment.text_splitters import tidy_name
from unionportal.pdf import render_pdf, render_pdf_for, render_pdf_joined

DEFAULT_HEADERS = ["序号", "考核指标", "考核内容", "扣分方法、标准", "权重（分）", "自评分"]


@dataclass
class PrintRow:
    number: str
    section: str
    section_rows: int
    name: str
    content: str
    rule: str
    weight: str
    self_score: str
    final_score: str
    comments: list[str] = field(default_factory=list)
    stated_points: str = ""  # the （N分） the document's indicator name carries
    points_total: str = ""  # the items' own points, where they do not add up to the weight


def prefetch_units(sheets) -> None:
    """Every sheet's units with their indicator and item: one query however many sheets."""
    prefetch_related_objects(list(sheets), Prefetch(
        "units", queryset=Unit.objects.select_related("indicator", "item").order_by("position")))


def _units_by_indicator(sheet: Sheet):
    if "units" not in getattr(sheet, "_prefetched_objects_cache", {}):
        prefetch_units([sheet])
    units = list(sheet.units.all())
    grouped = {}
    for unit in units:
        grouped.setdefault(unit.indicator_id, (unit.indicator, []))[1].append(unit)
    return units, list(grouped.values())


def sheet_context(sheet: Sheet) -> dict:
    units, grouped = _units_by_indicator(sheet)
    scores = {row["number"]: row for row in sheet.indicator_scores}
    rows: list[PrintRow] = []
    for indicator, members in grouped:
        score = scores.get(indicator.number, {})
        comments = [f"{u.seq}：{u.review_note}" if len(members) > 1 else u.review_note
                    for u in members if u.review_note]
        # Items with their own points that do not add up to the weight are scaled to it
        # (interfaces.md, the scoring rule); the sheet says so under the indicator.
        points_total = sum((u.points for u in members), Decimal(0))
        rows.append(PrintRow(
            number=indicator.number, section=indicator.section, section_rows=1,
            name=tidy_name(indicator.name), content=indicator.content, rule=indicator.rule_text,
            weight=num(indicator.weight),
            self_score=num(score.get("self")) if any(u.self_grade for u in members) else "",
            final_score=num(score.get("final")) if score.get("final") is not None else "",
            comments=comments,
            stated_points=num(indicator.stated_points) if indicator.stated_points is not None else "",
            points_total=num(points_total) if points_total != indicator.weight else "",
        ))
    # The section cell is merged over its rows, as in the document.
    anchor = None
    for row in rows:
        if anchor is not None and (not row.section or row.section == anchor.section):
            anchor.section_rows += 1
            row.section_rows = 0
        else:
            anchor = row
    headers = list(sheet.template.headers or DEFAULT_HEADERS)
    headers += DEFAULT_HEADERS[len(headers):]
    details = [{
        "seq": u.seq, "points": num(u.points), "self_grade": GRADE_FILE_LABELS.get(u.self_grade, ""),
        "self_docs": {True: "是", False: "否"}.get(u.self_docs, ""), "self_note": u.self_note,
        "self_score": num(u.self_score), "review_grade": GRADE_FILE_LABELS.get(u.review_grade, ""),
        "review_docs": {True: "是", False: "否"}.get(u.review_docs, ""), "final_score": num(u.final_score),
        "returned": u.returned, "return_reason": u.return_reason,
    } for u in units]
    return {
        "sheet": sheet, "title": sheet.template.title, "headers": headers, "rows": rows,
        "details": details, "self_total": num(sheet.self_total) if any(u.self_grade for u in units) else "",
        "final_total": num(sheet.final_total),
        "status": sheet.get_status_display(),
    }


def sheet_data_key(sheet: Sheet) -> str:
    """What a sheet's PDF prints, by version: every write of a sheet or its units saves the sheet
    (a new version and ``updated_at``); the org, assessor and template by their own."""
    return ":".join(str(part) for part in (
        "sheet", sheet.pk, sheet.version, sheet.status, sheet.updated_at.isoformat(),
        sheet.template_id, sheet.template.version, sheet.template.updated_at.isoformat(),
        sheet.org.name, sheet.org.updated_at.isoformat(), sheet.assessor.name))


def render_sheet_pdf(sheet: Sheet) -> bytes:
    def context():
        doc = sheet_context(sheet)
        version = _("version %(version)d · %(status)s") % {"version": sheet.version, "status": doc["status"]}
        return {"doc": doc, "sheet": sheet, "title": doc["title"], "version_label": version}

    return render_pdf_for("assessment/pdf/sheet.html", sheet_data_key(sheet), context)


def render_round_pdf(round_, sheets, *, on_sheet=None) -> bytes:
    """Every sheet in one PDF, a bookmark per sheet (its org's name). Each sheet is laid out on
    its own, with its own page numbers, and the pages joined (``render_pdf_joined``): one
    document of the whole round held every page's layout in memory (1.16 GB at 150 sheets) and
    cost more per sheet the longer it grew. ``on_sheet()`` is called as each sheet is laid out
    (a background job's progress)."""
    sheets = list(sheets)
    prefetch_units(sheets)  # one query for every sheet's units
    if not sheets:
        return render_pdf("assessment/pdf/round.html", {"round": round_, "documents": []})
    contexts = ({"round": round_, "documents": [sheet_context(sheet)]} for sheet in sheets)
    return render_pdf_joined("assessment/pdf/round.html", contexts, on_document=on_sheet)


def sheet_filename(sheet: Sheet) -> str:
    return f"{sheet.year}-{sheet.org.code}-考核细则.pdf"
