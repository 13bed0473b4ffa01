"""A member-service case routed to a step reaches whoever may act on it now."""

import pytest

from services import cases
from services import notifications as rules
from tests.notifications.conftest import inboxes
from tests.services.conftest import on_paper
from tests.services.conftest import world as services_world  # noqa: F401 - the services' fixture
from unionportal.notifications.models import Notification


@pytest.fixture
def world(services_world):  # noqa: F811
    for user in (services_world.staff, services_world.reviewer, services_world.handler,
                 services_world.admin, services_world.clerk, services_world.street_reviewer,
                 services_world.system_staff):
        user.email = f"{user.username}@example.org"
        user.save()
    return services_world


def apply(world):
    return cases.submit_case(actor=world.staff, service_type=world.types["member-card"],
                             applicant=world.base, title="会员服务卡申请", member_name="张三",
                             paper=on_paper(world.types["member-card"]))


def test_each_step_reaches_its_handlers_and_nobody_else(world, committed):
    with committed():
        case = apply(world)
    # Routed to the system union: its reviewer, not the federation's, not the applicant.
    assert inboxes() == {"rev-sys": [rules.ROUTED]}
    assert Notification.objects.get().link == case.get_absolute_url()
    with committed():
        case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id, comment="同意")
    assert inboxes(rules.ROUTED) == {"rev-fed": [rules.ROUTED], "rev-sys": [rules.ROUTED]}
    with committed():
        case = cases.return_case(actor=world.handler, case=case, step_id=case.current_step_id,
                                 reason="请补充身份证复印件")
    returned = Notification.objects.filter(kind=rules.RETURNED)
    recipients = set(returned.values_list("recipient__username", flat=True))
    assert world.handler.username not in recipients and recipients
    assert all("请补充身份证复印件" in note.body for note in returned)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told.isdisjoint({"clerk-fed", "admin-fed", "rev-st", "staff-st", "staff-sys"})


def test_a_completed_case_reaches_the_applicants_staff(world, committed):
    case = apply(world)
    case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id)
    case = cases.pass_on(actor=world.handler, case=case, step_id=case.current_step_id)
    with committed():
        cases.complete_case(actor=world.handler, case=case, step_id=case.current_step_id,
                            data={"outcome": "已发卡"})
    assert inboxes(rules.COMPLETED) == {"staff-a": [rules.COMPLETED]}
