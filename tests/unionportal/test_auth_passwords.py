"""Password rules (issue 9): Argon2 first with PBKDF2 upgraded at sign-in, length 12,
common/numeric/user-like refused, on the forms and on `grant_role --password-stdin`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from orgs.models import Grant
from tests.commands import run_command
from tests.factories import OrgFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_hash_with_argon2_first():
    # tests/settings.py swaps in MD5 for speed and keeps the production list for this test.
    assert settings.PRODUCTION_PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in settings.PRODUCTION_PASSWORD_HASHERS


@pytest.mark.django_db
def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    user = UserFactory(username="old-account")
    user.password = make_password("a-long-old-passphrase", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = Client().post("/accounts/login/", {"username": "old-account",
                                                  "password": "a-long-old-passphrase"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("a-long-old-passphrase")


@pytest.mark.parametrize("password, fragment", [
    ("short-pw-1", "12"),               # 10 characters
    ("password1234", "常见"),            # on the common-password list
    ("384729103847", "只包含数字"),       # numeric only
    ("grace-hopper-x", "相似"),          # like the username
])
def test_weak_passwords_are_refused(password, fragment):
    user = get_user_model()(username="grace-hopper-x", first_name="Grace")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    assert fragment in " ".join(caught.value.messages)


def test_a_long_uncommon_password_passes():
    validate_password("tea-kettle-harbour-17", get_user_model()(username="someone"))


@pytest.mark.django_db
def test_grant_role_refuses_a_weak_password_from_stdin():
    org = OrgFactory(code="kit")
    code, out, err = run_command("grant_role", "newbie", "staff", "kit", "--create",
                                 "--password-stdin", stdin="123\n")
    assert code == 1
    assert "12" in err  # the minimum-length message
    assert not get_user_model().objects.filter(username="newbie").exists()
    assert not Grant.objects.filter(org=org).exists()


@pytest.mark.django_db
def test_grant_role_refuses_a_weak_new_password_for_an_existing_user():
    org = OrgFactory(code="kit")
    user = UserFactory(username="existing")
    before = user.password
    code, _out, err = run_command("grant_role", "existing", "staff", "kit", "--password-stdin",
                                  stdin="existing1\n")
    assert code == 1 and err.strip()
    user.refresh_from_db()
    assert user.password == before and not Grant.objects.filter(org=org).exists()


@pytest.mark.django_db
def test_grant_role_accepts_a_strong_password():
    OrgFactory(code="kit")
    code, _out, err = run_command("grant_role", "newbie", "staff", "kit", "--create",
                                  "--password-stdin", stdin="tea-kettle-harbour-17\n")
    assert code == 0, err
    assert get_user_model().objects.get(username="newbie").check_password("tea-kettle-harbour-17")


def _start(args, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = "unionportal.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=environment)


LOAD_APP = ["-c", "from unionportal.wsgi import application"]


def test_without_debug_and_without_a_secret_key_gunicorns_app_refuses_to_load():
    result = _start(LOAD_APP, DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY is not set" in result.stderr


def test_without_debug_and_without_a_secret_key_runserver_refuses_to_start(tmp_path):
    # Loopback; when the refusal works the server never listens (else the timeout fails the test).
    result = _start(["manage.py", "runserver", "--noreload", "--skip-checks", "127.0.0.1:8791"],
                    DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="127.0.0.1",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_with_a_secret_key_or_debug_the_app_loads():
    assert _start(LOAD_APP, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 60).returncode == 0
    assert _start(LOAD_APP, DJANGO_DEBUG="1").returncode == 0


def test_offline_commands_still_run_without_a_key():
    result = _start(["manage.py", "makemigrations", "--check", "--dry-run"], DJANGO_DEBUG="0")
    assert "DJANGO_SECRET_KEY" not in result.stderr
