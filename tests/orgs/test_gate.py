"""The gate as one check and as querysets: require(), Org.objects.visible_to, ScopedQuerySet."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.access import (
    ACTION_REACH,
    Action,
    ScopedQuerySet,
    can,
    granted_org_ids,
    holds_anywhere,
    require,
    roles_for,
    scope_orgs,
    scope_queryset,
)
from orgs.models import Grant, Org, OrgAlias, Role
from tests.factories import GrantFactory, OrgFactory, UserFactory
from tests.kit import ROLES, user_with_role
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db


def test_the_table_is_keyed_by_the_role_enum():
    for reach in ACTION_REACH.values():
        assert all(isinstance(role, Role) for role in reach)
    assert roles_for(Action.MANAGE) == [Role.ADMIN]
    assert set(roles_for(Action.VIEW)) == set(Role)


def test_require_lets_the_system_through_without_a_query(tree):
    with CaptureQueriesContext(connection) as queries:
        require(SYSTEM, Action.MANAGE, tree.b1)
    assert len(queries) == 0


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_require_refuses_nobody_and_anonymous(tree, actor):
    with pytest.raises(PermissionDenied):
        require(actor, Action.VIEW, tree.a1)


def test_require_refuses_another_org_and_an_action_the_role_lacks(tree):
    admin = user_with_role(tree, "admin")  # admin of branch A
    require(admin, Action.MANAGE, tree.a1)
    with pytest.raises(PermissionDenied):
        require(admin, Action.MANAGE, tree.b1)  # the other branch
    reviewer = user_with_role(tree, "reviewer")
    require(reviewer, Action.VIEW, tree.a)
    with pytest.raises(PermissionDenied):
        require(reviewer, Action.MANAGE, tree.a)  # inside the scope, not the role's action


def test_require_refuses_an_inactive_user(tree):
    admin = user_with_role(tree, "admin", is_active=False)
    with pytest.raises(PermissionDenied):
        require(admin, Action.MANAGE, tree.a1)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(Action))
def test_visible_to_equals_scope_orgs_in_one_query(tree, role, action):
    user = user_with_role(tree, role)
    expected = set(scope_orgs(Org.objects.all(), user, action).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        got = set(Org.objects.visible_to(user, action).values_list("pk", flat=True))
    assert got == expected
    assert len(queries) == 1
    assert "EXISTS" in queries[0]["sql"].upper()
    assert got == {org.pk for org in Org.objects.all() if can(user, action, org)}


def test_visible_to_defaults_to_view_and_hides_everything_from_nobody(tree):
    reviewer = user_with_role(tree, "reviewer")
    assert set(Org.objects.visible_to(reviewer)) == {tree.a, tree.a1, tree.a2}
    assert not Org.objects.visible_to(None).exists()
    assert not Org.objects.visible_to(AnonymousUser()).exists()
    assert Org.objects.visible_to(SYSTEM).count() == Org.objects.count()


@pytest.mark.parametrize("role", ROLES)
def test_scoped_queryset_equals_scope_queryset_in_one_query(tree, role):
    user = user_with_role(tree, role)
    for org in (tree.a1, tree.b1, tree.root):
        OrgAlias.objects.create(org=org, name=f"{org.code}-别名")
        GrantFactory(user=UserFactory(), role=Role.CLERK, org=org)
    for model in (OrgAlias, Grant):
        assert isinstance(model.objects.all(), ScopedQuerySet)
        for action in (Action.VIEW, Action.MANAGE):
            expected = list(scope_queryset(model.objects.order_by("pk"), user, action, "org"))
            with CaptureQueriesContext(connection) as queries:
                got = list(model.objects.order_by("pk").visible_to(user, action))
            assert got == expected
            assert len(queries) == 1


def test_the_declared_org_path_is_followed(tree, monkeypatch):
    """A longer path (here: an alias scoped by its org's parent) is declared once on the model."""
    staff = user_with_role(tree, "staff")  # staff of a1: sees a1 only
    OrgAlias.objects.create(org=tree.a1, name="甲一的别名")  # its parent a: not visible to staff
    below = OrgAlias.objects.create(org=OrgFactory(code="kit-a-1-x", parent=tree.a1), name="甲一之下")
    assert [alias.name for alias in OrgAlias.objects.visible_to(staff)] == ["甲一的别名"]
    monkeypatch.setattr(OrgAlias, "org_path", "org__parent", raising=False)
    assert list(OrgAlias.objects.visible_to(staff)) == [below]


def test_holds_anywhere_and_granted_org_ids(tree):
    admin = user_with_role(tree, "admin")
    reviewer = user_with_role(tree, "reviewer")
    staff = user_with_role(tree, "staff")
    GrantFactory(user=reviewer, role=Role.STAFF, org=tree.b1)
    assert holds_anywhere(admin, Action.MANAGE) and not holds_anywhere(reviewer, Action.MANAGE)
    assert holds_anywhere(SYSTEM, Action.MANAGE) and not holds_anywhere(None, Action.VIEW)
    with CaptureQueriesContext(connection) as queries:
        ids = granted_org_ids(reviewer, Action.HANDLE, Action.FILL)
    assert len(queries) == 1
    assert ids == {Action.HANDLE: [tree.a.pk], Action.FILL: [tree.b1.pk]}
    assert granted_org_ids(staff, Action.HANDLE, Action.FILL) == {Action.HANDLE: [], Action.FILL: [tree.a1.pk]}
    assert granted_org_ids(None, Action.FILL) == {Action.FILL: []}
