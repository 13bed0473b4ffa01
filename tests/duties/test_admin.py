"""Admin editing of catalogues: scoped (404 outside), published versions read-only."""

import pytest
from django.urls import reverse

from duties.models import CatalogueVersion, DutyItem
from tests.duties.helpers import plain_catalogue
from tests.kit import client_for, scope_tree, user_with_role


@pytest.fixture
def setup(db):
    tree = scope_tree()
    versions = {org.code: plain_catalogue(org, 2) for org in (tree.a, tree.b)}
    return tree, versions, client_for(user_with_role(tree, "admin"))


def test_admin_lists_and_opens_only_catalogues_in_scope(setup):
    tree, versions, client = setup
    page = client.get(reverse("admin:duties_dutyitem_changelist")).content.decode()
    assert "甲系统工会工作职责" in page and "乙系统工会工作职责" not in page
    inside, outside = versions["kit-a"], versions["kit-b"]
    assert client.get(reverse("admin:duties_catalogueversion_change", args=[inside.pk])).status_code == 200
    assert client.get(reverse("admin:duties_catalogueversion_change", args=[outside.pk])).status_code == 404
    outside_item = outside.items.first()
    assert client.get(reverse("admin:duties_dutyitem_change", args=[outside_item.pk])).status_code == 404


def test_published_items_are_read_only_and_drafts_are_edited(setup):
    tree, versions, client = setup
    item = versions["kit-a"].items.get(number="1")
    url = reverse("admin:duties_dutyitem_change", args=[item.pk])
    response = client.post(url, {"version": item.version_id, "number": "1", "name": "改", "position": 0})
    assert response.status_code == 403
    catalogue = versions["kit-a"].catalogue
    client.post(reverse("admin:duties_catalogue_changelist"),
                {"action": "start_drafts", "_selected_action": [catalogue.pk]})
    draft = CatalogueVersion.objects.get(catalogue=catalogue, status="draft")
    draft_item = draft.items.get(number="1")
    response = client.post(reverse("admin:duties_dutyitem_change", args=[draft_item.pk]), {
        "version": draft.pk, "number": "1", "name": "改过的职责", "legal_basis": "《工会法》\n《劳动法》",
        "workflow_text": "甲-乙", "position": 0,
        "documents": "", "responsibilities": "", "aliases": "", "boundary": "", "supervision": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    draft_item.refresh_from_db()
    assert draft_item.legal_basis == ["《工会法》", "《劳动法》"]
    assert draft_item.workflows == [{"title": "", "steps": ["甲", "乙"]}]
    client.post(reverse("admin:duties_catalogueversion_changelist"),
                {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "published"
    assert DutyItem.objects.get(version=versions["kit-a"], number="1").name != "改过的职责"
