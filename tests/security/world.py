"""The scope matrix's world: the kit's tree with one record of every kind on each side.

Inside (every role sees it): records of the base union a1 and of its system union A (the
assessor of a1's sheet, the owner of the templates, rounds and service types a1 uses).
Outside (no role sees it): the same records of b1 and B.  Every outside record carries a
distinctive name (``World.outside_names``) that must never appear in an answer to a user
of branch A.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment import services as assessment
from assessment.models import AssesseeRule, Evidence, MemberEvaluation
from orgs.governance.models import (
    CommitteeKind,
    CommitteeRole,
    CongressKind,
    ExpenseKind,
    FederationRules,
    MeetingKind,
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
from orgs.governance.services.expenses import record_expense, set_expense_limits
from orgs.governance.services.meetings import record_meeting
from services import cases, funds
from services.models import BudgetRate, FundRecord, LegalPersonCertificate, ModelWorker, ServiceType
from services.seeding import SERVICE_TYPES, define_service_type
from tests.assessment.conftest import specs
from tests.duties.helpers import plain_catalogue
from tests.factories import GrantFactory, UserFactory
from tests.kit import ROLES, scope_tree, user_with_role
from tests.services.conftest import catalogue, on_paper
from unionportal.actors import SYSTEM
from unionportal.jobs.models import Job, JobStatus
from unionportal.models import AuditEntry

YEAR = 2026
MISSING_PK = 987654321
MISSING_CODE = "kit-nowhere"
TODAY = dt.date(2026, 3, 2)
CARD = next(spec for spec in SERVICE_TYPES if spec.code == "member-card")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% scope matrix\n", content_type="application/pdf")


@dataclass
class World:
    tree: object
    users: dict  # role -> user (the kit's grants: A, staff on a1), "nogrant" -> a user with none
    sides: dict = field(default_factory=dict)  # "inside" / "outside" / "missing" -> SimpleNamespace
    outside_names: tuple[str, ...] = ()  # never in any answer to a user of branch A
    hidden_names: tuple[str, ...] = ()  # never in an answer outside the scope (the root may be
    # named inside: a1's case waits at the root federation, where its steps are routed)
    group: Group | None = None
    sessions: dict = field(default_factory=dict)  # user -> session key (tests/security/conftest.py)
    rows: dict = field(default_factory=dict)  # the tables' checksum every case starts from (the same)
    handler: object = None  # the module's django.test.client.ClientHandler (tests/security/conftest.py)


def _side(prefix: str, unit, branch, assessor_round, template, service_type, grant, user) -> SimpleNamespace:
    """Every record of one side; ``prefix`` (甲/乙) makes the names distinctive."""
    today = TODAY
    term = record_term(actor=SYSTEM, org=unit, start=dt.date(2024, 1, 1), end=dt.date(2028, 12, 31),
                       chair=f"{prefix}主席")
    meeting = record_meeting(actor=SYSTEM, org=unit, kind=MeetingKind.STANDING_COMMITTEE, date=today,
                             attendees=f"{prefix}委员一\n{prefix}委员二",
                             agenda=f"{prefix}方会议议程", minutes=_pdf(f"{prefix}方会议纪要.pdf"))
    congress = create_congress(actor=SYSTEM, org=unit, kind=CongressKind.WORKERS,
                               name=f"{prefix}方职代会")
    elect_delegates(actor=SYSTEM, congress=congress, start=dt.date(2025, 6, 1),
                    delegates=[(f"{prefix}代表{n}", "") for n in range(1, 6)])
    serving = list(delegates_serving(congress, today))
    session = record_session(actor=SYSTEM, congress=congress, title=f"{prefix}方大会会议", date=today,
                             present=serving)
    motion = record_motion(actor=SYSTEM, session=session, title=f"{prefix}方决议事项", votes_for=4)
    members = [(f"{prefix}主任", CommitteeRole.CHAIR), (f"{prefix}副主任", CommitteeRole.VICE_CHAIR)]
    members += [(f"{prefix}委员{n}", CommitteeRole.MEMBER) for n in range(1, 8)]
    committee = set_committee(actor=SYSTEM, congress=congress, kind=CommitteeKind.FUNDS, members=members)
    consultation = record_consultation(
        actor=SYSTEM, org=unit, year=YEAR, date=today, employer=f"{prefix}方雇主公司",
        union_representatives=f"{prefix}主席\n李四\n王五", employer_representatives="甲\n乙\n丙")
    expense = record_expense(actor=SYSTEM, org=unit, kind=ExpenseKind.EXPENSE, date=today,
                             purpose=f"{prefix}方报销事由", amount=Decimal("120"), handler=f"{prefix}经办")
    limits = set_expense_limits(actor=SYSTEM, org=unit)

    version = plain_catalogue(unit, texts=[f"{prefix}方职责文本一", f"{prefix}方职责文本二"])
    branch_version = plain_catalogue(branch, texts=[f"{prefix}系统职责文本"])

    sheet = assessor_round.sheets.get(org=unit)
    unit_seq = sheet.units.order_by("position").first().seq
    assessment.add_evidence(actor=SYSTEM, sheet=sheet, seq=unit_seq, upload=_pdf(f"{prefix}方佐证材料.pdf"))
    evidence = Evidence.objects.get(unit__sheet=sheet)
    evaluation, _created = assessment.save_member_evaluation(actor=SYSTEM, org=unit, year=YEAR, members=100,
                                                             participants=30, frontline_participants=18)

    case = cases.submit_case(actor=SYSTEM, service_type=service_type, applicant=unit, title=f"{prefix}方申请事项",
                             member_name=f"{prefix}会员", files=[_pdf(f"{prefix}方申请材料.pdf")],
                             paper=on_paper(service_type))
    worker = ModelWorker.objects.create(name=f"{prefix}劳模", org=unit, level="city", honours=2, first_year=2010,
                                        retired=True)
    fund = FundRecord.objects.create(org=unit, year=YEAR, payroll=100000, received=800)
    rate = BudgetRate.objects.create(org=unit, year=YEAR)
    mutual = funds.record_round(actor=SYSTEM, org=unit, year=YEAR, name=f"{prefix}方一日捐", raised=1000, paid=900)
    certificate = LegalPersonCertificate.objects.create(org=unit, number=f"{prefix}证号001",
                                                        expires_on=dt.date(2027, 1, 1))
    audit = AuditEntry.objects.filter(org=unit).order_by("id").first()
    rules = FederationRules.objects.create(org=unit)
    job = Job.objects.create(kind="duties.subtree_pdf", title=f"{prefix}方后台任务", subject_org=unit,
                             by_system=True, status=JobStatus.DONE, done=1, total=1,
                             result_name=f"{prefix}方后台任务.pdf", result_type="application/pdf")
    job.result.save("job.pdf", ContentFile(b"%PDF-1.4\n% scope matrix job\n"), save=True)
    return SimpleNamespace(
        unit=unit.code, branch=branch.code, year=YEAR, unit_org=unit, branch_org=branch,
        org=unit.pk, term=term.pk, meeting=meeting.pk, congress=congress.pk, session=session.pk,
        motion=motion.pk, delegate=serving[0].pk, committee=committee.pk, consultation=consultation.pk,
        expense=expense.pk, limits=limits.pk, catalogue=version.catalogue_id, version=version.pk,
        item=version.items.order_by("id").first().pk, branch_version=branch_version.pk,
        template=template.pk, round=assessor_round.pk, sheet=sheet.pk, evidence=evidence.pk,
        evaluation=evaluation.pk, case=case.pk, attachment=case.attachments.get().pk,
        service_type=service_type.pk, type_code=service_type.code, worker=worker.pk, fund=fund.pk,
        rate=rate.pk, mutual=mutual.pk, certificate=certificate.pk, audit=audit.pk, grant=grant.pk,
        user=user.pk, rules=rules.pk, job=job.pk,
    )


def _missing() -> SimpleNamespace:
    """A side whose every code and id names nothing."""
    names = ("org", "term", "meeting", "congress", "session", "motion", "delegate", "committee",
             "consultation", "expense", "limits", "catalogue", "version", "item", "branch_version", "template",
             "round", "sheet", "evidence", "evaluation", "case", "attachment", "service_type", "worker", "fund",
             "rate", "mutual", "certificate", "audit", "grant", "user", "rules", "job")
    return SimpleNamespace(unit=MISSING_CODE + "-1", branch=MISSING_CODE, year=YEAR, type_code="nothing-here",
                           **dict.fromkeys(names, MISSING_PK))


def _cross(inside: SimpleNamespace, other: SimpleNamespace) -> SimpleNamespace:
    """Inside codes with the ids of ``other``: a record of B asked for under a1's path."""
    return SimpleNamespace(**{**vars(other), "unit": inside.unit, "branch": inside.branch, "year": inside.year,
                              "type_code": inside.type_code})


