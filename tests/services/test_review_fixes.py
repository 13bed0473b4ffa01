"""Regression tests of the services review: type pages offered to the unions below their owner,
audited bulk deletes in the admin, the mutual-aid page in constant queries, and pk lookups that
go through the scoping gate first."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services import funds
from services import services as engine
from services.models import BudgetRate, FundRecord, MutualAidRound, ServiceType
from services.seeding import SERVICE_TYPES, define_service_type
from services.selectors import visible_service_types
from tests.factories import GrantFactory, UserFactory
from tests.kit import assert_hidden, assert_visible, client_for, scope_tree, user_with_role
from tests.services.conftest import catalogue, on_paper
from unionportal.models import AuditEntry


@pytest.fixture
def tree(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return scope_tree()


def _card(tree):
    spec = next(spec for spec in SERVICE_TYPES if spec.code == "member-card")
    return define_service_type(owner=tree.root, spec=spec, catalogue=catalogue())[0]


def _type(owner, code, **extra):
    return ServiceType.objects.create(org=owner, code=code, name=f"{owner.code}-{code}", **extra)


# --- 4. a type the user may apply for opens -----------------------------------------------------


def test_staff_open_the_type_they_applied_for_from_their_case_page(tree):
    """The root owns the type; a1's staff apply for it and follow the link on their case page."""
    card = _card(tree)
    staff = user_with_role(tree, "staff")
    case = engine.submit_case(actor=staff, service_type=card, applicant=tree.a1, title="办卡",
                              member_name="张三", paper=on_paper(card))
    client = client_for(staff)
    page = client.get(f"/services/cases/{case.pk}/").content.decode()
    assert f'href="/services/types/{card.pk}/"' in page
    assert_visible(client, f"/services/types/{card.pk}/")


def test_type_pages_follow_the_owner_or_what_is_offered_to_visible_orgs(tree):
    root_type = _type(tree.root, "root")
    a_type = _type(tree.a, "a")
    a1_type = _type(tree.a1, "a1")
    b_type = _type(tree.b, "b")
    inactive = _type(tree.root, "old", is_active=False)
    staff_a1 = user_with_role(tree, "staff")  # sees a1 only
    expected = {
        "staff": {root_type, a_type, a1_type},  # offered to a1; b's type is not
        "clerk": {root_type, a_type, a1_type},  # owner visible, or offered to a / a1 / a2
        "admin": {root_type, a_type, a1_type},
    }
    for role, visible in expected.items():
        user = staff_a1 if role == "staff" else user_with_role(tree, role)
        client = client_for(user)
        for service_type in (root_type, a_type, a1_type, b_type, inactive):
            url = f"/services/types/{service_type.pk}/"
            if service_type in visible:
                assert_visible(client, url)
            else:
                assert_hidden(client, url)
    # An inactive type is offered to nobody: only those who see its owner open it.
    root_admin = UserFactory(username="root-admin")
    GrantFactory(user=root_admin, role="admin", org=tree.root)
    assert_visible(client_for(root_admin), f"/services/types/{inactive.pk}/")


def test_visible_service_types_is_one_query(tree):
    for org in (tree.root, tree.a, tree.b, tree.a1):
        _type(org, "t")
    staff = user_with_role(tree, "staff")
    with CaptureQueriesContext(connection) as queries:
        codes = sorted(t.org.code for t in visible_service_types(staff).select_related("org"))
    assert len(queries) == 1
    assert codes == ["kit", "kit-a", "kit-a-1"]


def test_case_page_does_not_link_a_type_the_user_may_not_open(tree):
    card = _card(tree)
    staff = user_with_role(tree, "staff")
    case = engine.submit_case(actor=staff, service_type=card, applicant=tree.a1, title="办卡",
                              member_name="张三", paper=on_paper(card))
    ServiceType.objects.filter(pk=card.pk).update(is_active=False)  # offered no longer
    page = client_for(staff).get(f"/services/cases/{case.pk}/").content.decode()
    assert card.name in page and f"/services/types/{card.pk}/" not in page


# --- 6. bulk deletes in the admin are audited ---------------------------------------------------


def _root_admin_client(tree):
    admin = UserFactory(username="root-admin")
    GrantFactory(user=admin, role="admin", org=tree.root)
    return client_for(admin)


@pytest.mark.parametrize("model", [FundRecord, BudgetRate])
def test_delete_selected_writes_one_audit_entry_per_row(tree, model):
    if model is FundRecord:
        rows = [FundRecord.objects.create(org=org, year=2025, payroll=1000) for org in (tree.a, tree.a1, tree.b)]
    else:
        rows = [BudgetRate.objects.create(org=tree.root, year=year) for year in (2024, 2025, 2026)]
    client = _root_admin_client(tree)
    name = model._meta.model_name
    response = client.post(f"/admin/services/{name}/", {
        "action": "delete_selected", "_selected_action": [row.pk for row in rows], "post": "yes"})
    assert response.status_code == 302
    assert not model.objects.exists()
    entries = AuditEntry.objects.filter(action=f"{name}.delete")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(row.pk) for row in rows)
    assert all(entry.before for entry in entries)


