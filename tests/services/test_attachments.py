"""Files on case actions: stored, on the timeline, downloadable only inside the scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services import cases
from services.models import CaseAttachment, StepOutcome
from tests.factories import GrantFactory, UserFactory
from tests.kit import assert_hidden, client_for, user_with_role
from tests.services.conftest import card_case, member_card_type, on_paper, pdf_upload

pytestmark = pytest.mark.django_db


def test_attachments_on_pass_and_return_are_stored_listed_and_served_in_scope(flow):
    tree, _types, staff_a1, _staff_a, reviewer, handler = flow
    case = card_case(flow)
    response = client_for(reviewer).post(f"/services/cases/{case.pk}/", {
        "step": case.current_step_id, "decision": "pass", "comment": "同意",
        "files": [pdf_upload("初审意见.pdf", b"%PDF-1.4 first")]})
    assert response.status_code == 302
    case.refresh_from_db()
    response = client_for(handler).post(f"/services/cases/{case.pk}/", {
        "step": case.current_step_id, "decision": "return", "comment": "补充材料",
        "files": [pdf_upload("退回说明.pdf", b"%PDF-1.4 back"),
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


def test_attachment_outside_the_scope_is_404_in_one_gated_query(tree):
    card = member_card_type(tree.root)
    staff_b1 = UserFactory(username="staff-b1")
    GrantFactory(user=staff_b1, role="staff", org=tree.b1)
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    case = cases.submit_case(actor=staff_b1, service_type=card, applicant=tree.b1, title="乙",
                             member_name="李四", files=[pdf], paper=on_paper(card))
    url = f"/services/attachments/{case.attachments.get().pk}/"
    assert_hidden(client_for(user_with_role(tree, "admin")), url)
    assert client_for(staff_b1).get(url).status_code == 200
