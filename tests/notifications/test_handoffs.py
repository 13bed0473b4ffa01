"""Each hand-off reaches exactly the people who act next: not the actor, nobody outside."""

import pytest

from assessment import notifications as rules
from assessment import services
from orgs.models import Role
from tests.factories import GrantFactory
from tests.notifications.conftest import inboxes, submit
from unionportal.notifications.models import Notification


def test_submitted_reaches_the_reviewers_of_the_union_above_only(people, sheets, committed):
    submit(sheets["a1"], people["staff"], committed)
    # A's reviewer reviews a1; the root's reviewer is further up, B's reviewer outside; the
    # staff who submitted (and their colleague) act no further.
    assert inboxes() == {"reviewer-a": [rules.SUBMITTED]}
    note = Notification.objects.get()
    assert note.link == sheets["a1"].get_absolute_url()
    assert "甲一基层工会" in note.title and "2026" in note.title


def test_submitted_goes_up_to_the_next_reviewers_when_the_union_above_has_none(people, sheets, committed):
    people["reviewer"].grants.all().delete()
    submit(sheets["a1"], people["staff"], committed)
    assert inboxes() == {"reviewer-root": [rules.SUBMITTED]}


def test_returned_reaches_the_staff_with_the_reason_and_not_the_reviewer(people, sheets, committed):
    submit(sheets["a1"], people["staff"], committed)
    # The reviewer is staff of a1 too: still not told of their own return.
    GrantFactory(user=people["reviewer"], role=Role.STAFF, org=sheets["a1"].org)
    with committed():
        services.apply_transition(actor=people["reviewer"], sheet=sheets["a1"], name="return",
                                  reason="第三项资料不全，请补充会议记录")
    assert inboxes(rules.RETURNED) == {"staff-a1": [rules.RETURNED], "staff2-a1": [rules.RETURNED]}
    note = Notification.objects.filter(kind=rules.RETURNED).first()
    assert "第三项资料不全，请补充会议记录" in note.body


def test_returned_units_list_their_own_reasons(people, sheets, committed):
    submit(sheets["a1"], people["staff"], committed)
    seqs = list(sheets["a1"].units.order_by("pk").values_list("seq", flat=True))
    with committed():
        services.apply_transition(actor=people["reviewer"], sheet=sheets["a1"], name="return",
                                  reasons={seqs[0]: "缺少签到表", seqs[1]: "请补充照片"})
    body = Notification.objects.filter(kind=rules.RETURNED).first().body
    assert f"{seqs[0]}: 缺少签到表" in body and f"{seqs[1]}: 请补充照片" in body


def test_passed_reaches_the_scorers_and_scored_and_final_reach_the_staff(people, sheets, committed):
    sheet = sheets["a1"]
    submit(sheet, people["staff"], committed)
    with committed():
        services.apply_transition(actor=people["reviewer"], sheet=sheet, name="pass")
    assert inboxes(rules.PASSED) == {"scorer-a": [rules.PASSED]}
    with committed():
        services.apply_transition(actor=people["scorer"], sheet=sheet, name="score")
    assert inboxes(rules.SCORED) == {"staff-a1": [rules.SCORED], "staff2-a1": [rules.SCORED]}
    with committed():
        services.apply_transition(actor=people["scorer"], sheet=sheet, name="finalise")
    assert inboxes(rules.FINALISED) == {"staff-a1": [rules.FINALISED], "staff2-a1": [rules.FINALISED]}
    sheet.refresh_from_db()
    assert str(sheet.final_total) in Notification.objects.filter(kind=rules.FINALISED).first().body
    # Nobody outside A's branch, and nobody of a2, heard of any of it.
    assert not Notification.objects.filter(recipient__username__in=[
        "reviewer-b", "staff-b1", "staff-a2", "clerk-a", "admin-a", "reviewer-root"]).exists()


def test_a_repeated_step_and_a_rolled_back_one_notify_nobody(people, sheets, committed):
    submit(sheets["a1"], people["staff"], committed)
    with committed():  # a double click: the step was taken already, nothing is written
        services.apply_transition(actor=people["staff"], sheet=sheets["a1"], name="submit")
    assert Notification.objects.count() == 1
    with committed(), pytest.raises(Exception):  # noqa: B017,PT011 - refused: rolled back
        services.apply_transition(actor=people["reviewer"], sheet=sheets["a1"], name="return", reason="")
    assert Notification.objects.count() == 1


def test_a_failing_notification_never_breaks_the_step(people, sheets, committed, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(rules, "notify", broken)
    submit(sheets["a1"], people["staff"], committed)
    sheets["a1"].refresh_from_db()
    assert sheets["a1"].status == "submitted"
    assert Notification.objects.count() == 0
