"""A round's pages (board, ranking, results, PDF) and the templates it lists show only the
sheets the user may see; the board checks the sheets it is asked to remind; the round PDF's
queries do not grow with its sheets."""

from django.contrib.messages import get_messages

from assessment import services
from assessment.models import SheetEvent
from tests.assessment.conftest import finalise_sheet, make_template, query_count
from tests.factories import GrantFactory, OrgFactory, UserFactory
from tests.kit import assert_hidden, client_for
from unionportal.actors import SYSTEM
from unionportal.jobs import services as job_services

ROUND = "/assessment/rounds/kit-a/2026"


_final = finalise_sheet


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_staff_of_the_assessor_do_not_see_the_assessees_results(world):
    _final(world["a1"])
    _final(world["a2"], grade="basic")
    staff_a = UserFactory(username="staff-of-a")
    GrantFactory(user=staff_a, role="staff", org=world["tree"].a)
    client = client_for(staff_a)
    for url in (f"{ROUND}/", f"{ROUND}/ranking/", f"{ROUND}/results.csv", f"{ROUND}/results.xlsx",
                f"{ROUND}.pdf"):
        assert_hidden(client, url)
    assert client.post(f"{ROUND}/", {}).status_code == 404
    index = client.get("/assessment/").content.decode()
    assert "甲二基层工会" not in index and f"{ROUND}/" not in index
    template = client.get(f"/assessment/templates/{world['a1'].template_id}/")
    assert template.status_code == 200  # the assessor's own template, without other orgs' names
    assert "甲一基层工会" not in template.content.decode() and "甲二基层工会" not in template.content.decode()
    union = client.get("/assessment/unions/kit-a/").content.decode()
    assert f"{ROUND}/" not in union


def test_a_user_seeing_part_of_a_round_sees_only_those_sheets(world, partial_reader):
    client = client_for(partial_reader)
    ranking = client.get(f"{ROUND}/ranking/")
    assert ranking.status_code == 200
    assert "甲一基层工会" in ranking.content.decode() and "甲二基层工会" not in ranking.content.decode()
    assert [row.code for row in ranking.context["page"]] == ["kit-a-1"]
    results = client.get(f"{ROUND}/results.csv").content.decode("utf-8-sig")
    assert "甲一基层工会" in results and "甲二基层工会" not in results
    board = client.get(f"{ROUND}/").context["board"]
    assert board.totals.total == 1
    template = client.get(f"/assessment/templates/{world['a1'].template_id}/").content.decode()
    assert "甲一基层工会" in template and "甲二基层工会" not in template


def test_bad_sheet_ids_on_the_board_get_a_clear_message(world, users):
    import datetime as dt

    world["round_a"].deadline = dt.date(2020, 1, 1)
    world["round_a"].save()
    client = client_for(users["scorer"])
    reminders = SheetEvent.objects.filter(kind=SheetEvent.Kind.REMINDED)
    response = client.post(f"{ROUND}/", {"sheet": ["x"], "message": "请提交"})
    assert response.status_code == 400
    assert any("“x”" in m for m in _messages(response))
    response = client.post(f"{ROUND}/", {"sheet": [str(world["b1"].pk)], "message": "请提交"})  # another round's
    assert response.status_code == 400
    assert not reminders.exists()
    response = client.post(f"{ROUND}/", {"sheet": [str(world["a2"].pk)], "message": "请提交"})
    assert response.status_code == 302
    assert list(reminders.values_list("sheet_id", flat=True)) == [world["a2"].pk]


def test_round_pdf_queries_do_not_grow_with_sheets(tree, users, monkeypatch):
    # The job's progress is written by the clock (at most once a second), not per sheet: with
    # the clock's writes off, what is left must not depend on how many sheets there are.
    monkeypatch.setattr(job_services, "PROGRESS_WRITE_SECONDS", 10**6)
    make_template(tree.a)
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    client = client_for(users["scorer"])
    few = query_count(client, f"{ROUND}.pdf")
    for n in range(4):
        OrgFactory(code=f"kit-a-x{n}", parent=tree.a)
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    assert tree.a.assessment_rounds.get().sheets.count() == 6
    assert query_count(client, f"{ROUND}.pdf") == few
