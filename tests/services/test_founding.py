"""建会 completed: the new union's committee term in the governance records, its officers on its
governance page."""

import datetime as dt

import pytest
from django.utils import timezone

from orgs.governance.models import CommitteeTerm
from services import cases
from services.documents import PaperDelivery
from tests.kit import client_for
from tests.services.conftest import on_paper
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


def _found(flow, code="kit-a-new"):
    tree, types, _staff_a1, staff_a, reviewer, _handler = flow
    case = cases.submit_case(actor=staff_a, service_type=types["founding"], applicant=tree.a,
                             title="组建新工会", details={"new_name": "新工会", "new_code": code},
                             paper=on_paper(types["founding"]))
    case = cases.pass_on(actor=reviewer, case=case, step_id=case.current_step_id)
    case = cases.pass_on(actor=staff_a, case=case, step_id=case.current_step_id, data={"members": 60})
    for _ in range(4):
        case = cases.pass_on(actor=staff_a, case=case, step_id=case.current_step_id)
    elected = timezone.localdate() - dt.timedelta(days=20)
    case = cases.pass_on(actor=staff_a, case=case, step_id=case.current_step_id,
                         data={"chair": "王建国", "vice_chairs": "李明、赵丽", "funds_chair": "陈平",
                                "women_chair": "刘芳", "elected_on": elected})
    case = cases.pass_on(actor=reviewer, case=case, step_id=case.current_step_id)
    case = cases.complete_case(actor=staff_a, case=case, step_id=case.current_step_id,
                               paper={"上级批复": PaperDelivery("交件人", elected)})
    return case, elected


def test_founding_records_the_term_and_the_governance_page_shows_the_officers(flow):
    tree, _types, _staff_a1, _staff_a, reviewer, _handler = flow
    case, elected = _found(flow)
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


def test_the_new_union_is_audited_as_founded_by_the_staff_who_completed_the_case(flow):
    """The new union and its first term are written as the staff who completed the case (the\naudit names them), though they may not manage the tree or record its governance."""
    _tree, _types, _staff_a1, staff_a, _reviewer, _handler = flow
    case, _elected = _found(flow)
    for action in ("org.create", "case.found_union"):
        entry = AuditEntry.objects.get(action=action, object_id=str(case.new_org.pk))
        assert (entry.actor, entry.by_system) == (staff_a, False), action
    term = AuditEntry.objects.get(action="governance.term.create", org=case.new_org)
    assert (term.actor, term.by_system) == (staff_a, False)
