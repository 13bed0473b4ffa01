"""Loading seed 003 (the 2011 templates of 株洲市总工会) and the assessment demo data."""

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from assessment import selectors, services
from assessment.member_evaluation import CONTENTS_FILE, EVALUATION_CONTENTS, evaluation_contents
from assessment.models import (
    AssesseeRule,
    Grade,
    MemberEvaluation,
    RatingSubject,
    Round,
    Sheet,
    SheetStatus,
    Template,
)
from fixtures.sources import STREET_RULES, read_source
from fixtures.zhuzhou_assessment import parse_zhuzhou_assessment
from orgs.models import Org, OrgKind
from unionportal.actors import SYSTEM

SOURCE_003 = "003 2011年度系统工会工作考核细则"
ASSESSOR = "zz"


def indicator_specs(sheet) -> list[services.IndicatorSpec]:
    return [
        services.IndicatorSpec(
            number=indicator.number, name=" ".join(indicator.name.split()), weight=indicator.weight,
            section=indicator.section, content=indicator.content_text, rule_text=indicator.rule_text,
            stated_points=indicator.stated_points,
            items=[services.ItemSpec(item.number, item.text, item.points) for item in indicator.items],
        )
        for indicator in sheet.indicators
    ]


def resolve_label(label: str) -> Org:
    matches = list(Org.objects.resolve(label)[:2])
    if len(matches) != 1:
        raise ValueError(f"seed 003: the label {label!r} names {len(matches)} organisations")
    return matches[0]


def seed_templates() -> list[str]:
    """株洲市总工会's 2011 templates, one per system union, as written in seed 003."""
    assessor = Org.objects.get(code=ASSESSOR)
    created, lines = 0, []
    for sheet in parse_zhuzhou_assessment():
        org = resolve_label(sheet.assessee_label)
        key = services.assessee_key(AssesseeRule.NAMED, orgs=[org])
        specs = indicator_specs(sheet)
        existing = Template.objects.filter(assessor=assessor, year=sheet.year, assessee_key=key).first()
        if existing is not None:
            warnings = selectors.template_warnings(existing)
        else:
            _template, _created, warnings = services.save_template(
                actor=SYSTEM, assessor=assessor, year=sheet.year, title=sheet.title, indicators=specs,
                rule=AssesseeRule.NAMED, assessees=[org], headers=sheet.headers, source=SOURCE_003,
            )
            created += 1
        lines += [f"warning: {sheet.year} {org.name}: {warning}" for warning in warnings]
    return [_("Assessment templates: %(count)d new.") % {"count": created}, *lines]


# --- 会员评家: the contents members rate, from seed 004 ------------------------------------

COMMITTEE_HEADING = "民主评议建家工作的主要内容"
LEADERS_HEADING = "民主评议基层单位工会主席、工会委员的主要内容"
ITEM_RE = re.compile(r"^[（(](\d+)[）)](.+)$")


def _items_after(lines: list[str], heading: str) -> list[str]:
    start = next(i for i, line in enumerate(lines) if heading in line)
    items = []
    for line in lines[start + 1:]:
        match = ITEM_RE.match(line.strip())
        if not match:
            if items:
                break
            continue
        text = match[2].strip()
        # The committee contents open with a short title: （1）健全组织体系。…
        items.append(text.split("。")[0] if "。" in text[:12] else text.rstrip("。"))
    return items


def evaluation_contents_from_source() -> dict[str, list[str]]:
    """The six committee and five leader contents of seed 004, as the data file holds them."""
    lines = read_source(STREET_RULES).split("\n")
    return {"committee": _items_after(lines, COMMITTEE_HEADING), "leaders": _items_after(lines, LEADERS_HEADING)}


def _contents_text() -> str:
    return json.dumps(evaluation_contents_from_source(), ensure_ascii=False, indent=2) + "\n"


def write_evaluation_contents(path: Path = CONTENTS_FILE) -> list[str]:
    """Write the 会员评家 contents the portal rates on (a seed step: a no-op when they are current)."""
    text = _contents_text()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return []
    path.write_text(text, encoding="utf-8")
    evaluation_contents.cache_clear()
    return [_("Member evaluation contents written to %(path)s.") % {"path": path.name}]


def seed() -> list[str]:
    return write_evaluation_contents() + seed_templates()


# --- demo -------------------------------------------------------------------------------

