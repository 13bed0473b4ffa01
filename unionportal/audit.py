"""Writing audit entries from service functions."""

import contextvars
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.dispatch import Signal
from django.forms.models import model_to_dict

from unionportal import page_cache
from unionportal.actors import is_system, user_or_none
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


# Sent once the transaction that wrote an entry commits (never for a rolled-back one), with
# ``entry``: how notifications and background pre-rendering learn of a hand-off without the
# workflow steps knowing about them.
recorded = Signal()


def _announce(entries) -> None:
    # What the write touched is marked written, so that no value kept between requests
    # outlives it (``page_cache.until_written``).
    page_cache.written_by_transaction({entry.content_type.app_label for entry in entries})

    def send():
        for entry in entries:
            recorded.send(sender=AuditEntry, entry=entry)
    transaction.on_commit(send)


def record(*, actor, action: str, instance, org=None, before=None, after=None, comment=""):
    """Write one audit entry; call inside the service's transaction."""
    entry = entry_for(actor=actor, action=action, instance=instance, org=org, before=before,
                      after=after, comment=comment)
    entry.save()
    _announce([entry])
    return entry


def record_many(entries) -> None:
    """Write many entries made by ``entry_for`` at once (a bulk import's)."""
    entries = AuditEntry.objects.bulk_create(entries, batch_size=500)
    _announce(entries)


def entry_for(*, actor, action: str, instance, org=None, before=None, after=None, comment=""):
    """An unsaved audit entry (see ``record``).  ``actor``: the user, or ``actors.SYSTEM``."""
    if not is_system(actor) and (actor is None or not actor.is_authenticated):
        # Who acted is always recorded: an internal step receives the real actor from the
        # public function that called it; seeding, commands and scheduled jobs act as SYSTEM.
        raise ValueError("an audit entry needs who acted: a signed-in user or actors.SYSTEM")
    if user_or_none(actor) is None and _command_origin.get():
        comment = "\n".join(part for part in (comment, _command_origin.get()) if part)
    return AuditEntry(
        actor=user_or_none(actor),
        by_system=is_system(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        org=org,
        before=before,
        after=after,
        comment=comment,
    )
