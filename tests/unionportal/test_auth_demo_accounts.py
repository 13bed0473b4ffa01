"""Demo accounts in production (issue 9, finding 7): `seed --demo` refuses without debug, and
`check --deploy` fails while a demo account can sign in."""

import pytest
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from fixtures.demo_orgs import DEMO_ACCOUNTS
from orgs.management.commands import seed
from tests.commands import run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def steps_run(monkeypatch):
    """The steps seed would run, recorded instead of loading every document."""
    ran = []
    monkeypatch.setattr(seed.Command, "_run", lambda self, step: ran.append(step))
    return ran


def test_seed_demo_refuses_without_debug(settings, steps_run):
    settings.DEBUG = False
    settings.UNIONPORTAL_DEMO_ALLOWED = False
    code, _out, err = run_command("seed", "--demo")
    assert code == 1
    assert "DJANGO_DEBUG=1" in err and "--i-know-this-is-not-production" in err
    assert steps_run == []  # nothing loaded, not even the documents


def test_seed_demo_runs_without_debug_when_told_it_is_not_production(settings, steps_run):
    settings.DEBUG = False
    settings.UNIONPORTAL_DEMO_ALLOWED = False
    code, _out, err = run_command("seed", "--demo", "--i-know-this-is-not-production")
    assert code == 0, err
    assert "orgs.seeding.seed_demo" in steps_run


def test_seed_without_demo_runs_without_debug(settings, steps_run):
    settings.DEBUG = False
    settings.UNIONPORTAL_DEMO_ALLOWED = False
    assert run_command("seed")[0] == 0
    assert steps_run and "orgs.seeding.seed_demo" not in steps_run


def test_seed_demo_runs_with_debug(settings, steps_run):
    settings.DEBUG = True
    settings.UNIONPORTAL_DEMO_ALLOWED = False
    assert run_command("seed", "--demo")[0] == 0


def _demo_user(**fields):
    username, password, *_rest = DEMO_ACCOUNTS[4]  # demo-admin
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def _deploy_check_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)}


def test_deploy_check_fails_while_a_demo_account_can_sign_in():
    assert "unionportal.E101" not in _deploy_check_ids()
    _demo_user()
    assert "unionportal.E101" in _deploy_check_ids()
    with pytest.raises(SystemCheckError) as caught:  # an error: `check --deploy` exits non-zero
        call_command("check", "--deploy")
    assert "unionportal.E101" in str(caught.value) and "demo-admin" in str(caught.value)


def test_deploy_check_passes_once_the_demo_account_is_deactivated():
    user = _demo_user()
    user.is_active = False
    user.save()
    assert "unionportal.E101" not in _deploy_check_ids()
