"""Each role's landing pages list every kind of work the role has, with counts and links,
under headings that say what each list holds (issue 10, defect 7), in a fixed number of
queries however many orgs and sheets there are.  On the demo data of `seed --demo`."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orgs import services as org_services
from orgs.models import Org
from tests.demo_database import demo_database_fixture
from unionportal.actors import SYSTEM

demo = demo_database_fixture()


def signed_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def sections(page: str) -> dict[str, str]:
    """Each card's h2 text → the card's HTML."""
    found = {}
    for card in re.findall(r"<section[^>]*>.*?</section>", page, flags=re.S):
        heading = re.search(r"<h2>(.*?)</h2>", card, flags=re.S)
        if heading:
            found[re.sub(r"<[^>]+>|\s+", "", heading.group(1))] = card
    return found


LF_REGISTERS = ("/services/org/lf/model-workers/", "/services/org/lf/budget/",
                "/services/org/lf/funds/2025/", "/services/org/lf/mutual-aid/")


@pytest.mark.parametrize("url", ["/", "/services/"])
def test_the_lf_clerk_finds_the_register_budget_funds_and_mutual_aid(demo, db, url):
    page = signed_in("demo-lf-clerk").get(url).content.decode()
    for link in LF_REGISTERS:
        assert f'href="{link}"' in page, link
    assert "名劳模在册" in page and "互助一日捐" in page


def test_every_register_link_on_the_lf_clerks_landing_answers(demo, db):
    client = signed_in("demo-lf-clerk")
    for link in LF_REGISTERS:
        assert client.get(link, follow=True).status_code == 200, link


def test_the_zz_jy_clerk_sees_the_2011_sheet_and_no_nothing_to_do(demo, db):
    page = signed_in("demo-clerk").get("/assessment/").content.decode()
    assert "目前没有考核工作" not in page
    assert 'href="/assessment/2011/zz-jy/' in page


def test_the_clerks_landing_names_duty_catalogues_and_the_sheets_to_open(demo, db):
    page = signed_in("demo-clerk").get("/").content.decode()
    assert "可查阅的工作职责" in page and 'href="/duties/"' in page
    assert "份考核表可查阅" in page


def test_staff_see_their_sheets_under_headings_by_state(demo, db):
    page = signed_in("demo-staff").get("/assessment/").content.decode()
    cards = sections(page)
    to_fill = next(card for heading, card in cards.items() if heading.startswith("待填报的考核表"))
    assert "status-draft" in to_fill or "status-returned" in to_fill
    for state in ("submitted", "reviewed", "scored", "final"):
        assert f"status-{state}" not in to_fill, state
    finalised = next(card for heading, card in cards.items() if heading.startswith("已定稿的考核表"))
    assert "/assessment/2025/zz-gzw-gwzgs/" in finalised


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _clerk(username, *codes):
    user = get_user_model().objects.create_user(username)
    for code in codes:
        org_services.grant_role(actor=SYSTEM, user=user, role="clerk", org=Org.objects.get(code=code))
    client = Client()
    client.force_login(user)
    return client


def _same_queries(small, large, url):
    _queries(small, url), _queries(large, url)  # warm caches (sessions, content types)
    assert _queries(small, url) == _queries(large, url), url


def test_the_landing_pages_count_in_a_fixed_number_of_queries(demo, db):
    """One top org or three: the same number of queries for the registers and counts."""
    one, three = _clerk("one-top", "zz-jy"), _clerk("three-tops", "zz", "lf", "tj-hd")
    for url in ("/", "/services/"):
        _same_queries(one, three, url)


def test_the_assessment_page_lists_sheets_in_a_fixed_number_of_queries(demo, db):
    """A system union's seven sheets or the federation's thirty: the same queries."""
    few, many = _clerk("few-sheets", "zz-gzw"), _clerk("many-sheets", "zz")
    _same_queries(few, many, "/assessment/")
