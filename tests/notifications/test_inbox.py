"""The inbox: the user's own notifications, newest first; marking read; the header's count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.kit import client_for
from unionportal.notifications import kinds
from unionportal.notifications.delivery import notify
from unionportal.notifications.models import Notification, Preference

pytestmark = pytest.mark.django_db
KIND = "assessment.submitted"


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.org")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", email="bob@example.org")


def fill(user, count, start=0):
    for n in range(start, start + count):
        notify(KIND, [user.pk], key=f"test:{n}", params={"org": f"工会{n}", "year": 2026, "assessor": "甲"},
               link="/assessment/")


def test_lists_only_my_notifications_newest_first(alice, bob):
    fill(alice, 3)
    notify(KIND, [bob.pk], key="bob", params={"org": "乙方秘密工会", "year": 2026, "assessor": "乙"})
    body = client_for(alice).get("/inbox/").content.decode()
    assert body.index("工会2") < body.index("工会1") < body.index("工会0")
    assert "乙方秘密工会" not in body


def test_the_header_shows_a_labelled_unread_count(alice):
    fill(alice, 3)
    body = client_for(alice).get("/inbox/").content.decode()
    link = re.search(r'<a class="who inbox-link"[^>]*>.*?</a>', body).group(0)
    # The name a screen reader announces starts with what is seen (axe: label-content-name-mismatch).
    assert "（3 条未读）</span>" in link, link
    assert '<span class="badge unread-count" aria-hidden="true">3</span>' in link


def test_the_english_inbox(alice):
    fill(alice, 2)
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    body = client.get("/inbox/").content.decode()
    assert '<span class="visually-hidden">(2 unread)</span>' in body
    assert "工会1 submitted its 2026 assessment sheet" in body


def test_unread_count_is_one_query_whatever_the_count(alice):
    client = client_for(alice)
    client.get("/")  # warm the session and the user's caches

    def queries(page):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        return [q["sql"] for q in captured.captured_queries if "notifications_notification" in q["sql"]]

    fill(alice, 2)
    few = queries("/orgs/")
    fill(alice, 40, start=2)
    many = queries("/orgs/")
    assert len(few) == len(many) == 1 and "COUNT" in few[0].upper()


def test_inbox_query_count_does_not_grow_with_rows(alice):
    client = client_for(alice)
    fill(alice, 3)
    client.get("/inbox/")
    with CaptureQueriesContext(connection) as small:
        client.get("/inbox/")
    fill(alice, 60, start=3)
    with CaptureQueriesContext(connection) as large:
        client.get("/inbox/")
    assert len(small) == len(large)


def test_marking_one_read_and_opening_its_page(alice):
    fill(alice, 2)
    first, second = Notification.objects.order_by("id")
    client = client_for(alice)
    response = client.post(f"/inbox/{first.pk}/read/", {"next": "/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    first.refresh_from_db()
    assert first.read_at is not None
    response = client.post(f"/inbox/{second.pk}/read/", {"open": "1"})
    assert response["Location"] == "/assessment/"
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_all_read(alice, bob):
    fill(alice, 3)
    fill(bob, 1)
    response = client_for(alice).post("/inbox/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_another_users_notification_answers_404_like_a_missing_one(alice, bob):
    fill(bob, 1)
    theirs = Notification.objects.get()
    client = client_for(alice)
    other = client.post(f"/inbox/{theirs.pk}/read/")
    missing = client.post("/inbox/987654321/read/")
    assert other.status_code == missing.status_code == 404
    # The same page, but for the path asked (a 404 page may repeat it) and the CSRF token.
    def page(response, path):
        text = response.content.decode().replace(path, "<path>")
        return re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1", text)

    assert page(other, f"/inbox/{theirs.pk}/") == page(missing, "/inbox/987654321/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_post_and_csrf(alice):
    fill(alice, 1)
    note = Notification.objects.get()
    client = client_for(alice)
    assert client.get(f"/inbox/{note.pk}/read/").status_code == 405
    strict = client_for(alice)
    strict.handler.enforce_csrf_checks = True
    assert strict.post(f"/inbox/{note.pk}/read/").status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_an_open_never_leaves_the_site(alice):
    notify(KIND, [alice.pk], key="evil", params={}, link="//evil.example/")
    note = Notification.objects.get()
    response = client_for(alice).post(f"/inbox/{note.pk}/read/", {"open": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/inbox/"


def test_pages_after_the_first(alice):
    fill(alice, 30)
    body = client_for(alice).get("/inbox/?page=2").content.decode()
    assert body.count('class="inbox-item') == 5


def test_anonymous_is_sent_to_sign_in():
    assert client_for_anonymous().get("/inbox/").status_code == 302


def client_for_anonymous():
    from django.test import Client

    return Client()


def test_preferences_page_saves_a_choice_per_kind(alice):
    client = client_for(alice)
    page = client.get("/inbox/settings/").content.decode()
    assert str(kinds.KINDS[KIND].label) in page
    data = {f"kind:{kind.code}": kind.default for kind in kinds.ordered()}
    data[f"kind:{KIND}"] = "digest"
    assert client.post("/inbox/settings/", data).status_code == 302
    assert Preference.objects.get(user=alice).channel == "digest"
    data[f"kind:{KIND}"] = "carrier-pigeon"
    response = client.post("/inbox/settings/", data)
    assert response.status_code == 400
    assert Preference.objects.get(user=alice).channel == "digest"


def test_the_inbox_links_to_the_settings_and_says_when_there_is_no_address(db):
    nobody = UserFactory(username="no-mail", email="")
    body = client_for(nobody).get("/inbox/").content.decode()
    assert 'href="/inbox/settings/"' in body
    assert "没有电子邮件地址" in body
