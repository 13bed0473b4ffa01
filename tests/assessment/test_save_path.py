"""The draft save's write path (issue 13, a season's load): one row lock per save, and the
units' rows written with exactly what the form and the scoring rule give them."""

from decimal import Decimal
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Unit
from assessment.services import _common
from assessment.services._common import WRITTEN_FIELDS, write_units
from tests.kit import client_for
from unionportal.models import AuditEntry

SHEET = "/assessment/2026/kit-a-1/"


def _save(client, sheet, **per_unit):
    data = {"version": sheet.version, "action": "save"}
    for unit in sheet.units.all():
        grade, docs, note = per_unit.get(unit.seq, ("full", True, ""))
        data.update({f"grade-{unit.pk}": grade, f"note-{unit.pk}": note})
        if docs:
            data[f"docs-{unit.pk}"] = "on"
    return client.post(SHEET + "fill/", data)


def test_a_draft_save_locks_the_sheet_once_and_stores_every_unit(world, users):
    sheet = world["a1"]
    client = client_for(users["staff"])
    units = list(sheet.units.order_by("position"))
    first, second = units[0], units[1]
    with mock.patch("assessment.services._common.lock", wraps=_common.lock) as lock:
        response = _save(client, sheet, **{first.seq: ("basic", False, "说明一"), second.seq: ("", False, "")})
    assert response.status_code == 302
    assert lock.call_count == 1  # (SQLite drops FOR UPDATE from the SQL: the calls are counted)
    stored = {u.seq: u for u in Unit.objects.filter(sheet=sheet)}
    assert (stored[first.seq].self_grade, stored[first.seq].self_docs, stored[first.seq].self_note) == (
        "basic", False, "说明一")
    assert stored[first.seq].self_score is not None
    assert (stored[second.seq].self_grade, stored[second.seq].self_docs, stored[second.seq].self_score) == (
        "", None, None)
    sheet.refresh_from_db()
    assert sheet.version == 2
    entry = AuditEntry.objects.get(action="assessment.sheet.self_assess", object_id=str(sheet.pk))
    assert entry.after["units"][first.seq]["self_note"] == "说明一"


def test_a_save_of_one_unit_leaves_the_others_rows_as_they_were(world, users):
    sheet = world["a1"]
    client = client_for(users["staff"])
    assert _save(client, sheet).status_code == 302
    sheet.refresh_from_db()
    before = {u.pk: [getattr(u, name) for name in WRITTEN_FIELDS] for u in Unit.objects.filter(sheet=sheet)}
    one = sheet.units.order_by("position").first()
    assert _save(client, sheet, **{one.seq: ("full", True, "只改这一项")}).status_code == 302
    after = {u.pk: [getattr(u, name) for name in WRITTEN_FIELDS] for u in Unit.objects.filter(sheet=sheet)}
    assert [pk for pk in before if before[pk] != after[pk]] == [one.pk]


def test_write_units_stores_each_field_as_the_orm_would(world):
    units = list(world["a1"].units.order_by("position")[:2])
    units[0].self_grade, units[0].self_docs, units[0].self_score = "full", True, Decimal("2.50")
    units[0].review_note, units[0].returned, units[0].return_reason = "复核", True, "补材料"
    units[1].self_grade, units[1].self_docs, units[1].self_score, units[1].final_score = "", None, None, None
    write_units(units)
    with CaptureQueriesContext(connection) as queries:
        write_units([])
    assert not queries.captured_queries
    for unit in units:
        stored = Unit.objects.get(pk=unit.pk)
        assert [getattr(stored, name) for name in WRITTEN_FIELDS] == [getattr(unit, name) for name in WRITTEN_FIELDS]
