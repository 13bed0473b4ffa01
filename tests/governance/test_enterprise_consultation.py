"""Collective consultation (集体协商) is an enterprise union's (企业工会), not a government
office's (机关工会): ``Org.is_enterprise`` decides whether the consultation and contract rules
apply, on the union's page, the dashboard's counts, the list of unions without a contract, in
the admin and in the org import (an optional 企业工会 column)."""

import datetime as dt
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fixtures.demo_orgs import DEMO_BASE_UNIONS
from fixtures.seed_orgs import SeedOrg
from orgs import seeding
from orgs.governance import selectors
from orgs.governance.services.committees import record_term
from orgs.governance.services.congresses import record_motion
from orgs.governance.services.consultations import record_consultation
from orgs.models import Org, OrgKind
from tests.commands import run_command
from tests.factories import OrgFactory
from tests.governance.helpers import TODAY, congress_with, session_with
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db

HEADER = "编码,名称,上级编码,类型,简称,会员数,职工数,企业工会\n"


@pytest.fixture
def tree():
    tree = scope_tree()
    Org.objects.filter(pk=tree.a2.pk).update(is_enterprise=False)  # a government office (机关)
    tree.a2.refresh_from_db()
    return tree


def test_the_consultation_rules_apply_only_to_enterprise_unions(tree):
    enterprise = selectors.union_status(tree.a1, TODAY).checks
    office = selectors.union_status(tree.a2, TODAY).checks
    assert enterprise["consultation"].status == "overdue" and enterprise["contract"].status == "overdue"
    assert office["consultation"].status == "na" and office["contract"].status == "na"
    assert office["term"].status == "overdue"  # the other rules still apply


def test_the_dashboard_counts_only_the_unions_that_must_consult(tree):
    admin = user_with_role(tree, "admin")
    board = selectors.dashboard(tree.a, admin, TODAY)
    counts = {rule.code: dict(tally) for rule, tally in board.counts}
    assert counts["consultation"]["overdue"] == 1 and counts["contract"]["overdue"] == 1
    assert counts["term"]["overdue"] == 3  # a, a1, a2
    assert [org.code for org in selectors.contractless_enterprises(board.rows)] == ["kit-a-1"]


def test_the_page_shows_the_consultation_only_to_an_enterprise_union(tree):
    client = client_for(user_with_role(tree, "admin"))
    enterprise = client.get(reverse("orgs:governance", kwargs={"code": "kit-a-1"})).content.decode()
    office = client.get(reverse("orgs:governance", kwargs={"code": "kit-a-2"})).content.decode()
    assert 'id="consultation"' in enterprise and 'id="consultation"' not in office


def test_the_admin_edits_whether_an_org_is_an_enterprise_union(tree):
    superuser = get_user_model().objects.create_superuser("root-admin", password="pw-Long-enough-1")
    client = Client()
    client.force_login(superuser)
    page = client.get(reverse("admin:orgs_org_change", args=[tree.a1.pk])).content.decode()
    assert 'name="is_enterprise"' in page


def test_the_import_takes_an_optional_enterprise_column(tmp_path, tree):
    path = tmp_path / "orgs.csv"
    path.write_text(HEADER + "kit-a-9,财政局机关工会,kit-a,基层工会,,,,否\n"
                    + "kit-a-8,某公司工会,kit-a,基层工会,,,,\n"
                    + "kit-a-2,甲二基层工会,kit-a,基层工会,,,,是\n", encoding="utf-8")
    code, _out, err = run_command("import_orgs", str(path))
    assert code == 0, err
    flags = dict(Org.objects.filter(code__in=["kit-a-9", "kit-a-8", "kit-a-2"]).values_list("code", "is_enterprise"))
    assert flags == {"kit-a-9": False, "kit-a-8": True, "kit-a-2": True}


def test_a_bad_enterprise_cell_is_reported_and_nothing_written(tmp_path, tree):
    path = tmp_path / "orgs.csv"
    path.write_text(HEADER + "kit-a-9,财政局机关工会,kit-a,基层工会,,,,也许\n", encoding="utf-8")
    code, _out, err = run_command("import_orgs", str(path))
    assert code == 1 and "row 2: 企业工会:" in err
    assert not Org.objects.filter(code="kit-a-9").exists()


def test_seeded_government_offices_are_no_enterprise_unions(tree):
    offices = {seed.code for seed in DEMO_BASE_UNIONS if not seed.is_enterprise}
    assert {"zz-szjg-czj", "zz-szjg-rsj"} <= offices
    assert all("机关" not in seed.name for seed in DEMO_BASE_UNIONS if seed.is_enterprise)
    org, created = seeding._ensure_org(SeedOrg("kit-a-7", "某局机关工会", "base", "kit-a", is_enterprise=False),
                                       is_demo=True)
    assert created and not org.is_enterprise


def _url(name, org, **kwargs):
    return reverse(f"orgs:{name}", kwargs={"code": org.code, **kwargs})


# Enterprises without a current collective contract (selector and dashboard) ------------------

def _contract(org, *, today, signed_days_ago=30, valid_days=700, approved=True):
    """A consultation of ``org`` with a contract signed ``signed_days_ago`` days before
    ``today`` and valid ``valid_days`` after signing (approved by a congress resolution)."""
    signed = today - dt.timedelta(days=signed_days_ago)
    record_term(actor=SYSTEM, org=org, start=signed - dt.timedelta(days=400),
                end=signed + dt.timedelta(days=1400), chair="张主席")
    motion = None
    if approved:
        congress = congress_with(org, 5, start=signed - dt.timedelta(days=60))
        session = session_with(congress, date=signed - dt.timedelta(days=5))
        motion = record_motion(actor=SYSTEM, session=session, title="集体合同草案", votes_for=4)
    return record_consultation(
        actor=SYSTEM, org=org, year=signed.year, date=signed - dt.timedelta(days=10), employer="某公司",
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


def test_a_long_list_of_enterprises_without_a_contract_shows_fifty_and_links_to_them_all(monkeypatch):
    """A city has thousands: the dashboard lists the first CONTRACTLESS_SHOWN and links to the
    rule's filter, which pages through them all."""
    from orgs.governance import views

    monkeypatch.setattr(views, "CONTRACTLESS_SHOWN", 1)
    tree = scope_tree()
    client = client_for(user_with_role(tree, "reviewer"))
    page = client.get(_url("governance-dashboard", tree.a)).content.decode()
    section = page[page.index('id="contractless"'):]
    section = section[:section.index("</section>")]
    assert section.count("<li>") == 1
    link = re.search(r'<a href="(\?[^"]+)">[^<]*1[^<]*</a>', section)
    assert link and html.unescape(link.group(1)) == "?rule=contract&status=overdue"
    listed = client.get(_url("governance-dashboard", tree.a) + html.unescape(link.group(1))).content.decode()
    assert "kit-a-1" in listed and "kit-a-2" in listed
