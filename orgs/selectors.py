"""Reads of the union tree that need scoping or aggregation (every one through the gate)."""

import hashlib
from dataclasses import dataclass

from django.db import router
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from orgs.access import ACTION_REACH, Action, Reach, grant_allows, reaches, roles_for
from orgs.models import Grant, Org, OrgKind
from unionportal import compiled_sql, page_cache

TREE_DEPTH = 2  # levels shown below an org on its page
TREE_NODE_LIMIT = 400  # beyond this the page points to search instead of drawing every node
CHILDREN_PER_PAGE = 50  # an org's page lists the unions directly below it a page at a time


def visible_orgs(user, action=Action.VIEW):
    return Org.objects.visible_to(user, action)


def top_orgs(user) -> list[Org]:
    """The highest orgs the user sees: their granted orgs without a granted ancestor."""
    grants = [] if user.is_superuser else list(Grant.objects.filter(user=user).select_related("org"))
    return UserScope(user, grants).top_orgs()


@dataclass
class UserScope:
    """The signed-in user's grants with their orgs, read once per request (``user_scope``) and
    shared by the view, the context processors and the landing page's template tags."""

    user: object
    grants: list[Grant]

    def holds(self, *actions) -> bool:
        """Whether a grant allows one of ``actions`` somewhere (``access.holds_anywhere``)."""
        if self.user.is_superuser:
            return True
        roles = {role for action in actions for role in roles_for(action)}
        return any(grant.role in roles for grant in self.grants)

    def granted_org_ids(self, *actions) -> dict[Action, list[int]]:
        """``access.granted_org_ids`` from the grants already read: per action, the orgs of the
        user's own grants whose role allows it, in id order."""
        found: dict[Action, list[int]] = {}
        for action in actions:
            roles = set(roles_for(action))
            found[Action(action)] = sorted({grant.org_id for grant in self.grants if grant.role in roles})
        return found

    def can(self, action, org) -> bool:
        """``access.can`` answered from the grants already read, with no query: for what a page
        shows (its forms and links).  Every write still asks the gate itself (``require``)."""
        if not (self.user.is_authenticated and self.user.is_active):
            return False
        if self.user.is_superuser:
            return True
        return any(grant_allows(grant, action, org) for grant in self.grants)

    def covers_subtree(self, org: Org, action=Action.VIEW) -> bool:
        """Whether a grant reaches ``org`` and everything below it with ``action``."""
        if self.user.is_superuser:
            return True
        roles = {role for role, reach in ACTION_REACH[Action(action)].items() if reach is Reach.SUBTREE}
        return any(grant.role in roles and reaches(Reach.SUBTREE, grant.org, org) for grant in self.grants)

    def signature(self) -> str:
        """Who this scope reaches, as a cache key's part: users with the same grants see the
        same things (the gate reads nothing else), so they may share what was counted."""
        if self.user.is_superuser:
            return "all"
        return ".".join(sorted(f"{grant.role}@{grant.org_id}" for grant in self.grants)) or "none"

    def until_written(self, name: str, subjects: tuple[str, ...], compute):
        """``compute()`` for this scope, kept until a write to ``subjects`` (app labels; the
        tree's own, which moves scopes, always counts) or a minute (``page_cache``)."""
        key = "scoped:" + hashlib.sha256(f"{name}|{self.signature()}".encode()).hexdigest()
        return page_cache.until_written(key, ("orgs", *subjects), compute)

    def rendered_until_written(self, name: str, subjects: tuple[str, ...], template: str, context):
        """``template`` rendered with ``context()`` for this scope, kept as HTML as
        ``until_written`` keeps values (per language, time zone and URL prefix too): for a body
        whose rows cost more to render, or to unpickle as instances, than to read."""
        html = self.until_written(page_cache.rendered(name), subjects,
                                  lambda: render_to_string(template, context()))
        return mark_safe(html)  # noqa: S308  (a template's output)

    def top_orgs(self) -> list[Org]:
        """The highest orgs the user sees: their granted orgs without a granted ancestor."""
        if self.user.is_superuser:
            return list(Org.objects.root_nodes().order_by("tree_id"))
        tops: list[Org] = []
        for org in sorted({grant.org.pk: grant.org for grant in self.grants}.values(),
                          key=lambda org: (org.tree_id, org.lft)):
            if not any(top.tree_id == org.tree_id and top.lft < org.lft < top.rght for top in tops):
                tops.append(org)
        return tops


def user_scope_if_read(request) -> UserScope | None:
    """The request's ``user_scope`` when something on this page has already read it, else
    None: a caller that needs one answer can then ask a cheaper query than all the grants."""
    scope = getattr(request, "_user_scope", None)
    return scope if scope is not None and scope.user is request.user else None


