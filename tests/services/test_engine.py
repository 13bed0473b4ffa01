"""The case engine: every allowed and refused transition, idempotency, audit, 建会."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.governance import selectors as governance
from orgs.governance.models import CommitteeTerm
from orgs.models import Org
from services import cases
from services.documents import PaperDelivery
from services.models import (
    Case,
    CaseAction,
    CaseStatus,
    LegalPersonCertificate,
    Officer,
    OfficerRole,
    StepOutcome,
)
from tests.services.conftest import on_paper
from unionportal.models import AuditEntry


def apply(world, code="member-card", applicant=None, actor=None, **kwargs):
    kwargs.setdefault("title", "会员服务卡申请")
    kwargs.setdefault("member_name", "张三")
    kwargs.setdefault("paper", on_paper(world.types[code]))  # required documents (所需材料)
    return cases.submit_case(actor=actor or world.staff, service_type=world.types[code],
                             applicant=applicant or world.base, **kwargs)


def test_submit_completes_the_applicants_opening_steps_and_routes_to_the_superior(world):
    case = apply(world)
    assert case.current_step.position == 3
    assert case.current_org == world.system
    assert not case.awaiting_applicant
    assert list(case.actions.values_list("step_position", "kind")) == [(1, "submit"), (2, "submit")]
    assert case.due_at is not None
    assert AuditEntry.objects.filter(action="case.submit", object_id=str(case.pk)).count() == 1


def test_double_submit_with_the_same_token_creates_one_case(world):
    token = uuid.uuid4()
    first = apply(world, token=token)
    second = apply(world, token=token)
    assert first.pk == second.pk
    assert Case.objects.count() == 1


def test_card_travels_up_and_is_completed_by_the_federation(world):
    case = apply(world)
    case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id, comment="同意")
    assert case.current_org == world.fed and case.current_step.position == 4
    case = cases.pass_on(actor=world.handler, case=case, step_id=case.current_step_id)
    assert case.current_step.outside_party == "银行"
    with pytest.raises(ValidationError):  # the bank's result must be recorded
        cases.complete_case(actor=world.handler, case=case, step_id=case.current_step_id)
    case = cases.complete_case(actor=world.handler, case=case, step_id=case.current_step_id,
                               data={"outcome": "已发卡，卡号 6222 **** 0001"})
    assert case.status == CaseStatus.COMPLETED and case.closed_at
    assert [(a.step_position, a.org.code, a.kind) for a in case.actions.all()] == [
        (1, "fed-sys-a", "submit"), (2, "fed-sys-a", "submit"), (3, "fed-sys", "pass"),
        (4, "fed", "pass"), (5, "fed", "complete")]


def test_street_base_union_goes_through_its_street_union(world):
    case = apply(world, applicant=world.street_base, actor=world.street_staff)
    assert case.current_org == world.street
    with pytest.raises(PermissionDenied):
        cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id)
    case = cases.pass_on(actor=world.street_reviewer, case=case, step_id=case.current_step_id)
    assert case.current_org == world.fed


@pytest.mark.parametrize("who", ["staff", "system_staff", "clerk", "admin", "street_reviewer"])
def test_only_a_grant_covering_the_routed_org_may_act(world, who):
    case = apply(world)
    with pytest.raises(PermissionDenied):
        cases.pass_on(actor=getattr(world, who), case=case, step_id=case.current_step_id)
    with pytest.raises(PermissionDenied):
        cases.reject_case(actor=getattr(world, who), case=case, step_id=case.current_step_id,
                          reason="不行")
    assert not cases.may_act(getattr(world, who), case)


def test_federation_handler_may_act_below_it_but_the_system_reviewer_not_above_it(world):
    case = apply(world)
    assert cases.may_act(world.handler, case)  # its grant's subtree covers the system union
    case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id)
    assert not cases.may_act(world.reviewer, case)


def test_only_staff_of_the_applicant_apply(world):
    for who in (world.reviewer, world.clerk, world.admin, world.street_staff):
        with pytest.raises(PermissionDenied):
            apply(world, actor=who)


def test_return_needs_a_reason_and_goes_back_one_step(world):
    case = apply(world)
    with pytest.raises(ValidationError):
        cases.return_case(actor=world.reviewer, case=case, step_id=case.current_step_id, reason=" ")
    case = cases.return_case(actor=world.reviewer, case=case, step_id=case.current_step_id,
                             reason="缺少身份证复印件")
    assert case.current_step.position == 2 and case.current_org == world.base
    assert case.returned and case.awaiting_applicant
    assert case.actions.last().comment == "缺少身份证复印件"
    # The applicant cannot return or reject its own step, but submits it again.
    with pytest.raises(PermissionDenied):
        cases.reject_case(actor=world.staff, case=case, step_id=case.current_step_id, reason="x")
    case = cases.pass_on(actor=world.staff, case=case, step_id=case.current_step_id)
    assert case.current_org == world.system and not case.returned


def test_reject_needs_a_reason_and_closes_the_case(world):
    case = apply(world)
    with pytest.raises(ValidationError):
        cases.reject_case(actor=world.reviewer, case=case, step_id=case.current_step_id, reason="")
    case = cases.reject_case(actor=world.reviewer, case=case, step_id=case.current_step_id,
                             reason="不符合办卡条件")
    assert case.status == CaseStatus.REJECTED
    assert not cases.may_act(world.handler, case)
    with pytest.raises(ValidationError):
        cases.pass_on(actor=world.handler, case=case, step_id=case.current_step_id)


def test_a_repeated_action_does_nothing_twice_and_a_stale_one_is_refused(world):
    case = apply(world)
    step_id = case.current_step_id
    cases.pass_on(actor=world.reviewer, case=case, step_id=step_id)
    again = cases.pass_on(actor=world.reviewer, case=case, step_id=step_id)
    assert again.current_step.position == 4
    assert CaseAction.objects.filter(case=case, kind=StepOutcome.PASS).count() == 1
    with pytest.raises(ValidationError):  # someone else's form for the old step
        cases.return_case(actor=world.handler, case=case, step_id=step_id, reason="晚了")


def test_the_last_step_completes_and_earlier_ones_pass_on(world):
    case = apply(world)
    with pytest.raises(ValidationError):
        cases.complete_case(actor=world.reviewer, case=case, step_id=case.current_step_id)


def test_hardship_aid_granted_and_paid(world):
    case = apply(world, code="hardship", title="困难帮扶")
    assert case.current_org == world.fed
    with pytest.raises(ValidationError):
        cases.complete_case(actor=world.handler, case=case, step_id=case.current_step_id,
                            data={"aid_granted": 2000, "aid_paid": 3000})
    case = cases.complete_case(actor=world.handler, case=case, step_id=case.current_step_id,
                               data={"aid_granted": 3000, "aid_paid": 2000})
    assert (case.aid_granted, case.aid_paid) == (3000, 2000)


def test_legal_person_registration_records_the_certificate(world):
    case = apply(world, code="legal-person", title="法人资格登记", member_name="")
    for who in (world.reviewer, world.reviewer, world.handler):
        case = cases.pass_on(actor=who, case=case, step_id=case.current_step_id)
    expires = dt.date.today() + dt.timedelta(days=30)
    cases.complete_case(actor=world.handler, case=case, step_id=case.current_step_id,
                        data={"certificate_number": "工法证字第001号", "expires_on": expires})
    certificate = LegalPersonCertificate.objects.get()
    assert (certificate.org, certificate.number, certificate.expires_on) == (world.base, "工法证字第001号", expires)
    from services.selectors import certificates_to_warn
    assert list(certificates_to_warn(world.handler)) == [certificate]
    assert list(certificates_to_warn(world.street_reviewer)) == []


def found(world, code="fed-sys-new"):
    case = cases.submit_case(actor=world.system_staff, service_type=world.types["founding"],
                             applicant=world.system, title="组建新公司工会",
                             details={"new_name": "新公司工会", "new_code": code},
                             paper=on_paper(world.types["founding"]))
    assert case.current_step.position == 2 and case.current_org == world.system
    return case


def test_founding_a_union_creates_it_under_the_applicant_with_its_officers(world):
    case = found(world)
    # the superior's approval is the reviewer's, not the staff's
    assert not cases.may_act(world.system_staff, case)
    case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id)
    with pytest.raises(ValidationError):  # member registration records the members
        cases.pass_on(actor=world.system_staff, case=case, step_id=case.current_step_id)
    case = cases.pass_on(actor=world.system_staff, case=case, step_id=case.current_step_id,
                         data={"members": 120})
    for _ in range(4):
        case = cases.pass_on(actor=world.system_staff, case=case, step_id=case.current_step_id)
    assert case.current_step.position == 8
    case = cases.pass_on(actor=world.system_staff, case=case, step_id=case.current_step_id,
                         data={"chair": "王建国", "vice_chairs": "李明、赵丽", "funds_chair": "陈平",
                                "women_chair": "刘芳", "elected_on": dt.date(2026, 3, 8)})
    assert not Org.objects.filter(code="fed-sys-new").exists()
    case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id,
                         comment="同意选举结果")
    with pytest.raises(ValidationError, match="上级批复"):  # its required document (所需材料)
        cases.complete_case(actor=world.system_staff, case=case, step_id=case.current_step_id)
    case = cases.complete_case(actor=world.system_staff, case=case, step_id=case.current_step_id,
                               paper={"上级批复": PaperDelivery("交件人", dt.date(2026, 3, 9))})
    new = Org.objects.get(code="fed-sys-new")
    assert (new.name, new.kind, new.parent, new.members) == ("新公司工会", "base", world.system, 120)
    assert case.new_org == new
    officers = {(o.role, o.name) for o in Officer.objects.filter(org=new)}
    assert officers == {(OfficerRole.CHAIR, "王建国"), (OfficerRole.VICE_CHAIR, "李明"),
                        (OfficerRole.VICE_CHAIR, "赵丽"), (OfficerRole.FUNDS_CHAIR, "陈平"),
                        (OfficerRole.WOMEN_CHAIR, "刘芳")}
    assert AuditEntry.objects.filter(action="org.create", object_id=str(new.pk)).exists()
    assert AuditEntry.objects.filter(action="case.found_union", actor=world.system_staff).exists()
    # The elected committee's first term is recorded in the governance records (audited), so the
    # new union does not start out with an overdue election.
    term = CommitteeTerm.objects.get(org=new)
    assert (term.number, term.start, term.end, term.chair, term.vice_chair_list()) == (
        1, dt.date(2026, 3, 8), dt.date(2031, 3, 7), "王建国", ["李明", "赵丽"])
    entry = AuditEntry.objects.get(action="governance.term.create", object_id=str(term.pk))
    assert case.number in entry.comment
    assert governance.union_status(new, dt.date(2026, 6, 15)).checks["term"].status == "kept"


def test_founding_without_an_election_date_starts_the_term_on_completion(world):
    case = found(world, code="fed-sys-undated")
    case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id)
    case = cases.pass_on(actor=world.system_staff, case=case, step_id=case.current_step_id,
                         data={"members": 30})
    for _ in range(4):
        case = cases.pass_on(actor=world.system_staff, case=case, step_id=case.current_step_id)
    case = cases.pass_on(actor=world.system_staff, case=case, step_id=case.current_step_id,
                         data={"chair": "周主席"})
    case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id)
    done_at = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    case = cases.complete_case(actor=world.system_staff, case=case, step_id=case.current_step_id,
                               now=done_at, documents={"上级批复": SimpleUploadedFile(
                                    "批复.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")})
    term = CommitteeTerm.objects.get(org=case.new_org)
    assert (term.start, term.end, term.chair, term.vice_chairs) == (
        dt.date(2026, 5, 4), dt.date(2031, 5, 3), "周主席", "")


# Issue 5: only the applicant's staff take the applicant's steps ------------------------------

def test_a_reviewer_may_not_resubmit_a_returned_case_for_the_applicant(world):
    case = apply(world)
    case = cases.return_case(actor=world.reviewer, case=case, step_id=case.current_step_id,
                             reason="缺少材料")
    assert case.current_org == world.base and case.current_step.applicant_fills
    for who in (world.reviewer, world.handler):  # they see the case, but it is the union's step
        assert not cases.may_act(who, case)
        with pytest.raises(PermissionDenied):
            cases.pass_on(actor=who, case=case, step_id=case.current_step_id)
    assert cases.may_act(world.staff, case)
    case = cases.pass_on(actor=world.staff, case=case, step_id=case.current_step_id)
    assert case.current_org == world.system


def test_a_reviewer_may_not_record_the_member_registration_of_a_founding(world):
    case = found(world, code="fed-sys-reg")
    case = cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id)  # approval
    assert case.current_step.data == "members"
    for who in (world.reviewer, world.handler):
        assert not cases.may_act(who, case)
        with pytest.raises(PermissionDenied):
            cases.pass_on(actor=who, case=case, step_id=case.current_step_id, data={"members": 80})
    case = cases.pass_on(actor=world.system_staff, case=case, step_id=case.current_step_id,
                         data={"members": 80})
    assert case.details["members"] == 80
    assert case.actions.get(step_position=3).actor == world.system_staff


def test_founding_refuses_a_taken_code(world):
    with pytest.raises(ValidationError):
        found(world, code="fed-sys-a")


def test_attachments_are_type_and_size_checked(world):
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        apply(world, files=[fake])
    exe = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        apply(world, files=[exe])
    assert Case.objects.count() == 0
    real = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    case = apply(world, files=[real])
    attachment = case.attachments.get()
    assert attachment.name == "证明.pdf" and attachment.size == len(b"%PDF-1.4 minimal")
    assert "证明" not in attachment.file.name  # stored under a random name
