"""The header's kept parts (unionportal/templatetags/kept_parts.py): reused across requests and
users, they still show each request its own user, count, menu and language, and take nothing
that could make two different answers share a key."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateSyntaxError
from django.utils.safestring import mark_safe

from tests.factories import GrantFactory
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.notifications.delivery import notify
from unionportal.templatetags.kept_parts import PARTS, kept_part

pytestmark = pytest.mark.django_db


def header(client, path="/orgs/") -> str:
    response = client.get(path)
    assert response.status_code in (200, 403, 404)
    return re.search(r"<header.*?</header>", response.content.decode(), re.S).group(0)


def test_the_header_follows_who_asks_and_what_changed():
    tree = scope_tree()
    staff, clerk = user_with_role(tree, "staff"), user_with_role(tree, "clerk")
    staff_client, clerk_client = client_for(staff), client_for(clerk)

    first = header(staff_client)
    assert "kit-staff" in first and "unread-count" not in first and "/admin/" not in first
    assert 'href="/orgs/" aria-current="page"' in first
    other = header(clerk_client)  # the same page, parts kept from the first answer
    assert "kit-clerk" in other and "kit-staff" not in other

    notify("assessment.submitted", [staff.pk], key="kept", params={"org": "甲", "year": 2026, "assessor": "乙"})
    assert '<span class="badge unread-count" aria-hidden="true">1</span>' in header(staff_client)
    assert "unread-count" not in header(clerk_client)

    GrantFactory(user=staff, role="admin", org=tree.b)
    assert 'href="/admin/"' in header(staff_client)
    assert 'href="/admin/"' not in header(clerk_client)

    elsewhere = header(staff_client, "/services/")
    assert 'href="/services/" aria-current="page"' in elsewhere and 'href="/orgs/" aria-current' not in elsewhere
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = header(staff_client)
    assert "Union tree" in english and "Inbox" in english and "selected>English" in english


def test_a_part_takes_plain_values_only():
    with pytest.raises(TypeError):
        kept_part("header/_inbox.html", app=mark_safe("<b>kit</b>"))  # would print unescaped
    with pytest.raises(TypeError):
        kept_part("header/_inbox.html", links=object())
    with pytest.raises(TemplateSyntaxError):
        kept_part("base.html")


def test_parts_name_nothing_of_the_request():
    """A part sees only the values its tag passes: the request, the user, a CSRF token or a
    tag that reads them would render empty in it (and must stay in base.html, live)."""
    for name in PARTS:
        source = Path(settings.BASE_DIR, "templates", name).read_text()
        found = re.findall(r"\b(request|user|csrf_token|messages|perms)\b|{%\s*(url|static|now|csrf_token)\b", source)
        assert not found, f"{name} reads {found}"
