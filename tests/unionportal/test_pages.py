"""Sign-in, health check, language, and query counts that do not grow with the tree."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Org
from tests.factories import OrgFactory
from tests.kit import client_for, scope_tree, user_with_role

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_database_outage(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr("unionportal.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


def test_login_lists_demo_accounts_only_with_demo_data_and_debug(client, settings):
    call_command("seed", "--demo", stdout=io.StringIO())
    settings.DEBUG = False
    assert "demo-staff" not in client.get(reverse("login")).content.decode()
    settings.DEBUG = True
    page = client.get(reverse("login")).content.decode()
    assert "demo-staff" in page and "staff-demo-2026" in page


def test_login_hides_demo_accounts_without_demo_data(client, settings):
    settings.DEBUG = True
    assert "demo-staff" not in client.get(reverse("login")).content.decode()


def test_ui_is_chinese_by_default_and_english_on_request(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert "登录" in page and 'lang="zh-hans"' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    page = client.get(reverse("login")).content.decode()
    assert "Sign in" in page and 'lang="en"' in page


def test_home_shows_roles_and_orgs():
    tree = scope_tree()
    client = client_for(user_with_role(tree, "reviewer"))
    page = client.get(reverse("home")).content.decode()
    assert "审核员" in page and tree.a.name in page


def test_sign_out_is_a_post(client):
    tree = scope_tree()
    client = client_for(user_with_role(tree, "clerk"))
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def _grow(parent, count):
    for index in range(count):
        OrgFactory(code=f"{parent.code}-{index}", name=f"基层{index}", parent=parent)


def _queries(client, url):
    from django.db import connection

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_org_page_query_count_does_not_grow(role):
    tree = scope_tree()
    client = client_for(user_with_role(tree, role))
    url = reverse("orgs:detail", args=[tree.a.code])
    _grow(tree.a1, 10)
    small = _queries(client, url)
    _grow(tree.a2, 190)
    assert Org.objects.filter(parent__in=[tree.a1, tree.a2]).count() == 200
    assert _queries(client, url) == small
    # 10 since the page names the catalogue a base union works under; 11 with the header's
    # unread notifications (one COUNT a page)
    assert small <= 11


def test_admin_changelist_query_count_does_not_grow():
    tree = scope_tree()
    client = client_for(user_with_role(tree, "admin"))
    url = reverse("admin:orgs_org_changelist")
    _grow(tree.a1, 10)
    small = _queries(client, url)
    _grow(tree.a2, 190)
    assert _queries(client, url) == small
    assert small <= 12
    search = reverse("admin:orgs_org_changelist") + "?q=基层&kind__exact=base"
    assert _queries(client, search) <= 12


def test_tree_index_query_count_does_not_grow():
    tree = scope_tree()
    client = client_for(user_with_role(tree, "scorer"))
    url = reverse("orgs:index")
    _grow(tree.a1, 10)
    small = _queries(client, url)
    _grow(tree.a2, 190)
    assert _queries(client, url) == small
