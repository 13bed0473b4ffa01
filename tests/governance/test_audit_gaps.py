"""What the audit of issue 6 found untested: the enterprises without a current collective
contract (selector and dashboard), saving expense limits from the page, and the audit entries
of congress sessions and motions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from orgs.governance import selectors
from orgs.governance.services.committees import record_term
from orgs.governance.services.congresses import delegates_serving, record_motion, record_session
from orgs.governance.services.consultations import record_consultation
from orgs.models import ExpenseLimits, OrgKind
from tests.factories import OrgFactory
from tests.governance.helpers import TODAY, congress_with, session_with
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


def _url(name, org, **kwargs):
    return reverse(f"orgs:{name}", kwargs={"code": org.code, **kwargs})


def _contract(org, *, today, signed_days_ago=30, valid_days=700, approved=True):
    """A consultation of ``org`` with a contract signed ``signed_days_ago`` days before
    ``today`` and valid ``valid_days`` after signing (approved by a congress resolution)."""
    signed = today - dt.timedelta(days=signed_days_ago)
    record_term(actor=None, org=org, start=signed - dt.timedelta(days=400),
                end=signed + dt.timedelta(days=1400), chair="张主席")
    motion = None
    if approved:
        congress = congress_with(org, 5, start=signed - dt.timedelta(days=60))
        session = session_with(congress, date=signed - dt.timedelta(days=5))
        motion = record_motion(actor=None, session=session, title="集体合同草案", votes_for=4)
    return record_consultation(
        actor=None, org=org, year=signed.year, date=signed - dt.timedelta(days=10), employer="某公司",
        union_representatives="张主席\n李四\n王五", employer_representatives="甲\n乙\n丙",
        approved_by=motion, contract_signed_on=signed if approved else None,
        contract_valid_until=signed + dt.timedelta(days=valid_days) if approved else None)


def test_contractless_enterprises_are_the_base_unions_without_a_current_contract():
    root = OrgFactory(code="cc", name="合同总工会", kind=OrgKind.FEDERATION)
    system = OrgFactory(code="cc-sys", name="合同系统工会", kind=OrgKind.SYSTEM, parent=root)
    current = OrgFactory(code="cc-cur", name="合同有效企业工会", parent=system)
    expired = OrgFactory(code="cc-exp", name="合同过期企业工会", parent=system)
    unapproved = OrgFactory(code="cc-una", name="未经大会通过企业工会", parent=system)
    none = OrgFactory(code="cc-none", name="没有合同企业工会", parent=system)
    _contract(current, today=TODAY)
    _contract(expired, today=TODAY, signed_days_ago=800, valid_days=700)
    _contract(unapproved, today=TODAY, approved=False)
    user = get_user_model().objects.create_superuser("cc-root", password="pw-for-tests-1")
    rows = selectors.subtree_rows(root, user, TODAY)
    found = [org.code for org in selectors.contractless_enterprises(rows)]
    # In tree order; the current contract's union and the federation and system union (not
    # enterprises: the contract rule does not apply to them) are left out.
    assert found == [expired.code, unapproved.code, none.code]


def test_dashboard_lists_the_enterprises_without_a_current_contract():
    tree = scope_tree()
    today = timezone.localdate()
    _contract(tree.a1, today=today)
    client = client_for(user_with_role(tree, "reviewer"))
    page = client.get(_url("governance-dashboard", tree.a)).content.decode()
    section = page[page.index('id="contractless"'):]
    section = section[:section.index("</section>")]
    assert "kit-a-2" in section and "甲二基层工会" in section
    assert "kit-a-1" not in section and ">kit-a</code>" not in section  # a1 has one; A is no enterprise
    assert f'href="{_url("governance", tree.a2)}"' in section
    # The list follows the name filter and is left out when one rule is picked.
    filtered = client.get(_url("governance-dashboard", tree.a) + "?q=甲一").content.decode()
    assert 'id="contractless"' not in filtered
    by_rule = client.get(_url("governance-dashboard", tree.a) + "?rule=term").content.decode()
    assert 'id="contractless"' not in by_rule


def test_expense_limits_are_saved_from_the_page_audited_and_shown():
    tree = scope_tree()
    staff = user_with_role(tree, "staff")
    client = client_for(staff)
    form = client.get(_url("governance-limits", tree.a1))
    assert form.status_code == 200
    version = form.context["form"]["loaded_version"].value()
    data = {"cash_on_hand": "8000", "bank_transfer_from": "2000", "petty_item": "300",
            "petty_total": "1500", "loaded_version": version}
    response = client.post(_url("governance-limits", tree.a1), data)
    assert response.status_code == 302 and response["Location"].endswith("#expenses")
    limits = ExpenseLimits.objects.get(org=tree.a1)
    assert (limits.cash_on_hand, limits.bank_transfer_from, limits.petty_item, limits.petty_total) == (
        Decimal("8000"), Decimal("2000"), Decimal("300"), Decimal("1500"))
    entry = AuditEntry.objects.get(action="governance.limits.update", object_id=str(limits.pk))
    assert entry.actor == staff and entry.org == tree.a1
    assert entry.after["bank_transfer_from"] in ("2000", "2000.00", 2000)
    page = client.get(_url("governance", tree.a1)).content.decode()
    limits_html = page[page.index('class="facts limits"'):]
    assert "8000" in limits_html[:limits_html.index("</dl>")]

    # A second form loaded before that save is refused, and the values stay.
    stale = dict(data, cash_on_hand="1", loaded_version=version)
    response = client.post(_url("governance-limits", tree.a1), stale)
    assert response.status_code == 200
    assert "其他人已修改了它" in response.content.decode()
    assert ExpenseLimits.objects.get(org=tree.a1).cash_on_hand == Decimal("8000")
    # Another role inside the scope may not save them: 403.
    reviewer = client_for(user_with_role(tree, "reviewer"))
    assert reviewer.post(_url("governance-limits", tree.a1), data).status_code == 403


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
