"""Writing audit entries from service functions."""

import contextvars
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict

from unionportal.models import AuditEntry


def snapshot(instance, fields=None) -> dict:
    """The audited state of a model instance: its concrete, non-tree fields."""
    exclude = {"lft", "rght", "tree_id", "level"}
    data = model_to_dict(instance, fields=fields)
    return {key: value for key, value in data.items() if key not in exclude}


# Who runs a management command and on which file (set by PortalCommand.open_input): the
# portal has no signed-in user there, so each entry written meanwhile names them in its comment.
_command_origin = contextvars.ContextVar("audit_command_origin", default="")


@contextmanager
def command_origin(description: str):
    token = _command_origin.set(description)
    try:
        yield
    finally:
        _command_origin.reset(token)


def record(*, actor, action: str, instance, org=None, before=None, after=None, comment=""):
    """Write one audit entry; call inside the service's transaction."""
    entry = entry_for(actor=actor, action=action, instance=instance, org=org, before=before,
                      after=after, comment=comment)
    entry.save()
    return entry


def record_many(entries) -> None:
    """Write many entries made by ``entry_for`` at once (a bulk import's)."""
    AuditEntry.objects.bulk_create(entries, batch_size=500)


def entry_for(*, actor, action: str, instance, org=None, before=None, after=None, comment=""):
    """An unsaved audit entry (see ``record``)."""
    if (actor is None or not actor.is_authenticated) and _command_origin.get():
        comment = "\n".join(part for part in (comment, _command_origin.get()) if part)
    return AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        org=org,
        before=before,
        after=after,
        comment=comment,
    )
