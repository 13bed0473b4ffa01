"""The shared permission kit: a small federation with two branches, a client per role, and
assertions that every path answers 200 inside a user's scope and 404 outside it.

Later apps reuse it: build the tree with ``scope_tree()``, sign in with ``client_for(role)``,
then call ``assert_visible`` / ``assert_hidden`` with their own URLs.
"""

from dataclasses import dataclass

from django.test import Client

from orgs.models import Org, OrgKind, Role
from tests.factories import PASSWORD, GrantFactory, OrgFactory, UserFactory

ROLES = tuple(Role.values)  # staff, reviewer, scorer, clerk, admin


@dataclass
class ScopeTree:
    """root → branch A (a1, a2) and branch B (b1); each role is granted on A (staff on a1)."""

    root: Org
    a: Org
    a1: Org
    a2: Org
    b: Org
    b1: Org

    def granted_org(self, role: str) -> Org:
        return self.a1 if role == "staff" else self.a

    def inside(self, role: str) -> list[Org]:
        """Orgs the role must see."""
        return [self.a1] if role == "staff" else [self.a, self.a1, self.a2]

    def outside(self, role: str) -> list[Org]:
        """Orgs the role must not see (404 on every path)."""
        hidden = [self.root, self.b, self.b1]
        if role == "staff":
            hidden += [self.a, self.a2]
        return hidden


def scope_tree() -> ScopeTree:
    root = OrgFactory(code="kit", name="测试市总工会", kind=OrgKind.FEDERATION)
    a = OrgFactory(code="kit-a", name="甲系统工会", kind=OrgKind.SYSTEM, parent=root)
    b = OrgFactory(code="kit-b", name="乙系统工会", kind=OrgKind.SYSTEM, parent=root)
    a1 = OrgFactory(code="kit-a-1", name="甲一基层工会", parent=a)
    a2 = OrgFactory(code="kit-a-2", name="甲二基层工会", parent=a)
    b1 = OrgFactory(code="kit-b-1", name="乙一基层工会", parent=b)
    return ScopeTree(root=root, a=a, a1=a1, a2=a2, b=b, b1=b1)


def user_with_role(tree: ScopeTree, role: str, username: str | None = None, **extra):
    user = UserFactory(username=username or f"kit-{role}", **extra)
    GrantFactory(user=user, role=role, org=tree.granted_org(role))
    return user


# Every role of the gate's table, and the two users outside it: a superuser and a user with no grant.
EVERYONE = (*ROLES, "superuser", "nobody")


def user_of(tree: ScopeTree, who: str):
    """A user for each of ``EVERYONE``: a grant of ``who`` (``user_with_role``), a superuser, or
    a user with no grant at all."""
    if who == "superuser":
        return UserFactory(username="kit-super", is_superuser=True)
    if who == "nobody":
        return UserFactory(username="kit-nobody")
    return user_with_role(tree, who)


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def assert_visible(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}, expected 200"


def assert_hidden(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, f"{url} answered {response.status_code}, expected 404"
