"""Pages, exports and PDFs through the scoping gate: 200 inside, 404 outside; pinned queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Grant
from tests.duties.helpers import plain_catalogue
from tests.factories import UserFactory
from tests.kit import ROLES, assert_hidden, assert_visible, client_for, scope_tree, user_with_role


def urls(org):
    item = org.duty_catalogue.versions.get(status="published").items.first()
    return [
        reverse("duties:catalogue", args=[org.code]),
        reverse("duties:item", args=[org.code, item.pk]),
        reverse("duties:changes", args=[org.code]),
        reverse("duties:pdf", args=[org.code]),
        reverse("duties:pdf", args=[org.code]) + "?subtree=1",
        reverse("duties:export", args=[org.code, "xlsx"]),
        reverse("duties:export", args=[org.code, "csv"]) + "?subtree=1",
    ]


@pytest.fixture
def tree(db):
    tree = scope_tree()
    for org in (tree.root, tree.a, tree.a1, tree.a2, tree.b, tree.b1):
        plain_catalogue(org, 2)
    return tree


@pytest.mark.parametrize("role", ROLES)
def test_every_path_is_visible_inside_and_404_outside(tree, role):
    client = client_for(user_with_role(tree, role))
    for org in tree.inside(role):
        for url in urls(org):
            assert_visible(client, url)
    for org in tree.outside(role):
        for url in urls(org):
            assert_hidden(client, url)
        assert_hidden(client, reverse("duties:compare", args=[org.code]))


def test_subtree_export_holds_only_what_the_user_sees(tree):
    client = client_for(user_with_role(tree, "staff"))  # staff sees a1 only
    body = client.get(reverse("duties:export", args=["kit-a-1", "csv"]) + "?subtree=1").content.decode("utf-8-sig")
    assert "kit-a-1" in body and "kit-a-2" not in body
    reviewer = client_for(user_with_role(tree, "reviewer"))
    body = reviewer.get(reverse("duties:export", args=["kit-a", "csv"]) + "?subtree=1").content.decode("utf-8-sig")
    assert {"kit-a", "kit-a-1", "kit-a-2"} <= {line.split(",")[0] for line in body.splitlines()[1:]}
    assert "kit-b" not in body


def test_index_lists_visible_catalogues_only(tree):
    page = client_for(user_with_role(tree, "clerk")).get(reverse("duties:index")).content.decode()
    assert "甲系统工会" in page and "乙系统工会" not in page


def test_anonymous_users_are_sent_to_sign_in(tree, client):
    response = client.get(reverse("duties:pdf", args=["kit-a"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_clerk_of_education_cannot_print_health(seeded):
    clerk = UserFactory(username="jy-clerk")
    from orgs.models import Org

    Grant.objects.create(user=clerk, role="clerk", org=Org.objects.get(code="zz-jy"))
    client = client_for(clerk)
    assert_visible(client, "/duties/zz-jy.pdf")
    for path in ("/duties/zz-ws.pdf", "/duties/zz-ws/", "/duties/zz-ws.xlsx", "/duties/zz-ws.csv",
                 "/duties/zz.pdf?subtree=1", "/duties/compare/zz/"):
        assert_hidden(client, path)


def test_catalogue_page_runs_a_constant_number_of_queries(db):
    from tests.factories import OrgFactory

    small, large = OrgFactory(code="q-small"), OrgFactory(code="q-large")
    plain_catalogue(small, 10)
    plain_catalogue(large, 200)
    client = client_for(UserFactory(is_superuser=True))
    counts = []
    for org in (small, large):
        url = reverse("duties:catalogue", args=[org.code])
        client.get(url)  # warm up sessions and content types
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12


def test_item_page_shows_the_step_diagram(seeded, admin_client):
    from duties.models import DutyItem

    item = DutyItem.objects.get(version__catalogue__org__code="tj-hd", version__status="published", number="1.1")
    page = admin_client.get(reverse("duties:item", args=["tj-hd", item.pk])).content.decode()
    assert page.count('class="flow-step"') == 9
    assert page.index("成立工会筹备组") < page.index("宣传动员") < page.index("凭上一级工会批复")
    assert "监督电话：24316932" in page
