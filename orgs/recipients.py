"""Who must act next: the inverse of the scoping gate (orgs/access.py).

``scope_orgs`` answers "which orgs may this user act on"; notifications need the other way
round: "which users may take this action on this org".  Both read the same ``ACTION_REACH``,
so a notification never reaches someone the gate would refuse.  ``nearest`` keeps, per role,
only the grants on the deepest org that has any (the union directly above, not every reviewer
up to the federation), so a hand-off reaches the people who act on it and not the whole chain.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from orgs.access import ACTION_REACH, Action, Reach, roles_for


def _bounds(org, reach: Reach) -> Q:
    if reach is Reach.SELF:
        return Q(org_id=org.pk)
    if reach is Reach.SUBTREE:
        return Q(org__tree_id=org.tree_id, org__lft__lte=org.lft, org__rght__gte=org.rght)
    return Q(org__tree_id=org.tree_id, org__lft__lt=org.lft, org__rght__gt=org.rght)


def grants_reaching(org, action: Action):
    """The grants that allow ``action`` on ``org`` (the gate's own rule, read backwards)."""
    from orgs.models import Grant

    condition = Q(pk__in=[])
    for role, reach in ACTION_REACH[Action(action)].items():
        condition |= Q(role=role) & _bounds(org, reach)
    return Grant.objects.filter(condition, user__is_active=True)


def nearest_user_ids(grants) -> set[int]:
    """Per role, the users granted on the deepest org among ``grants`` (rows of
    (user_id, role, org level))."""
    deepest: dict[str, int] = {}
    for _user_id, role, level in grants:
        deepest[role] = max(deepest.get(role, -1), level)
    return {user_id for user_id, role, level in grants if level == deepest[role]}


def user_ids_who_may(action: Action, org, *, nearest: bool = False) -> set[int]:
    """The ids of the active users who may take ``action`` on ``org`` (one query)."""
    rows = list(grants_reaching(org, action).values_list("user_id", "role", "org__level"))
    if nearest:
        return nearest_user_ids(rows)
    return {user_id for user_id, _role, _level in rows}


def users_who_may(action: Action, org, *, nearest: bool = False):
    """The active users who may take ``action`` on ``org`` (see ``user_ids_who_may``)."""
    return get_user_model().objects.filter(pk__in=user_ids_who_may(action, org, nearest=nearest))


def granted_on(orgs, action: Action) -> dict[int, set[int]]:
    """For each org of ``orgs``: the users whose own grant on it allows ``action`` (its staff
    for FILL), in one query."""
    from orgs.models import Grant

    result: dict[int, set[int]] = {org.pk: set() for org in orgs}
    for user_id, org_id in (Grant.objects.filter(role__in=roles_for(action), org__in=list(result),
                                                 user__is_active=True)
                            .values_list("user_id", "org_id")):
        result[org_id].add(user_id)
    return result


def nearest_by_org(orgs, action: Action, *, include_self: bool = False) -> dict[int, set[int]]:
    """For each org of ``orgs``: the users whose grant allowing ``action`` is on its nearest
    ancestor (or the org itself with ``include_self``) that has such a grant - the reviewers of
    the union above, the admins over a union - in one query over the trees."""
    from orgs.models import Grant

    orgs = list(orgs)
    trees = {org.tree_id for org in orgs}
    grants = list(Grant.objects.filter(role__in=roles_for(action), org__tree_id__in=trees,
                                       user__is_active=True)
                  .values_list("user_id", "org__tree_id", "org__lft", "org__rght", "org__level"))
    result = {}
    for org in orgs:
        above = [(user_id, level) for user_id, tree_id, lft, rght, level in grants
                 if tree_id == org.tree_id and (lft < org.lft and rght > org.rght
                                                or include_self and lft == org.lft)]
        deepest = max((level for _user, level in above), default=None)
        result[org.pk] = {user_id for user_id, level in above if level == deepest}
    return result
