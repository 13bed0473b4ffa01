"""The one scoping gate: which orgs a user may see, and which actions they may take there.

A grant gives a user one role on one org.  Each (action, role) pair reaches either the org
itself, its whole subtree (the org included) or only the orgs strictly below it.  Everything
that reads org-owned data - pages, admin querysets, FK choices, autocomplete, filters,
history, exports and PDFs - narrows its queryset here, in one SQL query: an EXISTS over the
user's grants compared with the nested-set bounds (tree_id, lft, rght) of each org.

Read it as querysets: ``Org.objects.visible_to(user, action)`` and, for a model that owns data
of an org, ``Model.objects.visible_to(user, action)`` through ``ScopedQuerySet`` (the model
declares its path to the org once, ``org_path = "sheet__org"``).  Writes ask ``require(actor,
action, org)``: one check at the top of every public service function.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models, router
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import Http404

from orgs.roles import Role
from unionportal import compiled_sql
from unionportal.actors import is_system


class Action(StrEnum):
    VIEW = "view"  # see, print and export
    MANAGE = "manage"  # the admin: orgs, catalogues, templates, service types, grants
    FILL = "fill"  # fill in and submit own sheets, apply for own service cases
    REVIEW = "review"  # review, return and pass on what orgs below submit
    SCORE = "score"  # score, finalise and reopen sheets of templates the org owns
    HANDLE = "handle"  # act on member-service case steps routed to the org (services/)
    RECORD = "record"  # keep governance records: the union's own staff, admins in their subtree
    # void a governance record at any time (its own staff only within a few days: RECORD)
    VOID = "void"


class Reach(StrEnum):
    SELF = "self"
    SUBTREE = "subtree"  # the org and everything below it
    BELOW = "below"  # strictly below the org


# role -> reach, per action: the only place that says what a role may do.
ACTION_REACH: dict[Action, dict[Role, Reach]] = {
    Action.VIEW: {
        Role.STAFF: Reach.SELF,
        Role.REVIEWER: Reach.SUBTREE,
        Role.SCORER: Reach.SUBTREE,
        Role.CLERK: Reach.SUBTREE,
        Role.ADMIN: Reach.SUBTREE,
    },
    Action.MANAGE: {Role.ADMIN: Reach.SUBTREE},
    Action.FILL: {Role.STAFF: Reach.SELF},
    Action.REVIEW: {Role.REVIEWER: Reach.BELOW},
    # "score, finalise and reopen sheets of templates its org owns": the assessor itself.
    Action.SCORE: {Role.SCORER: Reach.SELF},
    Action.HANDLE: {Role.REVIEWER: Reach.SUBTREE},
    Action.RECORD: {Role.STAFF: Reach.SELF, Role.ADMIN: Reach.SUBTREE},
    Action.VOID: {Role.ADMIN: Reach.SUBTREE},
}


def roles_for(action) -> list[Role]:
    """The roles whose grants allow ``action`` somewhere."""
    return list(ACTION_REACH[Action(action)])


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _sees_everything(user) -> bool:
    return is_system(user) or (_signed_in(user) and user.is_superuser)


def _grant_covers_org(action: Action) -> Q:
    """A condition on Grant rows (with OuterRef to an Org) for grants that allow ``action``."""
    by_reach: dict[Reach, list[str]] = {}
    for role, reach in ACTION_REACH[Action(action)].items():
        by_reach.setdefault(reach, []).append(role.value)
    condition = Q(pk__in=[])
    for reach, roles in by_reach.items():
        if reach is Reach.SELF:
            bounds = Q(org_id=OuterRef("pk"))
        elif reach is Reach.SUBTREE:
            bounds = Q(
                org__tree_id=OuterRef("tree_id"),
                org__lft__lte=OuterRef("lft"),
                org__rght__gte=OuterRef("rght"),
            )
        else:
            bounds = Q(
                org__tree_id=OuterRef("tree_id"),
                org__lft__lt=OuterRef("lft"),
                org__rght__gt=OuterRef("rght"),
            )
        condition |= Q(role__in=roles) & bounds
    return condition


def scope_orgs(queryset, user, action=Action.VIEW):
    """Narrow an Org queryset to what ``user`` may reach with ``action``."""
    if _sees_everything(user):
        return queryset
    if not _signed_in(user):
        return queryset.none()
    return queryset.filter(GrantCovers(user.pk, Action(action)))


class GrantCovers(models.Expression):
    """``scope_orgs``'s condition on the outer org: EXISTS (a grant of the user whose role allows
    the action and whose reach covers the org), the same SQL as ``Exists(_covering_grants(…))`` but written
    from ``ACTION_REACH`` once per action and database instead of built and compiled by the ORM
    on every query (1-2 ms each, several per page).  The grants and the tree are read live by
    every query; only the text is reused.  The outer org's alias is the query's base table, kept
    through Django's relabelling when the query is nested."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, user_id, action, alias=None):
        super().__init__(output_field=models.BooleanField())
        self.user_id, self.action, self.alias = user_id, Action(action), alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return GrantCovers(self.user_id, self.action, query.get_initial_alias())

    def relabeled_clone(self, change_map):
        return GrantCovers(self.user_id, self.action, change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        key = (self.action, connection.vendor)
        if key not in _COVERS_SQL:  # the same text for every connection of a vendor
            _COVERS_SQL[key] = _covers_sql(self.action, connection.ops.quote_name)
        sql, roles = _COVERS_SQL[key]
        outer = compiler.quote_name_unless_alias(self.alias)
        return sql.replace("{outer}", outer), (self.user_id, *roles)


_COVERS_SQL: dict[tuple[Action, str], tuple[str, tuple]] = {}


def _covers_sql(action: Action, quote) -> tuple[str, tuple]:
    """``GrantCovers``' SQL for ``action`` ({outer} stands for the outer org's alias) and the
    roles it binds after the user's id, from ``ACTION_REACH`` as ``_grant_covers_org`` reads it."""
    from orgs.models import Grant, Org

    column = {name: quote(Org._meta.get_field(name).column) for name in ("id", "tree_id", "lft", "rght")}
    grant = {name: quote(Grant._meta.get_field(name).column) for name in ("user", "role", "org")}
    by_reach: dict[Reach, list[str]] = {}
    for role, reach in ACTION_REACH[action].items():
        by_reach.setdefault(reach, []).append(role.value)
    conditions, roles = [], []
    for reach, names in by_reach.items():
        marks = ", ".join(["%s"] * len(names))
        if reach is Reach.SELF:
            bounds = f"gate_g.{grant['org']} = {{outer}}.{column['id']}"
        else:
            lower, upper = ("<=", ">=") if reach is Reach.SUBTREE else ("<", ">")
            bounds = (f"gate_o.{column['tree_id']} = {{outer}}.{column['tree_id']} AND "
                      f"gate_o.{column['lft']} {lower} {{outer}}.{column['lft']} AND "
                      f"gate_o.{column['rght']} {upper} {{outer}}.{column['rght']}")
        conditions.append(f"(gate_g.{grant['role']} IN ({marks}) AND {bounds})")
        roles.extend(names)
    join = ""
    if any(reach is not Reach.SELF for reach in by_reach):
        join = f" INNER JOIN {quote(Org._meta.db_table)} gate_o ON gate_g.{grant['org']} = gate_o.{column['id']}"
    where = " OR ".join(conditions) or "1 = 0"
    sql = (f"EXISTS (SELECT 1 FROM {quote(Grant._meta.db_table)} gate_g{join} "
           f"WHERE gate_g.{grant['user']} = %s AND ({where}))")
    return sql, tuple(roles)


def _covering_grants(user_id, action):
    from orgs.models import Grant

    return Grant.objects.filter(_grant_covers_org(action), user_id=user_id)


def _scope_subquery(user, action, using) -> RawSQL:
    """``SELECT id FROM org WHERE EXISTS (a grant of the user covering it)``, the subquery of
    ``scope_queryset``: not correlated to the outer query, so its text, compiled once per
    process (``unionportal.compiled_sql``: building and compiling it through the ORM cost 1.5-3
    ms per scoped query), fits any outer query."""
    from orgs.models import Org

    def build():
        orgs = Org.objects.using(using).filter(Exists(_covering_grants(compiled_sql.USER, action)))
        return orgs.order_by().values("pk").query

    sql, params = compiled_sql.compiled(("orgs.scope", Action(action)), build, using)
    return RawSQL(sql, compiled_sql.bind(params, user=user.pk), output_field=models.BigIntegerField())


def scope_queryset(queryset, user, action=Action.VIEW, org_field="org"):
    """Narrow any org-owned queryset (duties, sheets, cases…) through the same gate."""
    if _sees_everything(user):
        return queryset
    if not _signed_in(user):
        return queryset.none()
    return queryset.filter(**{f"{org_field}__in": _scope_subquery(user, action, queryset.db)})


class _CompiledUser:
    """Any signed-in user without the superuser's reach, while a gated query is compiled: the
    gate binds its id, the placeholder ``compiled_sql.USER``."""

    pk = id = compiled_sql.USER
    is_authenticated = is_active = True
    is_superuser = False


def fetch_scoped(key: tuple, build, user, using: str = "default", *, by_key: bool = False, **values) -> list:
    """The instances of ``build(gate_user)`` — a queryset narrowed through this gate for
    ``gate_user`` — compiled once per process (``compiled_sql.fetch_instances``) and bound to
    ``user`` and ``values`` at each call: the rows are read live, only the SQL text is kept.
    ``by_key``: a read of one row (or a few) by its key, prepared on PostgreSQL."""
    if not _signed_in(user) and not is_system(user):
        return []
    if _sees_everything(user):
        return compiled_sql.fetch_instances((*key, "everything"), lambda: build(user), using,
                                            prepared=by_key, **values)
    return compiled_sql.fetch_instances((*key, "gated"), lambda: build(_CompiledUser()), using,
                                        prepared=by_key, user=user.pk, **values)


def compiled_rows(selector, user, limit: int) -> list:
    """``list(selector(user)[:limit])``, compiled once per process (``fetch_scoped``), for a
    selector whose query depends on the user only through this gate (a superuser's query is
    compiled once for every superuser, so it must not name the user otherwise); the tests
    compare both for every role."""
    key = (selector.__module__, selector.__qualname__, limit)
    return fetch_scoped(key, lambda gate_user: selector(gate_user)[:limit], user)


def can(user, action, org) -> bool:
    """Whether ``user`` may take ``action`` on ``org`` (one query; none for superusers)."""
    if _sees_everything(user):
        return True
    if not _signed_in(user):
        return False
    model = type(org)
    using = router.db_for_read(model)

    def build():
        one = model._default_manager.using(using).filter(pk=compiled_sql.ORG)
        return one.filter(Exists(_covering_grants(compiled_sql.USER, action))).query.exists()

    key = ("orgs.can", model._meta.label, Action(action))
    return compiled_sql.fetch_one(key, build, using, user=user.pk, org=org.pk) is not None


def reaches(reach: Reach, granted, org) -> bool:
    """Whether a grant on the org ``granted`` with ``reach`` covers ``org`` (both with their tree
    bounds read): ``_grant_covers_org``'s comparison, for grants a request has already read."""
    if reach is Reach.SELF:
        return granted.pk == org.pk
    if granted.tree_id != org.tree_id:
        return False
    if reach is Reach.SUBTREE:
        return granted.lft <= org.lft and granted.rght >= org.rght
    return granted.lft < org.lft and granted.rght > org.rght


def grant_allows(grant, action, org) -> bool:
    """Whether one grant (its org read with it) allows ``action`` on ``org``."""
    reach = ACTION_REACH[Action(action)].get(grant.role)  # (a role the table lacks allows nothing)
    return reach is not None and reaches(reach, grant.org, org)


def require(actor, action, org) -> None:
    """The one permission check of a public service function (and of a view that writes).

    Raises PermissionDenied unless ``actor`` may take ``action`` on ``org``.  The system actor
    passes; nobody (None), an anonymous or an inactive user is refused.
    """
    if is_system(actor):
        return
    if org is None or not can(actor, action, org):
        raise PermissionDenied


def holds_anywhere(user, *actions) -> bool:
    """Whether ``user`` holds a grant that allows one of ``actions`` on some org (one query;
    e.g. MANAGE opens the admin)."""
    from orgs.models import Grant

    if _sees_everything(user):
        return True
    if not _signed_in(user):
        return False
    roles = sorted({role.value for action in actions for role in roles_for(action)})
    if not roles:
        return False

    def build():
        return Grant.objects.filter(user_id=compiled_sql.USER, role__in=roles).query.exists()

    using = router.db_for_read(Grant)
    return compiled_sql.fetch_one(("orgs.holds", *roles), build, using, user=user.pk) is not None


# Sign-in policy (unionportal/accounts reads these through settings, naming no app):
def administers(user) -> bool:
    """Who must use two-factor sign-in when the setting asks: whoever manages some org."""
    return holds_anywhere(user, Action.MANAGE)


def is_privileged(user) -> bool:
    """Who gets the shorter session lifetime: whoever manages or scores somewhere."""
    return holds_anywhere(user, Action.MANAGE, Action.SCORE)


def granted_org_ids(user, *actions) -> dict[Action, list[int]]:
    """For each action, the orgs of the user's own grants whose role allows it (one query).

    The grant's org itself, not its reach: "the org I act for", as a work queue needs it.
    """
    from orgs.models import Grant

    wanted = {Action(action): set(roles_for(action)) for action in actions}
    found: dict[Action, list[int]] = {action: [] for action in wanted}
    if not _signed_in(user):
        return found
    roles = set().union(*wanted.values()) if wanted else set()
    rows = Grant.objects.filter(user_id=user.pk, role__in=roles).values_list("org_id", "role")
    for org_id, role in rows.order_by("org_id"):
        for action, allowed in wanted.items():
            if role in allowed and org_id not in found[action]:
                found[action].append(org_id)
    return found


def get_visible_org_or_404(user, code):
    """The org with ``code`` if the user may see it; 404 otherwise, so nothing leaks.

    Compiled once per process (``fetch_scoped``): every org page of the portal asks it first,
    and building the gated query cost more than running it."""
    from orgs.models import Org

    found = fetch_scoped(
        ("orgs.visible_org",),
        lambda gate_user: scope_orgs(Org.objects.all(), gate_user, Action.VIEW).filter(code=compiled_sql.CODE)[:1],
        user, by_key=True, code=code)
    if not found:
        raise Http404
    return found[0]


def org_path_of(model) -> str:
    """The lookup path from ``model`` to the org that owns its rows (``org_path``, else "org")."""
    return getattr(model, "org_path", "org")


class ScopedQuerySet(models.QuerySet):
    """The queryset of a model that belongs to an org.  The model declares the path once::

        class Sheet(models.Model):
            org_path = "org"                   # or "sheet__org", "applicant", …
            objects = ScopedQuerySet.as_manager()

        Sheet.objects.visible_to(request.user, Action.REVIEW)

    A model with its own queryset class subclasses this one instead of ``models.QuerySet``.
    """

    def visible_to(self, user, action=Action.VIEW):
        """The rows whose org ``user`` may reach with ``action`` (one query, an EXISTS inside)."""
        return scope_queryset(self, user, action, org_field=org_path_of(self.model))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
