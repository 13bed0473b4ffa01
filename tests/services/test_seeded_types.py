"""The service types carry the real steps of seed 001, each mapped to the level that acts."""

from services import cases
from services.models import Actor, ServiceKind, StepData
from services.seeding import SERVICE_TYPES, seed
from services.selectors import service_types_for_duties
from tests.factories import OrgFactory
from tests.services.conftest import catalogue, define_service_type, on_paper
from unionportal.models import AuditEntry


def names(service_type):
    return [step.name for step in service_type.steps.all()]


def test_member_card_has_two_types_from_item_3_2(world):
    item = catalogue().item("3.2")
    assert names(world.types["member-card"]) == list(item.workflows[0].steps)
    assert names(world.types["member-card-review"]) == list(item.workflows[1].steps)
    last = world.types["member-card"].steps.last()
    assert (last.actor, last.outside_party, last.data) == (Actor.FEDERATION, "银行", StepData.OUTCOME)


def test_founding_has_every_step_of_item_1_1_with_the_approval_split_out(world):
    steps = list(world.types["founding"].steps.all())
    document = list(catalogue().item("1.1").workflows[0].steps)
    assert len(steps) == len(document) + 1
    assert steps[0].name == "成立工会筹备组（提出建会申请）"
    assert steps[1].name == "报上一级工会批准" and steps[1].needs_reviewer
    assert [s.name for s in steps[2:]] == document[1:]
    assert {s.data for s in steps} >= {StepData.MEMBERS, StepData.OFFICERS}
    assert world.types["founding"].kind == ServiceKind.FOUNDING
    assert all(s.actor == Actor.APPLICANT for s in steps)


def test_preamble_steps_are_the_federations_and_not_case_steps(world):
    hardship = world.types["hardship"]
    assert hardship.preamble.splitlines() == ["领会市总通知文件精神", "制定我区方案"]
    assert names(hardship) == ["开展帮扶慰问活动"]
    aid = world.types["model-worker-aid"]
    assert aid.preamble == "通知各个基层劳模单位"
    assert [s.actor for s in aid.steps.all()] == [Actor.APPLICANT, Actor.FEDERATION, Actor.FEDERATION]


def test_legal_person_records_the_certificate(world):
    steps = list(world.types["legal-person"].steps.all())
    assert [s.name for s in steps] == list(catalogue().item("3.3").workflows[0].steps)
    assert steps[-1].data == StepData.CERTIFICATE


def test_seeding_is_idempotent_and_keeps_admin_edits(world):
    world.types["hardship"].steps.update(deadline_days=3)
    again = define_service_type(owner=world.fed, spec=SERVICE_TYPES[4], catalogue=catalogue())
    assert again == (world.types["hardship"], False)
    assert world.types["hardship"].steps.get().deadline_days == 3


def test_duties_find_the_service_types_that_carry_them_out(db):
    hedong = OrgFactory(code="tj-hd", name="天津市河东区总工会", kind="federation")
    for spec in SERVICE_TYPES:
        define_service_type(owner=hedong, spec=spec, catalogue=catalogue())
    found = service_types_for_duties(hedong, ["1.1", "3.2", "2.1"])
    assert sorted(found) == ["1.1", "3.2"]
    assert [t.name for t in found["3.2"]] == ["工会会员服务卡办理", "工会会员服务卡年审"]


def test_model_worker_nomination_has_the_steps_of_item_4_1(flow):
    tree, types, staff_a1, _staff_a, _reviewer, handler = flow
    nomination = types["model-worker-nomination"]
    document = list(catalogue().item("4.1").workflows[0].steps)
    assert document == ["领会市总通知文件精神", "制定我区方案", "开展评选"]
    assert nomination.name == "劳模推荐评选" and nomination.kind == ServiceKind.NOMINATION
    assert nomination.preamble.splitlines() == document[:2]  # the federation's own, once
    steps = list(nomination.steps.all())
    assert [(s.position, s.name, s.actor, s.data, s.documents) for s in steps] == [
        (1, "开展评选", Actor.FEDERATION, StepData.OUTCOME, "推荐材料")]
    assert nomination.member_required
    case = cases.submit_case(actor=staff_a1, service_type=nomination, applicant=tree.a1,
                             title="推荐市级劳模", member_name="张三", paper=on_paper(nomination))
    assert case.current_org == tree.root  # the federation evaluates
    case = cases.complete_case(actor=handler, case=case, step_id=case.current_step_id,
                               data={"outcome": "评为市级劳动模范"})
    assert case.outcome == "评为市级劳动模范"


def test_the_seed_defines_the_types_as_the_system(db):
    """Seeding acts as the system actor: the audit shows it as such, never as nobody."""
    hedong = OrgFactory(code="tj-hd", name="天津市河东区总工会", kind="federation")
    seed()
    entries = AuditEntry.objects.filter(action="service_type.create", org=hedong)
    assert entries.count() == len(SERVICE_TYPES)
    assert all(entry.by_system and entry.actor is None for entry in entries)
