"""The one scoping gate: which orgs a user may see, and which actions they may take there.

A grant gives a user one role on one org.  Each (action, role) pair reaches either the org
itself, its whole subtree (the org included) or only the orgs strictly below it.  Everything
that reads org-owned data - pages, admin querysets, FK choices, autocomplete, filters,
history, exports and PDFs - narrows its queryset here, in one SQL query: an EXISTS over the
user's grants compared with the nested-set bounds (tree_id, lft, rght) of each org.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404


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


# role -> reach, per action (roles as in orgs.models.Role; strings avoid an import cycle).
ACTION_REACH: dict[Action, dict[str, Reach]] = {
    Action.VIEW: {
        "staff": Reach.SELF,
        "reviewer": Reach.SUBTREE,
        "scorer": Reach.SUBTREE,
        "clerk": Reach.SUBTREE,
        "admin": Reach.SUBTREE,
    },
    Action.MANAGE: {"admin": Reach.SUBTREE},
    Action.FILL: {"staff": Reach.SELF},
    Action.REVIEW: {"reviewer": Reach.BELOW},
    # "score, finalise and reopen sheets of templates its org owns": the assessor itself.
    Action.SCORE: {"scorer": Reach.SELF},
    Action.HANDLE: {"reviewer": Reach.SUBTREE},
    Action.RECORD: {"staff": Reach.SELF, "admin": Reach.SUBTREE},
    Action.VOID: {"admin": Reach.SUBTREE},
}


def _grant_covers_org(action: Action) -> Q:
    """A condition on Grant rows (with OuterRef to an Org) for grants that allow ``action``."""
    by_reach: dict[Reach, list[str]] = {}
    for role, reach in ACTION_REACH[Action(action)].items():
        by_reach.setdefault(reach, []).append(role)
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

    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    grants = Grant.objects.filter(_grant_covers_org(action), user_id=user.pk)
    return queryset.filter(Exists(grants))


def scope_queryset(queryset, user, action=Action.VIEW, org_field="org"):
    """Narrow any org-owned queryset (duties, sheets, cases…) through the same gate."""
    from orgs.models import Org

    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{org_field}__in": scope_orgs(Org.objects.all(), user, action)})


def can(user, action, org) -> bool:
    """Whether ``user`` may take ``action`` on ``org`` (one query; none for superusers)."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return scope_orgs(type(org).objects.filter(pk=org.pk), user, action).exists()


def get_visible_org_or_404(user, code, queryset=None):
    """The org with ``code`` if the user may see it; 404 otherwise, so nothing leaks."""
    from orgs.models import Org

    queryset = Org.objects.all() if queryset is None else queryset
    org = scope_orgs(queryset, user, Action.VIEW).filter(code=code).first()
    if org is None:
        raise Http404
    return org


def require(user, action, org) -> None:
    """403 for an action the user's role may not take on an org they can see."""
    if not can(user, action, org):
        raise PermissionDenied
