"""Special committees (第二十条): members are delegates of the congress, but the congress may
take on workers who are not (聘请非代表职工; 第十三条: 列席/特邀 too).  The delegate checks apply
to the delegates among the members, never to those marked as non-delegates."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgs.governance import selectors
from orgs.governance.models import CommitteeKind, CommitteeMember, CommitteeRole, MandateEnd
from orgs.governance.services.committees import set_committee
from orgs.governance.services.congresses import end_mandate
from tests.governance.helpers import TODAY, congress_with
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db


def _members(names):
    return ([(names[0], CommitteeRole.CHAIR), (names[1], CommitteeRole.VICE_CHAIR)]
            + [(name, CommitteeRole.MEMBER) for name in names[2:]])


def _all_six(congress, names, non_delegates=()):
    for kind in CommitteeKind.values:
        set_committee(actor=SYSTEM, congress=congress, kind=kind, members=_members(names),
                      non_delegates=non_delegates)


@pytest.fixture
def tree():
    return scope_tree()


@pytest.fixture
def org(tree):
    return tree.a1


def test_committees_of_delegates_and_marked_non_delegates_are_complete(org):
    congress = congress_with(org, 12)
    delegates = [f"代表{i:03d}" for i in range(8)]
    _all_six(congress, delegates + ["财务专家"], non_delegates=["财务专家"])
    check = selectors.union_status(org, TODAY).checks["committees"]
    assert check.status == "kept", check.detail
    assert CommitteeMember.objects.filter(name="财务专家", non_delegate=True).count() == 6


def test_an_unmarked_member_who_is_no_delegate_is_flagged(org):
    congress = congress_with(org, 12)
    _all_six(congress, [f"代表{i:03d}" for i in range(8)] + ["财务专家"])
    check = selectors.union_status(org, TODAY).checks["committees"]
    assert check.status == "overdue"


def test_a_delegate_member_whose_mandate_ended_is_flagged_a_non_delegate_never(org):
    congress = congress_with(org, 12)
    _all_six(congress, [f"代表{i:03d}" for i in range(8)] + ["特邀张工"], non_delegates=["特邀张工"])
    assert selectors.union_status(org, TODAY).checks["committees"].status == "kept"
    leaving = congress.delegates.get(name="代表003")
    end_mandate(actor=SYSTEM, delegate=leaving, ended_on=dt.date(2026, 5, 1), reason=MandateEnd.RETIRED)
    assert selectors.union_status(org, TODAY).checks["committees"].status == "overdue"


def test_a_non_delegate_must_be_one_of_the_members(org):
    congress = congress_with(org, 12)
    with pytest.raises(ValidationError):
        set_committee(actor=SYSTEM, congress=congress, kind=CommitteeKind.WOMEN,
                      members=_members([f"代表{i:03d}" for i in range(9)]), non_delegates=["外人"])


def test_the_form_records_and_shows_the_non_delegates(tree, org):
    congress = congress_with(org, 12)
    client = client_for(user_with_role(tree, "staff"))
    url = reverse("orgs:governance-committee", kwargs={"code": org.code, "pk": congress.pk, "kind": "funds"})
    response = client.post(url, {"chair": "代表000", "vice_chair": "财务专家",
                                 "members": "\n".join(f"代表{i:03d}" for i in range(1, 8)),
                                 "non_delegates": "财务专家"})
    assert response.status_code == 302
    member = CommitteeMember.objects.get(name="财务专家")
    assert member.non_delegate and member.role == CommitteeRole.VICE_CHAIR
    page = client.get(reverse("orgs:governance", kwargs={"code": org.code})).content.decode()
    assert 'class="badge non-delegate">财务专家' in page
    edit = client.get(url).content.decode()
    assert "财务专家</textarea>" in edit

