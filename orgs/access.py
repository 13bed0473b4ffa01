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
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from orgs.roles import Role
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
    from orgs.models import Grant

    if _sees_everything(user):
        return queryset
    if not _signed_in(user):
        return queryset.none()
    grants = Grant.objects.filter(_grant_covers_org(action), user_id=user.pk)
    return queryset.filter(Exists(grants))


def scope_queryset(queryset, user, action=Action.VIEW, org_field="org"):
    """Narrow any org-owned queryset (duties, sheets, cases…) through the same gate."""
    from orgs.models import Org

    if _sees_everything(user):
        return queryset
    return queryset.filter(**{f"{org_field}__in": scope_orgs(Org.objects.all(), user, action)})


def can(user, action, org) -> bool:
    """Whether ``user`` may take ``action`` on ``org`` (one query; none for superusers)."""
    if _sees_everything(user):
        return True
    return scope_orgs(type(org).objects.filter(pk=org.pk), user, action).exists()


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
    roles = {role for action in actions for role in roles_for(action)}
    return Grant.objects.filter(user_id=user.pk, role__in=roles).exists()


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


def get_visible_org_or_404(user, code, queryset=None):
    """The org with ``code`` if the user may see it; 404 otherwise, so nothing leaks."""
    from orgs.models import Org

    queryset = Org.objects.all() if queryset is None else queryset
    org = scope_orgs(queryset, user, Action.VIEW).filter(code=code).first()
    if org is None:
        raise Http404
    return org


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
