"""An org's page lists the unions directly below it a page at a time (a federation has 5,000),
with a search and a kind filter; the list is a cached fragment that changes after every write
below and is never shown to a reader with another scope."""

import pytest

from orgs import services
from orgs.models import OrgKind
from tests.factories import GrantFactory, OrgFactory, UserFactory
from tests.kit import client_for, user_with_role
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db


def _listed(client, path):
    response = client.get(path)
    assert response.status_code == 200
    children = response.context.get("children")
    return [org.code for org in children] if children is not None else None, response.content.decode()


def test_the_children_are_paginated_and_the_pager_keeps_the_filter(tree):
    for n in range(60):
        OrgFactory(code=f"kit-a-x{n:02d}", name=f"甲下属工会{n:02d}", parent=tree.a)
    client = client_for(user_with_role(tree, "admin"))
    first, page = _listed(client, "/orgs/kit-a/")
    assert len(first) == 50 and first[:2] == ["kit-a-1", "kit-a-2"]
    assert "?page=2" in page
    second, _page = _listed(client, "/orgs/kit-a/?page=2")
    assert len(second) == 12 and not set(first) & set(second)
    filtered = client.get("/orgs/kit-a/?kind=base")
    assert filtered.context["results"].paginator.count == 62
    assert "kind=base&amp;page=2" in filtered.content.decode()
    assert client.get("/orgs/kit-a/?kind=base&q=x05").context["results"].paginator.count == 1


def test_the_cached_list_changes_after_a_rename_and_a_new_union(tree):
    client = client_for(user_with_role(tree, "admin"))
    codes, page = _listed(client, "/orgs/kit-a/")
    assert codes == ["kit-a-1", "kit-a-2"] and "甲一基层工会" in page
    services.update_org(actor=SYSTEM, org=tree.a1, name="甲一改名工会")
    codes, page = _listed(client, "/orgs/kit-a/")
    assert "甲一改名工会" in page and "甲一基层工会" not in page
    OrgFactory(code="kit-a-3", name="甲三基层工会", parent=tree.a)
    codes, page = _listed(client, "/orgs/kit-a/")
    assert codes == ["kit-a-1", "kit-a-2", "kit-a-3"] and "甲三基层工会" in page


@pytest.mark.parametrize("first", ["admin", "partial"])
def test_the_cached_list_is_never_shown_to_another_scope(tree, first):
    partial = UserFactory(username="partial")
    GrantFactory(user=partial, role="staff", org=tree.a)  # sees kit-a itself…
    GrantFactory(user=partial, role="clerk", org=tree.a1)  # …and a1's subtree, not a2
    clients = {"admin": client_for(user_with_role(tree, "admin")), "partial": client_for(partial)}
    order = [first, *(name for name in clients if name != first)]
    seen = {name: _listed(clients[name], "/orgs/kit-a/") for name in order}
    assert seen["admin"][0] == ["kit-a-1", "kit-a-2"]
    assert seen["partial"][0] == ["kit-a-1"] and "甲二基层工会" not in seen["partial"][1]


def test_a_union_whose_parent_is_hidden_hangs_under_the_nearest_visible_one(tree):
    deep = OrgFactory(code="kit-a-1-x", name="甲一下属工会", parent=tree.a1)
    user = UserFactory(username="partial")
    GrantFactory(user=user, role="staff", org=tree.a)  # kit-a itself only…
    GrantFactory(user=user, role="clerk", org=deep)  # …and a union two levels below it
    codes, page = _listed(client_for(user), "/orgs/kit-a/")
    assert codes == ["kit-a-1-x"] and "甲一基层工会" not in page


def test_the_federation_page_counts_every_kind_below(tree):
    federation_admin = UserFactory(username="fed")
    GrantFactory(user=federation_admin, role="admin", org=tree.root)
    response = client_for(federation_admin).get("/orgs/kit/")
    summary = response.context["summary"]
    assert summary.total == 5 and summary.children == 2
    assert dict(summary.kind_counts) == {OrgKind.SYSTEM.label: 2, OrgKind.BASE.label: 3}
