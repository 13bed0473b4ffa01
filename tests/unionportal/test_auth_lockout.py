"""Brute-force protection (issue 9, finding 4): django-axes locks a username and an address,
on the portal's sign-in and the admin's, says when to try again, and is audited."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.commands import run_command
from tests.factories import PASSWORD, GrantFactory, UserFactory
from unionportal.accounts.models import SignInEvent
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _try(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_the_time_to_retry(settings):
    user = UserFactory(username="target")
    client = Client()
    for _attempt in range(30):
        _try(client, "target", "wrong-password-x")
    response = _try(client, "target", PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)
    page = response.content.decode()
    assert "登录已锁定" in page  # the Chinese lockout page, not axes' English text
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    assert "请在" in page and (until.strftime("%H:%M") in page
                              or (until - timezone.timedelta(minutes=1)).strftime("%H:%M") in page)
    assert user.pk  # the account exists; only its sign-in is locked


def test_lockout_is_reached_at_the_failure_limit_not_before(settings):
    UserFactory(username="target")
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, "target", "wrong-password-x").status_code == 200
    # One wrong try short of the limit, the right password still works (and resets the count).
    assert _try(client, "target", PASSWORD).status_code == 302
    assert _signed_in(client)
    assert not AccessAttempt.objects.filter(username="target").exists()


def test_the_username_is_locked_from_every_address(settings):
    UserFactory(username="target")
    for index in range(settings.AXES_FAILURE_LIMIT):
        _try(Client(REMOTE_ADDR=f"10.0.0.{index + 1}"), "target", "wrong-password-x")
    response = _try(Client(REMOTE_ADDR="10.9.9.9"), "target", PASSWORD)
    assert response.status_code == 429


def test_the_address_is_locked_for_every_username(settings):
    UserFactory(username="other")
    client = Client(REMOTE_ADDR="10.1.1.1")
    for index in range(settings.AXES_FAILURE_LIMIT):
        _try(client, f"guess{index}", "wrong-password-x")
    assert _try(client, "other", PASSWORD).status_code == 429
    # Another address signs the same user in.
    assert _try(Client(REMOTE_ADDR="10.1.1.2"), "other", PASSWORD).status_code == 302


def test_the_admins_sign_in_is_the_portals_and_is_locked_too(settings):
    UserFactory(username="root", is_superuser=True)
    client = Client()
    # The admin's own form is not a second, unthrottled way in: it sends to the portal's.
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and not _signed_in(client)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(f"{LOGIN}?next=/admin/", {"username": "root", "password": "wrong-password-x"})
    response = client.post(f"{LOGIN}?next=/admin/", {"username": "root", "password": PASSWORD,
                                                      "next": "/admin/"})
    assert response.status_code == 429 and not _signed_in(client)


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(settings):
    UserFactory(username="target")
    # Untrusted: a client that forges X-Forwarded-For still counts as its real address.
    for index in range(settings.AXES_FAILURE_LIMIT):
        _try(Client(REMOTE_ADDR="10.2.2.2"), f"guess{index}", "x-wrong-password",
             HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
    assert AccessAttempt.objects.filter(ip_address="10.2.2.2").exists()
    assert not AccessAttempt.objects.filter(ip_address__startswith="192.0.2.").exists()


def test_behind_a_trusted_proxy_the_client_is_taken_from_forwarded_for(settings):
    settings.UNIONPORTAL_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="target")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for index in range(settings.AXES_FAILURE_LIMIT):
        # The left-most entry is whatever the client sent; the proxy appended the real one.
        _try(Client(**proxy), f"guess{index}", "x-wrong-password",
             HTTP_X_FORWARDED_FOR=f"6.6.6.{index}, 203.0.113.7")
    assert _try(Client(**proxy), "target", PASSWORD,
                HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert _try(Client(**proxy), "target", PASSWORD,
                HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


def test_a_lockout_is_in_the_audit_trail_and_the_sign_in_events(settings):
    user = UserFactory(username="target")
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "target", "wrong-password-x")
    entry = AuditEntry.objects.get(action="auth.lockout")
    assert entry.object_id == str(user.pk) and "127.0.0.1" in entry.comment
    assert entry.by_system and entry.actor is None  # nobody signed in: the portal locked it
    kinds = list(SignInEvent.objects.filter(username="target").values_list("kind", flat=True))
    assert kinds.count(SignInEvent.Kind.FAILED) == settings.AXES_FAILURE_LIMIT
    assert SignInEvent.Kind.LOCKED_OUT in kinds


def test_an_admin_unlocks_by_command(settings):
    UserFactory(username="target")
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "target", "wrong-password-x")
    assert _try(client, "target", PASSWORD).status_code == 429
    code, _out, _err = run_command("axes_reset_username", "target")
    assert code == 0
    code, _out, _err = run_command("axes_reset_ip", "127.0.0.1")
    assert code == 0
    assert _try(client, "target", PASSWORD).status_code == 302


def test_a_superuser_sees_and_deletes_lockouts_in_the_admin(settings):
    UserFactory(username="target")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _try(Client(), "target", "wrong-password-x")
    attempt = AccessAttempt.objects.get(username="target")
    root = UserFactory(username="root", is_superuser=True)
    admin_client = Client()
    admin_client.force_login(root)
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "target" in changelist.content.decode()
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]),
                                 {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="target").exists()


def test_an_org_admin_cannot_see_lockouts():
    org_admin = GrantFactory(role="admin").user
    client = Client()
    client.force_login(org_admin)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
