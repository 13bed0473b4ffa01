"""Sign-in events (issue 9, finding 10): sign-ins, failures, password changes and sign-outs
in their own table, kept for a configurable time, read-only in the admin for superusers."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orgs import services
from tests.commands import run_command
from tests.factories import PASSWORD, GrantFactory, UserFactory
from unionportal.accounts import events
from unionportal.accounts.models import SignInEvent
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db
Kind = SignInEvent.Kind
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/130"


def _kinds(**filters):
    return list(SignInEvent.objects.filter(**filters).order_by("id").values_list("kind", flat=True))


def test_a_sign_in_a_failure_and_a_sign_out_are_recorded_with_address_and_browser():
    user = UserFactory(username="clerk1")
    client = Client(REMOTE_ADDR="10.3.3.3", HTTP_USER_AGENT=BROWSER)
    client.post("/accounts/login/", {"username": "clerk1", "password": "not-it-at-all"})
    client.post("/accounts/login/", {"username": "clerk1", "password": PASSWORD})
    client.post(reverse("logout"))
    assert _kinds(username="clerk1") == [Kind.FAILED, Kind.SIGN_IN, Kind.SIGN_OUT]
    sign_in = SignInEvent.objects.get(kind=Kind.SIGN_IN)
    assert sign_in.user == user and sign_in.ip_address == "10.3.3.3"
    assert sign_in.user_agent == BROWSER and sign_in.session_key


def test_a_failure_for_an_unknown_name_keeps_what_was_typed():
    Client().post("/accounts/login/", {"username": "nobody-here", "password": "guess-guess-1"})
    event = SignInEvent.objects.get()
    assert (event.kind, event.username, event.user) == (Kind.FAILED, "nobody-here", None)


def test_password_changes_are_recorded_whichever_path_changes_them():
    user = UserFactory(username="clerk1")
    services.set_password(actor=SYSTEM, user=user, password="tea-kettle-harbour-17")
    user.set_password("another-long-passphrase")
    user.save()
    assert _kinds(user=user) == [Kind.PASSWORD_CHANGE, Kind.PASSWORD_CHANGE]


def test_creating_an_account_or_saving_it_without_a_new_password_is_not_a_change():
    user = UserFactory(username="clerk1")
    user.first_name = "Li"
    user.save()
    assert _kinds(user=user) == []


def test_events_older_than_the_setting_are_pruned_by_the_command(settings):
    settings.UNIONPORTAL_SIGN_IN_EVENTS_DAYS = 30
    old = events.record(Kind.SIGN_IN, username="old")
    recent = events.record(Kind.SIGN_IN, username="recent")
    SignInEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    SignInEvent.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=29))
    code, out, _err = run_command("prune_sign_in_events")
    assert code == 0 and out.startswith("1 ")
    assert list(SignInEvent.objects.values_list("username", flat=True)) == ["recent"]


def test_writing_events_prunes_now_and_then(settings, monkeypatch):
    monkeypatch.setattr(events, "PRUNE_EVERY", 1)
    old = events.record(Kind.SIGN_IN, username="old")
    SignInEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=181))
    events.record(Kind.SIGN_IN, username="new")
    assert list(SignInEvent.objects.values_list("username", flat=True)) == ["new"]


def test_superusers_read_the_events_in_the_admin_and_cannot_change_them():
    events.record(Kind.FAILED, username="someone-typed-this")
    root = Client()
    root.force_login(UserFactory(username="root", is_superuser=True))
    changelist = root.get(reverse("admin:unionportal_signinevent_changelist"))
    assert changelist.status_code == 200 and "someone-typed-this" in changelist.content.decode()
    event = SignInEvent.objects.get(username="someone-typed-this")
    assert root.get(reverse("admin:unionportal_signinevent_add")).status_code == 403
    assert root.post(reverse("admin:unionportal_signinevent_delete", args=[event.pk]),
                     {"post": "yes"}).status_code == 403
    assert SignInEvent.objects.filter(pk=event.pk).exists()


def test_org_admins_do_not_see_sign_in_events():
    events.record(Kind.FAILED, username="someone-typed-this")
    org_admin = Client()
    org_admin.force_login(GrantFactory(role="admin").user)
    assert org_admin.get(reverse("admin:unionportal_signinevent_changelist")).status_code == 403
    assert "someone-typed-this" not in org_admin.get(reverse("admin:index")).content.decode()
