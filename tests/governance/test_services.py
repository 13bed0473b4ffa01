"""Writes: each service checks its rule, refuses what breaks it, audits what it writes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from orgs.governance import selectors
from orgs.governance.models import (
    CommitteeKind,
    CommitteeRole,
    CommitteeTerm,
    Delegate,
    ExpenseKind,
    MandateEnd,
    MeetingKind,
    MotionOutcome,
)
from orgs.governance.services.committees import record_first_term, record_term, set_committee
from orgs.governance.services.congresses import (
    by_elect_delegate,
    delegates_serving,
    elect_delegates,
    end_mandate,
    record_motion,
    record_session,
)
from orgs.governance.services.consultations import record_consultation, update_consultation
from orgs.governance.services.expenses import (
    approve_expense,
    pay_expense,
    record_expense,
    set_expense_limits,
    settle_advance,
    sign_expense,
)
from orgs.governance.services.meetings import record_meeting, update_meeting
from tests.factories import OrgFactory
from tests.governance.helpers import TODAY, congress_with, session_with
from tests.kit import scope_tree, user_with_role
from unionportal.actors import SYSTEM
from unionportal.concurrency import ConflictError
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrgFactory(code="gov-a", name="甲基层工会")


def test_exactly_half_of_all_delegates_fails_and_passed_is_refused(org):
    congress = congress_with(org, 20)
    session = session_with(congress, present=20)
    with pytest.raises(ValidationError) as error:
        record_motion(actor=SYSTEM, session=session, title="议案", votes_for=10,
                      declared=MotionOutcome.PASSED)
    assert error.value.code == "not_passed"
    failed = record_motion(actor=SYSTEM, session=session, title="议案", votes_for=10)
    assert failed.outcome == MotionOutcome.FAILED
    passed = record_motion(actor=SYSTEM, session=session, title="议案二", votes_for=11,
                           declared=MotionOutcome.PASSED)
    assert passed.outcome == MotionOutcome.PASSED and passed.number == 2


def test_majority_of_those_present_is_not_enough(org):
    congress = congress_with(org, 30)
    session = session_with(congress, present=16)
    motion = record_motion(actor=SYSTEM, session=session, title="议案", votes_for=15,
                           votes_against=1)
    assert motion.outcome == MotionOutcome.FAILED  # 15 of 16 present, but not > 15 of 30


def test_more_votes_than_delegates_present_is_refused(org):
    congress = congress_with(org, 10)
    session = session_with(congress, present=6)
    with pytest.raises(ValidationError):
        record_motion(actor=SYSTEM, session=session, title="议案", votes_for=6, votes_against=1)


def test_one_fifth_non_voting_passes_one_more_fails(org):
    congress = congress_with(org, 20)
    session = session_with(congress, non_voting=["列席一", "列席二", "列席三"], invited=["特邀一"])
    assert session.delegates_total == 20
    with pytest.raises(ValidationError) as error:
        session_with(congress, non_voting=["列席一", "列席二", "列席三"], invited=["特邀一", "特邀二"])
    assert error.value.code == "non_voting_share"


def test_a_session_counts_only_delegates_serving_on_its_date(org):
    congress = congress_with(org, 10, start=dt.date(2024, 1, 1))  # mandates end 2025-12-31
    with pytest.raises(ValidationError):
        session_with(congress, date=dt.date(2026, 1, 5))
    assert session_with(congress, date=dt.date(2025, 12, 31)).delegates_total == 10


def test_re_election_by_election_and_end_of_mandate(org):
    congress = congress_with(org, 3, start=dt.date(2024, 1, 1))
    elect_delegates(actor=SYSTEM, congress=congress, start=dt.date(2026, 1, 1),
                    delegates=[("代表000", ""), ("新代表", "")])
    old = Delegate.objects.get(congress=congress, name="代表000", start=dt.date(2024, 1, 1))
    assert old.end_reason == MandateEnd.RE_ELECTED
    renewed = Delegate.objects.get(congress=congress, name="代表000", start=dt.date(2026, 1, 1))
    assert renewed.basis == "re-election" and renewed.end == dt.date(2027, 12, 31)
    leaving = Delegate.objects.get(congress=congress, name="代表001")
    leaving = end_mandate(actor=SYSTEM, delegate=leaving, ended_on=dt.date(2025, 6, 1),
                          reason=MandateEnd.RETIRED, expected_version=leaving.version)
    successor = by_elect_delegate(actor=SYSTEM, congress=congress, name="补选代表", unit="",
                                  start=dt.date(2025, 7, 1), replaces=leaving)
    assert successor.end == leaving.end  # serves the rest of the mandate
    # 代表002's mandate lapsed unrenewed: overdue
    status = selectors.union_status(org, TODAY)
    assert status.checks["delegates"].status == "overdue"


def test_committee_of_nine_to_eleven_with_a_chair_and_vice_chair(org):
    congress = congress_with(org, 20)
    members = [("主任", CommitteeRole.CHAIR), ("副主任", CommitteeRole.VICE_CHAIR)]
    with pytest.raises(ValidationError):
        set_committee(actor=SYSTEM, congress=congress, kind=CommitteeKind.FUNDS,
                      members=members + [(f"委员{i}", CommitteeRole.MEMBER) for i in range(6)])
    committee = set_committee(actor=SYSTEM, congress=congress, kind=CommitteeKind.FUNDS,
                              members=members + [(f"委员{i}", CommitteeRole.MEMBER) for i in range(7)])
    assert committee.members.count() == 9
    with pytest.raises(ConflictError):
        set_committee(actor=SYSTEM, congress=congress, kind=CommitteeKind.FUNDS,
                      members=members + [(f"委员{i}", CommitteeRole.MEMBER) for i in range(8)],
                      expected_version=committee.version - 1)


def _term(org, chair="张主席", start=dt.date(2024, 1, 1), end=dt.date(2028, 12, 31)):
    return record_term(actor=SYSTEM, org=org, start=start, end=end, chair=chair)


def test_consultation_chief_is_the_chair_and_the_contract_needs_the_congress(org):
    _term(org)
    congress = congress_with(org, 10)
    motion = record_motion(actor=SYSTEM, session=session_with(congress), title="集体合同",
                           votes_for=8)
    values = {"year": 2026, "date": dt.date(2026, 3, 1), "employer": "甲公司",
              "employer_representatives": "甲\n乙\n丙"}
    with pytest.raises(ValidationError):
        record_consultation(actor=SYSTEM, org=org, union_representatives="李四\n张主席\n王五", **values)
    with pytest.raises(ValidationError):  # signed without the congress's approval
        record_consultation(actor=SYSTEM, org=org, union_representatives="张主席\n李四\n王五",
                            contract_signed_on=dt.date(2026, 3, 20),
                            contract_valid_until=dt.date(2028, 3, 19), **values)
    consultation = record_consultation(
        actor=SYSTEM, org=org, union_representatives="张主席\n李四\n王五", approved_by=motion,
        contract_signed_on=dt.date(2026, 3, 20), contract_valid_until=dt.date(2028, 3, 19), **values)
    status = selectors.union_status(org, TODAY)
    assert status.checks["consultation"].status == "kept"
    assert status.checks["contract"].status == "kept"
    with pytest.raises(ConflictError):
        update_consultation(actor=SYSTEM, consultation=consultation, expected_version=0,
                            employer="乙公司")


def test_terms_may_not_overlap_and_an_ended_term_is_overdue(org):
    _term(org, start=dt.date(2021, 1, 1), end=dt.date(2025, 12, 31))
    with pytest.raises(ValidationError):
        _term(org, start=dt.date(2025, 6, 1), end=dt.date(2030, 5, 31))
    assert selectors.union_status(org, TODAY).checks["term"].status == "overdue"
    _term(org, start=dt.date(2026, 1, 1), end=dt.date(2030, 12, 31))
    assert selectors.union_status(org, TODAY).checks["term"].status == "kept"


def test_nobody_may_record_and_the_gate_decides_who_does():
    """The public steps ask the gate: no actor is refused, a reviewer of the subtree too
    (RECORD is the union's staff's and the admins'); the system (seeding) passes."""
    tree = scope_tree()
    for actor in (None, user_with_role(tree, "reviewer")):
        with pytest.raises(PermissionDenied):
            record_term(actor=actor, org=tree.a1, start=dt.date(2024, 1, 1), end=dt.date(2028, 12, 31),
                        chair="张主席")
    assert not CommitteeTerm.objects.filter(org=tree.a1).exists()
    term = record_term(actor=SYSTEM, org=tree.a1, start=dt.date(2024, 1, 1), end=dt.date(2028, 12, 31),
                       chair="张主席")
    entry = AuditEntry.objects.get(action="governance.term.create", object_id=str(term.pk))
    assert entry.by_system and entry.actor is None and term.created_by is None


def test_a_founding_records_the_first_term_as_the_case_s_actor_without_asking_again():
    """record_first_term is the founding case's internal step: the case's own check decided,
    so a reviewer (who may not RECORD) completes it, and the audit names them."""
    tree = scope_tree()
    reviewer = user_with_role(tree, "reviewer")
    term = record_first_term(actor=reviewer, org=tree.a1, start=dt.date(2026, 3, 8), chair=" 王建国 ",
                             vice_chairs="李明", comment="case 1")
    assert (term.number, term.start, term.end, term.chair, term.created_by) == (
        1, dt.date(2026, 3, 8), dt.date(2031, 3, 7), "王建国", reviewer)
    entry = AuditEntry.objects.get(action="governance.term.create", object_id=str(term.pk))
    assert (entry.actor, entry.by_system, entry.comment) == (reviewer, False, "case 1")


def test_no_payment_before_both_signatures_and_the_chairs_approval(org):
    _term(org)
    expense = record_expense(actor=SYSTEM, org=org, kind=ExpenseKind.EXPENSE, date=TODAY,
                             purpose="慰问品", amount=Decimal("300"), handler="李四")
    with pytest.raises(ValidationError) as error:
        pay_expense(actor=SYSTEM, expense=expense, on=TODAY, method="cash")
    assert {e.code for e in error.value.error_list} == {"not_payable"}
    assert len(error.value.messages) == 3
    expense = sign_expense(actor=SYSTEM, expense=expense, as_role="handler", name="李四", on=TODAY)
    with pytest.raises(ValidationError):  # the witness is someone else
        sign_expense(actor=SYSTEM, expense=expense, as_role="witness", name="李四", on=TODAY)
    expense = sign_expense(actor=SYSTEM, expense=expense, as_role="witness", name="王五", on=TODAY)
    with pytest.raises(ValidationError):  # only the chair approves
        approve_expense(actor=SYSTEM, expense=expense, chair="王五", on=TODAY)
    expense = approve_expense(actor=SYSTEM, expense=expense, chair="张主席", on=TODAY)
    with pytest.raises(ConflictError):
        pay_expense(actor=SYSTEM, expense=expense, on=TODAY, method="cash",
                    expected_version=expense.version - 1)
    expense = pay_expense(actor=SYSTEM, expense=expense, on=TODAY, method="cash",
                          expected_version=expense.version)
    assert expense.paid_on == TODAY
    actions = list(AuditEntry.objects.filter(object_id=str(expense.pk)).values_list("action", flat=True))
    assert "governance.expense.pay" in actions and "governance.expense.approve" in actions


def test_limits_per_org_decide_cash_or_bank(org):
    _term(org)
    set_expense_limits(actor=SYSTEM, org=org, bank_transfer_from=Decimal("200"))
    expense = record_expense(actor=SYSTEM, org=org, kind=ExpenseKind.EXPENSE, date=TODAY,
                             purpose="办公用品", amount=Decimal("300"), handler="李四")
    for role, name in (("handler", "李四"), ("witness", "王五")):
        expense = sign_expense(actor=SYSTEM, expense=expense, as_role=role, name=name, on=TODAY)
    expense = approve_expense(actor=SYSTEM, expense=expense, chair="张主席", on=TODAY)
    with pytest.raises(ValidationError):
        pay_expense(actor=SYSTEM, expense=expense, on=TODAY, method="cash")
    assert pay_expense(actor=SYSTEM, expense=expense, on=TODAY, method="bank").paid_on == TODAY


def test_an_advance_unsettled_after_its_month_is_overdue(org):
    day = dt.date(2026, 5, 20)
    advance = record_expense(actor=SYSTEM, org=org, kind=ExpenseKind.ADVANCE, date=day,
                             purpose="出差借款", amount=Decimal("800"), handler="李四")
    for role, name in (("handler", "李四"), ("witness", "王五")):
        advance = sign_expense(actor=SYSTEM, expense=advance, as_role=role, name=name, on=day)
    advance = approve_expense(actor=SYSTEM, expense=advance, chair="张主席", on=day)
    advance = pay_expense(actor=SYSTEM, expense=advance, on=day, method="cash")
    assert selectors.union_status(org, dt.date(2026, 5, 31)).checks["advances"].status == "due"
    assert selectors.union_status(org, dt.date(2026, 6, 1)).checks["advances"].status == "overdue"
    settle_advance(actor=SYSTEM, expense=advance, on=dt.date(2026, 6, 3))
    assert selectors.union_status(org, dt.date(2026, 6, 4)).checks["advances"].status == "kept"


def test_meeting_conflict_and_audit(org):
    meeting = record_meeting(actor=SYSTEM, org=org, kind=MeetingKind.STANDING_COMMITTEE,
                             date=dt.date(2026, 4, 2), attendees="甲\n乙", agenda="议题")
    updated = update_meeting(actor=SYSTEM, meeting=meeting, expected_version=1, decisions="决定")
    assert updated.version == 2
    with pytest.raises(ConflictError):
        update_meeting(actor=SYSTEM, meeting=meeting, expected_version=1, decisions="另一决定")
    assert AuditEntry.objects.filter(action="governance.meeting.update", org=org).count() == 1


def test_only_the_unions_staff_and_admins_above_may_record():
    tree = scope_tree()
    staff = user_with_role(tree, "staff")  # on a1
    admin = user_with_role(tree, "admin")  # on A
    reviewer = user_with_role(tree, "reviewer")
    kwargs = {"kind": MeetingKind.FULL_COMMITTEE, "date": dt.date(2026, 1, 5), "attendees": "甲",
              "agenda": "议题"}
    record_meeting(actor=staff, org=tree.a1, **kwargs)
    record_meeting(actor=admin, org=tree.a2, **kwargs)
    for actor, org in ((staff, tree.a2), (reviewer, tree.a1), (admin, tree.b1)):
        with pytest.raises(PermissionDenied):
            record_meeting(actor=actor, org=org, **kwargs)


# A missed period stays flagged on the dashboard (issue 6) -------------------------------------

def _standing(org, *days):
    for day in days:
        record_meeting(actor=SYSTEM, org=org, kind=MeetingKind.STANDING_COMMITTEE, date=day,
                       attendees="甲\n乙", agenda="季度工作")


def test_a_quarter_skipped_then_caught_up_stays_flagged_on_the_dashboard():
    from django.contrib.auth import get_user_model

    root = OrgFactory(code="gov-fed", name="测试总工会", kind="federation")
    skipped = OrgFactory(code="gov-fed-a", name="跳过一季度工会", parent=root)
    keeper = OrgFactory(code="gov-fed-b", name="按季开会工会", parent=root)
    # TODAY is in 2026 Q2: the skipper met in 2025 Q4, skipped 2026 Q1 and met again in Q2.
    _standing(skipped, dt.date(2025, 10, 20), dt.date(2026, 4, 10))
    _standing(keeper, dt.date(2025, 10, 20), dt.date(2026, 2, 10), dt.date(2026, 4, 10))
    q1 = "2026年第1季度"

    status = selectors.union_status(skipped, TODAY)
    assert status.checks["standing"].status == "overdue"
    assert status.checks["standing"].missed == (q1,)
    assert selectors.missed_meetings(status)[MeetingKind.STANDING_COMMITTEE] == (q1,)
    assert selectors.union_status(keeper, TODAY).checks["standing"].status == "kept"

    user = get_user_model().objects.create_superuser("gov-fed-root", password="pw-for-tests-1")
    board = selectors.dashboard(root, user, TODAY)
    counts = dict(next(tally for rule, tally in board.counts if rule.code == "standing"))
    assert counts["overdue"] == 2 and counts["kept"] == 1  # the root has no meetings at all
    flagged = selectors.dashboard(root, user, TODAY, rule="standing", status="overdue")
    codes = [row.org.code for row in flagged.rows]
    assert "gov-fed-a" in codes and "gov-fed-b" not in codes
    lines = list(selectors.overdue_lines(board.rows, rule="standing"))
    assert [org.code for org, _rule, _check in lines if org.code.startswith("gov-fed-")] == ["gov-fed-a"]
    assert q1 in lines[[org.code for org, _r, _c in lines].index("gov-fed-a")][2].detail


def test_congress_sessions_and_motions_are_audited_with_the_actor():
    tree = scope_tree()
    staff = user_with_role(tree, "staff")
    today = timezone.localdate()
    congress = congress_with(tree.a1, 10, start=today - dt.timedelta(days=30))
    serving = list(delegates_serving(congress, today))
    session = record_session(actor=staff, congress=congress, title="第一次会议", date=today,
                             present=serving[:8], non_voting=["列席甲"], invited=["特邀甲"])
    entry = AuditEntry.objects.get(action="governance.session.create", object_id=str(session.pk))
    assert (entry.actor, entry.org) == (staff, tree.a1)
    assert entry.after["present"] == 8
    assert entry.after["non_voting"] == ["列席甲"] and entry.after["invited"] == ["特邀甲"]

    motion = record_motion(actor=staff, session=session, title="关于集体合同的决议",
                           votes_for=6, votes_against=2)
    entry = AuditEntry.objects.get(action="governance.motion.create", object_id=str(motion.pk))
    assert (entry.actor, entry.org) == (staff, tree.a1)
    assert entry.after["votes_for"] == 6 and entry.after["outcome"] == "passed"
    failed = record_motion(actor=staff, session=session, title="第二项议案", votes_for=5)
    assert AuditEntry.objects.get(action="governance.motion.create",
                                  object_id=str(failed.pk)).after["outcome"] == "failed"
    # A refused motion writes no audit entry.
    with pytest.raises(ValidationError):  # more votes than delegates present
        record_motion(actor=staff, session=session, title="多票", votes_for=9)
    assert AuditEntry.objects.filter(action="governance.motion.create").count() == 2
