"""What the audit of issue 5 found untested or wrong: who takes the applicant's own steps,
the work queue's order and overdue counts, the hardship-aid line of the budget, the seeded
劳模推荐评选, attachments on pass and return, and 建会 recording the elected committee."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orgs.models import CommitteeTerm
from services import budget
from services import services as engine
from services.documents import PaperDelivery
from services.models import (
    Actor,
    Case,
    CaseAttachment,
    ServiceKind,
    StepData,
    StepOutcome,
)
from services.seeding import SERVICE_TYPES, define_service_type
from tests.factories import GrantFactory, UserFactory
from tests.kit import assert_hidden, client_for, scope_tree, user_with_role
from tests.services.conftest import catalogue, on_paper

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def kit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = scope_tree()
    types = {spec.code: define_service_type(owner=tree.root, spec=spec, catalogue=catalogue())[0]
             for spec in SERVICE_TYPES}
    staff_a1 = UserFactory(username="applicant-a1")
    GrantFactory(user=staff_a1, role="staff", org=tree.a1)
    staff_a = UserFactory(username="staff-a")  # the system union's own staff (建会's applicant)
    GrantFactory(user=staff_a, role="staff", org=tree.a)
    reviewer = user_with_role(tree, "reviewer")  # on the system union A
    handler = UserFactory(username="handler-root")
    GrantFactory(user=handler, role="reviewer", org=tree.root)
    return tree, types, staff_a1, staff_a, reviewer, handler


def _card(kit, title="会员服务卡申请", **kwargs):
    tree, types, staff_a1, *_rest = kit
    return engine.submit_case(actor=staff_a1, service_type=types["member-card"], applicant=tree.a1,
                              title=title, member_name="张三",
                              paper=on_paper(types["member-card"]), **kwargs)


def _pdf(name="意见.pdf", body=b"%PDF-1.4 opinion"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


# B: only the applicant's staff take the applicant's steps (403 for a reviewer who sees the case)

def test_a_system_reviewer_gets_403_resubmitting_a_returned_case_and_the_staff_may(kit):
    tree, _types, staff_a1, _staff_a, reviewer, handler = kit
    case = _card(kit)
    case = engine.return_case(actor=reviewer, case=case, step_id=case.current_step_id, reason="补材料")
    data = {"step": case.current_step_id, "decision": "pass", "comment": "代为重新提交"}
    for who in (reviewer, handler):
        page = client_for(who).get(f"/services/cases/{case.pk}/")
        assert page.status_code == 200 and page.context["form"] is None
        assert client_for(who).post(f"/services/cases/{case.pk}/", data).status_code == 403
    case.refresh_from_db()
    assert case.current_org == tree.a1 and case.returned
    assert client_for(staff_a1).post(f"/services/cases/{case.pk}/", data).status_code == 302
    case.refresh_from_db()
    assert case.current_org == tree.a and not case.returned
    assert case.actions.order_by("-id").first().actor == staff_a1


def test_a_system_reviewer_gets_403_recording_a_founding_member_registration(kit):
    tree, types, _staff_a1, staff_a, reviewer, _handler = kit
    case = engine.submit_case(actor=staff_a, service_type=types["founding"], applicant=tree.a,
                              title="组建新工会", details={"new_name": "新工会", "new_code": "kit-a-new"},
                              paper=on_paper(types["founding"]))
    case = engine.pass_on(actor=reviewer, case=case, step_id=case.current_step_id)  # the approval
    assert case.current_step.data == StepData.MEMBERS
    data = {"step": case.current_step_id, "decision": "pass", "members": "60"}
    assert client_for(reviewer).post(f"/services/cases/{case.pk}/", data).status_code == 403
    case.refresh_from_db()
    assert "members" not in case.details
    assert client_for(staff_a).post(f"/services/cases/{case.pk}/", data).status_code == 302
    case.refresh_from_db()
    assert case.details["members"] == 60


def test_outside_the_scope_acting_on_an_applicant_step_is_404(kit):
    tree, _types, _staff_a1, _staff_a, reviewer, _handler = kit
    case = _card(kit)
    case = engine.return_case(actor=reviewer, case=case, step_id=case.current_step_id, reason="补材料")
    outsider = UserFactory(username="reviewer-b")
    GrantFactory(user=outsider, role="reviewer", org=tree.b)
    response = client_for(outsider).post(f"/services/cases/{case.pk}/",
                                         {"step": case.current_step_id, "decision": "pass"})
    assert response.status_code == 404


# E: 建会 records the elected committee's term and the new union's page shows its officers

def _found(kit, code="kit-a-new"):
    tree, types, _staff_a1, staff_a, reviewer, _handler = kit
    case = engine.submit_case(actor=staff_a, service_type=types["founding"], applicant=tree.a,
                              title="组建新工会", details={"new_name": "新工会", "new_code": code},
                              paper=on_paper(types["founding"]))
    case = engine.pass_on(actor=reviewer, case=case, step_id=case.current_step_id)
    case = engine.pass_on(actor=staff_a, case=case, step_id=case.current_step_id, data={"members": 60})
    for _ in range(4):
        case = engine.pass_on(actor=staff_a, case=case, step_id=case.current_step_id)
    elected = timezone.localdate() - dt.timedelta(days=20)
    case = engine.pass_on(actor=staff_a, case=case, step_id=case.current_step_id,
                          data={"chair": "王建国", "vice_chairs": "李明、赵丽", "funds_chair": "陈平",
                                "women_chair": "刘芳", "elected_on": elected})
    case = engine.pass_on(actor=reviewer, case=case, step_id=case.current_step_id)
    case = engine.complete_case(actor=staff_a, case=case, step_id=case.current_step_id,
                                paper={"上级批复": PaperDelivery("交件人", elected)})
    return case, elected


def test_founding_records_the_term_and_the_governance_page_shows_the_officers(kit):
    tree, _types, _staff_a1, _staff_a, reviewer, _handler = kit
    case, elected = _found(kit)
    new = case.new_org
    term = CommitteeTerm.objects.get(org=new)
    assert (term.start, term.chair, term.vice_chair_list()) == (elected, "王建国", ["李明", "赵丽"])
    assert term.end == elected.replace(year=elected.year + 5) - dt.timedelta(days=1)

    page = client_for(reviewer).get(f"/orgs/{new.code}/governance/").content.decode()
    status = page[page.index('data-rule="term"'):]
    status = status[:status.index("</tr>")]
    assert "status-kept" in status and "status-overdue" not in status
    officers = page[page.index('id="founding-officers"'):]
    officers = officers[:officers.index("</table>")]
    for name in ("王建国", "李明", "赵丽", "陈平", "刘芳", case.number, elected.isoformat()):
        assert name in officers, name
    assert officers.index("王建国") < officers.index("李明") < officers.index("陈平") < officers.index("刘芳")
    terms = page[page.index('id="terms"'):]
    assert "王建国" in terms[:terms.index('id="founding-officers"')]  # the term's row


# C: the work queue, overdue first, and its counts on the queue and the home page

def test_work_queue_lists_overdue_cases_first_and_counts_them(kit):
    _tree, _types, _staff_a1, _staff_a, reviewer, _handler = kit
    now = timezone.now()
    fresh = _card(kit, title="刚到的申请")
    later = _card(kit, title="下周到期的申请")
    overdue = _card(kit, title="已逾期的申请")
    very_overdue = _card(kit, title="逾期更久的申请")
    Case.objects.filter(pk=fresh.pk).update(due_at=now + dt.timedelta(days=2))
    Case.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(days=7))
    Case.objects.filter(pk=overdue.pk).update(due_at=now - dt.timedelta(days=1))
    Case.objects.filter(pk=very_overdue.pk).update(due_at=now - dt.timedelta(days=5))
    client = client_for(reviewer)

    response = client.get("/services/")
    assert [case.pk for case in response.context["queue"]] == [
        very_overdue.pk, overdue.pk, fresh.pk, later.pk]
    assert response.context["counts"] == {"waiting": 4, "overdue": 2}
    body = response.content.decode()
    assert body.index("逾期更久的申请") < body.index("已逾期的申请") < body.index("刚到的申请") < body.index("下周到期的申请")
    assert body.count('class="overdue"') == 2

    home = client.get("/").content.decode()
    counts = home[home.index('class="counts"'):]
    counts = counts[:counts.index("</ul>")]
    assert "<strong>4</strong>" in counts and "<strong>2</strong>" in counts


# C: the hardship-aid line of the model-worker budget

def _aid(kit, applicant, granted, paid, closed, *, code="model-worker-aid"):
    tree, types, *_rest = kit
    staff = UserFactory(username=f"staff-{applicant.code}-{granted}-{closed:%Y}")
    GrantFactory(user=staff, role="staff", org=applicant)
    handler = kit[5]
    case = engine.submit_case(actor=staff, service_type=types[code], applicant=applicant,
                              title="困难劳模帮扶", member_name="劳模甲", paper=on_paper(types[code]))
    while case.current_step.position < case.service_type.steps.count():
        case = engine.pass_on(actor=handler, case=case, step_id=case.current_step_id)
    when = dt.datetime(closed.year, closed.month, closed.day, 10, tzinfo=UTC)
    return engine.complete_case(actor=handler, case=case, step_id=case.current_step_id, now=when,
                                data={"aid_granted": granted, "aid_paid": paid})


def test_budget_hardship_aid_line_counts_completed_model_worker_aid_of_the_year_in_the_subtree(kit):
    tree = kit[0]
    _aid(kit, tree.a1, 3000, 2000, dt.date(2016, 3, 1))
    _aid(kit, tree.a2, 1500, 1500, dt.date(2016, 11, 20))
    _aid(kit, tree.a1, 9000, 9000, dt.date(2015, 12, 30))  # another year
    _aid(kit, tree.b1, 7000, 7000, dt.date(2016, 5, 5))  # outside branch A
    _aid(kit, tree.a1, 800, 800, dt.date(2016, 5, 5), code="hardship")  # a worker, not a model worker
    staff = UserFactory(username="staff-open")
    GrantFactory(user=staff, role="staff", org=tree.a2)
    engine.submit_case(actor=staff, service_type=kit[1]["model-worker-aid"], applicant=tree.a2,
                       title="未办结", member_name="劳模乙",
                       paper=on_paper(kit[1]["model-worker-aid"]))  # still open

    report = budget.budget_report(tree.a, 2016)
    assert (report.aid_cases, report.aid_granted, report.aid_paid) == (2, 4500, 3500)
    assert report.total == report.allowance_total + report.health_total + 4500
    line = next(row for row in report.rows() if row[0] == "困难劳模帮扶（已核定）")
    assert line[1:] == ("2", "", "4,500")
    assert budget.budget_report(tree.root, 2016).aid_granted == 11500
    page = client_for(kit[4]).get(f"/services/org/{tree.a.code}/budget/2016/").content.decode()
    assert "困难劳模帮扶（已核定）" in page and "4,500" in page
    assert budget.budget_report(tree.a, 2015).aid_granted == 9000


# C: 劳模推荐评选 (seed 001 item 4.1) with its real steps

def test_model_worker_nomination_has_the_steps_of_item_4_1(kit):
    tree, types, staff_a1, _staff_a, _reviewer, handler = kit
    nomination = types["model-worker-nomination"]
    document = list(catalogue().item("4.1").workflows[0].steps)
    assert document == ["领会市总通知文件精神", "制定我区方案", "开展评选"]
    assert nomination.name == "劳模推荐评选" and nomination.kind == ServiceKind.NOMINATION
    assert nomination.preamble.splitlines() == document[:2]  # the federation's own, once
    steps = list(nomination.steps.all())
    assert [(s.position, s.name, s.actor, s.data, s.documents) for s in steps] == [
        (1, "开展评选", Actor.FEDERATION, StepData.OUTCOME, "推荐材料")]
    assert nomination.member_required
    case = engine.submit_case(actor=staff_a1, service_type=nomination, applicant=tree.a1,
                              title="推荐市级劳模", member_name="张三", paper=on_paper(nomination))
    assert case.current_org == tree.root  # the federation evaluates
    case = engine.complete_case(actor=handler, case=case, step_id=case.current_step_id,
                                data={"outcome": "评为市级劳动模范"})
    assert case.outcome == "评为市级劳动模范"


# C: attachments on pass and return: stored, on the timeline, downloadable only in scope

def test_attachments_on_pass_and_return_are_stored_listed_and_served_in_scope(kit):
    tree, _types, staff_a1, _staff_a, reviewer, handler = kit
    case = _card(kit)
    response = client_for(reviewer).post(f"/services/cases/{case.pk}/", {
        "step": case.current_step_id, "decision": "pass", "comment": "同意",
        "files": [_pdf("初审意见.pdf", b"%PDF-1.4 first")]})
    assert response.status_code == 302
    case.refresh_from_db()
    response = client_for(handler).post(f"/services/cases/{case.pk}/", {
        "step": case.current_step_id, "decision": "return", "comment": "补充材料",
        "files": [_pdf("退回说明.pdf", b"%PDF-1.4 back"),
                  SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")]})
    assert response.status_code == 302

    passed = CaseAttachment.objects.get(action__kind=StepOutcome.PASS)
    returned = CaseAttachment.objects.filter(action__kind=StepOutcome.RETURN).order_by("name")
    assert (passed.name, passed.uploaded_by, passed.action.actor) == ("初审意见.pdf", reviewer, reviewer)
    assert sorted(a.name for a in returned) == ["照片.png", "退回说明.pdf"]
    assert all(a.uploaded_by == handler and a.case_id == case.pk for a in returned)
    with passed.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 first"

    page = client_for(staff_a1).get(f"/services/cases/{case.pk}/").content.decode()
    for item in (passed, *returned):
        assert f"/services/attachments/{item.pk}/" in page and item.name in page
    for who in (staff_a1, reviewer, handler, user_with_role(tree, "clerk")):
        response = client_for(who).get(f"/services/attachments/{passed.pk}/")
        assert response.status_code == 200 and response.content == b"%PDF-1.4 first"
        assert response["Content-Disposition"].startswith("attachment")
    staff_a2 = UserFactory(username="staff-a2")  # a sibling union's staff
    GrantFactory(user=staff_a2, role="staff", org=tree.a2)
    reviewer_b = UserFactory(username="reviewer-b")  # the other branch
    GrantFactory(user=reviewer_b, role="reviewer", org=tree.b)
    for who in (staff_a2, reviewer_b):
        for item in (passed, *returned):
            assert_hidden(client_for(who), f"/services/attachments/{item.pk}/")