def test_delete_selected_only_deletes_rows_in_scope(tree):
    inside = FundRecord.objects.create(org=tree.a1, year=2025, payroll=1000)
    outside = FundRecord.objects.create(org=tree.b1, year=2025, payroll=1000)
    client = client_for(user_with_role(tree, "admin"))  # admin of branch A
    client.post("/admin/services/fundrecord/", {
        "action": "delete_selected", "_selected_action": [inside.pk, outside.pk], "post": "yes"})
    assert list(FundRecord.objects.all()) == [outside]
    assert list(AuditEntry.objects.filter(action="fundrecord.delete").values_list("object_id", flat=True)) == [str(inside.pk)]


# --- 11. the mutual-aid page: constant queries, paginated ---------------------------------------


def test_mutual_aid_page_in_constant_queries_and_paginated(tree):
    admin = user_with_role(tree, "admin")  # manages branch A: every open round may close
    client = client_for(admin)
    orgs = [tree.a, tree.a1, tree.a2]

    def add_rounds(start, stop):
        for n in range(start, stop):
            funds.record_round(actor=None, org=orgs[n % 3], year=2025, name=f"第{n}轮", raised=100, paid=80)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/services/org/{tree.a.code}/mutual-aid/")
        assert response.status_code == 200
        return len(queries), response

    add_rounds(0, 5)
    few, response = count()
    assert len(response.context["rounds"]) == 5
    assert all(round_.may_close for round_ in response.context["rounds"])
    add_rounds(5, 25)
    many, response = count()
    assert many == few
    assert response.content.decode().count("/close/") == 25
    add_rounds(25, 60)
    assert count()[0] == few
    second = client.get(f"/services/org/{tree.a.code}/mutual-aid/?page=2")
    assert len(second.context["rounds"]) == 10
    assert second.context["page"].paginator.count == 60


def test_mutual_aid_page_offers_closing_only_where_the_user_manages(tree):
    client = client_for(user_with_role(tree, "clerk"))
    funds.record_round(actor=None, org=tree.a1, year=2025, name="一日捐", raised=100, paid=80)
    response = client.get(f"/services/org/{tree.a.code}/mutual-aid/")
    assert [round_.may_close for round_ in response.context["rounds"]] == [False]


# --- pk lookups through the gate first ----------------------------------------------------------


def test_closing_a_round_outside_the_scope_is_404_and_inside_without_manage_403(tree):
    outside = funds.record_round(actor=None, org=tree.b1, year=2025, name="乙", raised=100, paid=80)
    inside = funds.record_round(actor=None, org=tree.a1, year=2025, name="甲", raised=100, paid=80)
    admin = client_for(user_with_role(tree, "admin"))
    clerk = client_for(user_with_role(tree, "clerk"))
    assert admin.post(f"/services/mutual-aid/{outside.pk}/close/", {"compliant": "1"}).status_code == 404
    assert clerk.post(f"/services/mutual-aid/{inside.pk}/close/", {"compliant": "1"}).status_code == 403
    response = admin.post(f"/services/mutual-aid/{inside.pk}/close/", {"compliant": "1"})
    assert response.status_code == 302
    assert MutualAidRound.objects.get(pk=inside.pk).status == "closed"
    assert MutualAidRound.objects.get(pk=outside.pk).status == "open"


def test_attachment_outside_the_scope_is_404_in_one_gated_query(tree):
    card = _card(tree)
    staff_b1 = UserFactory(username="staff-b1")
    GrantFactory(user=staff_b1, role="staff", org=tree.b1)
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    case = engine.submit_case(actor=staff_b1, service_type=card, applicant=tree.b1, title="乙",
                              member_name="李四", files=[pdf], paper=on_paper(card))
    url = f"/services/attachments/{case.attachments.get().pk}/"
    assert_hidden(client_for(user_with_role(tree, "admin")), url)
    assert client_for(staff_b1).get(url).status_code == 200


def test_a_repeated_post_by_whoever_took_the_step_is_not_refused(tree):
    card = _card(tree)
    staff = user_with_role(tree, "staff")
    case = engine.submit_case(actor=staff, service_type=card, applicant=tree.a1, title="办卡",
                              member_name="张三", paper=on_paper(card))
    reviewer = user_with_role(tree, "reviewer")
    step = case.current_step_id
    assert engine.took_step(reviewer, case, step) is False
    engine.pass_on(actor=reviewer, case=case, step_id=step)
    assert engine.took_step(reviewer, case, str(step)) is True
    assert engine.took_step(reviewer, case, "x") is False
    assert engine.took_step(staff, case, step) is False
