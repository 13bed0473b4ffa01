"""Loading the service types of seed 001 and the demo data of seed 002 (idempotent).

Each seeded service type carries out one 运行流程 of 天津市河东区总工会's duty items; each
of its steps is the document's own text, mapped to the level of the tree that acts on it: the
applicant union itself, its superior union, the federation, or an outside party (the bank, the
insurer, the city federation) whose result the federation records.  Steps a federation takes
once before any application (领会通知, 制定方案) are the type's preamble, not case steps.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fixtures.hedong_catalogue import parse_hedong
from fixtures.langfang import parse_langfang_figures
from fixtures.seed_orgs import SeedOrg
from orgs import services as org_services
from orgs.models import Org
from services import cases, funds
from services.documents import PaperDelivery, submission_steps
from services.models import (
    Actor,
    Case,
    ModelWorker,
    ServiceKind,
    ServiceStep,
    ServiceType,
    StepData,
    WorkerLevel,
)
from unionportal import audit
from unionportal.actors import SYSTEM
from unionportal.tree import tree_write_lock

HEDONG = "tj-hd"
SOURCE = "天津市河东区总工会权责清单 %s 运行流程"


@dataclass(frozen=True)
class Step:
    actor: str
    needs_reviewer: bool = False
    outside_party: str = ""
    documents: str = ""
    data: str = ""
    deadline_days: int | None = None
    name: str | None = None  # only where one document step is two portal steps


@dataclass(frozen=True)
class TypeSpec:
    code: str
    name: str
    kind: str
    item: str  # the duty item of seed 001
    workflow: int  # which 运行流程 of the item (3.2 has two)
    preamble: int  # how many leading steps the federation takes before any application
    steps: tuple[Step, ...]
    member_required: bool = False
    description: str = ""
    split_first: tuple[str, str] | None = None  # one document step that is two portal steps
    extra: dict = field(default_factory=dict)


A, SUP, FED = Actor.APPLICANT, Actor.SUPERIOR, Actor.FEDERATION
REVIEW_DAYS = 10

SERVICE_TYPES = (
    TypeSpec(
        "founding", "建会（组建基层工会）", ServiceKind.FOUNDING, "1.1", 0, 0,
        split_first=("成立工会筹备组（提出建会申请）", "报上一级工会批准"),
        steps=(
            Step(A, documents="建会申请"),
            Step(A, needs_reviewer=True, documents="上级工会批复", deadline_days=REVIEW_DAYS),
            Step(A, data=StepData.MEMBERS),
            Step(A), Step(A), Step(A), Step(A),
            Step(A, data=StepData.OFFICERS),
            Step(A, needs_reviewer=True, documents="选举结果报告、上级批复",
                 deadline_days=REVIEW_DAYS),
            Step(A, documents="上级批复"),
        ),
        description="由将成为其上级工会的工会代筹备组申请；完成后新基层工会进入组织树，并记录当选的主席、副主席、经审主任、女工主任。",
    ),
    TypeSpec(
        "member-card", "工会会员服务卡办理", ServiceKind.MEMBER_CARD, "3.2", 0, 0,
        member_required=True,
        steps=(
            Step(A, documents="办卡材料"),
            Step(A),
            Step(SUP, deadline_days=REVIEW_DAYS),
            Step(FED, deadline_days=REVIEW_DAYS),
            Step(FED, outside_party="银行", data=StepData.OUTCOME),
        ),
    ),
    TypeSpec(
        "member-card-review", "工会会员服务卡年审", ServiceKind.MEMBER_CARD, "3.2", 1, 0,
        steps=(
            Step(A, documents="办卡人员名单"),
            Step(A),
            Step(FED, deadline_days=REVIEW_DAYS),
            Step(FED, outside_party="保险合作社", data=StepData.OUTCOME),
        ),
    ),
    TypeSpec(
        "legal-person", "工会法人资格登记", ServiceKind.LEGAL_PERSON, "3.3", 0, 0,
        steps=(
            Step(A, documents="申办材料"),
            Step(A),
            Step(SUP, deadline_days=REVIEW_DAYS),
            Step(SUP),
            Step(FED, deadline_days=REVIEW_DAYS),
            Step(FED, data=StepData.CERTIFICATE),
        ),
    ),
    TypeSpec(
        "hardship", "困难职工帮扶", ServiceKind.HARDSHIP, "3.1", 0, 2, member_required=True,
        steps=(Step(FED, data=StepData.AID, deadline_days=REVIEW_DAYS, documents="困难职工情况说明"),),
    ),
    TypeSpec(
        "model-worker-nomination", "劳模推荐评选", ServiceKind.NOMINATION, "4.1", 0, 2,
        member_required=True,
        steps=(Step(FED, data=StepData.OUTCOME, documents="推荐材料"),),
    ),
    TypeSpec(
        "model-worker-aid", "困难劳模帮扶", ServiceKind.MODEL_WORKER_AID, "4.2", 0, 1,
        member_required=True,
        steps=(
            Step(A, documents="审核材料"),
            Step(FED, deadline_days=REVIEW_DAYS),
            Step(FED, outside_party="市总工会", data=StepData.AID),
        ),
    ),
)


def _document_steps(spec: TypeSpec, catalogue) -> tuple[list[str], list[str]]:
    """(preamble, case step names) of ``spec`` from the parsed document."""
    workflow = catalogue.item(spec.item).workflows[spec.workflow]
    names = list(workflow.steps)
    preamble, names = names[: spec.preamble], names[spec.preamble:]
    if spec.split_first:
        first, second = spec.split_first
        # “成立工会筹备组（提出建会申请，报上一级工会批准）”: the application and the approval.
        if not (names[0].startswith(first[: first.index("（")]) and second in names[0]):
            raise ValueError(f"item {spec.item}: first step is {names[0]!r}")
        names = [first, second, *names[1:]]
    if len(names) != len(spec.steps):
        raise ValueError(f"item {spec.item}: {len(names)} steps in the document, "
                         f"{len(spec.steps)} mapped")
    return preamble, names


@dataclass(frozen=True)
class Wording:
    """A federation's own wording of a workflow (its tree's names), where the document's
    (Hedong's 区总工会, 我区方案) would not fit."""

    preamble: tuple[str, ...]
    names: tuple[str, ...]
    description: str = ""
    source: str = ""


def define_service_type(*, owner: Org, spec: TypeSpec, catalogue,
                        wording: Wording | None = None) -> tuple[ServiceType, bool]:
    """Create ``spec`` for ``owner`` (in owner's federation) unless it exists (an admin's edits
    are kept).  Without ``wording`` the steps are the document's own text, citing it."""
    existing = ServiceType.objects.filter(org=owner, code=spec.code).first()
    if existing is not None:
        return existing, False
    if wording is None:
        preamble, names = _document_steps(spec, catalogue)
        source, description = SOURCE % spec.item, spec.description
    else:
        preamble, names = list(wording.preamble), list(wording.names)
        source, description = wording.source, wording.description or spec.description
        if len(names) != len(spec.steps):
            raise ValueError(f"{spec.code}: {len(names)} names for {len(spec.steps)} steps")
    federation = owner if owner.parent_id is None else owner.get_root()
    duty_org = Org.objects.filter(code=HEDONG).first() if wording is None else None
    with transaction.atomic():
        service_type = ServiceType.objects.create(
            org=owner, federation=federation, code=spec.code, name=spec.name, kind=spec.kind,
            description=description, preamble="\n".join(preamble),
            member_required=spec.member_required,
            duty_org=duty_org if federation.code == HEDONG else None,
            duty_number=spec.item if federation.code == HEDONG and wording is None else "",
            source=source, position=SERVICE_TYPES.index(spec) + 1,
        )
        ServiceStep.objects.bulk_create(
            ServiceStep(service_type=service_type, position=index, name=name[:200],
                        actor=step.actor, needs_reviewer=step.needs_reviewer,
                        outside_party=step.outside_party, documents=step.documents,
                        data=step.data, deadline_days=step.deadline_days)
            for index, (name, step) in enumerate(zip(names, spec.steps, strict=True), start=1)
        )
        audit.record(actor=SYSTEM, action="service_type.create", instance=service_type,
                     org=owner, after={"code": spec.code, "steps": names})
    return service_type, True


def seed() -> list[str]:
    """The service types of seed 001, for the federation whose catalogue spells them out
    (天津市河东区总工会); other federations define their own (or are shared some)."""
    catalogue = parse_hedong()
    created = 0
    for owner in Org.objects.filter(code=HEDONG, parent__isnull=True):
        for spec in SERVICE_TYPES:
            created += define_service_type(owner=owner, spec=spec, catalogue=catalogue)[1]
    return [_("Service types: %(count)d new.") % {"count": created}]


# --- demo ----------------------------------------------------------------------------------------

LANGFANG = "lf"
LF_ENTERPRISES = (
    SeedOrg("lf-gd", "廊坊供电公司工会", "base", LANGFANG),
    SeedOrg("lf-rmyy", "廊坊市人民医院工会", "base", LANGFANG),
    SeedOrg("lf-yz", "廊坊市第一中学工会", "base", LANGFANG),
    SeedOrg("lf-gj", "廊坊市公交集团工会", "base", LANGFANG),
    SeedOrg("lf-jx", "廊坊市机械厂工会", "base", LANGFANG),
    SeedOrg("lf-jz", "廊坊市建筑工程公司工会", "base", LANGFANG),
)
# Enterprises that went bankrupt or were dissolved: inactive orgs that keep their records.
LF_VANISHED = (
    SeedOrg("lf-mf", "廊坊市棉纺厂工会", "base", LANGFANG),
    SeedOrg("lf-zz", "廊坊市造纸厂工会", "base", LANGFANG),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建国志强秀英桂兰明华海燕文军春梅玉珍立新保平德胜丽娟永刚淑芬红霞国庆振华宝山金凤"


def _person(index: int) -> tuple[str, str]:
    surname = SURNAMES[index % len(SURNAMES)]
    given = GIVEN[(index * 7) % len(GIVEN)] + GIVEN[(index * 13 + 5) % len(GIVEN)]
    return surname + given, f"{(index * 7919) % 10000:04d}"


def langfang_register(figures=None) -> list[dict]:
    """The demo register under 廊坊市总工会 that reproduces seed 002's budget for its year.

    Every count comes from the parsed figures: retirees by number of honours (the one-honour
    tier includes those of vanished enterprises), the working model workers making up the
    health-check total, and a few who do not count (died, or first honoured later).
    """
    figures = figures or parse_langfang_figures()
    year = figures.allowance_year
    rows: list[dict] = []

    def add(org, honours, retired, alive=True, first_year=None):
        index = len(rows)
        name, tail = _person(index)
        level = (WorkerLevel.NATIONAL if index % 97 == 0 else
                 WorkerLevel.PROVINCIAL if index % 23 == 0 else WorkerLevel.CITY)
        first = first_year or (year - 30 + (index % 25) - 2 * (honours - 1))
        rows.append({"name": name, "id_tail": tail, "org": org, "level": level,
                     "honours": honours, "first_year": min(first, year), "retired": retired,
                     "alive": alive})

    vanished_left = figures.allowance_bankrupt_enterprise_people
    for tier in figures.allowance_tiers:
        for i in range(tier.people):
            honours = tier.honours + (i % 2 if tier.or_more else 0)  # 3 or 4 for “三次及以上”
            if tier.honours == 1 and vanished_left:
                org = LF_VANISHED[vanished_left % len(LF_VANISHED)].code
                vanished_left -= 1
            else:
                org = LF_ENTERPRISES[i % len(LF_ENTERPRISES)].code
            add(org, honours, retired=True)
    working = figures.health_check_people - figures.allowance_retirees
    for i in range(working):
        add(LF_ENTERPRISES[i % len(LF_ENTERPRISES)].code, 1 + (i % 5 == 0), retired=False)
    # Not counted for the year: two who died, and two first honoured after it.
    add(LF_ENTERPRISES[0].code, 2, retired=True, alive=False)
    add(LF_VANISHED[0].code, 1, retired=True, alive=False)
    for org in (LF_ENTERPRISES[1].code, LF_ENTERPRISES[2].code):
        rows.append({**rows[-1], "name": _person(len(rows))[0], "id_tail": _person(len(rows))[1],
                     "org": org, "retired": False, "alive": True, "honours": 1,
                     "first_year": year + 2, "level": WorkerLevel.CITY})
    return rows


def _ensure_demo_org(seed: SeedOrg, *, active: bool = True) -> Org:
    org = Org.objects.filter(code=seed.code).first()
    if org is None:
        org = org_services.create_org(actor=SYSTEM, parent=Org.objects.get(code=seed.parent),
                                      code=seed.code, name=seed.name, kind=seed.kind,
                                      is_demo=True, is_active=active)
    elif org.is_active != active:
        org = org_services.update_org(actor=SYSTEM, org=org, is_active=active)
    return org


def seed_langfang_register() -> list[str]:
    with tree_write_lock(Org):
        for seed in LF_ENTERPRISES:
            _ensure_demo_org(seed)
        for seed in LF_VANISHED:
            _ensure_demo_org(seed, active=False)
    if ModelWorker.objects.filter(org__code__startswith="lf-", is_demo=True).exists():
        return [_("Model workers of 廊坊市总工会: already loaded.")]
    rows = langfang_register()
    orgs = {org.code: org for org in Org.objects.filter(code__startswith="lf-")}
    with transaction.atomic():
        ModelWorker.objects.bulk_create(
            ModelWorker(**{**row, "org": orgs[row["org"]]}, is_demo=True) for row in rows
        )
        lf = Org.objects.get(code=LANGFANG)
        audit.record(actor=SYSTEM, action="model_workers.seed", instance=lf, org=lf,
                     after={"created": len(rows)})
    return [_("Model workers of 廊坊市总工会: %(count)d new.") % {"count": len(rows)}]


DEMO_FUND_YEAR = 2025


def seed_funds_and_mutual_aid() -> list[str]:
    """Payroll and received dues of the demo base unions of 株洲; two 一日捐 rounds."""
    bases = list(Org.objects.filter(code__startswith="zz-", kind="base", is_demo=True)
                 .order_by("lft"))
    for index, org in enumerate(bases):
        payroll = 2_000_000 + (index * 1_370_000) % 9_000_000
        upward = funds.split(payroll).upward
        share = (100, 100, 85, 60, 100, 40, 100, 0, 75)[index % 9]
        funds.record_funds(actor=SYSTEM, org=org, year=DEMO_FUND_YEAR, payroll=payroll,
                           received=upward * share // 100, is_demo=True)
    zz, gzw = Org.objects.get(code="zz"), Org.objects.get(code="zz-gzw")
    compliant = funds.record_round(actor=SYSTEM, org=zz, year=DEMO_FUND_YEAR,
                                   name="职工互助一日捐", raised=1_260_000, paid=1_008_000,
                                   is_demo=True)
    if compliant.status == "open":
        funds.close_round(actor=SYSTEM, round_=compliant, compliant=True)
    funds.record_round(actor=SYSTEM, org=gzw, year=DEMO_FUND_YEAR, name="国资系统一日捐",
                       raised=320_000, paid=176_000, is_demo=True)
    return [_("Union funds: %(count)d demo records.") % {"count": len(bases) + _seed_langfang_funds()}]


def _seed_langfang_funds() -> int:
    """廊坊 (seed 002 sets its dues and 一日捐 rules): its enterprises' dues and one round, so
    demo-lf-clerk's funds and mutual-aid pages show the rules at work."""
    enterprises = list(Org.objects.filter(code__in=[seed.code for seed in LF_ENTERPRISES]).order_by("lft"))
    for index, org in enumerate(enterprises):
        payroll = 3_000_000 + index * 1_150_000
        share = (100, 90, 100, 70, 100, 50)[index % 6]
        funds.record_funds(actor=SYSTEM, org=org, year=DEMO_FUND_YEAR, payroll=payroll,
                           received=funds.split(payroll).upward * share // 100, is_demo=True)
    lf = Org.objects.filter(code=LANGFANG).first()
    if lf is not None:
        funds.record_round(actor=SYSTEM, org=lf, year=DEMO_FUND_YEAR, name="廊坊市职工互助一日捐",
                           raised=860_000, paid=645_000, is_demo=True)
    return len(enterprises)


def seed_sample_cases() -> list[str]:
    """A few cases at different steps, acted on by the demo accounts."""
    if Case.objects.filter(is_demo=True).exists():
        return [_("Sample cases: already loaded.")]
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    staff, reviewer, handler = users["demo-staff"], users["demo-reviewer"], users["demo-handler"]
    zz = Org.objects.get(code="zz")
    types = {t.code: t for t in ServiceType.objects.filter(org=zz, federation=zz, is_active=True)}
    gwzgs = Org.objects.get(code="zz-gzw-gwzgs")
    now = timezone.now()
    made = []

    def submit(code, title, member="", days_ago=0, **extra):
        # The demo's required documents (所需材料) were handed in on paper, recorded by the staff.
        day = (now - dt.timedelta(days=days_ago)).date()
        steps = submission_steps(list(types[code].steps.order_by("position")))
        paper = {name: PaperDelivery(member or "经办人", day) for step in steps
                 for name in step.document_list}
        case = cases.submit_case(actor=staff, service_type=types[code], applicant=gwzgs,
                                 title=title, member_name=member, paper=paper,
                                 now=now - dt.timedelta(days=days_ago), **extra)
        Case.objects.filter(pk=case.pk).update(is_demo=True)
        case.refresh_from_db()
        made.append(case)
        return case

    submit("member-card", "2025年第三批会员服务卡申请", "赵建国", days_ago=3)
    card = submit("member-card", "2025年第二批会员服务卡申请", "李秀英", days_ago=20)
    card = cases.pass_on(actor=reviewer, case=card, step_id=card.current_step_id,
                         comment="材料齐全，同意上报。", now=now - dt.timedelta(days=18))
    legal = submit("legal-person", "工会法人资格证书换发", days_ago=400)
    for who in (reviewer, reviewer, handler):
        legal = cases.pass_on(actor=who, case=legal, step_id=legal.current_step_id,
                              now=now - dt.timedelta(days=395))
    cases.complete_case(actor=handler, case=legal, step_id=legal.current_step_id,
                        data={"certificate_number": "工法证字第4302000123号",
                               "issued_on": (now - dt.timedelta(days=390)).date(),
                               "expires_on": (now + dt.timedelta(days=45)).date()},
                        now=now - dt.timedelta(days=390))
    hardship = submit("hardship", "困难职工帮扶申请", "周海燕", days_ago=15,
                      description="家庭成员重病，收入低于当地最低生活保障标准。")
    assert hardship.current_org_id == zz.pk
    return [_("Sample cases: %(count)d new.") % {"count": len(made)}]


def seed_demo() -> list[str]:
    from services.demo_types import seed_zhuzhou_types

    return [*seed_langfang_register(), *seed_funds_and_mutual_aid(), *seed_zhuzhou_types(),
            *seed_sample_cases()]
