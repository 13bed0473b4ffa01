"""The routing rule (interfaces page): a step names a kind, or the applicant itself; it goes to
the applicant's nearest ancestor of that kind, or to the root of its tree where there is none.

"The superior union" (上级工会) is the nearest ancestor that is a system or street union: a
base union under a system union goes to that system union, one under a street union to that
street union, and one directly under a federation to the federation (the root fallback).
"""

from services.models import Actor

SUPERIOR_KINDS = frozenset({"system", "street"})


def kinds_for(actor: str) -> frozenset[str]:
    if actor == Actor.SUPERIOR:
        return SUPERIOR_KINDS
    return frozenset({str(actor)})


def route(actor: str, applicant, ancestors) -> "object":
    """The org that acts on a step for ``applicant``.

    ``ancestors`` are the applicant's ancestors from the root down (``get_ancestors()``);
    passing them in lets a page route every step of a case from one query.
    """
    if actor == Actor.APPLICANT:
        return applicant
    ancestors = list(ancestors)
    if not ancestors:
        return applicant  # a root routes to itself: there is nothing above it
    wanted = kinds_for(actor)
    for org in reversed(ancestors):
        if org.kind in wanted:
            return org
    return ancestors[0]


def plan(steps, applicant, ancestors=None) -> list[tuple[object, object]]:
    """(step, org) for every step of a case: its path through the tree."""
    if ancestors is None:
        ancestors = list(applicant.get_ancestors())
    return [(step, route(step.actor, applicant, ancestors)) for step in steps]
