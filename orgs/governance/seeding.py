"""Demo governance records (示例) for `seed --demo`: a few Zhuzhou demo unions and xx-jd, some
keeping the rules of seed 004 and some overdue.  Dates are relative to the day the seed runs,
so the demo shows the same picture whenever it is loaded.  Idempotent: a union that has any
governance record is left as it is.  Written through the services (audited, acting as the system: SYSTEM)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.governance import rules
from orgs.governance.models import (
    CommitteeKind,
    CommitteeRole,
    CommitteeTerm,
    Congress,
    CongressKind,
    ExpenseKind,
    Meeting,
    MeetingKind,
    MotionOutcome,
)
from orgs.governance.services.committees import record_term, set_committee
from orgs.governance.services.congresses import (
    create_congress,
    delegates_serving,
    elect_delegates,
    record_motion,
    record_session,
)
from orgs.governance.services.consultations import record_consultation
from orgs.governance.services.expenses import (
    approve_expense,
    pay_expense,
    record_expense,
    sign_expense,
)
from orgs.governance.services.meetings import record_meeting
from orgs.models import Org
from unionportal.actors import SYSTEM

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ("建国", "丽华", "志强", "秀英", "海燕", "伟", "敏", "静", "军", "磊", "洋", "艳", "勇", "娟", "涛",
         "明", "超", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "春梅", "国庆", "玉兰", "晓东", "立新")


def demo_names(count: int, offset: int = 0) -> list[str]:
    """Distinct, plausible demo names (deterministic)."""
    names = []
    index = offset
    while len(names) < count:
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]
        if name not in names:
            names.append(name)
        index += 1
    return names


def _clamp(day: dt.date, today: dt.date) -> dt.date:
    return min(day, today)


def _meetings(org, today, *, standing_quarters: int, full_years: tuple[int, ...], people: list[str]):
    """Standing-committee meetings in the last ``standing_quarters`` quarters (this one included
    when it has begun more than a fortnight ago) and full-committee meetings in the given years."""
    attendees = "\n".join(people[:9])
    quarter_start, _end = rules.period_bounds(today, rules.Period.QUARTER)
    starts = [quarter_start]
    for _i in range(standing_quarters):
        starts.append(rules.previous_period(starts[-1], rules.Period.QUARTER)[0])
    for start in starts[:standing_quarters + 1]:
        day = start + dt.timedelta(days=14)
        if day > today or (start == quarter_start and standing_quarters == 0):
            continue
        record_meeting(
            actor=SYSTEM, org=org, kind=MeetingKind.STANDING_COMMITTEE, date=day, chaired_by=people[0],
            attendees=attendees, agenda="1. 季度工作部署\n2. 财务收支情况\n3. 会员服务事项",
            decisions="1. 通过季度工作安排\n2. 同意财务收支报告",
        )
    for year in full_years:
        record_meeting(
            actor=SYSTEM, org=org, kind=MeetingKind.FULL_COMMITTEE,
            date=_clamp(dt.date(year, 1, 12), today), chaired_by=people[0],
            attendees="\n".join(people[:15]),
            agenda="1. 听取常委会年度工作报告\n2. 审议年度财务预决算\n3. 部署全年工作",
            decisions="1. 通过年度工作报告\n2. 通过财务预决算",
        )


def _congress(org, today, *, kind, delegates: int, elected_days_ago: int, session_years=(),
              committees=False, people: list[str]):
    congress = create_congress(actor=SYSTEM, org=org, kind=kind)
    start = today - dt.timedelta(days=elected_days_ago)
    if session_years:  # elected before the first session
        start = min(start, dt.date(min(session_years), 1, 5))
    names = demo_names(delegates, offset=len(org.code) * 3)
    elect_delegates(actor=SYSTEM, congress=congress, start=start,
                    delegates=[(name, f"第{i % 4 + 1}代表组") for i, name in enumerate(names)])
    motions = []
    for year in session_years:
        day = _clamp(dt.date(year, 3, 18), today)
        if day < start:
            continue
        serving = list(delegates_serving(congress, day))
        session = record_session(
            actor=SYSTEM, congress=congress, title=f"{year}年度职工代表大会", date=day,
            agenda="1. 审议工会工作报告\n2. 审议集体合同草案", present=serving[: len(serving) - 2],
            non_voting=people[-2:], invited=["街道党工委代表"],
        )
        motions.append(record_motion(
            actor=SYSTEM, session=session, title="关于审议通过集体合同草案的决议",
            text="大会审议了集体合同草案，同意提交双方签订。\n请工会委员会督促落实。",
            proposed_by="工会委员会", votes_for=len(serving) - 3, votes_against=1, abstentions=0,
            declared=MotionOutcome.PASSED,
        ))
    if committees:
        # Eight delegates each (第二十条), and one worker the congress took on who is not one.
        outsiders = [name for name in demo_names(6 + len(names), offset=17) if name not in names][:6]
        for number, kind_value in enumerate(CommitteeKind.values):
            group = [names[(number * 5 + i) % len(names)] for i in range(8)] + [outsiders[number]]
            set_committee(
                actor=SYSTEM, congress=congress, kind=kind_value,
                members=[(group[0], CommitteeRole.CHAIR), (group[1], CommitteeRole.VICE_CHAIR)]
                + [(name, CommitteeRole.MEMBER) for name in group[2:]],
                non_delegates=[outsiders[number]],
            )
    return congress, motions


def _term(org, today, *, started_days_ago: int, years: int, people: list[str]):
    start = today - dt.timedelta(days=started_days_ago)
    record_term(actor=SYSTEM, org=org, number=3, start=start,
                end=rules.add_years(start, years) - dt.timedelta(days=1), chair=people[0],
                vice_chairs="\n".join(people[1:3]), members="\n".join(people[3:9]))


def _consultation(org, today, *, year: int, people: list[str], motion=None, valid_years=2):
    date = _clamp(dt.date(year, 3, 2), today)
    signed = motion.session.date + dt.timedelta(days=5) if motion else None
    record_consultation(
        actor=SYSTEM, org=org, year=year, date=date, employer=org.name.removesuffix("工会"),
        union_representatives="\n".join(people[:3]),
        employer_representatives="\n".join(demo_names(3, offset=40)),
        pay="职工工资年增长不低于5%", hours="标准工时制，每日8小时", leave="带薪年休假按国家规定执行",
        safety="每年组织一次职业健康检查", insurance="依法足额缴纳五险一金",
        contract_signed_on=_clamp(signed, today) if signed else None,
        contract_valid_until=(rules.add_years(signed, valid_years) if signed else None),
        approved_by=motion,
    )


def _expenses(org, today, *, people: list[str], overdue_advance: bool):
    paid = record_expense(actor=SYSTEM, org=org, kind=ExpenseKind.EXPENSE,
                          date=_clamp(today - dt.timedelta(days=20), today),
                          purpose="职工文体活动用品", amount=Decimal("860.00"), handler=people[3])
    day = paid.date
    paid = sign_expense(actor=SYSTEM, expense=paid, as_role="handler", name=people[3], on=day)
    paid = sign_expense(actor=SYSTEM, expense=paid, as_role="witness", name=people[4], on=day)
    paid = approve_expense(actor=SYSTEM, expense=paid, chair=people[0], on=day)
    pay_expense(actor=SYSTEM, expense=paid, on=day, method="cash")
    waiting = record_expense(actor=SYSTEM, org=org, kind=ExpenseKind.EXPENSE, date=today,
                             purpose="困难职工慰问品", amount=Decimal("2400.00"), handler=people[5])
    sign_expense(actor=SYSTEM, expense=waiting, as_role="handler", name=people[5], on=today)
    if overdue_advance:
        day = today - dt.timedelta(days=today.day + 10)  # paid last month, never settled
        advance = record_expense(actor=SYSTEM, org=org, kind=ExpenseKind.ADVANCE, date=day,
                                 purpose="因公出差借款", amount=Decimal("1500.00"), handler=people[6])
        advance = sign_expense(actor=SYSTEM, expense=advance, as_role="handler", name=people[6], on=day)
        advance = sign_expense(actor=SYSTEM, expense=advance, as_role="witness", name=people[4], on=day)
        advance = approve_expense(actor=SYSTEM, expense=advance, chair=people[0], on=day)
        pay_expense(actor=SYSTEM, expense=advance, on=day, method="bank")


def _has_records(org) -> bool:
    return (Meeting.objects.filter(org=org).exists() or Congress.objects.filter(org=org).exists()
            or CommitteeTerm.objects.filter(org=org).exists())


def seed_demo() -> list[str]:
    today = timezone.localdate()
    year = today.year
    plans = {
        # The street union of seed 004: keeps every rule.
        "xx-jd": lambda org, people: (
            _term(org, today, started_days_ago=400, years=5, people=people),
            _meetings(org, today, standing_quarters=8, full_years=(year - 1, year), people=people),
            _congress(org, today, kind=CongressKind.MEMBERS, delegates=30, elected_days_ago=420,
                      session_years=(year - 1, year), committees=True, people=people),
            _expenses(org, today, people=people, overdue_advance=False),
        ),
        # demo-staff's union: no congress session for a year, a standing-committee quarter missed.
        "zz-gzw-gwzgs": lambda org, people: (
            _term(org, today, started_days_ago=700, years=3, people=people),
            _meetings(org, today, standing_quarters=0, full_years=(year - 1,), people=people),
            _congress(org, today, kind=CongressKind.WORKERS, delegates=20, elected_days_ago=300,
                      people=people),
            _expenses(org, today, people=people, overdue_advance=True),
        ),
        # Keeps its meetings and has a current contract approved by its congress.
        "zz-gzw-wdjt": lambda org, people: _wdjt(org, today, people),
        # Its committee's term has ended without an election; delegates' terms lapsed.
        "zz-gzw-hsmk": lambda org, people: (
            _term(org, today, started_days_ago=5 * 365 + 40, years=5, people=people),
            _congress(org, today, kind=CongressKind.WORKERS, delegates=15, elected_days_ago=2 * 365 + 30,
                      people=people),
        ),
        # A consultation last year, its contract expired; the term ends soon.
        "zz-jy-yz": lambda org, people: (
            _term(org, today, started_days_ago=3 * 365 - 45, years=3, people=people),
            _meetings(org, today, standing_quarters=2, full_years=(year - 1,), people=people),
        ),
    }
    created = 0
    for code, plan in plans.items():
        org = Org.objects.filter(code=code).first()
        if org is None or _has_records(org):
            continue
        people = demo_names(12, offset=len(code))
        with transaction.atomic():
            plan(org, people)
        created += 1
    return [_("Demo governance records: %(count)d unions.") % {"count": created}]


def _wdjt(org, today, people):
    year = today.year
    _term(org, today, started_days_ago=800, years=5, people=people)
    _meetings(org, today, standing_quarters=8, full_years=(year - 1, year), people=people)
    _congress_obj, motions = _congress(org, today, kind=CongressKind.WORKERS, delegates=25,
                                       elected_days_ago=600, session_years=(year - 1, year),
                                       people=people)
    if motions:
        _consultation(org, today, year=year - 1, people=people, motion=motions[0])
        _consultation(org, today, year=year, people=people)
    _expenses(org, today, people=people, overdue_advance=False)
