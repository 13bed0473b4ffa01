"""Who acts: the system actor, how the audit trail shows it, and the helpers for FK fields."""

import pickle

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from orgs import services
from orgs.models import Org
from tests.factories import UserFactory
from tests.kit import client_for, scope_tree, user_with_role
from unionportal import audit
from unionportal.actors import SYSTEM, actor_label, is_system, user_or_none
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_system_is_one_actor_and_no_user():
    assert is_system(SYSTEM) and not is_system(None) and not is_system(AnonymousUser())
    assert pickle.loads(pickle.dumps(SYSTEM)) is SYSTEM  # also inside a background job
    assert SYSTEM.pk is None
    user = UserFactory()
    assert user_or_none(user) is user
    assert user_or_none(SYSTEM) is None and user_or_none(None) is None
    assert user_or_none(AnonymousUser()) is None
    with translation.override("zh-hans"):
        assert actor_label(SYSTEM) == "系统" and str(SYSTEM) == "系统"
    assert actor_label(user) == user.username and actor_label(None) == ""


def test_an_entry_by_the_system_is_marked_and_labelled():
    tree = scope_tree()
    entry = audit.record(actor=SYSTEM, action="test.system", instance=tree.a, org=tree.a)
    entry.refresh_from_db()
    assert entry.by_system and entry.actor_id is None
    person = UserFactory(username="somebody")
    by_person = audit.record(actor=person, action="test.person", instance=tree.a, org=tree.a)
    assert not by_person.by_system and by_person.actor == person
    with translation.override("zh-hans"):
        assert entry.actor_label == "系统"
    assert by_person.actor_label == "somebody"


def test_seeding_and_services_record_the_system():
    tree = scope_tree()
    org = services.create_org(actor=SYSTEM, parent=tree.a, code="kit-a-9", name="甲九工会", kind="base")
    entry = AuditEntry.objects.get(action="org.create", object_id=str(org.pk))
    assert entry.by_system and entry.actor is None


def test_the_audit_admin_shows_the_system_as_such():
    tree = scope_tree()
    services.update_org(actor=SYSTEM, org=tree.a1, name="甲一工会（系统改名）")
    client = client_for(user_with_role(tree, "admin"))
    with translation.override("zh-hans"):
        page = client.get(reverse("admin:unionportal_auditentry_changelist"),
                          HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "甲一工会（系统改名）" in page
    assert "<td class=\"field-acted_by\">系统</td>" in page


def test_a_command_acts_as_the_system(tmp_path):
    from tests.commands import run_command

    scope_tree()
    path = tmp_path / "orgs.csv"
    path.write_text("编码,名称,上级编码,类型\nkit-a-8,甲八工会,kit-a,基层工会\n", encoding="utf-8")
    assert run_command("import_orgs", str(path))[0] == 0
    org = Org.objects.get(code="kit-a-8")
    entry = AuditEntry.objects.get(action="org.create", object_id=str(org.pk))
    assert entry.by_system and "command: manage.py import_orgs" in entry.comment
