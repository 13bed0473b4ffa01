"""The org page's 工作职责 button never leads to a 404 (issue 10, defect 2): an org with
its own catalogue (or catalogues below it) links to its own page; a base union without one
links to the catalogue of the nearest ancestor it works under, when the user may open it;
otherwise there is no button."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.duties.helpers import plain_catalogue
from tests.kit import scope_tree, user_with_role


@pytest.fixture
def tree(db):
    """Only system union A has a catalogue; its base unions a1, a2 work under it."""
    tree = scope_tree()
    plain_catalogue(tree.a, 2)
    return tree


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def catalogue_links(client, org):
    page = client.get(reverse("orgs:detail", args=[org.code])).content.decode()
    return [code for code in ("kit", "kit-a", "kit-a-1", "kit-a-2", "kit-b", "kit-b-1")
            if f'href="{reverse("duties:catalogue", args=[code])}"' in page]


def test_a_base_union_links_to_the_catalogue_it_works_under(tree):
    client = client_for(user_with_role(tree, "clerk"))
    assert catalogue_links(client, tree.a1) == ["kit-a"]
    assert client.get(reverse("duties:catalogue", args=["kit-a"])).status_code == 200
    assert "甲系统工会" in client.get(reverse("orgs:detail", args=["kit-a-1"])).content.decode()


def test_an_org_with_its_own_catalogue_links_to_it(tree):
    client = client_for(user_with_role(tree, "clerk"))
    assert catalogue_links(client, tree.a) == ["kit-a"]


def test_no_button_when_the_catalogue_worked_under_is_out_of_reach(tree):
    # Staff see only their own union, not system union A's catalogue.
    client = client_for(user_with_role(tree, "staff"))
    assert catalogue_links(client, tree.a1) == []


def test_a_federation_with_catalogues_below_links_to_its_overview(tree):
    from tests.factories import GrantFactory, UserFactory

    user = UserFactory(username="root-clerk")
    GrantFactory(user=user, role="clerk", org=tree.root)
    client = client_for(user)
    assert catalogue_links(client, tree.root) == ["kit"]
    assert client.get(reverse("duties:catalogue", args=["kit"])).status_code == 200
    assert catalogue_links(client, tree.b1) == []
