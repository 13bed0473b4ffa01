"""The sheet's workflow table (``assessment.services.transitions``), tested row by row: from each
source state the role the table names takes the step, reaches the target, and leaves the audit
action and history event the table names; every other role is refused; other states are
refused or, where the step counts as taken, nothing is done."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment import services
from assessment.models import SheetEvent, SheetStatus
from assessment.services.transitions import TRANSITIONS, sheet_permissions
from orgs.access import Action
from tests.assessment.conftest import grade_all
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

S = SheetStatus
# How the system walks a sheet to each state (the steps taken after grading every unit).
WALK = {
    S.DRAFT: (),
    S.SUBMITTED: ("submit",),
    S.RETURNED: ("submit", "return"),
    S.REVIEWED: ("submit", "pass"),
    S.SCORED: ("submit", "pass", "score"),
    S.FINAL: ("submit", "pass", "finalise"),
}
# The kit's user whose role holds each action on sheet a1 (staff on a1, reviewer and scorer on A).
HOLDER = {Action.FILL: "staff", Action.REVIEW: "reviewer", Action.SCORE: "scorer"}
PARAMS = {"return": {"reason": "请补充材料"}, "reopen": {"reason": "复核发现计分错误"}}
CASES = [(name, source) for name, t in TRANSITIONS.items() for source in t.sources]
OTHER = [(name, status) for name, t in TRANSITIONS.items() for status in WALK if status not in t.sources]


def _sheet_in(world, status):
    sheet = world["a1"]
    grade_all(sheet)
    for name in WALK[status]:
        services.apply_transition(actor=SYSTEM, sheet=sheet, name=name, **PARAMS.get(name, {}))
    sheet.refresh_from_db()
    assert sheet.status == status
    return sheet


def test_the_audit_names_other_rooms_hook_onto_stay():
    assert {t.name: t.audit for t in TRANSITIONS.values()} == {
        "submit": "assessment.sheet.submit", "return": "assessment.sheet.return",
        "pass": "assessment.sheet.pass", "score": "assessment.sheet.score",
        "finalise": "assessment.sheet.finalise", "reopen": "assessment.sheet.reopen"}


@pytest.mark.parametrize("name, source", CASES)
def test_the_role_the_table_names_takes_the_step(world, users, name, source):
    t = TRANSITIONS[name]
    sheet = _sheet_in(world, source)
    version = sheet.version
    actor = users[HOLDER[t.action]]
    assert services.apply_transition(actor=actor, sheet=sheet, name=name, expected_version=version,
                                     **PARAMS.get(name, {})) is True
    sheet.refresh_from_db()
    assert sheet.status == t.target and sheet.version > version
    audit = AuditEntry.objects.filter(object_id=str(sheet.pk)).latest("id")
    assert (audit.action, audit.actor, audit.before["status"], audit.after["status"]) == (
        t.audit, actor, source, t.target)
    assert sheet.events.latest("id").kind == t.event


@pytest.mark.parametrize("name, source", CASES)
def test_every_other_role_is_refused(world, users, name, source):
    t = TRANSITIONS[name]
    sheet = _sheet_in(world, source)
    for role, user in users.items():
        if role == HOLDER[t.action]:
            continue
        with pytest.raises(PermissionDenied):
            services.apply_transition(actor=user, sheet=sheet, name=name, **PARAMS.get(name, {}))
    sheet.refresh_from_db()
    assert sheet.status == source


@pytest.mark.parametrize("name, status", OTHER)
def test_other_states_are_refused_or_count_as_taken(world, users, name, status):
    t = TRANSITIONS[name]
    sheet = _sheet_in(world, status)
    before = (sheet.version, AuditEntry.objects.count(), SheetEvent.objects.count())
    if status in t.taken:  # a double click, or someone was quicker: reported, nothing done
        assert services.apply_transition(actor=users[HOLDER[t.action]], sheet=sheet, name=name,
                                         **PARAMS.get(name, {})) is False
    else:
        with pytest.raises(ValidationError) as refused:
            services.apply_transition(actor=SYSTEM, sheet=sheet, name=name, **PARAMS.get(name, {}))
        assert refused.value.code == "state"
    sheet.refresh_from_db()
    assert (sheet.status, sheet.version, AuditEntry.objects.count(), SheetEvent.objects.count()) == (
        status, *before)


def test_a_form_loaded_from_an_older_version_is_a_conflict(world, users):
    sheet = _sheet_in(world, S.SUBMITTED)
    with pytest.raises(services.ConflictError):
        services.apply_transition(actor=users["reviewer"], sheet=sheet, name="pass",
                                  expected_version=sheet.version - 1)
    sheet.refresh_from_db()
    assert sheet.status == S.SUBMITTED


def test_an_unknown_step_is_a_clear_error(world, users):
    with pytest.raises(ValidationError) as refused:
        services.apply_transition(actor=users["scorer"], sheet=world["a1"], name="jump")
    assert refused.value.code == "action"


@pytest.mark.parametrize("status", list(WALK))
def test_the_sheet_page_offers_what_the_table_allows(world, users, status):
    sheet = _sheet_in(world, status)
    for role, user in users.items():
        perms = sheet_permissions(user, sheet)
        allowed = {name for name, t in TRANSITIONS.items()
                   if status in t.sources and role == HOLDER[t.action]}
        assert perms.fill == ("submit" in allowed), (role, status)
        assert perms.review == ("pass" in allowed), (role, status)
        assert perms.score == ("finalise" in allowed), (role, status)
        assert perms.reopen == ("reopen" in allowed), (role, status)
