"""Fixtures of the notification tests: the kit's tree (root → A (a1, a2), B (b1)) with a round
of A over a1 and a2, users with addresses, and hand-offs run to their commit."""

import pytest

from assessment import services
from orgs.models import Role
from tests.assessment.conftest import grade_all, make_template
from tests.factories import GrantFactory, UserFactory
from tests.kit import scope_tree
from unionportal.actors import SYSTEM
from unionportal.notifications.models import Notification


def person(username, role, org, email=True):
    user = UserFactory(username=username, email=f"{username}@example.org" if email else "")
    GrantFactory(user=user, role=role, org=org)
    return user


@pytest.fixture
def tree(db):
    return scope_tree()


@pytest.fixture
def people(tree):
    """Who is who: A's reviewer, scorer, admin and clerk, a1's and a2's staff, the root's
    reviewer (further up), B's reviewer and staff (outside)."""
    return {
        "staff": person("staff-a1", Role.STAFF, tree.a1),
        "staff2": person("staff2-a1", Role.STAFF, tree.a1),
        "staff_a2": person("staff-a2", Role.STAFF, tree.a2),
        "reviewer": person("reviewer-a", Role.REVIEWER, tree.a),
        "scorer": person("scorer-a", Role.SCORER, tree.a),
        "clerk": person("clerk-a", Role.CLERK, tree.a),
        "admin": person("admin-a", Role.ADMIN, tree.a),
        "root_reviewer": person("reviewer-root", Role.REVIEWER, tree.root),
        "reviewer_b": person("reviewer-b", Role.REVIEWER, tree.b),
        "staff_b1": person("staff-b1", Role.STAFF, tree.b1),
    }


@pytest.fixture
def sheets(tree):
    make_template(tree.a)
    round_a = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026).round
    return {"round": round_a, "a1": round_a.sheets.get(org=tree.a1), "a2": round_a.sheets.get(org=tree.a2)}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what the block queued for its commit (the audit signal,
    then the mails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def inboxes(kind=None) -> dict[str, list[str]]:
    """{username: [kind…]} of every notification (of ``kind``)."""
    rows = Notification.objects.order_by("recipient__username", "id")
    if kind:
        rows = rows.filter(kind=kind)
    result: dict[str, list[str]] = {}
    for username, found in rows.values_list("recipient__username", "kind"):
        result.setdefault(username, []).append(found)
    return result


def submit(sheet, actor, committed):
    grade_all(sheet, actor=actor)
    with committed():
        services.apply_transition(actor=actor, sheet=sheet, name="submit")