def _unowned(outsider, group) -> dict[str, int]:
    """A sign-in record of each kind and a two-factor device, all of the outsider of b1."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tasks_db.models import DBTaskResult

    from unionportal.accounts.models import SignInEvent

    access = {"user_agent": "matrix", "ip_address": "127.0.0.1", "username": outsider.username,
              "http_accept": "*/*", "path_info": "/accounts/login/"}
    return {
        "group": group.pk,
        "accessattempt": AccessAttempt.objects.create(**access, get_data="", post_data="",
                                                      failures_since_start=1).pk,
        "accesslog": AccessLog.objects.create(**access).pk,
        "accessfailurelog": AccessFailureLog.objects.create(**access).pk,
        "totpdevice": TOTPDevice.objects.create(user=outsider, name="乙方验证器", confirmed=True).pk,
        "signinevent": SignInEvent.objects.create(kind=SignInEvent.Kind.values[0], user=outsider,
                                                  username=outsider.username).pk,
        "taskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [MISSING_PK], "kwargs": {}}, task_path="unionportal.jobs.tasks.run_job",
            backend_name="default", run_after=dt.datetime(2026, 3, 2, tzinfo=dt.UTC)).pk,
    }


def build_world() -> World:
    tree = scope_tree()
    users = {role: user_with_role(tree, role) for role in ROLES}
    users["nogrant"] = UserFactory(username="kit-nogrant")
    outsider = UserFactory(username="kit-b-outsider")
    outside_grant = GrantFactory(user=outsider, role="staff", org=tree.b1)
    inside_grant = users["staff"].grants.get()

    templates, rounds, types = {}, {}, {}
    for key, branch, title in (("a", tree.a, "甲方考核细则"), ("b", tree.b, "乙方考核细则")):
        templates[key], _created, _warnings = assessment.save_template(
            actor=SYSTEM, assessor=branch, year=YEAR, title=title, rule=AssesseeRule.CHILDREN,
            indicators=specs(item_points={0: [10, 5, 5]}))
        rounds[key] = assessment.open_round(actor=SYSTEM, assessor=branch, year=YEAR).round
        types[key] = define_service_type(owner=branch, spec=CARD, catalogue=catalogue())[0]
    ServiceType.objects.filter(pk=types["b"].pk).update(name="乙方会员服务卡")
    types["b"].refresh_from_db()

    inside = _side("甲", tree.a1, tree.a, rounds["a"], templates["a"], types["a"], inside_grant, users["staff"])
    outside = _side("乙", tree.b1, tree.b, rounds["b"], templates["b"], types["b"], outside_grant, outsider)
    missing = _missing()
    world = World(tree=tree, users=users, group=Group.objects.create(name="测试权限组"))
    # Records of no org (only superusers manage them): the same record on both sides.
    for name, pk in _unowned(outsider, world.group).items():
        setattr(inside, name, pk)
        setattr(outside, name, pk)
        setattr(missing, name, MISSING_PK)
    world.sides = {"inside": inside, "outside": outside, "missing": missing,
                   "cross": _cross(inside, outside), "cross_missing": _cross(inside, missing)}
    world.hidden_names = (tree.root.name,)
    world.outside_names = (
        tree.b.name, tree.b1.name, "kit-b-outsider", "乙方验证器",
        "乙方会议议程", "乙方会议纪要", "乙方职代会", "乙代表1", "乙方大会会议", "乙方决议事项", "乙主任",
        "乙方雇主公司", "乙主席", "乙方报销事由", "乙方职责文本", "乙系统职责文本", "乙方考核细则", "乙方佐证材料",
        "乙方申请事项", "乙会员", "乙方申请材料", "乙方会员服务卡", "乙劳模", "乙方一日捐", "乙证号001", "乙方后台任务",
    )
    assert MemberEvaluation.objects.count() == 2
    return world
