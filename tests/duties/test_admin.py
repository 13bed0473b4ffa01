"""Admin editing of catalogues: scoped (404 outside), published versions read-only."""

import re

import pytest
from django.urls import reverse

from duties.models import CatalogueVersion, DutyItem
from tests.duties.helpers import plain_catalogue
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.actors import SYSTEM


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


# --- review fixes: audited renames, parts of another version, the changelist's queries ----------


def test_renaming_a_catalogue_in_the_admin_is_audited(setup):
    from unionportal.models import AuditEntry

    tree, versions, client = setup
    catalogue = versions["kit-a"].catalogue
    response = client.post(reverse("admin:duties_catalogue_change", args=[catalogue.pk]),
                           {"title": "甲系统工会职责清单（修订）"})
    assert response.status_code == 302
    catalogue.refresh_from_db()
    assert catalogue.title == "甲系统工会职责清单（修订）"
    entry = AuditEntry.objects.get(action="duties.catalogue.rename")
    assert entry.before == {"title": "甲系统工会工作职责"}
    assert entry.after == {"title": "甲系统工会职责清单（修订）"}
    assert entry.org == tree.a and entry.actor.username == "kit-admin"


def test_rename_catalogue_checks_the_right_and_the_title(setup):
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied, ValidationError

    from duties import services

    tree, versions, _client = setup
    outside = versions["kit-b"].catalogue
    with pytest.raises(PermissionDenied):
        services.rename_catalogue(actor=get_user_model().objects.get(username="kit-admin"),
                                  catalogue=outside, title="改")
    with pytest.raises(ValidationError):
        services.rename_catalogue(actor=SYSTEM, catalogue=outside, title="  ")
    outside.refresh_from_db()
    assert outside.title == "乙系统工会工作职责"


def test_an_item_cannot_take_a_main_duty_or_department_of_another_draft(setup):
    from tests.duties.helpers import card_catalogue

    tree, _versions, client = setup
    mine = card_catalogue(tree.a1, publish=False)
    other = card_catalogue(tree.a2, publish=False)
    item = mine.items.get(number="1.1")
    url = reverse("admin:duties_dutyitem_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    assert set(form.fields["main_duty"].queryset) == set(mine.main_duties.all())
    assert set(form.fields["department"].queryset) == set(mine.departments.all())
    data = {
        "version": mine.pk, "number": "1.1", "name": "改", "position": 0,
        "main_duty": other.main_duties.get().pk, "department": other.departments.get().pk,
        "legal_basis": "", "workflow_text": "", "documents": "", "responsibilities": "",
        "aliases": "", "boundary": "", "supervision": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors: not a 500
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"main_duty", "department"}
    item.refresh_from_db()
    assert item.main_duty.version_id == mine.pk and item.name != "改"
    data.update(main_duty=mine.main_duties.get().pk, department=mine.departments.get().pk)
    assert client.post(url, data).status_code == 302


def test_item_form_clean_refuses_parts_of_another_version(setup):
    """The form's own check, whatever choices it was given (the admin narrows them too)."""
    from duties.forms import DutyItemAdminForm
    from duties.models import Department, MainDuty
    from tests.duties.helpers import card_catalogue

    tree, _versions, _client = setup
    mine = card_catalogue(tree.a1, publish=False)
    other = card_catalogue(tree.a2, publish=False)
    form = DutyItemAdminForm(data={
        "version": mine.pk, "number": "9", "name": "新职责", "position": 0,
        "main_duty": other.main_duties.get().pk, "department": other.departments.get().pk,
    })
    form.fields["main_duty"].queryset = MainDuty.objects.all()
    form.fields["department"].queryset = Department.objects.all()
    assert not form.is_valid()
    assert set(form.errors) == {"main_duty", "department"}


def test_catalogue_changelist_in_constant_queries(setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from duties import services
    from duties.models import Catalogue
    from tests.factories import OrgFactory

    tree, _versions, client = setup

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("admin:duties_catalogue_changelist"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    draft = services.start_draft(actor=SYSTEM, catalogue=Catalogue.objects.get(org=tree.a))
    few, page = count()
    assert reverse("admin:duties_catalogueversion_change", args=[draft.pk]) in page
    assert draft.label in page
    for n in range(8):
        org = OrgFactory(code=f"kit-a-x{n}", parent=tree.a)
        version = plain_catalogue(org, 1)
        if n % 2:
            services.start_draft(actor=SYSTEM, catalogue=version.catalogue)
    assert Catalogue.objects.filter(org__in=tree.a.get_descendants(include_self=True)).count() == 9
    many, page = count()
    assert many == few
    assert len(re.findall(r"/admin/duties/catalogueversion/\d+/change/", page)) == 5  # drafts
