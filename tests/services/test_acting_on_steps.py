"""Who takes a case's steps: the applicant's own steps belong to its staff (a reviewer who sees
the case gets 403, a user outside the scope 404), and a repeated post by whoever took the
step answers as the first one did."""

import pytest

from services import cases
from services.models import StepData
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for, user_with_role
from tests.services.conftest import card_case, member_card_type, on_paper

pytestmark = pytest.mark.django_db


def test_a_system_reviewer_gets_403_resubmitting_a_returned_case_and_the_staff_may(flow):
    tree, _types, staff_a1, _staff_a, reviewer, handler = flow
    case = card_case(flow)
    case = cases.return_case(actor=reviewer, case=case, step_id=case.current_step_id, reason="补材料")
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


def test_a_system_reviewer_gets_403_recording_a_founding_member_registration(flow):
    tree, types, _staff_a1, staff_a, reviewer, _handler = flow
    case = cases.submit_case(actor=staff_a, service_type=types["founding"], applicant=tree.a,
                             title="组建新工会", details={"new_name": "新工会", "new_code": "kit-a-new"},
                             paper=on_paper(types["founding"]))
    case = cases.pass_on(actor=reviewer, case=case, step_id=case.current_step_id)  # the approval
    assert case.current_step.data == StepData.MEMBERS
    data = {"step": case.current_step_id, "decision": "pass", "members": "60"}
    assert client_for(reviewer).post(f"/services/cases/{case.pk}/", data).status_code == 403
    case.refresh_from_db()
    assert "members" not in case.details
    assert client_for(staff_a).post(f"/services/cases/{case.pk}/", data).status_code == 302
    case.refresh_from_db()
    assert case.details["members"] == 60


def test_outside_the_scope_acting_on_an_applicant_step_is_404(flow):
    tree, _types, _staff_a1, _staff_a, reviewer, _handler = flow
    case = card_case(flow)
    case = cases.return_case(actor=reviewer, case=case, step_id=case.current_step_id, reason="补材料")
    outsider = UserFactory(username="reviewer-b")
    GrantFactory(user=outsider, role="reviewer", org=tree.b)
    response = client_for(outsider).post(f"/services/cases/{case.pk}/",
                                         {"step": case.current_step_id, "decision": "pass"})
    assert response.status_code == 404


def test_a_repeated_post_by_whoever_took_the_step_is_not_refused(tree):
    card = member_card_type(tree.root)
    staff = user_with_role(tree, "staff")
    case = cases.submit_case(actor=staff, service_type=card, applicant=tree.a1, title="办卡",
                             member_name="张三", paper=on_paper(card))
    reviewer = user_with_role(tree, "reviewer")
    step = case.current_step_id
    assert cases.took_step(reviewer, case, step) is False
    cases.pass_on(actor=reviewer, case=case, step_id=step)
    assert cases.took_step(reviewer, case, str(step)) is True
    assert cases.took_step(reviewer, case, "x") is False
    assert cases.took_step(staff, case, step) is False


def test_a_form_overtaken_by_someone_elses_decision_answers_409_and_changes_nothing(flow):
    """The root's reviewer opened the case at the system union's step; a reviewer there passed
    it on meanwhile: the stale form is refused as a conflict, not applied to the next step."""
    tree, _types, _staff_a1, _staff_a, reviewer, handler = flow
    case = card_case(flow)
    seen = {"step": case.current_step_id, "decision": "reject", "comment": "不同意"}
    cases.pass_on(actor=reviewer, case=case, step_id=case.current_step_id)
    response = client_for(handler).post(f"/services/cases/{case.pk}/", seen)
    assert response.status_code == 409
    assert "您打开页面后该办件已被他人处理，请刷新页面。" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open and case.current_org == tree.root
    assert not case.actions.filter(kind="reject").exists()
