"""A double-clicked "save draft": the repeat answers as a success and writes nothing twice;
someone else's save in between is still a conflict that keeps what was typed."""

from django.contrib.messages import get_messages

from assessment.models import SheetStatus
from tests.assessment.conftest import grade_all
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for
from unionportal.models import AuditEntry

SHEET = "/assessment/2026/kit-a-1/"
CONFLICT = "您打开此考核表后，已有他人保存了修改"


def _draft_data(sheet, note="草稿说明"):
    data = {"version": sheet.version, "action": "save"}
    for unit in sheet.units.all():
        data[f"grade-{unit.pk}"] = "full"
        data[f"docs-{unit.pk}"] = "on"
        data[f"note-{unit.pk}"] = note
    return data


def _post(client, data):
    response = client.post(SHEET + "fill/", data)
    response.messages = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    if response.status_code == 302:
        client.get(response["Location"])  # shown, as the browser would, so they clear
    return response


def _self_assess_audits(sheet):
    return AuditEntry.objects.filter(action="assessment.sheet.self_assess", object_id=str(sheet.pk)).count()


def test_a_double_clicked_save_draft_is_a_success_and_saves_once(world, users):
    sheet = world["a1"]
    client = client_for(users["staff"])
    data = _draft_data(sheet)
    first = _post(client, data)
    assert first.status_code == 302 and first.messages == [("success", "草稿已保存。")]
    sheet.refresh_from_db()
    version = sheet.version
    assert version == data["version"] + 1 and _self_assess_audits(sheet) == 1

    again = _post(client, data)  # the same form, same loaded version, sent again
    assert again.status_code == 302 and again.messages == [("success", "草稿已保存。")]
    sheet.refresh_from_db()
    assert sheet.version == version and sheet.status == SheetStatus.DRAFT
    assert _self_assess_audits(sheet) == 1


def test_someone_elses_save_in_between_is_a_conflict_that_keeps_the_typed_text(world, users):
    sheet = world["a1"]
    data = _draft_data(sheet, note="我刚输入的说明")
    other = UserFactory(username="kit-staff-2")
    GrantFactory(user=other, role="staff", org=world["tree"].a1)
    grade_all(sheet, grade="basic", actor=other)  # saved after our form was loaded
    response = _post(client_for(users["staff"]), data)
    assert response.status_code == 409
    assert CONFLICT in response.messages[0][1]
    assert "我刚输入的说明" in response.content.decode()
    sheet.refresh_from_db()
    assert not sheet.units.filter(self_note="我刚输入的说明").exists()


def test_my_own_later_save_then_a_stale_repeat_with_other_text_is_a_conflict(world, users):
    sheet = world["a1"]
    client = client_for(users["staff"])
    data = _draft_data(sheet)
    assert _post(client, data).status_code == 302
    changed = _draft_data(sheet, note="另一段说明")
    changed["version"] = data["version"]  # the stale form, different content
    response = _post(client, changed)
    assert response.status_code == 409 and CONFLICT in response.messages[0][1]
    assert _self_assess_audits(sheet) == 1
