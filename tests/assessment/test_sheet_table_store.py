"""The sheet page's table of units, reused across requests (assessment/views/sheet_table.py):
a repeat view renders no table, yet every write shows on the next request, every user gets the
fields of their own permissions only, and a form holding the user's input is never stored."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment import services
from assessment.views import sheet_table
from tests.assessment.conftest import grade_all
from tests.kit import client_for
from unionportal.actors import SYSTEM

URL = "/assessment/2026/kit-a-1/"


@pytest.fixture
def renders(monkeypatch):
    """The tables rendered (not taken from the store), counted."""
    sheet_table.clear()
    counted = []
    original = sheet_table.render_table
    monkeypatch.setattr(sheet_table, "render_table", lambda *args: counted.append(args[1]) or original(*args))
    yield counted
    sheet_table.clear()


def _page(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    # The CSRF token is masked afresh on every render.
    return re.sub(r'value="[A-Za-z0-9]{64}"', 'value="csrf"', response.content.decode())


def test_a_repeat_view_reuses_the_table_and_a_write_shows_at_once(world, users, renders, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = client_for(users["staff"])
    first = _page(staff)
    assert _page(staff) == first and len(renders) == 1  # reused (the page itself the same)
    sheet = world["a1"]
    grade_all(sheet, actor=users["staff"])  # every unit graded "full", with the note 说明
    page = _page(staff)
    assert len(renders) == 2 and len(re.findall(r'value="full" id="[^"]+" checked', page)) == sheet.units.count()
    services.add_evidence(actor=users["staff"], sheet=sheet, seq=sheet.units.order_by("position").first().seq,
                          upload=SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4\n%test\n", "application/pdf"))
    assert "会议纪要.pdf" in _page(staff) and len(renders) == 3
    evidence = sheet.units.order_by("position").first().evidence.get()
    services.delete_evidence(actor=users["staff"], evidence=evidence)
    assert "会议纪要.pdf" not in _page(staff)


def test_each_user_gets_the_table_of_their_own_permissions(world, users, renders):
    sheet = world["a1"]
    grade_all(sheet)
    fill_field = f'name="grade-{sheet.units.order_by("position").first().pk}"'
    assert fill_field in _page(client_for(users["staff"]))
    clerk = _page(client_for(users["clerk"]))  # the same sheet and data: another table
    assert fill_field not in clerk and 'name="rgrade-' not in clerk and len(renders) == 2
    services.apply_transition(name="submit", actor=SYSTEM, sheet=sheet)
    reviewer = _page(client_for(users["reviewer"]))
    assert 'name="rgrade-' in reviewer and fill_field not in reviewer
    staff = _page(client_for(users["staff"]))  # submitted: read only for the staff now
    assert 'name="rgrade-' not in staff and fill_field not in staff


def test_a_form_with_the_users_input_is_never_stored(world, users, renders):
    sheet = world["a1"]
    unit = sheet.units.order_by("position").first()
    staff = client_for(users["staff"])
    typed = {"version": sheet.version, "action": "save", f"grade-{unit.pk}": "nonsense", f"note-{unit.pk}": "我刚输入的说明"}
    assert "我刚输入的说明" in staff.post(URL + "fill/", typed).content.decode()
    assert renders == [None]  # rendered without a key
    assert "我刚输入的说明" not in _page(staff)  # the next view: what is saved, not what was typed


def test_a_table_not_stored_reuses_the_rows_of_units_that_did_not_change(world, users, monkeypatch):
    """After a save of one unit the page renders that unit's row only, and the page is the one
    rendered with nothing stored."""
    sheet_table.clear()
    rows = []
    original = sheet_table.render_rows
    monkeypatch.setattr(sheet_table, "render_rows",
                        lambda units, *args: rows.extend(u.pk for u in units) or original(units, *args))
    staff = client_for(users["staff"])
    sheet = world["a1"]
    grade_all(sheet, actor=users["staff"])
    sheet.refresh_from_db()
    _page(staff)
    units = list(sheet.units.order_by("position"))
    assert sorted(rows) == sorted(u.pk for u in units)
    rows.clear()
    services.save_self_assessment(actor=users["staff"], sheet=sheet, expected_version=sheet.version,
                                  entries={units[1].seq: services.Entry(grade="basic", docs=True, note="只改这一项")})
    page = _page(staff)
    assert rows == [units[1].pk] and "只改这一项" in page
    sheet_table.clear()
    assert _page(staff) == page  # the same page as one rendered from scratch
    rows.clear()
    services.apply_transition(name="submit", actor=SYSTEM, sheet=sheet)  # no unit editable now: every row anew
    assert 'name="grade-' not in _page(staff) and len(rows) == len(units)