def user_scope(request) -> UserScope:
    """The request's user's grants (one query, then kept on the request)."""
    scope = user_scope_if_read(request)
    if scope is None:
        user = request.user
        grants = user_grants(user) if user.is_authenticated else []
        scope = request._user_scope = UserScope(user, grants)
    return scope


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


def user_grants(user) -> list[Grant]:
    """The user's grants with their orgs, in tree order; compiled once per process (read on
    most pages: building it through the ORM was a third of a sheet page's reads)."""
    def build():
        return (Grant.objects.filter(user_id=compiled_sql.USER).select_related("org")
                .order_by("org__tree_id", "org__lft", "role"))

    return compiled_sql.fetch_instances(("orgs.user_grants",), build, router.db_for_read(Grant), user=user.pk)


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
    summary = subtree_summary(org, user)
    nodes = list(
        org.get_descendants().visible_to(user).filter(level__lte=org.level + depth)
        .order_by("lft")[: limit + 1]
    )
    truncated = len(nodes) > limit
    nodes = nodes[:limit]
    for node in nodes:
        node.depth = node.level - org.level
        node.descendant_total = node.get_descendant_count()  # from lft/rght, no query
    return SubtreeView(forest=build_forest(nodes), max_depth=depth, truncated=truncated,
                       kind_counts=summary.kind_counts, total=summary.total)


@dataclass
class SubtreeSummary:
    kind_counts: list[tuple[str, int]]  # (kind label, visible orgs of that kind below)
    total: int
    children: int  # visible orgs one level below
    version: str  # changes with any rename, move, addition or removal below (a cache key part)


def subtree_summary(org: Org, user) -> SubtreeSummary:
    """The visible orgs below ``org``, counted per kind, and a version of that part of the tree,
    in one query.  The version sums each org's ``version`` and ``lft`` × ``id`` besides the
    latest ``updated_at``: a rename or a save bumps the first, a move or an insertion that
    shifts nested-set bounds without saving the shifted rows changes the second."""
    rows = (org.get_descendants().visible_to(user).order_by().values("kind")
            .annotate(n=Count("id"), children=Count("id", filter=Q(level=org.level + 1)),
                      at=Max("updated_at"), versions=Sum("version"), shape=Sum(F("lft") * F("id"))))
    by_kind = {row["kind"]: row for row in rows}
    version = sorted((kind, row["n"], row["versions"], row["shape"], row["at"].isoformat() if row["at"] else "")
                     for kind, row in by_kind.items())
    return SubtreeSummary(
        kind_counts=[(label, by_kind[value]["n"]) for value, label in OrgKind.choices if value in by_kind],
        total=sum(row["n"] for row in by_kind.values()),
        children=sum(row["children"] for row in by_kind.values()),
        version=repr((org.pk, org.level, version)),
    )


def child_orgs(org: Org, user, whole_subtree: bool = False):
    """The visible orgs directly below ``org``, in tree order: its children, and any visible org
    whose ancestors up to ``org`` are all hidden from the user (a partial scope hangs it under
    the nearest visible ancestor, as ``build_forest`` does).  Paginated by the caller, so an org
    with 5,000 unions below it never draws them all.  ``whole_subtree``: the caller knows the
    user sees everything below ``org`` (``UserScope.covers_subtree``), so only children qualify
    and the costly search for hidden ancestors is skipped."""
    visible = org.get_descendants().visible_to(user)
    if whole_subtree:
        return visible.filter(level=org.level + 1).order_by("lft")
    # A visible org strictly between ``org`` and the outer row means the row is not directly below.
    between = Org.objects.visible_to(user).filter(
        tree_id=org.tree_id, lft__gt=org.lft, lft__lt=OuterRef("lft"), rght__gt=OuterRef("rght"))
    return visible.filter(Q(level=org.level + 1) | ~Exists(between)).order_by("lft")


def search_subtree(org: Org, user, term: str, kind: str = ""):
    """Visible orgs in ``org``'s subtree (itself included) matching code, name, short name or
    alias, of ``kind`` when given: the search and the kind filter of an org's page."""
    term = term.strip()
    found = org.get_descendants(include_self=True).visible_to(user)
    if term:
        found = found.filter(Q(code__icontains=term) | Q(name__icontains=term) | Q(short_name__icontains=term)
                             | Q(aliases__name__icontains=term))
    if kind:
        found = found.filter(kind=kind)
    return found.select_related("parent").distinct().order_by("lft")
