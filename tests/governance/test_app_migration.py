"""Governance became an app of its own (orgs 0006, governance 0001 and 0002): a database seeded
before the move keeps its records, and its audit trail, admin permissions and history still point
at them (the content types move with the models; the tables keep their names)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orgs.governance.models import CommitteeTerm, Congress, Delegate, FederationRules, Meeting
from tests.factories import OrgFactory, UserFactory
from unionportal.models import AuditEntry

BEFORE_THE_MOVE = [("orgs", "0005_governance_voiding")]

# The executor runs schema editors, which SQLite refuses inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets=None):
    """Migrate to ``targets`` (else to the latest); the models of the database as it then is."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


@pytest.fixture
def old_apps():
    """The models as they were before the move (governance inside orgs); back to now after."""
    apps = _migrate(BEFORE_THE_MOVE)
    assert not MigrationExecutor(connection).loader.applied_migrations.get(("governance", "0001_initial"))
    yield apps
    _migrate()
    ContentType.objects.clear_cache()


def _seed_before_the_move(apps, org, user):
    """Records and audit entries as the orgs app wrote them, through the models of the time."""
    OldContentType = apps.get_model("contenttypes", "ContentType")
    meeting = apps.get_model("orgs", "Meeting").objects.create(
        org_id=org.pk, kind="full", date=dt.date(2026, 3, 2), attendees="张三\n李四", agenda="年度工作",
        created_by_id=user.pk)
    congress = apps.get_model("orgs", "Congress").objects.create(org_id=org.pk, kind="workers")
    delegate = apps.get_model("orgs", "Delegate").objects.create(
        congress=congress, name="王五", start=dt.date(2025, 1, 10), end=dt.date(2027, 1, 9))
    term = apps.get_model("orgs", "CommitteeTerm").objects.create(
        org_id=org.pk, number=1, start=dt.date(2024, 5, 1), end=dt.date(2029, 4, 30), chair="赵六")
    rules = apps.get_model("orgs", "FederationRules").objects.create(
        org_id=org.pk, congress_quorum_numerator=3, congress_quorum_denominator=4)
    entries = {}
    for name, record in (("meeting", meeting), ("committeeterm", term), ("federationrules", rules)):
        content_type, _created = OldContentType.objects.get_or_create(app_label="orgs", model=name)
        entries[name] = AuditEntry.objects.create(
            actor=user, action=f"governance.{name}.create", content_type_id=content_type.pk,
            object_id=str(record.pk), object_repr=str(record.pk), org=org).pk
    view_meeting, _created = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type_id=OldContentType.objects.get(app_label="orgs", model="meeting").pk,
        codename="view_meeting", defaults={"name": "Can view meeting"})
    user.user_permissions.add(view_meeting.pk)
    return {"meeting": meeting.pk, "congress": congress.pk, "delegate": delegate.pk,
            "committeeterm": term.pk, "federationrules": rules.pk, "entries": entries}


def _pointed_at(entry: AuditEntry):
    """What the audit entry names, resolved as the audit pages resolve it."""
    return entry.content_type.get_object_for_this_type(pk=entry.object_id)


def _made_twice(apps, org, user, record_pk):
    """A governance type made before the move by a post_migrate run (a database migrated back
    and forth) and an audit entry on it."""
    duplicate = apps.get_model("contenttypes", "ContentType").objects.create(app_label="governance",
                                                                             model="committeeterm")
    return duplicate.pk, AuditEntry.objects.create(
        actor=user, action="governance.term.update", content_type_id=duplicate.pk,
        object_id=str(record_pk), object_repr="", org=org).pk


def test_records_and_their_audit_trail_survive_the_move_and_back(old_apps):
    # Migrating the whole project each way takes seconds: one test walks the move and back.
    org, user = OrgFactory(), UserFactory()
    seeded = _seed_before_the_move(old_apps, org, user)
    duplicate, second_entry = _made_twice(old_apps, org, user, seeded["committeeterm"])

    _migrate()
    ContentType.objects.clear_cache()

    meeting = Meeting.objects.get(pk=seeded["meeting"])
    assert (meeting.org, meeting.agenda, meeting.attendee_list(), meeting.created_by) == (
        org, "年度工作", ["张三", "李四"], user)
    assert Delegate.objects.get(pk=seeded["delegate"]).congress == Congress.objects.get(pk=seeded["congress"])
    assert CommitteeTerm.objects.get(pk=seeded["committeeterm"]).chair == "赵六"
    assert FederationRules.objects.get(pk=seeded["federationrules"]).congress_quorum == (3, 4)
    for name, model in (("meeting", Meeting), ("committeeterm", CommitteeTerm),
                        ("federationrules", FederationRules)):
        entry = AuditEntry.objects.get(pk=seeded["entries"][name])
        assert entry.content_type == ContentType.objects.get_for_model(model)
        assert (entry.content_type.app_label, entry.content_type.model) == ("governance", name)
        assert _pointed_at(entry) == model.objects.get(pk=seeded[name])
    assert not ContentType.objects.filter(app_label="orgs", model__in=["meeting", "committeeterm"]).exists()
    # The type made twice: its entry joined the moved type, and it is gone.
    assert not ContentType.objects.filter(pk=duplicate).exists()
    assert _pointed_at(AuditEntry.objects.get(pk=second_entry)) == CommitteeTerm.objects.get(
        pk=seeded["committeeterm"])
    # A permission granted on the old type is the same permission under the new label.
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("governance.view_meeting")
    assert Permission.objects.filter(content_type__app_label="governance", codename="view_meeting").count() == 1

    # And back: the orgs app has its types again, the rows untouched.
    _migrate(BEFORE_THE_MOVE)
    ContentType.objects.clear_cache()
    entry = AuditEntry.objects.get(pk=second_entry)
    assert (entry.content_type.app_label, entry.content_type.model) == ("orgs", "committeeterm")
    assert not ContentType.objects.filter(app_label="governance").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT chair FROM orgs_committeeterm WHERE id = %s", [seeded["committeeterm"]])
        assert cursor.fetchone() == ("赵六",)
