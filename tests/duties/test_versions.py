"""Versions: published ones are immutable, editing makes a draft, publishing keeps the old one."""

import pytest
from django.urls import reverse

from duties import selectors, services
from duties.models import DutyItem, VersionStatus
from tests.duties.helpers import plain_catalogue
from tests.factories import OrgFactory, UserFactory
from tests.kit import client_for
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry


@pytest.fixture
def org(db):
    return OrgFactory(code="vx", name="版本测试工会")


def test_editing_makes_a_draft_and_publishing_keeps_the_old_version(org):
    first = plain_catalogue(org, 3)
    item = first.items.get(number="2")
    item.name = "改过的文字"
    with pytest.raises(services.NotEditable):
        services.save_item(actor=SYSTEM, item=item)
    draft = services.start_draft(actor=SYSTEM, catalogue=first.catalogue)
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    assert services.start_draft(actor=SYSTEM, catalogue=first.catalogue) == draft  # one draft at a time
    changed = draft.items.get(number="2")
    changed.name = "做好女职工工作，维护女职工合法权益。"
    services.save_item(actor=SYSTEM, item=changed)
    added = DutyItem(version=draft, number="4", name="新增职责", position=9)
    services.save_item(actor=SYSTEM, item=added)
    services.delete_item(actor=SYSTEM, item=draft.items.get(number="1"))
    assert first.items.get(number="2").name == "第2项职责：做好工会工作2。"  # untouched

    services.publish_version(actor=SYSTEM, version=draft)
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert selectors.search(draft.items.all(), "女职工").get().number == "2"
    changes = {change.key[1]: change for change in selectors.diff_versions(first, draft)}
    assert changes["1"].kind == "removed" and changes["4"].kind == "added"
    assert changes["2"].kind == "changed"
    assert changes["2"].fields[0][1:] == ("第2项职责：做好工会工作2。", "做好女职工工作，维护女职工合法权益。")
    assert "3" not in changes
    assert AuditEntry.objects.filter(action="duties.version.publish", org=org).count() == 2


def test_old_versions_stay_readable_and_the_changes_page_shows_the_diff(org):
    first = plain_catalogue(org, 2)
    plain_catalogue(org, texts=["第1项职责：做好工会工作1。", "新的第二项"])
    user = UserFactory(is_superuser=True)
    client = client_for(user)
    url = reverse("duties:catalogue", args=[org.code])
    assert "新的第二项" in client.get(url).content.decode()
    old = client.get(url, {"version": first.number}).content.decode()
    assert "第2项职责" in old and "新的第二项" not in old
    page = client.get(reverse("duties:changes", args=[org.code])).content.decode()
    assert "第2项职责：做好工会工作2。" in page and "新的第二项" in page


def test_drafts_are_hidden_from_readers(org):
    from orgs.models import Grant

    plain_catalogue(org, 2)
    draft = plain_catalogue(org, 3, publish=False)
    clerk = UserFactory(username="vx-clerk")
    Grant.objects.create(user=clerk, role="clerk", org=org)
    client = client_for(clerk)
    url = reverse("duties:catalogue", args=[org.code])
    assert client.get(url, {"version": draft.number}).status_code == 404
    draft_item = draft.items.first()
    assert client.get(reverse("duties:item", args=[org.code, draft_item.pk])).status_code == 404
    admin = UserFactory(username="vx-admin")
    Grant.objects.create(user=admin, role="admin", org=org)
    assert client_for(admin).get(url, {"version": draft.number}).status_code == 200


def test_import_as_draft_replaces_the_previous_draft(org):
    plain_catalogue(org, 2)
    plain_catalogue(org, 3, publish=False)
    plain_catalogue(org, 4, publish=False)
    versions = list(org.duty_catalogue.versions.order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "published"), (2, "draft")]
    assert versions[1].items.count() == 4
