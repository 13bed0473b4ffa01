"""The landing page's duty-catalogue card (duties_home.home_catalogues): the catalogues the
user reads, the first eight by name and how many in all, in one query however many."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from duties.templatetags.duties_home import HOME_CATALOGUES, home_catalogues
from orgs.selectors import user_scope
from tests.duties.helpers import plain_catalogue
from tests.factories import OrgFactory
from tests.kit import scope_tree, user_with_role


def card(user):
    request = RequestFactory().get("/")
    request.user = user
    user_scope(request)  # the landing page has read the grants before its cards
    with CaptureQueriesContext(connection) as queries:
        found = home_catalogues({"request": request})
    return found["count"], [c.org.code for c in found["first"]], len(queries)


@pytest.fixture
def tree(db):
    return scope_tree()


def test_a_few_catalogues_are_listed_and_counted_in_one_query(tree):
    for org in (tree.a, tree.a1, tree.b1):
        plain_catalogue(org)
    clerk = user_with_role(tree, "clerk")
    assert card(clerk) == (2, [tree.a.code, tree.a1.code], 1)
    plain_catalogue(tree.a2)  # a new catalogue shows at once
    assert card(clerk) == (3, [tree.a.code, tree.a1.code, tree.a2.code], 1)


@pytest.mark.parametrize("extra", [HOME_CATALOGUES - 1, HOME_CATALOGUES, HOME_CATALOGUES + 4])
def test_more_than_are_listed_are_counted_in_full(tree, extra):
    plain_catalogue(tree.a)
    for n in range(extra):
        plain_catalogue(OrgFactory(code=f"kit-a-{n:02d}", name=f"测试工会{n}", parent=tree.a))
    plain_catalogue(tree.b1)  # outside the clerk's scope: never counted
    count, first, used = card(user_with_role(tree, "clerk"))
    assert (count, len(first), used) == (extra + 1, min(extra + 1, HOME_CATALOGUES), 1)
