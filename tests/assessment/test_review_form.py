"""The sheet page's review form: a step already taken is reported only to a role that may take
it (403 for the others), and the review entries and their step are one transaction."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError

from assessment import services
from assessment.models import SheetStatus
from tests.assessment.conftest import grade_all
from tests.kit import client_for
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry


def _submitted(sheet, actor=SYSTEM):
    grade_all(sheet, actor=actor)
    services.apply_transition(name="submit", actor=actor, sheet=sheet)
    sheet.refresh_from_db()
    return sheet


def _already_taken(response):
    return response.status_code == 302 and [m.level_tag for m in get_messages(response.wsgi_request)] == ["info"]


def test_already_taken_only_for_users_whose_role_may_take_the_step(world, users):
    sheet = _submitted(world["a1"])
    services.apply_transition(name="pass", actor=users["reviewer"], sheet=sheet)
    url = "/assessment/2026/kit-a-1/review/"
    # the reviewer's double click on "pass on": already taken
    assert _already_taken(client_for(users["reviewer"]).post(url, {"version": 1, "action": "pass"}))
    # the reviewer may not score or finalise; the clerk may do nothing here
    for role, action in (("reviewer", "score"), ("reviewer", "finalise"), ("clerk", "pass"),
                         ("clerk", "finalise"), ("admin", "score")):
        assert client_for(users[role]).post(url, {"version": 1, "action": action}).status_code == 403, (role, action)
    services.apply_transition(name="finalise", actor=users["scorer"], sheet=sheet)
    assert _already_taken(client_for(users["scorer"]).post(url, {"version": 1, "action": "finalise"}))
    for role in ("reviewer", "clerk", "staff"):
        assert client_for(users[role]).post(url, {"version": 1, "action": "finalise"}).status_code == 403, role


def test_a_failed_return_saves_nothing_and_the_form_can_be_sent_again(world, users):
    sheet = _submitted(world["a1"], actor=users["staff"])
    version = sheet.version
    unit = sheet.units.get(seq="2")
    audits = AuditEntry.objects.count()
    client = client_for(users["reviewer"])
    data = {"version": version, "action": "return", f"rgrade-{unit.pk}": "basic", f"rnote-{unit.pk}": "材料不全"}
    response = client.post("/assessment/2026/kit-a-1/review/", data)
    assert response.status_code == 400
    assert "材料不全" in response.content.decode()  # the input is kept
    sheet.refresh_from_db()
    unit.refresh_from_db()
    assert (sheet.version, sheet.status, unit.review_grade, unit.review_note) == (
        version, SheetStatus.SUBMITTED, "", "")
    assert AuditEntry.objects.count() == audits
    response = client.post("/assessment/2026/kit-a-1/review/", {**data, "reason": "请补充材料"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    unit.refresh_from_db()
    assert sheet.status == SheetStatus.RETURNED and unit.review_grade == "basic"
    assert set(AuditEntry.objects.filter(object_id=str(sheet.pk)).values_list("action", flat=True)) >= {
        "assessment.sheet.review", "assessment.sheet.return"}


def test_review_step_is_one_transaction_with_the_service_checks(world, users):
    sheet = _submitted(world["a1"])
    with pytest.raises(ValidationError):
        services.review_step(actor=users["reviewer"], sheet=sheet, step="return",
                             entries={"2": services.Entry(grade="none", docs=True)})
    sheet.refresh_from_db()
    assert sheet.units.get(seq="2").review_grade == "" and sheet.status == SheetStatus.SUBMITTED
    with pytest.raises(ValidationError):
        services.review_step(actor=users["reviewer"], sheet=sheet, step="jump", entries={})
    with pytest.raises(PermissionDenied):
        services.review_step(actor=users["scorer"], sheet=sheet, step="pass", entries={})
    outcome = services.review_step(actor=users["reviewer"], sheet=sheet, step="pass", expected_version=sheet.version,
                                   entries={"2": services.Entry(grade="basic", docs=True)})
    assert outcome.taken and outcome.saved and outcome.sheet.status == SheetStatus.REVIEWED
    again = services.review_step(actor=users["reviewer"], sheet=sheet, step="pass", expected_version=sheet.version,
                                 entries={})
    assert not again.taken and again.sheet.version == outcome.sheet.version
