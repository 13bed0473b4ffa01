"""Each role sees exactly its subtree (staff: its own org) by every path; 404 outside."""

import pytest
from django.urls import reverse

from orgs.access import Action, can, scope_orgs
from orgs.models import Org
from tests.kit import ROLES, assert_hidden, assert_visible, client_for, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_org_pages_and_exports_are_scoped(tree, role):
    client = client_for(user_with_role(tree, role))
    for org in tree.inside(role):
        assert_visible(client, reverse("orgs:detail", args=[org.code]))
        assert_visible(client, reverse("orgs:export", args=[org.code, "xlsx"]))
        assert_visible(client, reverse("orgs:export", args=[org.code, "csv"]))
    for org in tree.outside(role):
        assert_hidden(client, reverse("orgs:detail", args=[org.code]))
        assert_hidden(client, reverse("orgs:export", args=[org.code, "xlsx"]))
        assert_hidden(client, reverse("orgs:export", args=[org.code, "csv"]))


@pytest.mark.parametrize("role", ROLES)
def test_visible_set_is_exactly_the_roles_reach(tree, role):
    user = user_with_role(tree, role)
    visible = set(scope_orgs(Org.objects.all(), user).values_list("code", flat=True))
    assert visible == {org.code for org in tree.inside(role)}


def test_scoping_gate_is_one_query(tree, django_assert_num_queries):
    user = user_with_role(tree, "reviewer")
    with django_assert_num_queries(1):
        list(scope_orgs(Org.objects.all(), user))


@pytest.mark.parametrize(
    ("role", "action", "org_attr", "allowed"),
    [
        ("reviewer", Action.REVIEW, "a1", True),
        ("reviewer", Action.REVIEW, "a", False),  # strictly below its org
        ("staff", Action.FILL, "a1", True),
        ("staff", Action.MANAGE, "a1", False),
        ("clerk", Action.MANAGE, "a", False),
        ("clerk", Action.VIEW, "a2", True),
        ("admin", Action.MANAGE, "a2", True),
        ("admin", Action.MANAGE, "b", False),
        ("scorer", Action.SCORE, "a", True),
        ("scorer", Action.SCORE, "a1", False),  # only templates its own org owns
        ("scorer", Action.REVIEW, "a1", False),
    ],
)
def test_actions_follow_role_and_reach(tree, role, action, org_attr, allowed):
    user = user_with_role(tree, role)
    assert can(user, action, getattr(tree, org_attr)) is allowed


def test_superuser_sees_every_org(tree):
    from tests.factories import UserFactory

    boss = UserFactory(username="boss", is_superuser=True)
    assert scope_orgs(Org.objects.all(), boss).count() == Org.objects.count()
    client = client_for(boss)
    assert_visible(client, reverse("orgs:detail", args=[tree.b1.code]))


def test_tree_page_and_home_show_only_scope(tree):
    client = client_for(user_with_role(tree, "reviewer"))
    page = client.get(reverse("orgs:index")).content.decode()
    assert tree.a1.name in page and tree.a2.name in page
    assert tree.b.name not in page and tree.root.name not in page
    home = client.get(reverse("home")).content.decode()
    assert tree.a.name in home and tree.b.name not in home


def test_breadcrumbs_hide_ancestors_outside_scope(tree):
    client = client_for(user_with_role(tree, "reviewer"))
    page = client.get(reverse("orgs:detail", args=[tree.a1.code])).content.decode()
    assert tree.a.name in page
    assert tree.root.name not in page


def test_search_finds_only_visible_orgs(tree):
    client = client_for(user_with_role(tree, "reviewer"))
    page = client.get(reverse("orgs:detail", args=[tree.a.code]), {"q": "基层"}).content.decode()
    assert tree.a1.name in page and tree.a2.name in page
    assert tree.b1.name not in page


def test_export_holds_only_visible_subtree(tree):
    import io

    from openpyxl import load_workbook

    client = client_for(user_with_role(tree, "clerk"))
    response = client.get(reverse("orgs:export", args=[tree.a.code, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [tree.a.code, tree.a1.code, tree.a2.code]


def test_anonymous_is_sent_to_sign_in(tree, client):
    response = client.get(reverse("orgs:detail", args=[tree.a.code]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
