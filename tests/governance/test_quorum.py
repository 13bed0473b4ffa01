"""Attendance (quorum) rules, committee and delegate terms, and the mutual-aid percentage.

A 职工代表大会 opens only with two thirds of ALL delegates present (企业民主管理规定); a committee
meeting with more than half of its members.  Both thresholds are settings of the federation.
Below them the record is kept but flagged, does not count as held, and no motion passes.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from orgs.governance import quorum, selectors
from orgs.governance.models import FederationRules, MeetingKind, MotionOutcome
from orgs.governance.rules import Status
from orgs.governance.services.committees import record_term
from orgs.governance.services.congresses import elect_delegates, record_motion
from orgs.governance.services.meetings import record_meeting
from services import funds
from tests.factories import GrantFactory, OrgFactory, UserFactory
from tests.governance.helpers import TODAY, congress_with, session_with
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return scope_tree()


def _meeting(org, present: int, absent: int, *, date=dt.date(2026, 3, 2), kind=MeetingKind.FULL_COMMITTEE,
             members_total=None):
    return record_meeting(
        actor=SYSTEM, org=org, kind=kind, date=date, agenda="议题",
        attendees="\n".join(f"委员{i}" for i in range(present)),
        absentees="\n".join(f"缺席{i}（病假）" for i in range(absent)), members_total=members_total)


# Congress sessions -----------------------------------------------------------------------------

def test_five_of_twenty_delegates_is_recorded_flagged_and_not_held(tree):
    congress = congress_with(tree.a1, 20)
    session = session_with(congress, present=5)
    assert session.pk and not session.quorate
    assert session.quorum_needed == 14  # two thirds of 20 is 13⅓: 14 delegates
    status = selectors.union_status(tree.a1, TODAY)
    assert status.checks["congress"].status == Status.OVERDUE

    client = client_for(user_with_role(tree, "staff"))
    page = client.get(reverse("orgs:governance", kwargs={"code": tree.a1.code})).content.decode()
    assert "法定人数" in page and "企业民主管理规定" in page
    record = client.get(reverse("orgs:governance-motion-new", kwargs={"code": tree.a1.code,
                                                                     "pk": session.pk}))
    assert "企业民主管理规定" in record.content.decode()


def test_two_thirds_exactly_opens_the_session_and_counts_it(tree):
    congress = congress_with(tree.a1, 21)
    assert session_with(congress, present=13).quorate is False
    held = session_with(congress, date=dt.date(2026, 4, 1), present=14)
    assert held.quorate and held.quorum_needed == 14
    assert selectors.union_status(tree.a1, TODAY).checks["congress"].status == Status.KEPT


def test_no_motion_passes_at_a_session_below_its_quorum(tree):
    congress = congress_with(tree.a1, 20)
    session = session_with(congress, present=13)  # 13 < 14: below two thirds
    with pytest.raises(ValidationError) as refused:
        record_motion(actor=SYSTEM, session=session, title="决议", votes_for=12)
    assert "企业民主管理规定" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        record_motion(actor=SYSTEM, session=session, title="决议", votes_for=3,
                      declared=MotionOutcome.PASSED)
    failed = record_motion(actor=SYSTEM, session=session, title="否决的议案", votes_for=3)
    assert failed.outcome == MotionOutcome.FAILED

    quorate = session_with(congress, date=dt.date(2026, 4, 1), present=14)
    motion = record_motion(actor=SYSTEM, session=quorate, title="决议", votes_for=12)
    assert motion.outcome == MotionOutcome.PASSED


def test_the_view_refuses_the_motion_and_keeps_what_was_typed(tree):
    congress = congress_with(tree.a1, 20)
    session = session_with(congress, present=12)
    client = client_for(user_with_role(tree, "staff"))
    url = reverse("orgs:governance-motion-new", kwargs={"code": tree.a1.code, "pk": session.pk})
    response = client.post(url, {"title": "关于集体合同的决议", "votes_for": 11, "votes_against": 0,
                                 "abstentions": 0, "declared": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "企业民主管理规定" in body and "关于集体合同的决议" in body
    assert not session.motions.exists()


# Committee meetings ----------------------------------------------------------------------------

def test_full_committee_with_two_of_seven_is_flagged_and_not_held(tree):
    meeting = _meeting(tree.a1, 2, 5)
    assert not meeting.quorate and meeting.quorum_needed == 4
    status = selectors.union_status(tree.a1, TODAY)
    assert status.checks["full"].status == Status.OVERDUE

    client = client_for(user_with_role(tree, "staff"))
    page = client.get(reverse("orgs:governance", kwargs={"code": tree.a1.code})).content.decode()
    assert "法定人数" in page
    record = client.get(reverse("orgs:governance-meeting-edit", kwargs={"code": tree.a1.code,
                                                                       "pk": meeting.pk}))
    assert "法定人数" in record.content.decode() and "企业民主管理规定" not in record.content.decode()


def test_more_than_half_is_needed_exactly_half_is_not(tree):
    assert _meeting(tree.a1, 4, 4).quorate is False
    assert _meeting(tree.a1, 4, 3, date=dt.date(2026, 3, 3)).quorate is True
    assert selectors.union_status(tree.a1, TODAY).checks["full"].status == Status.KEPT


def test_members_given_are_the_base_and_more_attendees_than_members_is_refused(tree):
    assert _meeting(tree.a1, 5, 0, members_total=11).quorate is False
    with pytest.raises(ValidationError):
        _meeting(tree.a1, 8, 0, members_total=7, date=dt.date(2026, 3, 4))


# The federation's thresholds -------------------------------------------------------------------

def test_thresholds_default_to_two_thirds_and_one_half():
    rules_row = FederationRules()
    assert rules_row.congress_quorum == (2, 3)
    assert rules_row.committee_quorum == (1, 2)


def test_each_federation_sets_its_own_thresholds_audited(tree):
    other = OrgFactory(code="other-fed", name="另一总工会", kind="federation")
    # The federation's own admin sets them; an admin of a union below it may not.
    with pytest.raises(PermissionDenied):
        quorum.save_rules(actor=user_with_role(tree, "admin"), rules_row=FederationRules(org=tree.root))
    admin = UserFactory(username="root-admin")
    GrantFactory(user=admin, role="admin", org=tree.root)
    quorum.save_rules(actor=admin, rules_row=FederationRules(
        org=tree.root, committee_quorum_numerator=1, committee_quorum_denominator=3,
        congress_quorum_numerator=3, congress_quorum_denominator=4))
    assert AuditEntry.objects.filter(action="governance.federation_rules.create", actor=admin).exists()
    assert _meeting(tree.a1, 3, 4).quorate is True  # more than a third of 7
    assert _meeting(other, 3, 4).quorate is False  # the other federation keeps the defaults
    congress = congress_with(tree.a1, 20)
    assert session_with(congress, present=14).quorate is False  # 3/4 of 20 is 15
    assert session_with(congress, date=dt.date(2026, 4, 1), present=15).quorate is True


def test_a_share_above_the_whole_or_below_the_top_is_refused(tree):
    with pytest.raises(ValidationError):
        quorum.save_rules(actor=SYSTEM, rules_row=FederationRules(
            org=tree.root, congress_quorum_numerator=4, congress_quorum_denominator=3))
    with pytest.raises(ValidationError):
        quorum.save_rules(actor=SYSTEM, rules_row=FederationRules(org=tree.a))


def test_the_admin_edits_the_thresholds(tree):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser("root-admin", "r@example.com", "pw-xyz-123456")
    client = client_for_password(superuser, "pw-xyz-123456")
    response = client.post(reverse("admin:governance_federationrules_add"), {
        "org": tree.root.pk, "congress_quorum_numerator": 3, "congress_quorum_denominator": 4,
        "committee_quorum_numerator": 1, "committee_quorum_denominator": 2})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FederationRules.objects.get(org=tree.root).congress_quorum == (3, 4)
    assert AuditEntry.objects.filter(action="governance.federation_rules.create",
                                     actor=superuser).exists()


def client_for_password(user, password):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# Terms -----------------------------------------------------------------------------------------

def test_a_committee_term_longer_than_five_years_is_refused_with_the_rule(tree):
    start = dt.date(2024, 1, 1)
    with pytest.raises(ValidationError) as refused:
        record_term(actor=SYSTEM, org=tree.a1, start=start, end=dt.date(2029, 1, 1), chair="王")
    assert "工会法" in " ".join(refused.value.messages)
    term = record_term(actor=SYSTEM, org=tree.a1, start=start, end=dt.date(2028, 12, 31),
                       chair="王")
    assert term.pk


def test_a_delegate_term_other_than_two_years_is_refused_with_the_rule(tree):
    congress = congress_with(tree.a1, 0)
    with pytest.raises(ValidationError) as refused:
        elect_delegates(actor=SYSTEM, congress=congress, start=dt.date(2026, 1, 1),
                        end=dt.date(2028, 12, 31), delegates=[("张三", "")])
    assert "第十一条" in " ".join(refused.value.messages)
    elected = elect_delegates(actor=SYSTEM, congress=congress, start=dt.date(2026, 1, 1),
                              end=dt.date(2027, 12, 31), delegates=[("张三", "")])
    assert elected[0].end == dt.date(2027, 12, 31)


def test_the_election_form_refuses_a_three_year_term_and_keeps_the_names(tree):
    congress = congress_with(tree.a1, 0)
    client = client_for(user_with_role(tree, "staff"))
    url = reverse("orgs:governance-election", kwargs={"code": tree.a1.code, "pk": congress.pk})
    response = client.post(url, {"start": "2026-01-01", "end": "2029-01-01", "delegates": "李四，一车间"})
    body = response.content.decode()
    assert "第十一条" in body and "李四" in body
    assert not congress.delegates.exists()


# Mutual aid ------------------------------------------------------------------------------------

def test_a_round_at_69_99_percent_does_not_read_as_70(tree):
    admin = user_with_role(tree, "admin")
    round_ = funds.record_round(actor=admin, org=tree.a, year=2025, name="一日捐",
                                raised=1_000_000, paid=699_900)
    assert funds.is_flagged(round_)
    with pytest.raises(ValidationError) as refused:
        funds.close_round(actor=admin, round_=round_, compliant=True)
    message = " ".join(refused.value.messages)
    assert "69.99" in message and "70.0%" not in message
    fine = funds.record_round(actor=admin, org=tree.a, year=2025, name="二日捐", raised=1000, paid=756)
    assert str(funds.payout_percent(fine)) == "75.6"
