"""Session limits (issue 9): idle timeout, absolute lifetime by role, and every session of a
user ended by a password change, deactivation or the loss of the last grant."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from orgs import services
from tests.factories import PASSWORD, GrantFactory, UserFactory
from tests.kit import client_for
from unionportal.accounts import sessions
from unionportal.accounts.models import SignInEvent
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db
HOUR = 3600


def _shift(client, **ago):
    """Move the session's clocks into the past (seconds ago)."""
    session = client.session
    now = time.time()
    for key, seconds in ago.items():
        session[{"started": sessions.STARTED, "last_seen": sessions.LAST_SEEN}[key]] = now - seconds
    session.save()


def _signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_an_idle_session_ends_after_two_hours_by_default():
    user = GrantFactory(role="staff").user
    client = client_for(user)
    _shift(client, last_seen=2 * HOUR - 120)
    assert _signed_in(client)
    _shift(client, last_seen=2 * HOUR + 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not _signed_in(client)
    assert SignInEvent.objects.filter(user=user, kind=SignInEvent.Kind.EXPIRED, detail="idle").exists()


def test_the_idle_timeout_is_a_setting(settings):
    settings.UNIONPORTAL_SESSION_IDLE_SECONDS = 600
    client = client_for(GrantFactory(role="staff").user)
    _shift(client, last_seen=601)
    assert not _signed_in(client)


def test_activity_moves_the_idle_clock():
    client = client_for(GrantFactory(role="staff").user)
    _shift(client, last_seen=HOUR)
    assert _signed_in(client)
    assert time.time() - client.session[sessions.LAST_SEEN] < 60


@pytest.mark.parametrize("role, hours_left_open", [("staff", 7 * 24 - 1), ("clerk", 13),
                                                   ("scorer", 11), ("admin", 11)])
def test_the_absolute_lifetime_is_seven_days_or_twelve_hours_for_admins_and_scorers(role, hours_left_open):
    client = client_for(GrantFactory(role=role).user)
    _shift(client, started=hours_left_open * HOUR, last_seen=60)
    assert _signed_in(client)
    _shift(client, started=(7 * 24 if role in ("staff", "clerk") else 12) * HOUR + 60, last_seen=60)
    assert not _signed_in(client)


def test_a_superuser_has_the_short_lifetime():
    client = Client()
    client.force_login(UserFactory(is_superuser=True))
    _shift(client, started=12 * HOUR + 60, last_seen=60)
    assert not _signed_in(client)


def test_a_save_after_expiry_leads_to_sign_in_and_back_to_the_form():
    user = GrantFactory(role="staff").user
    client = client_for(user)
    _shift(client, last_seen=3 * HOUR)
    form_path = "/orgs/some-form/?tab=2"
    response = client.post(form_path, {"agenda": "typed before expiry"})
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/orgs/some-form/%3Ftab%3D2"
    login = client.get(response.url)
    assert 'name="next" value="/orgs/some-form/?tab=2"' in login.content.decode()
    signed = client.post(response.url, {"username": user.username, "password": PASSWORD,
                                        "next": "/orgs/some-form/?tab=2"})
    assert signed.status_code == 302 and signed.url == form_path


def test_signing_out_of_an_expired_session_does_not_come_back_to_sign_out():
    client = client_for(GrantFactory(role="staff").user)
    _shift(client, last_seen=3 * HOUR)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")


def test_pages_carry_the_expiry_for_the_warning_script_and_no_inline_script():
    client = client_for(GrantFactory(role="staff").user)
    page = client.get(reverse("home")).content.decode()
    expires = int(re.search(r'data-session-expires="(\d+)"', page).group(1))
    assert abs(expires - (time.time() + 2 * HOUR)) < 120
    assert 'src="/static/js/session.js"' in page
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), "inline script found"


def test_a_password_change_ends_the_users_other_sessions():
    user = GrantFactory(role="staff").user
    other_browser, this_browser = client_for(user), client_for(user)
    response = this_browser.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "tea-kettle-harbour-17",
        "new_password2": "tea-kettle-harbour-17"})
    assert response.status_code == 302
    assert _signed_in(this_browser)  # the browser that changed it stays signed in
    assert not _signed_in(other_browser)
    assert SignInEvent.objects.filter(user=user, kind=SignInEvent.Kind.PASSWORD_CHANGE).exists()


def test_a_password_set_by_an_admin_ends_every_session():
    user = GrantFactory(role="staff").user
    browser = client_for(user)
    services.set_password(actor=SYSTEM, user=user, password="tea-kettle-harbour-17")
    assert not _signed_in(browser)


def test_deactivating_an_account_ends_its_sessions():
    user = GrantFactory(role="staff").user
    browser = client_for(user)
    services.update_user(actor=SYSTEM, user=user, is_active=False)
    assert not _signed_in(browser)


def test_losing_the_last_grant_ends_every_session_but_losing_one_of_two_does_not():
    first = GrantFactory(role="staff")
    user = first.user
    second = GrantFactory(role="clerk", user=user)
    browsers = [client_for(user), client_for(user)]
    services.revoke_grant(actor=SYSTEM, grant=first)
    assert all(_signed_in(browser) for browser in browsers)
    services.revoke_grant(actor=SYSTEM, grant=second)
    assert not any(_signed_in(browser) for browser in browsers)
    assert SignInEvent.objects.filter(user=user, kind=SignInEvent.Kind.SESSIONS_ENDED).exists()
