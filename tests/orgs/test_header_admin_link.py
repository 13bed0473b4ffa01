"""The header's admin link: from the grants when the page read them, else one compiled EXISTS;
either way it follows the grants as they are now."""

import pytest
from django.urls import reverse

from orgs.models import Grant
from tests.kit import client_for, scope_tree, user_with_role

pytestmark = pytest.mark.django_db

ADMIN_LINK = f'href="{reverse("admin:index")}"'


@pytest.fixture
def tree(db):
    return scope_tree()


@pytest.mark.parametrize("page", ["home", "notifications:inbox"])  # reads the grants / does not
def test_the_admin_link_is_shown_to_admins_only(tree, page):
    admin = client_for(user_with_role(tree, "admin"))
    staff = client_for(user_with_role(tree, "staff"))
    assert ADMIN_LINK in admin.get(reverse(page)).content.decode()
    assert ADMIN_LINK not in staff.get(reverse(page)).content.decode()


def test_the_admin_link_goes_with_the_last_grant(tree):
    user = user_with_role(tree, "admin")
    client = client_for(user)
    assert ADMIN_LINK in client.get(reverse("notifications:inbox")).content.decode()
    Grant.objects.filter(user=user).delete()
    assert ADMIN_LINK not in client.get(reverse("notifications:inbox")).content.decode()
