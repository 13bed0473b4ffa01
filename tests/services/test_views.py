"""Pages, PDFs and files of the services app through the scoping gate (tests/kit.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services import cases
from services.seeding import SERVICE_TYPES, define_service_type
from tests.factories import GrantFactory, UserFactory
from tests.kit import ROLES, assert_hidden, assert_visible, client_for, scope_tree, user_with_role
from tests.pdftext import pdf_text
from tests.services.conftest import catalogue, on_paper


@pytest.fixture
def kit(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = scope_tree()
    types = {spec.code: define_service_type(owner=tree.root, spec=spec, catalogue=catalogue())[0]
             for spec in SERVICE_TYPES}
    applicant_a1 = UserFactory(username="applicant-a1")
    GrantFactory(user=applicant_a1, role="staff", org=tree.a1)
    applicant_b1 = UserFactory(username="applicant-b1")
    GrantFactory(user=applicant_b1, role="staff", org=tree.b1)
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    case_a1 = cases.submit_case(actor=applicant_a1, service_type=types["member-card"],
                                applicant=tree.a1, title="甲一申请", member_name="张三", files=[pdf],
                                paper=on_paper(types["member-card"]))
    case_b1 = cases.submit_case(actor=applicant_b1, service_type=types["member-card"],
                                applicant=tree.b1, title="乙一申请", member_name="李四",
                                paper=on_paper(types["member-card"]))
    return tree, types, case_a1, case_b1


def case_urls(case):
    return [f"/services/cases/{case.pk}/", f"/services/cases/{case.pk}.pdf",
            f"/services/attachments/{case.attachments.first().pk}/" if case.attachments.exists() else None]


@pytest.mark.parametrize("role", ROLES)
def test_case_pages_inside_scope_and_404_outside(kit, role):
    tree, _types, case_a1, case_b1 = kit
    client = client_for(user_with_role(tree, role))
    for url in filter(None, case_urls(case_a1)):
        assert_visible(client, url)
    for url in filter(None, case_urls(case_b1)):
        assert_hidden(client, url)
    assert_visible(client, f"/services/org/{tree.a1.code}/")
    for org in tree.outside(role):
        assert_hidden(client, f"/services/org/{org.code}/")
        assert_hidden(client, f"/services/org/{org.code}/model-workers/")
        assert_hidden(client, f"/services/org/{org.code}/budget/2016/")
        assert_hidden(client, f"/services/org/{org.code}/budget/2016.pdf")
        assert_hidden(client, f"/services/org/{org.code}/funds/")
        assert_hidden(client, f"/services/org/{org.code}/mutual-aid/")
        assert_hidden(client, f"/services/org/{org.code}/apply/")
    for org in tree.inside(role):
        assert_visible(client, f"/services/org/{org.code}/budget/2016/")
        assert_visible(client, f"/services/org/{org.code}/funds/")


@pytest.mark.parametrize("role", ["staff", "scorer", "clerk", "admin"])
def test_acting_inside_scope_without_the_right_role_is_403(kit, role):
    tree, _types, case_a1, _b1 = kit
    client = client_for(user_with_role(tree, role))
    response = client.post(f"/services/cases/{case_a1.pk}/",
                           {"step": case_a1.current_step_id, "decision": "pass"})
    assert response.status_code == 403
    case_a1.refresh_from_db()
    assert case_a1.current_step.position == 3


def test_outside_scope_acting_is_404(kit):
    tree, _types, _a1, case_b1 = kit
    client = client_for(user_with_role(tree, "reviewer"))
    response = client.post(f"/services/cases/{case_b1.pk}/",
                           {"step": case_b1.current_step_id, "decision": "pass"})
    assert response.status_code == 404


def test_reviewer_passes_on_through_the_page_and_a_double_post_changes_nothing(kit):
    tree, _types, case_a1, _b1 = kit
    client = client_for(user_with_role(tree, "reviewer"))
    page = client.get(f"/services/cases/{case_a1.pk}/")
    assert "审核通过并转报" in page.content.decode()
    data = {"step": case_a1.current_step_id, "decision": "pass", "comment": "同意"}
    assert client.post(f"/services/cases/{case_a1.pk}/", data).status_code == 302
    assert client.post(f"/services/cases/{case_a1.pk}/", data).status_code == 302
    case_a1.refresh_from_db()
    assert case_a1.current_step.position == 4 and case_a1.current_org == tree.root
    assert case_a1.actions.filter(kind="pass").count() == 1


def test_return_without_a_reason_shows_the_error(kit):
    tree, _types, case_a1, _b1 = kit
    client = client_for(user_with_role(tree, "reviewer"))
    response = client.post(f"/services/cases/{case_a1.pk}/",
                           {"step": case_a1.current_step_id, "decision": "return", "comment": ""})
    assert response.status_code == 400
    assert "退回时请填写理由" in response.content.decode()


def test_staff_apply_through_the_form_once_even_when_posting_twice(kit):
    tree, types, _a1, _b1 = kit
    client = client_for(user_with_role(tree, "staff"))
    form = client.get(f"/services/org/{tree.a1.code}/apply/member-card/")
    token = form.context["form"].initial["token"]
    data = {"token": token, "title": "第三批办卡", "member_name": "王五", "description": "",
            # 办卡材料, the required document, handed in on paper (所需材料 are required)
            "paper_0": "on", "paper_by_0": "王五", "paper_on_0": "2026-01-05"}
    first = client.post(f"/services/org/{tree.a1.code}/apply/member-card/", data)
    second = client.post(f"/services/org/{tree.a1.code}/apply/member-card/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert types["member-card"].cases.filter(title="第三批办卡").count() == 1


def test_only_the_applicants_staff_may_apply(kit):
    tree, _types, _a1, _b1 = kit
    client = client_for(user_with_role(tree, "reviewer"))
    assert client.get(f"/services/org/{tree.a1.code}/apply/").status_code == 403


def test_case_pdf_has_the_application_and_every_steps_actor_and_date(kit):
    tree, _types, case_a1, _b1 = kit
    reviewer = user_with_role(tree, "reviewer", first_name="王芳")
    cases.pass_on(actor=reviewer, case=case_a1, step_id=case_a1.current_step_id, comment="同意上报")
    response = client_for(reviewer).get(f"/services/cases/{case_a1.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(response.content).split())  # table cells wrap
    for expected in ("工会会员服务卡办理申请表", "甲一基层工会", "张三", "审批记录",
                     "在指定时间个人向本级", "王芳",
                     "甲系统工会", "同意上报", timezone.localtime(case_a1.submitted_at).strftime("%Y-%m-%d"), "办理中"):
        assert "".join(expected.split()) in text, expected


def test_attachment_is_served_as_a_download_only_in_scope(kit):
    tree, _types, case_a1, _b1 = kit
    response = client_for(user_with_role(tree, "clerk")).get(
        f"/services/attachments/{case_a1.attachments.get().pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"%PDF-1.4 test"


def test_work_queue_lists_what_waits_for_the_user_in_constant_queries(kit):
    tree, types, case_a1, _b1 = kit
    reviewer = user_with_role(tree, "reviewer")
    applicant = case_a1.submitted_by
    client = client_for(reviewer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/services/")
        assert response.status_code == 200
        return len(queries), response

    few, response = count()
    assert case_a1.number in response.content.decode()
    for i in range(30):
        cases.submit_case(actor=applicant, service_type=types["member-card"], applicant=tree.a1,
                          title=f"申请{i}", member_name="某", paper=on_paper(types["member-card"]))
    many, response = count()
    assert many == few
    assert response.context["counts"]["waiting"] == 31


def test_case_page_in_constant_queries(kit):
    tree, _types, case_a1, _b1 = kit
    client = client_for(user_with_role(tree, "reviewer"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/services/cases/{case_a1.pk}/").status_code == 200
        return len(queries)

    before = count()
    reviewer = user_with_role(tree, "reviewer", username="kit-reviewer-2")
    case = cases.return_case(actor=reviewer, case=case_a1, step_id=case_a1.current_step_id, reason="补材料")
    case = cases.pass_on(actor=case.submitted_by, case=case, step_id=case.current_step_id)
    cases.pass_on(actor=reviewer, case=case, step_id=case.current_step_id)
    assert count() <= before + 1  # the form disappears, the actions grow: same queries


def test_home_page_counts_cases_waiting(kit):
    tree, _types, _a1, _b1 = kit
    response = client_for(user_with_role(tree, "reviewer")).get("/")
    assert "件待我办理" in response.content.decode()


def test_service_types_are_edited_in_the_admin_only_in_scope(kit):
    tree, types, _a1, _b1 = kit
    root_admin = UserFactory(username="root-admin")
    GrantFactory(user=root_admin, role="admin", org=tree.root)
    branch_admin = user_with_role(tree, "admin")  # on branch A: the root's types are outside
    url = f"/admin/services/servicetype/{types['member-card'].pk}/change/"
    assert_visible(client_for(root_admin), url)
    assert_hidden(client_for(branch_admin), url)
    listing = client_for(branch_admin).get("/admin/services/servicetype/")
    assert listing.status_code == 200 and "工会会员服务卡办理" not in listing.content.decode()
