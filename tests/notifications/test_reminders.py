"""Scheduled reminders: deadlines (7 days, 1 day, then daily while overdue) and governance
rules about to be broken - once per person per day, never twice when the scheduler runs twice."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from assessment import notifications as assessment_rules
from assessment import services
from orgs.governance import notifications as governance_rules
from tests.notifications.conftest import inboxes, submit
from unionportal.actors import SYSTEM
from unionportal.notifications.models import Notification

DEADLINE = dt.date(2026, 6, 30)


@pytest.fixture
def deadline_round(sheets, tree):
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026, deadline=DEADLINE)
    return sheets


def remind(day: dt.date):
    call_command("send_reminders", "--date", day.isoformat(), "--only", "assessment-deadlines")


def test_seven_days_before_staff_and_reviewers_are_reminded_once(people, deadline_round, committed):
    with committed():
        remind(DEADLINE - dt.timedelta(days=7))
        remind(DEADLINE - dt.timedelta(days=7))  # the scheduler ran twice
    kind = assessment_rules.DEADLINE
    assert inboxes(kind) == {"reviewer-a": [kind], "staff-a1": [kind], "staff-a2": [kind], "staff2-a1": [kind]}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{name}@example.org" for name in ("reviewer-a", "staff-a1", "staff-a2", "staff2-a1"))
    reviewer_note = Notification.objects.get(recipient=people["reviewer"])
    assert reviewer_note.params["count"] == 2
    assert "甲一基层工会" in reviewer_note.body and "甲二基层工会" in reviewer_note.body
    assert "2026-06-30" in reviewer_note.title


def test_no_reminder_on_other_days_before_the_deadline(people, deadline_round):
    for days in (30, 8, 6, 2, 0):
        remind(DEADLINE - dt.timedelta(days=days))
    assert not Notification.objects.exists()


def test_one_day_before_and_every_day_while_overdue(people, deadline_round):
    for day in (DEADLINE - dt.timedelta(days=1), DEADLINE + dt.timedelta(days=1),
                DEADLINE + dt.timedelta(days=2), DEADLINE + dt.timedelta(days=2)):
        remind(day)
    assert Notification.objects.filter(recipient=people["staff"]).count() == 3


def test_a_submitted_sheet_is_no_longer_reminded(people, deadline_round, committed):
    submit(deadline_round["a1"], people["staff"], committed)
    Notification.objects.all().delete()
    remind(DEADLINE - dt.timedelta(days=1))
    kind = assessment_rules.DEADLINE
    assert inboxes(kind) == {"reviewer-a": [kind], "staff-a2": [kind]}
    assert Notification.objects.get(recipient=people["reviewer"]).params["count"] == 1


def test_the_daily_task_runs_every_job(people, deadline_round):
    from unionportal.notifications.tasks import daily_task

    result = daily_task.enqueue((DEADLINE - dt.timedelta(days=1)).isoformat())
    assert any(line.startswith("assessment-deadlines: 4") for line in result.return_value)


def test_a_wrong_date_is_a_usage_error(db):
    with pytest.raises(SystemExit) as stopped:
        call_command("send_reminders", "--date", "30/06/2026")
    assert stopped.value.code == 2


def test_governance_rules_reach_the_unions_staff_and_nearest_admins_once(people, tree):
    day = dt.date(2026, 3, 2)
    written = governance_rules.remind_rules(day)
    assert written > 0
    assert governance_rules.remind_rules(day) == 0  # run twice: nothing new
    assert governance_rules.remind_rules(day + dt.timedelta(days=1)) == 0  # same state next day
    a1_terms = Notification.objects.filter(kind=governance_rules.RULE_AT_RISK,
                                           key__startswith=f"{governance_rules.RULE_AT_RISK}:{tree.a1.pk}:term:")
    assert sorted(a1_terms.values_list("recipient__username", flat=True)) == ["admin-a", "staff-a1", "staff2-a1"]
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told.isdisjoint({"reviewer-a", "scorer-a", "clerk-a", "reviewer-root", "reviewer-b"})
    # B's union has staff only: they hear of b1, and nobody of branch A does.
    assert Notification.objects.filter(recipient=people["staff_b1"], params__org=tree.b1.name).exists()
    assert not Notification.objects.filter(recipient__username__in=["admin-a", "staff-a1"],
                                           params__org=tree.b1.name).exists()
    note = a1_terms.first()
    assert note.title.startswith(tree.a1.name)


def test_a_congress_overdue_reaches_the_union_and_a_congress_held_does_not(people, tree):
    """a1 held last year's congress session; a2 held none: only a2's staff and admin hear of
    the congress, and a1 is told only once its own session is missed."""
    from tests.governance.helpers import congress_with, session_with

    session_with(congress_with(tree.a1, 5, start=dt.date(2024, 1, 10)), date=dt.date(2025, 6, 1))
    day = dt.date(2026, 3, 2)
    governance_rules.remind_rules(day)
    congress = Notification.objects.filter(kind=governance_rules.RULE_AT_RISK, key__contains=":congress:")
    about = {(note.params["org"], note.recipient.username) for note in congress}
    assert {(tree.a2.name, "staff-a2"), (tree.a2.name, "admin-a")} <= about
    assert not [who for org, who in about if org == tree.a1.name]
    assert congress.filter(key__contains=":congress:overdue:").exists()
    governance_rules.remind_rules(dt.date(2027, 3, 2))  # a1's 2026 session never came
    assert Notification.objects.filter(key__startswith=f"{governance_rules.RULE_AT_RISK}:{tree.a1.pk}:congress:overdue:",
                                       recipient=people["staff"]).count() == 1


def test_an_old_rounds_overdue_sheets_are_not_nagged_about_for_ever(people, deadline_round):
    remind(dt.date(2028, 1, 5))
    assert not Notification.objects.exists()
    remind(dt.date(2027, 12, 31))
    assert Notification.objects.filter(recipient=people["staff"]).count() == 1
