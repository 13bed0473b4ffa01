"""The governance records' content types move from the orgs app to the governance app: the same
rows, relabelled, so the audit trail (AuditEntry.content_type), the admin's history and the
model permissions granted on them keep pointing at the same objects."""

from django.db import migrations

MODELS = (
    "meeting", "congress", "delegate", "congresssession", "sessionattendee", "motion",
    "specialcommittee", "committeemember", "consultation", "committeeterm", "expenselimits",
    "expense", "federationrules",
)


def _relabel(apps, schema_editor, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("unionportal", "AuditEntry")
    LogEntry = apps.get_model("admin", "LogEntry")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        moving = types.filter(app_label=source, model=model).first()
        if moving is None:
            continue
        # A type the target label already has was made by a post_migrate run while the records
        # were still the source's (a database migrated back and forth): what points at it joins
        # the moved type, and it goes (with its duplicate permissions).
        stale = types.filter(app_label=target, model=model).first()
        if stale is not None:
            AuditEntry.objects.using(schema_editor.connection.alias).filter(
                content_type=stale).update(content_type=moving)
            LogEntry.objects.using(schema_editor.connection.alias).filter(
                content_type=stale).update(content_type=moving)
            stale.delete()
        moving.app_label = target
        moving.save(update_fields=["app_label"])
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    LiveContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "orgs", "governance")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "governance", "orgs")


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("unionportal", "0002_sign_in_events"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
