"""A double click without JavaScript: the second POST of "submit" or "finalise" answers like
the completed action (302 and an info message) and does nothing twice; a real conflict
(someone else's save in between) stays a 409."""

from django.contrib.messages import get_messages

from assessment import services
from assessment.models import SheetStatus
from tests.assessment.conftest import grade_all
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for
from unionportal.models import AuditEntry

SHEET = "/assessment/2026/kit-a-1/"
CONFLICT = "您打开此考核表后，已有他人保存了修改"


def _messages(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _post(client, url, data=None):
    """POST, note the messages it added, and show them (as the browser would) so they clear."""
    response = client.post(url, data or {})
    response.messages = _messages(response)
    if response.status_code == 302:
        client.get(response["Location"])
    return response


def _submit_data(sheet, grade="full", note="已完成"):
    data = {"version": sheet.version, "action": "submit"}
    for unit in sheet.units.all():
        data[f"grade-{unit.pk}"] = grade
        data[f"docs-{unit.pk}"] = "on"
        data[f"note-{unit.pk}"] = note
    return data


def _second_staff(world):
    other = UserFactory(username="kit-staff-2")
    GrantFactory(user=other, role="staff", org=world["tree"].a1)
    return other


def test_a_double_click_on_submit_is_answered_as_done_and_submits_once(world, users):
    sheet = world["a1"]
    client = client_for(users["staff"])
    data = _submit_data(sheet)
    first = _post(client, SHEET + "fill/", data)
    assert first.status_code == 302 and first["Location"] == f"{SHEET}?assessor=kit-a"
    assert first.messages == [("success", "已提交。审核前考核表已锁定。")]
    sheet.refresh_from_db()
    version, audits = sheet.version, AuditEntry.objects.count()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.submissions == 1

    again = _post(client, SHEET + "fill/", data)  # the same form sent again
    assert again.status_code == 302 and again["Location"] == f"{SHEET}?assessor=kit-a"
    assert again.messages == [("info", "考核表已经提交过了。")]
    sheet.refresh_from_db()
    assert (sheet.status, sheet.submissions, sheet.version) == (SheetStatus.SUBMITTED, 1, version)
    assert sheet.events.filter(kind="submitted").count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_repeated_submit_of_a_form_that_saved_changes_first_is_also_done_once(world, users):
    sheet = world["a1"]
    grade_all(sheet, grade="basic", actor=users["staff"])  # the form's entries differ: saved, then submitted
    sheet.refresh_from_db()
    client = client_for(users["staff"])
    data = _submit_data(sheet)
    assert _post(client, SHEET + "fill/", data).messages == [("success", "已提交。审核前考核表已锁定。")]
    again = _post(client, SHEET + "fill/", data)
    assert again.status_code == 302 and again.messages == [("info", "考核表已经提交过了。")]
    sheet.refresh_from_db()
    assert sheet.submissions == 1 and str(sheet.self_total) == "100.00"


def test_someone_elses_save_in_between_is_still_a_conflict(world, users):
    sheet = world["a1"]
    data = _submit_data(sheet)
    other = _second_staff(world)
    grade_all(sheet, grade="basic", actor=other)  # saved after our form was loaded
    response = _post(client_for(users["staff"]), SHEET + "fill/", data)
    assert response.status_code == 409
    assert [level for level, _text in response.messages] == ["error"]
    assert CONFLICT in response.messages[0][1]
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT and sheet.submissions == 0


def test_someone_elses_submit_of_the_same_version_is_a_conflict_not_a_repeat(world, users):
    sheet = world["a1"]
    data = _submit_data(sheet)
    assert _post(client_for(_second_staff(world)), SHEET + "fill/", data).status_code == 302
    response = _post(client_for(users["staff"]), SHEET + "fill/", data)
    assert response.status_code == 409 and CONFLICT in response.messages[0][1]
    sheet.refresh_from_db()
    assert sheet.submissions == 1


def test_the_same_user_sending_other_entries_on_a_stale_form_is_a_conflict(world, users):
    sheet = world["a1"]
    client = client_for(users["staff"])
    data = _submit_data(sheet)
    assert _post(client, SHEET + "fill/", data).status_code == 302
    changed = _submit_data(world["a1"], note="改过的说明")
    changed["version"] = data["version"]
    response = _post(client, SHEET + "fill/", changed)
    assert response.status_code == 409 and CONFLICT in response.messages[0][1]
    sheet.refresh_from_db()
    assert sheet.submissions == 1 and not sheet.units.filter(self_note="改过的说明").exists()


def test_a_submit_refused_for_missing_grades_keeps_the_draft(world, users):
    sheet = world["a1"]
    data = _submit_data(sheet)
    unit = sheet.units.get(seq="2")
    data[f"grade-{unit.pk}"] = ""
    response = _post(client_for(users["staff"]), SHEET + "fill/", data)
    assert response.status_code == 302
    assert response.messages == [("warning", "您填写的内容已保存为草稿，但考核表未提交："
                                    "提交前请为每一项选择自评等级并勾选资料是否齐全（未完成：2）。")]
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT and sheet.units.get(seq="1.1").self_grade == "full"


def _reviewed(world, users):
    sheet = grade_all(world["a1"], actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    services.apply_transition(name="pass", actor=users["reviewer"], sheet=sheet)
    sheet.refresh_from_db()
    return sheet


def test_a_double_click_on_finalise_is_answered_as_done_and_finalises_once(world, users):
    sheet = _reviewed(world, users)
    client = client_for(users["scorer"])
    data = {"version": sheet.version, "action": "finalise"}
    for unit in sheet.units.all():  # what the scorer's form sends: the grades as they stand
        data[f"rgrade-{unit.pk}"] = unit.review_grade
        data[f"rdocs-{unit.pk}"] = "yes" if unit.review_docs else "no"
        data[f"rnote-{unit.pk}"] = unit.review_note
    first = _post(client, SHEET + "review/", data)
    assert first.status_code == 302 and first.messages == [("success", "考核表已定稿并锁定。")]
    sheet.refresh_from_db()
    version = sheet.version
    again = _post(client, SHEET + "review/", data)
    assert again.status_code == 302 and again["Location"] == f"{SHEET}?assessor=kit-a"
    assert again.messages == [("info", "考核表此前已经定稿。")]
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.FINAL and sheet.version == version
    assert sheet.events.filter(kind="finalised").count() == 1


def test_a_double_click_on_finalise_every_scored_sheet_finalises_once(world, users):
    _reviewed(world, users)
    client = client_for(users["scorer"])
    url = "/assessment/rounds/kit-a/2026/finalise/"
    first = _post(client, url)
    assert first.status_code == 302 and first["Location"] == "/assessment/rounds/kit-a/2026/ranking/"
    assert first.messages == [("success", "已定稿 1 份考核表。")]
    again = _post(client, url)
    assert again.status_code == 302 and again.messages == [("info", "没有待定稿的已评分或已审核考核表。")]
    assert world["a1"].events.filter(kind="finalised").count() == 1
    assert client_for(users["reviewer"]).post(url).status_code == 403
    assert client_for(users["staff"]).post(url).status_code == 404