DEMO_BASE_TEMPLATE = [
    services.IndicatorSpec(
        number="1", section="职能工作目标", name="组织建设", weight=Decimal(20),
        content="1、按期换届，工会委员会健全。（10分）\n2、会员会籍管理规范，入会率达到60%以上。（5分）\n"
                "3、工会经费收缴与使用符合规定。（5分）",
        rule_text="全面完成得满分，基本完成得70%分；资料不全扣20%的分",
        items=[services.ItemSpec("1", "按期换届，工会委员会健全。（10分）", Decimal(10)),
               services.ItemSpec("2", "会员会籍管理规范，入会率达到60%以上。（5分）", Decimal(5)),
               services.ItemSpec("3", "工会经费收缴与使用符合规定。（5分）", Decimal(5))],
    ),
    services.IndicatorSpec(
        number="2", section="", name="民主管理", weight=Decimal(25),
        content="1、召开职工代表大会，推行厂务公开。\n2、开展工资集体协商，签订集体合同。\n3、开展会员评家。",
        rule_text="全面完成得满分，基本完成得70%分；资料不全扣20%的分",
        items=[services.ItemSpec("1", "召开职工代表大会，推行厂务公开。"),
               services.ItemSpec("2", "开展工资集体协商，签订集体合同。"),
               services.ItemSpec("3", "开展会员评家。")],
    ),
    services.IndicatorSpec(
        number="3", section="", name="素质提升", weight=Decimal(25),
        content="1、开展职工技能培训和劳动竞赛。\n2、开展职工文体活动。",
        rule_text="全面完成得满分，基本完成得70%分；资料不全扣20%的分",
        items=[services.ItemSpec("1", "开展职工技能培训和劳动竞赛。"),
               services.ItemSpec("2", "开展职工文体活动。")],
    ),
    services.IndicatorSpec(
        number="4", section="", name="“双联”维权帮扶", weight=Decimal(30),
        content="1、做好困难职工帮扶和节日慰问。（10分）\n2、调解劳动争议，构建和谐劳动关系。（10分）\n"
                "3、做好“双联”结对工作。（10分）",
        rule_text="全面完成得满分，基本完成得70%分；资料不全扣20%的分",
        items=[services.ItemSpec("1", "做好困难职工帮扶和节日慰问。（10分）", Decimal(10)),
               services.ItemSpec("2", "调解劳动争议，构建和谐劳动关系。（10分）", Decimal(10)),
               services.ItemSpec("3", "做好“双联”结对工作。（10分）", Decimal(10))],
    ),
]
DEMO_HEADERS = ["序号", "考核指标", "考核内容", "扣分方法、标准", "权重（分）", "自评分"]
GRADE_CYCLE = (Grade.FULL, Grade.FULL, Grade.BASIC, Grade.FULL, Grade.NONE)


