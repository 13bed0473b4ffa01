"""A step's required documents (所需材料) are required: a submission is refused until each one
is attached, or recorded as delivered on paper (who brought it, when; who recorded it, audited);
the refusal names the missing documents."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from services import cases
from services.documents import PaperDelivery
from services.models import Case, CaseAttachment, PaperDocument, ServiceStep
from tests.kit import client_for
from unionportal import page_cache
from unionportal.models import AuditEntry

DAY = dt.date(2026, 1, 5)


def pdf(name="办卡材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def submit(world, **kwargs):
    return cases.submit_case(actor=world.staff, service_type=world.types["member-card"],
                             applicant=world.base, title="会员服务卡申请", member_name="张三", **kwargs)


def test_a_card_application_without_its_documents_is_refused_naming_them(world):
    with pytest.raises(ValidationError) as refused:
        submit(world)
    assert "办卡材料" in " ".join(refused.value.messages)
    # an unlabelled attachment is not the required document
    with pytest.raises(ValidationError):
        submit(world, files=[pdf("其他.pdf")])
    assert not Case.objects.exists()


def test_every_missing_document_is_named(world):
    ServiceStep.objects.filter(service_type=world.types["member-card"], position=1).update(
        documents="办卡材料、身份证复印件")
    with pytest.raises(ValidationError) as refused:
        submit(world, documents={"办卡材料": pdf()})
    assert "缺少：身份证复印件。" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError) as refused:
        submit(world)
    assert "缺少：办卡材料、身份证复印件。" in " ".join(refused.value.messages)


def test_an_attached_document_is_labelled_on_its_step(world):
    case = submit(world, documents={"办卡材料": pdf()})
    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.document == "办卡材料" and attachment.action.step_position == 1


def test_paper_delivery_records_who_and_when_and_is_audited(world):
    case = submit(world, paper={"办卡材料": PaperDelivery("张三", DAY)})
    paper = PaperDocument.objects.get(case=case)
    assert (paper.document, paper.delivered_by, paper.delivered_on, paper.recorded_by) == (
        "办卡材料", "张三", DAY, world.staff)
    entry = AuditEntry.objects.get(action="case.paper_document")
    assert entry.actor == world.staff and "张三" in str(entry.after)


def test_paper_delivery_needs_who_and_a_day_not_in_the_future(world):
    with pytest.raises(ValidationError):
        submit(world, paper={"办卡材料": PaperDelivery(" ", DAY)})
    with pytest.raises(ValidationError):
        submit(world, paper={"办卡材料": PaperDelivery("张三", dt.date.today() + dt.timedelta(days=3))})
    assert not Case.objects.exists()


def test_the_apply_form_refuses_names_the_documents_and_keeps_what_was_typed(world):
    client = client_for(world.staff)
    url = f"/services/org/{world.base.code}/apply/member-card/"
    token = client.get(url).context["form"].initial["token"]
    data = {"token": token, "title": "第五批办卡", "member_name": "王五", "description": "新入职职工"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "所需材料未齐" in page and "办卡材料" in page
    assert "第五批办卡" in page and "新入职职工" in page

    paper_without_who = client.post(url, {**data, "paper_0": "on", "paper_on_0": "2026-01-05"})
    assert paper_without_who.status_code == 200 and not Case.objects.exists()

    attached = client.post(url, {**data, "doc_0": pdf()})
    assert attached.status_code == 302
    assert CaseAttachment.objects.get().document == "办卡材料"


def test_the_case_page_shows_a_paper_delivery(world):
    case = submit(world, paper={"办卡材料": PaperDelivery("张三", DAY)})
    page = client_for(world.staff).get(f"/services/cases/{case.pk}/").content.decode()
    assert "纸质" in page and "张三" in page and "2026-01-05" in page


def test_a_step_the_applicant_submits_later_needs_its_documents_too(world):
    case = submit(world, documents={"办卡材料": pdf()})
    case = cases.return_case(actor=world.reviewer, case=case, step_id=case.current_step_id,
                             reason="请补充")
    ServiceStep.objects.filter(pk=case.current_step_id).update(documents="汇总表")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="汇总表"):
        cases.pass_on(actor=world.staff, case=case, step_id=case.current_step_id)
    client = client_for(world.staff)
    page = client.get(f"/services/cases/{case.pk}/").content.decode()
    assert "汇总表" in page  # the form asks for it
    case = cases.pass_on(actor=world.staff, case=case, step_id=case.current_step_id,
                         documents={"汇总表": pdf("汇总表.pdf")})
    assert case.current_org == world.system


def test_a_paper_delivery_shows_on_the_case_page_the_moment_it_is_recorded(world):
    """The timeline is kept as HTML between writes (services/views.py): a delivery recorded
    after the page was seen is on the next page."""
    case = submit(world, documents={"办卡材料": pdf()})
    case = cases.return_case(actor=world.reviewer, case=case, step_id=case.current_step_id, reason="请补充")
    ServiceStep.objects.filter(pk=case.current_step_id).update(documents="汇总表")
    page_cache.mark_written(["services"])  # (a raw update: the services mark their own writes)
    case.refresh_from_db()
    client = client_for(world.staff)
    url = f"/services/cases/{case.pk}/"
    assert "李四" not in client.get(url).content.decode()
    cases.pass_on(actor=world.staff, case=case, step_id=case.current_step_id,
                  paper={"汇总表": PaperDelivery("李四", DAY)})
    page = client.get(url).content.decode()
    assert "李四" in page and "2026-01-05" in page
