"""Admin object pages of a model the org admin may not open refuse every id alike (403), so
they do not tell which ids exist."""

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tests.kit import client_for, scope_tree, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    return client_for(user_with_role(scope_tree(), "admin"))


@pytest.mark.parametrize("page", ["history", "change", "delete"])
def test_group_pages_refuse_existing_and_missing_ids_alike(admin_client, page):
    group = Group.objects.create(name="secret")
    answers = {admin_client.get(f"/admin/auth/group/{pk}/{page}/").status_code for pk in (group.pk, group.pk + 999)}
    assert answers == {403}


def test_add_page_of_a_closed_model_is_refused(admin_client):
    assert admin_client.get("/admin/auth/group/add/").status_code == 403


@pytest.mark.parametrize("page", ["config", "qrcode"])
def test_device_secret_pages_refuse_existing_and_missing_ids_alike(admin_client, page):
    device = TOTPDevice.objects.create(user=UserFactory(), name="phone", confirmed=True)
    answers = {admin_client.get(f"/admin/otp_totp/totpdevice/{pk}/{page}/").status_code
               for pk in (device.pk, device.pk + 999)}
    assert answers == {403}


def test_the_org_admin_still_opens_history_of_its_own_orgs(admin_client):
    from orgs.models import Org

    own = Org.objects.get(code="kit-a")
    assert admin_client.get(f"/admin/orgs/org/{own.pk}/history/").status_code == 200