def _fill(sheet: Sheet, offset: int, *, all_units=True) -> Sheet:
    units = list(sheet.units.order_by("position"))
    if not all_units:
        units = units[: len(units) // 2]
    entries = {
        unit.seq: services.Entry(
            grade=GRADE_CYCLE[(index + offset) % len(GRADE_CYCLE)],
            docs=(index + offset) % 4 != 3,
            note="已按要求完成，资料见附件。" if (index + offset) % 3 else "部分工作仍在推进。",
        )
        for index, unit in enumerate(units)
    }
    return services.save_self_assessment(actor=SYSTEM, sheet=sheet, entries=entries)


def _advance(sheet: Sheet, offset: int, target: str) -> None:
    """Walk a sheet through the workflow up to ``target`` as the system."""
    sheet = _fill(sheet, offset, all_units=target != SheetStatus.DRAFT)
    if target == SheetStatus.DRAFT:
        return
    services.apply_transition(actor=SYSTEM, sheet=sheet, name="submit")
    if target == SheetStatus.SUBMITTED:
        return
    if target == SheetStatus.RETURNED:
        first = sheet.units.order_by("position").first()
        services.apply_transition(actor=SYSTEM, sheet=sheet, name="return",
                                  reasons={first.seq: "请补充换届选举的会议记录和批复文件。"})
        return
    unit = sheet.units.order_by("position").last()
    services.save_review(actor=SYSTEM, sheet=sheet, entries={unit.seq: services.Entry(
        grade=Grade.BASIC, docs=True, note="资料基本齐全，部分工作未全面完成。")})
    services.apply_transition(actor=SYSTEM, sheet=sheet, name="pass")
    if target == SheetStatus.REVIEWED:
        return
    services.apply_transition(actor=SYSTEM, sheet=sheet, name="score")
    if target == SheetStatus.SCORED:
        return
    services.apply_transition(actor=SYSTEM, sheet=sheet, name="finalise")


# The 2011 round of zz: where each system union's sheet stands.
DEMO_2011 = {
    "zz-szjg": SheetStatus.FINAL, "zz-ga": SheetStatus.FINAL, "zz-jr": SheetStatus.FINAL,
    "zz-jy": SheetStatus.SCORED, "zz-ws": SheetStatus.REVIEWED, "zz-sw": SheetStatus.REVIEWED,
    "zz-gzw": SheetStatus.SUBMITTED, "zz-gd": SheetStatus.RETURNED, "zz-jt": SheetStatus.DRAFT,
}
# The zz-gzw rounds of its base unions (for the demo accounts' journeys).
DEMO_GZW_2025 = {"zz-gzw-gwzgs": 1, "zz-gzw-wdjt": 2, "zz-gzw-hsmk": 0}
DEMO_GZW_2026 = {"zz-gzw-wdjt": SheetStatus.SUBMITTED, "zz-gzw-hsmk": SheetStatus.REVIEWED}


def _demo_rounds() -> list[str]:
    zz = Org.objects.get(code=ASSESSOR)
    lines = []
    if not Round.objects.filter(assessor=zz, year=2011).exists():
        opened = services.open_round(actor=SYSTEM, assessor=zz, year=2011, deadline=dt.date(2012, 1, 31),
                                     is_demo=True)
        for offset, (code, target) in enumerate(DEMO_2011.items()):
            _advance(opened.round.sheets.get(org__code=code), offset, target)
        lines.append(_("Assessment round 2011 of %(org)s: %(count)d sheets.")
                     % {"org": zz.name, "count": opened.sheets_created})
    gzw = Org.objects.get(code="zz-gzw")
    if not Round.objects.filter(assessor=gzw, year=2026).exists():
        template, _created, _warnings = services.save_template(
            actor=SYSTEM, assessor=gzw, year=2025, title="2025年度基层工会工作考核细则",
            indicators=DEMO_BASE_TEMPLATE, rule=AssesseeRule.KIND, kind=OrgKind.BASE,
            headers=DEMO_HEADERS, source=_("demo"), is_demo=True)
        last_year = services.open_round(actor=SYSTEM, assessor=gzw, year=2025,
                                        deadline=dt.date(2025, 12, 31), is_demo=True)
        for code, offset in DEMO_GZW_2025.items():
            sheet = last_year.round.sheets.filter(org__code=code).first()
            if sheet is not None:
                _advance(sheet, offset, SheetStatus.FINAL)
        services.copy_template(actor=SYSTEM, template=template, year=2026)
        this_year = services.open_round(actor=SYSTEM, assessor=gzw, year=2026,
                                        deadline=dt.date(2026, 12, 31), is_demo=True)
        for offset, (code, target) in enumerate(DEMO_GZW_2026.items()):
            sheet = this_year.round.sheets.filter(org__code=code).first()
            if sheet is not None:
                _advance(sheet, offset + 3, target)
        lines.append(_("Assessment rounds 2025 and 2026 of %(org)s: %(count)d sheets this year.")
                     % {"org": gzw.name, "count": this_year.sheets_created})
    return lines


DEMO_EVALUATIONS = (
    # code, members, participants, frontline, approval
    ("zz-gzw-gwzgs", 320, 120, 84, False),
    ("zz-gzw-wdjt", 500, 100, 70, False),
    ("zz-gzw-hsmk", 240, 60, 42, True),
)


def _demo_evaluations() -> list[str]:
    """Through the services, as a union and its superior would record them."""
    created = 0
    with transaction.atomic():
        for code, members, participants, frontline, approval in DEMO_EVALUATIONS:
            org = Org.objects.filter(code=code).first()
            if org is None or MemberEvaluation.objects.filter(org=org, year=2026).exists():
                continue
            ratings = []
            for subject, person, contents in (
                (RatingSubject.COMMITTEE, "", EVALUATION_CONTENTS.committee),
                (RatingSubject.CHAIR, "王主席", EVALUATION_CONTENTS.leaders),
                (RatingSubject.VICE_CHAIR, "李副主席", EVALUATION_CONTENTS.leaders),
            ):
                for number, _content in enumerate(contents, start=1):
                    satisfied = participants * (6 + number % 3) // 10
                    basic = (participants - satisfied) * 2 // 3
                    ratings.append(services.RatingSpec(
                        subject=subject, person=person, content_number=number, satisfied=satisfied,
                        basically_satisfied=basic, dissatisfied=participants - satisfied - basic))
            evaluation, _created = services.save_member_evaluation(
                actor=SYSTEM, org=org, year=2026, held_on=dt.date(2026, 1, 15), members=members,
                participants=participants, frontline_participants=frontline, ratings=ratings, is_demo=True)
            if approval:
                services.record_superior_approval(actor=SYSTEM, evaluation=evaluation,
                                                  note="株洲市国资委系统工会 2026-01-10 书面同意")
            services.publish_evaluation_results(actor=SYSTEM, evaluation=evaluation,
                                                published_on=dt.date(2026, 1, 25), channel="厂务公开栏公示")
            services.record_rectification(
                actor=SYSTEM, evaluation=evaluation, issue="职工文体活动偏少。", measure="每季度组织一次职工文体活动。",
                outcome="已组织春季运动会和读书活动。", completed=True, reported_on=dt.date(2026, 6, 30))
            services.record_rectification(
                actor=SYSTEM, evaluation=evaluation, issue="困难职工帮扶信息公开不及时。", measure="每月公示帮扶名单和金额。")
            created += 1
    return [_("Member evaluations (会员评家): %(count)d new.") % {"count": created}] if created else []


def seed_demo() -> list[str]:
    return _demo_rounds() + _demo_evaluations()
