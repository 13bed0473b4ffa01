"""The mutual-aid page (职工互助一日捐): constant queries, paginated, closing offered and allowed
only where the user manages; a round outside the scope answers 404."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from services import funds
from services.models import MutualAidRound
from tests.kit import client_for, user_with_role
from unionportal.actors import SYSTEM


def test_mutual_aid_page_in_constant_queries_and_paginated(tree):
    admin = user_with_role(tree, "admin")  # manages branch A: every open round may close
    client = client_for(admin)
    orgs = [tree.a, tree.a1, tree.a2]

    def add_rounds(start, stop):
        for n in range(start, stop):
            funds.record_round(actor=SYSTEM, org=orgs[n % 3], year=2025, name=f"第{n}轮", raised=100, paid=80)

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
    funds.record_round(actor=SYSTEM, org=tree.a1, year=2025, name="一日捐", raised=100, paid=80)
    response = client.get(f"/services/org/{tree.a.code}/mutual-aid/")
    assert [round_.may_close for round_ in response.context["rounds"]] == [False]


def test_closing_a_round_outside_the_scope_is_404_and_inside_without_manage_403(tree):
    outside = funds.record_round(actor=SYSTEM, org=tree.b1, year=2025, name="乙", raised=100, paid=80)
    inside = funds.record_round(actor=SYSTEM, org=tree.a1, year=2025, name="甲", raised=100, paid=80)
    admin = client_for(user_with_role(tree, "admin"))
    clerk = client_for(user_with_role(tree, "clerk"))
    assert admin.post(f"/services/mutual-aid/{outside.pk}/close/", {"compliant": "1"}).status_code == 404
    assert clerk.post(f"/services/mutual-aid/{inside.pk}/close/", {"compliant": "1"}).status_code == 403
    response = admin.post(f"/services/mutual-aid/{inside.pk}/close/", {"compliant": "1"})
    assert response.status_code == 302
    assert MutualAidRound.objects.get(pk=inside.pk).status == "closed"
    assert MutualAidRound.objects.get(pk=outside.pk).status == "open"
