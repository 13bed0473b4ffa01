"""The storage tests run against an S3-compatible server on loopback (moto's, in a process of
its own): ``s3_endpoint`` for the session, ``s3`` switches the default storage to a new bucket
on it for one test (STORAGES overridden; Django resets the storages on the change)."""

import pytest
from django.test import override_settings

from tests.storage.servers import moto_server, new_bucket, s3_environment
from unionportal.shared_stores import default_storage_setting


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture
def s3(s3_endpoint, settings):
    """``(endpoint, bucket)`` with the default storage on that bucket for this test."""
    bucket = new_bucket(s3_endpoint)
    storage = default_storage_setting(s3_environment(s3_endpoint, bucket))
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        yield s3_endpoint, bucket


@pytest.fixture(autouse=True)
def _no_aws_from_the_environment(monkeypatch):
    """boto3 must take its keys from the settings only, never from a developer's profile."""
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def sheets(db):
    """The kit's tree with A's 2026 round opened: ``(tree, users by role, a1's sheet)``."""
    from assessment import services
    from tests.assessment.conftest import make_template
    from tests.factories import UserFactory
    from tests.kit import scope_tree, user_with_role

    tree = scope_tree()
    opener = UserFactory(username="opener", is_superuser=True)
    make_template(tree.a)
    round_a = services.open_round(actor=opener, assessor=tree.a, year=2026).round
    users = {role: user_with_role(tree, role) for role in ("staff", "reviewer", "clerk")}
    return tree, users, round_a.sheets.get(org=tree.a1)
