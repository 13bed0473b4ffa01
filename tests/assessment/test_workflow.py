"""The sheet's state machine: every allowed and refused step, conflicts, double clicks, audit."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment import services
from assessment.models import SheetEvent, SheetStatus
from tests.assessment.conftest import grade_all
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

D = Decimal
S = SheetStatus


def test_opening_a_round_creates_every_assessees_sheet_with_its_units(world):
    sheet = world["a1"]
    assert world["round_a"].sheets.count() == 2
    assert list(sheet.units.values_list("seq", flat=True)) == ["1.1", "1.2", "1.3", "2", "3", "4"]
    assert sheet.status == S.DRAFT and sheet.group_id is None or sheet.group is not None
    again = services.open_round(actor=SYSTEM, assessor=world["tree"].a, year=2026)
    assert again.sheets_created == 0  # idempotent


def test_open_round_refuses_a_user_without_score_or_manage(world, users):
    with pytest.raises(PermissionDenied):
        services.open_round(actor=users["reviewer"], assessor=world["tree"].a, year=2026)
    assert services.open_round(actor=users["scorer"], assessor=world["tree"].a, year=2026).sheets_created == 0


def test_the_whole_journey_and_its_scores(world, users):
    sheet, staff, reviewer, scorer = world["a1"], users["staff"], users["reviewer"], users["scorer"]
    sheet = grade_all(sheet, actor=staff)
    assert sheet.self_total == D(100)
    assert services.apply_transition(name="submit", actor=staff, sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.status == S.SUBMITTED and sheet.submissions == 1
    sheet = services.save_review(actor=reviewer, sheet=sheet, entries={
        "1.1": services.Entry(grade="basic", docs=True, note="部分完成")})
    assert services.apply_transition(name="pass", actor=reviewer, sheet=sheet)
    sheet.refresh_from_db()
    # 1.1 basic: 7 of 10; indicator 1 points 20 = weight → 17; others full.
    assert sheet.status == S.REVIEWED and sheet.final_total == D(97)
    assert services.apply_transition(name="score", actor=scorer, sheet=sheet)
    assert services.apply_transition(name="finalise", actor=scorer, sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.status == S.FINAL and sheet.final_total == D(97)
    kinds = list(sheet.events.values_list("kind", flat=True))
    assert kinds == ["opened", "submitted", "reviewed", "scored", "finalised"]
    assert AuditEntry.objects.filter(object_id=str(sheet.pk), action__startswith="assessment.sheet").count() >= 5


def test_staff_cannot_submit_an_incompletely_graded_sheet(world, users):
    sheet = world["a1"]
    services.save_self_assessment(actor=users["staff"], sheet=sheet,
                                  entries={"1.1": services.Entry(grade="full", docs=True)})
    with pytest.raises(ValidationError, match="1.2"):
        services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.status == S.DRAFT and sheet.self_total == D(10)  # the draft is kept


def test_submit_locks_the_sheet_for_the_staff_and_a_double_submit_does_it_once(world, users):
    sheet = grade_all(world["a1"], actor=users["staff"])
    version = sheet.version
    assert services.apply_transition(name="submit", actor=users["staff"], sheet=sheet, expected_version=version) is True
    assert services.apply_transition(name="submit", actor=users["staff"], sheet=sheet, expected_version=version) is False
    sheet.refresh_from_db()
    assert sheet.submissions == 1 and sheet.events.filter(kind="submitted").count() == 1
    with pytest.raises(ValidationError):
        grade_all(sheet, grade="basic", actor=users["staff"])


@pytest.mark.parametrize("role", ["reviewer", "scorer", "clerk", "admin"])
def test_only_the_staff_of_the_union_fills_in(world, users, role):
    with pytest.raises(PermissionDenied):
        grade_all(world["a1"], actor=users[role])


def test_staff_of_another_union_cannot_fill_in(world, users):
    with pytest.raises(PermissionDenied):
        grade_all(world["a2"], actor=users["staff"])  # staff is granted on a1


def test_return_some_items_then_staff_edit_only_those_and_resubmit(world, users):
    staff, reviewer = users["staff"], users["reviewer"]
    sheet = grade_all(world["a1"], actor=staff)
    services.apply_transition(name="submit", actor=staff, sheet=sheet)
    with pytest.raises(ValidationError):
        services.apply_transition(name="return", actor=reviewer, sheet=sheet, reasons={"1.2": ""})
    services.apply_transition(name="return", actor=reviewer, sheet=sheet, reasons={"1.2": "缺少统计报表"})
    sheet.refresh_from_db()
    assert sheet.status == S.RETURNED
    with pytest.raises(ValidationError, match="1.1"):
        services.save_self_assessment(actor=staff, sheet=sheet,
                                      entries={"1.1": services.Entry(grade="basic", docs=True)})
    services.save_self_assessment(actor=staff, sheet=sheet,
                                  entries={"1.2": services.Entry(grade="basic", docs=True, note="已补充")})
    assert services.apply_transition(name="submit", actor=staff, sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.status == S.SUBMITTED and sheet.submissions == 2
    assert sheet.self_total == D("98.5")
    history = list(sheet.events.filter(kind__in=["submitted", "returned"]).values_list("kind", "submission"))
    assert history == [("submitted", 1), ("returned", 1), ("submitted", 2)]
    first = sheet.events.filter(kind="submitted").first()
    assert {u["seq"]: u["self_grade"] for u in first.data["units"]}["1.2"] == "full"  # round 1 kept


def test_return_the_whole_sheet_needs_a_reason_and_opens_every_unit(world, users):
    sheet = grade_all(world["a1"], actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    with pytest.raises(ValidationError):
        services.apply_transition(name="return", actor=users["reviewer"], sheet=sheet)
    services.apply_transition(name="return", actor=users["reviewer"], sheet=sheet, reason="请全面核实")
    assert sheet.units.filter(returned=True).count() == 6
    grade_all(sheet, grade="basic", actor=users["staff"])


@pytest.mark.parametrize("step", ["return", "pass"])
def test_reviewer_steps_need_a_reviewer_strictly_above(world, users, step):
    sheet = grade_all(world["a1"], actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    call = {"return": lambda actor: services.apply_transition(name="return", actor=actor, sheet=sheet, reason="x"),
            "pass": lambda actor: services.apply_transition(name="pass", actor=actor, sheet=sheet)}[step]
    for role in ("staff", "scorer", "clerk", "admin"):
        with pytest.raises(PermissionDenied):
            call(users[role])
    call(users["reviewer"])


def test_refused_transitions(world, users):
    staff, reviewer, scorer = users["staff"], users["reviewer"], users["scorer"]
    sheet = world["a1"]
    for step in (lambda: services.apply_transition(name="return", actor=reviewer, sheet=sheet, reason="x"),
                 lambda: services.apply_transition(name="pass", actor=reviewer, sheet=sheet),
                 lambda: services.apply_transition(name="score", actor=scorer, sheet=sheet),
                 lambda: services.apply_transition(name="finalise", actor=scorer, sheet=sheet),
                 lambda: services.apply_transition(name="reopen", actor=scorer, sheet=sheet, reason="x")):
        with pytest.raises(ValidationError):
            step()  # none of these from a draft
    grade_all(sheet, actor=staff)
    services.apply_transition(name="submit", actor=staff, sheet=sheet)
    with pytest.raises(ValidationError):
        services.apply_transition(name="score", actor=scorer, sheet=sheet)  # not reviewed yet
    with pytest.raises(PermissionDenied):
        services.save_review(actor=scorer, sheet=sheet, entries={})  # the reviewer's turn, not the scorer's
    services.apply_transition(name="pass", actor=reviewer, sheet=sheet)
    assert services.apply_transition(name="pass", actor=reviewer, sheet=sheet) is False
    with pytest.raises(ValidationError):
        services.apply_transition(name="return", actor=reviewer, sheet=sheet, reason="late")
    with pytest.raises(PermissionDenied):
        services.apply_transition(name="finalise", actor=reviewer, sheet=sheet)
    assert services.apply_transition(name="finalise", actor=scorer, sheet=sheet) is True
    assert services.apply_transition(name="finalise", actor=scorer, sheet=sheet) is False  # double click
    with pytest.raises(ValidationError):
        services.save_review(actor=scorer, sheet=sheet, entries={"2": services.Entry(grade="none")})
    with pytest.raises(ValidationError):
        services.apply_transition(name="reopen", actor=scorer, sheet=sheet, reason="  ")
    services.apply_transition(name="reopen", actor=scorer, sheet=sheet, reason="复核发现计分错误")
    sheet.refresh_from_db()
    assert sheet.status == S.SCORED
    assert sheet.events.filter(kind=SheetEvent.Kind.REOPENED, comment="复核发现计分错误").exists()
    assert AuditEntry.objects.filter(action="assessment.sheet.reopen", comment="复核发现计分错误").exists()
    services.save_review(actor=scorer, sheet=sheet, entries={"2": services.Entry(grade="none", docs=True)})
    sheet.refresh_from_db()
    assert sheet.final_total == D(75)


def test_a_scorer_of_another_branch_cannot_score(world, users, tree):
    from tests.factories import GrantFactory, UserFactory

    other = UserFactory(username="scorer-b")
    GrantFactory(user=other, role="scorer", org=tree.b)
    sheet = grade_all(world["a1"], actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    services.apply_transition(name="pass", actor=users["reviewer"], sheet=sheet)
    with pytest.raises(PermissionDenied):
        services.apply_transition(name="finalise", actor=other, sheet=sheet)


def test_two_reviewers_saving_the_same_sheet_the_second_gets_a_conflict(world, users):
    sheet = grade_all(world["a1"], actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    sheet.refresh_from_db()
    loaded = sheet.version
    services.save_review(actor=users["reviewer"], sheet=sheet, expected_version=loaded,
                         entries={"2": services.Entry(grade="basic", docs=True, note="第一位")})
    with pytest.raises(services.ConflictError):
        services.save_review(actor=users["reviewer"], sheet=sheet, expected_version=loaded,
                             entries={"2": services.Entry(grade="none", docs=False, note="第二位")})
    unit = sheet.units.get(seq="2")
    assert unit.review_note == "第一位" and unit.review_grade == "basic"


def test_every_score_change_is_audited_with_before_and_after(world, users):
    sheet = world["a1"]
    services.save_self_assessment(actor=users["staff"], sheet=sheet,
                                  entries={"2": services.Entry(grade="basic", docs=False, note="n")})
    entry = AuditEntry.objects.filter(action="assessment.sheet.self_assess").latest("id")
    assert entry.actor == users["staff"]
    assert entry.before["units"]["2"]["self_grade"] == "" and entry.after["units"]["2"]["self_grade"] == "basic"
    assert entry.after["units"]["2"]["self_score"] == "12.50"
    assert entry.before["self_total"] in (None, "0", "0.00")


def test_reminders_are_recorded_and_shown_per_sheet(world, users):
    count = services.remind(actor=users["scorer"], round=world["round_a"], message="请于本周内提交")
    assert count == 2
    assert world["a1"].events.filter(kind="reminded", comment="请于本周内提交").exists()
    with pytest.raises(PermissionDenied):
        services.remind(actor=users["staff"], round=world["round_a"])
