"""The user's grants read once per request (orgs.selectors.user_scope) and shared by the view,
the context processors and the landing page's template tags: it answers as the gate does."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from orgs.access import Action, can, granted_org_ids, holds_anywhere, scope_orgs
from orgs.models import Grant, Org
from orgs.selectors import top_orgs, user_scope
from tests.factories import GrantFactory, UserFactory
from tests.kit import ROLES, client_for, user_with_role

pytestmark = pytest.mark.django_db


def _scope(user):
    request = RequestFactory().get("/")
    request.user = user
    return user_scope(request)


@pytest.mark.parametrize("role", ROLES)
def test_the_request_scope_answers_as_the_gate(tree, role):
    user = user_with_role(tree, role)
    scope = _scope(user)
    for action in Action:
        assert scope.holds(action) == holds_anywhere(user, action), action
        assert scope.granted_org_ids(action) == granted_org_ids(user, action), action
    for org in Org.objects.all():
        below = org.get_descendants(include_self=True)
        whole = scope_orgs(below, user).count() == below.count()
        # covers_subtree may only be claimed when the gate shows every org below
        assert not scope.covers_subtree(org) or whole, org.code
    assert scope.top_orgs() == top_orgs(user)


@pytest.mark.parametrize("role", [*ROLES, "two grants", "superuser", "none", "inactive", "inactive superuser",
                                  "unknown role"])
def test_the_request_scope_can_as_the_gate_can_for_every_action_and_org(tree, role):
    """``UserScope.can`` (a page's forms and links, no query) answers as ``access.can``."""
    if role == "two grants":
        user = UserFactory(username="two")
        GrantFactory(user=user, role="reviewer", org=tree.a)
        GrantFactory(user=user, role="staff", org=tree.b1)
    elif role in ("superuser", "none", "inactive superuser"):
        user = UserFactory(username=role.replace(" ", "-"), is_superuser=role != "none",
                           is_active=role != "inactive superuser")
    elif role == "inactive":
        user = user_with_role(tree, "admin", is_active=False)
    elif role == "unknown role":  # a role string the gate's table lacks (no constraint forbids one)
        user = user_with_role(tree, "clerk")
        Grant.objects.create(user=user, role="auditor", org=tree.b)
    else:
        user = user_with_role(tree, role)
    scope = _scope(user)
    answers = {(action, org.code): scope.can(action, org) for action in Action for org in Org.objects.all()}
    assert answers == {(action, org.code): can(user, action, org) for action in Action for org in Org.objects.all()}
    assert any(answers.values()) == (role not in ("none", "inactive", "inactive superuser"))


def test_a_partial_scope_never_covers_the_subtree(tree):
    user = UserFactory(username="partial")
    GrantFactory(user=user, role="staff", org=tree.a)
    GrantFactory(user=user, role="clerk", org=tree.a1)
    scope = _scope(user)
    assert not scope.covers_subtree(tree.a) and scope.covers_subtree(tree.a1)
    assert [org.code for org in scope.top_orgs()] == ["kit-a"]


@pytest.mark.parametrize("role", ROLES)
def test_the_landing_page_reads_the_grants_once(tree, role):
    client = client_for(user_with_role(tree, role))
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    grant_reads = [q["sql"] for q in ctx.captured_queries
                   if q["sql"].split(" FROM ", 1)[1].startswith('"orgs_grant"')]
    assert len(grant_reads) == 1, grant_reads
