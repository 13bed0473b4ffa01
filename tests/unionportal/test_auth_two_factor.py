"""Two-factor sign-in (issue 9): TOTP for every user who sets it up, required for admins when
UNIONPORTAL_REQUIRE_2FA_FOR_ADMINS says so; wrong codes count toward the lockout."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, GrantFactory, UserFactory
from tests.kit import client_for
from unionportal.accounts.models import SignInEvent
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def code_for(device, steps_ahead=0) -> str:
    """The device's code, ``steps_ahead`` 30-second steps from now (a code is used only once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device) -> str:
    right = {code_for(device, step) for step in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_any_user_sets_up_two_factor_with_a_confirming_code():
    user = GrantFactory(role="staff").user
    client = client_for(user)
    page = client.get(reverse("two_factor")).content.decode()
    assert "<svg" in page and "<script" not in page.split("<main", 1)[1]
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    response = client.post(reverse("two_factor"), {"code": wrong_code(device)})
    assert response.status_code == 200 and "code" in response.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # django-otp delays the next try after a wrong code
    response = client.post(reverse("two_factor"), {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="auth.2fa_on", object_id=str(user.pk)).exists()


def test_sign_in_asks_for_the_code_after_the_password():
    user = GrantFactory(role="staff").user
    device = with_device(user)
    client = Client()
    response = client.post(f"{LOGIN}?next=/orgs/", {"username": user.username, "password": PASSWORD,
                                                    "next": "/orgs/"})
    assert response.status_code == 302 and response.url == reverse("login_code")
    assert "_auth_user_id" not in client.session  # not signed in by the password alone
    assert client.get(reverse("home")).status_code == 302
    response = client.post(reverse("login_code"), {"code": code_for(device, 1)})
    assert response.status_code == 302 and response.url == "/orgs/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert SignInEvent.objects.filter(user=user, kind=SignInEvent.Kind.SIGN_IN).count() == 1


def test_a_wrong_code_is_refused_recorded_and_counts_toward_the_lockout(settings):
    user = GrantFactory(role="staff").user
    device = with_device(user)
    client = Client()
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    response = client.post(reverse("login_code"), {"code": wrong_code(device)})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(username=user.username, kind=SignInEvent.Kind.FAILED,
                                      detail="wrong code").exists()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        device.throttling_failure_count = 0  # django-otp's own throttle would refuse first
        device.save()
        client.post(reverse("login_code"), {"code": wrong_code(device)})
    device.throttling_failure_count = 0
    device.save()
    response = client.post(reverse("login_code"), {"code": code_for(device, 1)})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_the_code_step_does_not_outlive_five_minutes():
    user = GrantFactory(role="staff").user
    device = with_device(user)
    client = Client()
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    session = client.session
    session["_portal_pending_second_factor"]["at"] -= 301
    session.save()
    response = client.post(reverse("login_code"), {"code": code_for(device, 1)})
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_user_removes_two_factor_with_their_password():
    user = GrantFactory(role="staff").user
    with_device(user)
    client = client_for(user)
    client.post(reverse("two_factor_remove"), {"password": "not-my-password"})
    assert TOTPDevice.objects.filter(user=user).exists()
    client.post(reverse("two_factor_remove"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="auth.2fa_off").exists()


def test_without_a_device_the_password_alone_signs_in():
    user = GrantFactory(role="staff").user
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_when_required_an_admin_without_two_factor_is_sent_to_set_it_up(settings):
    settings.UNIONPORTAL_REQUIRE_2FA_FOR_ADMINS = True
    admin = client_for(GrantFactory(role="admin").user)
    for path in (reverse("home"), reverse("admin:index")):
        response = admin.get(path)
        assert response.status_code == 302 and response.url == reverse("two_factor"), path
    assert admin.get(reverse("two_factor")).status_code == 200
    staff = client_for(GrantFactory(role="staff").user)
    assert staff.get(reverse("home")).status_code == 200


def test_when_required_an_admin_signed_in_with_a_code_works_normally(settings):
    settings.UNIONPORTAL_REQUIRE_2FA_FOR_ADMINS = True
    user = GrantFactory(role="admin").user
    device = with_device(user)
    client = Client()
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    client.post(reverse("login_code"), {"code": code_for(device, 1)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_when_required_an_admin_with_a_device_signed_in_without_the_code_signs_in_again(settings):
    settings.UNIONPORTAL_REQUIRE_2FA_FOR_ADMINS = True
    user = GrantFactory(role="admin").user
    with_device(user)
    client = Client()
    client.force_login(user)  # e.g. a session from before the rule was switched on
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_an_admin_who_sets_it_up_when_required_may_continue(settings):
    settings.UNIONPORTAL_REQUIRE_2FA_FOR_ADMINS = True
    superuser = UserFactory(is_superuser=True)
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse("home")).status_code == 302
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=superuser)
    client.post(reverse("two_factor"), {"code": code_for(device)})
    assert client.get(reverse("home")).status_code == 200


def test_not_required_by_default():
    admin = client_for(GrantFactory(role="admin").user)
    assert admin.get(reverse("admin:index")).status_code == 200


def test_every_page_links_the_signed_in_user_to_the_two_factor_page():
    client = client_for(GrantFactory(role="staff").user)
    page = client.get(reverse("home")).content.decode()
    assert f'class="who" href="{reverse("two_factor")}"' in page
