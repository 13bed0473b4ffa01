"""The gate's SQL written once per action (``GrantCovers``) and compiled once per process
(``unionportal.compiled_sql``) answers exactly as the ORM-built EXISTS it replaces, wherever
the query sits: at the top, nested in a subquery, behind ``__in``, after grants change."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from assessment.models import Sheet
from orgs.access import Action, _covering_grants, can, holds_anywhere, scope_orgs, scope_queryset
from orgs.models import Grant, Org
from tests.factories import GrantFactory, UserFactory
from tests.kit import ROLES, scope_tree, user_with_role
from unionportal import compiled_sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return scope_tree()


def _reference(user, action) -> set[int]:
    """The orgs the ORM's own EXISTS over the user's grants reaches."""
    return set(Org.objects.filter(Exists(_covering_grants(user.pk, action))).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(Action))
def test_every_form_of_the_gate_reaches_what_the_orm_exists_reaches(tree, role, action):
    user = user_with_role(tree, role)
    expected = _reference(user, action)
    assert set(scope_orgs(Org.objects.all(), user, action).values_list("pk", flat=True)) == expected
    # Nested: the outer org is a subquery's alias, relabelled by Django when it is resolved.
    nested = Org.objects.filter(Exists(scope_orgs(Org.objects.filter(pk=OuterRef("pk")), user, action)))
    assert set(nested.values_list("pk", flat=True)) == expected
    # Behind __in (the compiled subquery of scope_queryset), and one org at a time (can).
    assert set(scope_queryset(Org.objects.all(), user, action, "pk").values_list("pk", flat=True)) == expected
    assert {org.pk for org in Org.objects.all() if can(user, action, org)} == expected


def test_scoped_rows_follow_the_gate_and_count_in_one_query(tree):
    user = user_with_role(tree, "reviewer")
    with CaptureQueriesContext(connection) as queries:
        count = scope_queryset(Sheet.objects.all(), user).count()
    assert len(queries) == 1
    assert count == Sheet.objects.filter(org__in=_reference(user, Action.VIEW)).count()


def test_a_new_or_removed_grant_counts_at_once_though_the_sql_is_reused(tree):
    user = UserFactory(username="kit-late")
    assert not can(user, Action.VIEW, tree.a1)
    assert not scope_orgs(Org.objects.all(), user).exists()
    assert not holds_anywhere(user, Action.MANAGE)
    grant = GrantFactory(user=user, role="admin", org=tree.a)
    assert can(user, Action.VIEW, tree.a1) and holds_anywhere(user, Action.MANAGE)
    assert set(scope_orgs(Org.objects.all(), user).values_list("pk", flat=True)) == _reference(user, Action.VIEW)
    Grant.objects.filter(pk=grant.pk).delete()
    assert not can(user, Action.VIEW, tree.a1)
    assert not scope_queryset(Org.objects.all(), user, Action.VIEW, "pk").exists()
    assert not holds_anywhere(user, Action.MANAGE)


def test_one_users_compiled_query_never_answers_for_another(tree):
    admin = user_with_role(tree, "admin")  # branch A
    staff = user_with_role(tree, "staff")
    assert can(admin, Action.MANAGE, tree.a1)
    assert not can(staff, Action.MANAGE, tree.a1)  # the same compiled text, the other user's id
    assert set(scope_orgs(Org.objects.all(), staff).values_list("pk", flat=True)) == _reference(staff, Action.VIEW)


def test_a_query_without_a_placeholder_is_refused_and_bind_swaps_only_placeholders():
    with pytest.raises(ValueError):
        compiled_sql.compiled(("test.no-placeholder",), lambda: Org.objects.filter(pk=1).query)
    assert compiled_sql.bind((1, "x", compiled_sql.USER, compiled_sql.ORG), user=7, org=8) == (1, "x", 7, 8)


@pytest.mark.parametrize("role", [*ROLES, "superuser", "nobody", "anonymous"])
def test_an_org_by_its_code_compiled_is_the_orms_answer_for_every_role(tree, role):
    """``get_visible_org_or_404`` (compiled once per process, the first read of every org page)
    finds exactly the orgs the ORM's gated query finds, and 404s the rest as the same answer."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from orgs.access import get_visible_org_or_404

    if role == "anonymous":
        user = AnonymousUser()
    elif role in ("superuser", "nobody"):
        user = UserFactory(username=role, is_superuser=role == "superuser")
    else:
        user = user_with_role(tree, role)
    for code in [*Org.objects.values_list("code", flat=True), "no-such-org"]:
        expected = scope_orgs(Org.objects.all(), user, Action.VIEW).filter(code=code).first()
        try:
            found = get_visible_org_or_404(user, code)
        except Http404:
            found = None
        assert (found and (found.pk, found.code, found.lft, found.name)) == \
            (expected and (expected.pk, expected.code, expected.lft, expected.name)), (role, code)
