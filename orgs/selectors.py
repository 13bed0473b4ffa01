"""Reads of the union tree that need scoping or aggregation (every one through the gate)."""

from dataclasses import dataclass

from django.db.models import Count, Q

from orgs.access import Action
from orgs.models import Grant, Org, OrgKind

TREE_DEPTH = 2  # levels shown below an org on its page
TREE_NODE_LIMIT = 400  # beyond this the page points to search instead of drawing every node


def visible_orgs(user, action=Action.VIEW):
    return Org.objects.visible_to(user, action)


def top_orgs(user) -> list[Org]:
    """The highest orgs the user sees: their granted orgs without a granted ancestor."""
    if user.is_superuser:
        return list(Org.objects.root_nodes().order_by("tree_id"))
    granted = list(Org.objects.filter(grants__user=user).distinct().order_by("tree_id", "lft"))
    tops: list[Org] = []
    for org in granted:
        if not any(top.tree_id == org.tree_id and top.lft < org.lft < top.rght for top in tops):
            tops.append(org)
    return tops


def manageable_users(actor):
    """The accounts ``actor`` may manage: every one for a superuser; otherwise the
    non-superusers whose every grant lies in the subtree the actor administers (an account
    that also works elsewhere belongs to the admins of that place too, so it is not theirs)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    users = get_user_model()._default_manager.all()
    if actor.is_superuser:
        return users
    managed = Org.objects.visible_to(actor, Action.MANAGE)
    grants = Grant.objects.filter(user=OuterRef("pk"))
    return users.filter(Exists(grants.filter(org__in=managed)), ~Exists(grants.exclude(org__in=managed)),
                        is_superuser=False)


def user_grants(user):
    return Grant.objects.filter(user=user).select_related("org").order_by("org__tree_id", "org__lft", "role")


def visible_ancestors(org: Org, user) -> list[Org]:
    return list(org.get_ancestors().visible_to(user))


@dataclass
class Branch:
    org: Org
    children: list["Branch"]


def build_forest(nodes: list[Org]) -> list[Branch]:
    """Nest orgs given in tree order; a node whose parent is not visible hangs under its
    nearest visible ancestor (or at the top), so partial scopes still draw a tree."""
    forest: list[Branch] = []
    stack: list[Branch] = []
    for node in nodes:
        while stack and not (stack[-1].org.tree_id == node.tree_id and stack[-1].org.rght > node.lft):
            stack.pop()
        branch = Branch(node, [])
        (stack[-1].children if stack else forest).append(branch)
        stack.append(branch)
    return forest


@dataclass
class SubtreeView:
    forest: list[Branch]
    max_depth: int
    truncated: bool
    kind_counts: list[tuple[str, int]]
    total: int


def subtree(org: Org, user, depth: int = TREE_DEPTH, limit: int = TREE_NODE_LIMIT) -> SubtreeView:
    """The visible part of ``org``'s subtree, ``depth`` levels deep, with counts per kind."""
    visible = org.get_descendants().visible_to(user)
    counts = visible.order_by().values("kind").annotate(n=Count("id"))
    by_kind = {row["kind"]: row["n"] for row in counts}
    kind_counts = [(label, by_kind.get(value, 0)) for value, label in OrgKind.choices if by_kind.get(value)]
    nodes = list(
        visible.filter(level__lte=org.level + depth)
        .order_by("lft")[: limit + 1]
    )
    truncated = len(nodes) > limit
    nodes = nodes[:limit]
    for node in nodes:
        node.depth = node.level - org.level
        node.descendant_total = node.get_descendant_count()  # from lft/rght, no query
    return SubtreeView(forest=build_forest(nodes), max_depth=depth, truncated=truncated,
                       kind_counts=kind_counts, total=sum(by_kind.values()))


def search_subtree(org: Org, user, term: str):
    """Visible orgs in ``org``'s subtree matching code, name, short name or alias."""
    term = term.strip()
    return (
        org.get_descendants(include_self=True).visible_to(user)
        .filter(Q(code__icontains=term) | Q(name__icontains=term) | Q(short_name__icontains=term)
                | Q(aliases__name__icontains=term))
        .select_related("parent")
        .distinct()
        .order_by("lft")
    )
