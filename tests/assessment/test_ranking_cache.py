"""The round's ranking and board are cached (assessment/ranking_cache.py, the board's fragment):
a cached page changes after every write it shows, and never shows a reader another scope's rows."""

import pytest

from assessment import services
from orgs import services as org_services
from tests.assessment.conftest import finalise_sheet, grade_all
from tests.kit import client_for
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db

ROUND = "/assessment/rounds/kit-a/2026"


_final = finalise_sheet


def _ranked(client, query=""):
    response = client.get(f"{ROUND}/ranking/{query}")
    assert response.status_code == 200
    return [row.code for row in response.context["page"]], response.content.decode()


def test_a_cached_ranking_changes_after_each_write(world, users):
    client = client_for(users["scorer"])
    _final(world["a1"], grade="basic")
    assert _ranked(client)[0] == ["kit-a-1"]
    assert _ranked(client)[0] == ["kit-a-1"]  # from the cache now
    _final(world["a2"])  # a2 ranks first with a full grade
    codes, page = _ranked(client)
    assert codes == ["kit-a-2", "kit-a-1"] and "甲二基层工会" in page
    org_services.update_org(actor=SYSTEM, org=world["tree"].a1, name="甲一改名工会")
    codes, page = _ranked(client)
    assert "甲一改名工会" in page and "甲一基层工会" not in page


def test_a_reopened_sheet_shows_its_new_status_in_the_cached_ranking(world, users):
    client = client_for(users["scorer"])
    _final(world["a1"])
    _final(world["a2"])

    def statuses():
        return {row.code: row.status for row in client.get(f"{ROUND}/ranking/").context["page"]}

    assert statuses() == {"kit-a-1": "final", "kit-a-2": "final"}
    sheet = world["a2"]
    sheet.refresh_from_db()
    services.apply_transition(name="reopen", actor=SYSTEM, sheet=sheet, reason="重新评分")
    assert statuses() == {"kit-a-1": "final", "kit-a-2": "scored"}


@pytest.mark.parametrize("first", ["scorer", "partial"])
def test_a_cached_ranking_never_shows_another_scopes_rows(partial_reader, users, first):
    clients = {"scorer": client_for(users["scorer"]), "partial": client_for(partial_reader)}
    order = [first, *(name for name in clients if name != first)]
    seen = {name: _ranked(clients[name]) for name in order}
    assert seen["scorer"][0] == ["kit-a-1", "kit-a-2"]
    assert seen["partial"][0] == ["kit-a-1"] and "甲二基层工会" not in seen["partial"][1]
    # The per-union page of the same round, read from the cache in the other order.
    for name in reversed(order):
        codes, page = _ranked(clients[name], "?group=&page=1")
        assert ("甲二基层工会" in page) is (name == "scorer")


def _board_table(client) -> str:
    page = client.get(f"{ROUND}/").content.decode()
    start = page.index('class="table board"')
    return page[start:page.index("</table>", start)]


def test_the_cached_board_changes_after_a_submit(world, users):
    client = client_for(users["scorer"])
    before = _board_table(client)
    assert _board_table(client) == before  # the cached table
    assert '<td class="num">0%</td>' in before
    grade_all(world["a1"])
    services.apply_transition(name="submit", actor=SYSTEM, sheet=world["a1"])
    after = _board_table(client)
    assert '<td class="num">50%</td>' in after and '<td class="num">0%</td>' not in after


def test_a_draft_save_leaves_the_cached_ranking_and_a_final_total_renews_it(world, users, monkeypatch):
    """The ranking is read from the sheets with a final total (and the others' number): a staff
    member's draft save, the season's commonest write, does not make it be ranked again."""
    from assessment import selectors

    computed = []
    rank = selectors.ranking
    monkeypatch.setattr(selectors, "ranking", lambda *args: computed.append(1) or rank(*args))
    client = client_for(users["scorer"])
    _final(world["a1"])
    assert _ranked(client)[0] == ["kit-a-1"] and len(computed) == 1
    grade_all(world["a2"], grade="basic")  # a draft save: a2 has no final total yet
    assert _ranked(client)[0] == ["kit-a-1"] and len(computed) == 1
    _final(world["a2"], grade="basic")
    assert _ranked(client)[0] == ["kit-a-1", "kit-a-2"] and len(computed) == 2
