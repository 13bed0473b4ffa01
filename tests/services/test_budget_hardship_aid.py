"""The hardship-aid line of the model-worker budget: completed 困难劳模帮扶 cases of the year in
the subtree."""

import datetime as dt

import pytest

from services import budget, cases
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for
from tests.services.conftest import on_paper

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _aid(flow, applicant, granted, paid, closed, *, code="model-worker-aid"):
    tree, types, *_rest = flow
    staff = UserFactory(username=f"staff-{applicant.code}-{granted}-{closed:%Y}")
    GrantFactory(user=staff, role="staff", org=applicant)
    handler = flow[5]
    case = cases.submit_case(actor=staff, service_type=types[code], applicant=applicant,
                             title="困难劳模帮扶", member_name="劳模甲", paper=on_paper(types[code]))
    while case.current_step.position < case.service_type.steps.count():
        case = cases.pass_on(actor=handler, case=case, step_id=case.current_step_id)
    when = dt.datetime(closed.year, closed.month, closed.day, 10, tzinfo=UTC)
    return cases.complete_case(actor=handler, case=case, step_id=case.current_step_id, now=when,
                               data={"aid_granted": granted, "aid_paid": paid})


def test_budget_hardship_aid_line_counts_completed_model_worker_aid_of_the_year_in_the_subtree(flow):
    tree = flow[0]
    _aid(flow, tree.a1, 3000, 2000, dt.date(2016, 3, 1))
    _aid(flow, tree.a2, 1500, 1500, dt.date(2016, 11, 20))
    _aid(flow, tree.a1, 9000, 9000, dt.date(2015, 12, 30))  # another year
    _aid(flow, tree.b1, 7000, 7000, dt.date(2016, 5, 5))  # outside branch A
    _aid(flow, tree.a1, 800, 800, dt.date(2016, 5, 5), code="hardship")  # a worker, not a model worker
    staff = UserFactory(username="staff-open")
    GrantFactory(user=staff, role="staff", org=tree.a2)
    cases.submit_case(actor=staff, service_type=flow[1]["model-worker-aid"], applicant=tree.a2,
                      title="未办结", member_name="劳模乙",
                      paper=on_paper(flow[1]["model-worker-aid"]))  # still open

    report = budget.budget_report(tree.a, 2016)
    assert (report.aid_cases, report.aid_granted, report.aid_paid) == (2, 4500, 3500)
    assert report.total == report.allowance_total + report.health_total + 4500
    line = next(row for row in report.rows() if row[0] == "困难劳模帮扶（已核定）")
    assert line[1:] == ("2", "", "4,500")
    assert budget.budget_report(tree.root, 2016).aid_granted == 11500
    page = client_for(flow[4]).get(f"/services/org/{tree.a.code}/budget/2016/").content.decode()
    assert "困难劳模帮扶（已核定）" in page and "4,500" in page
    assert budget.budget_report(tree.a, 2015).aid_granted == 9000
