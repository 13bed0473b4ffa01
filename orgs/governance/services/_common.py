"""The steps every governance write shares: the row lock against a stale edit (the concurrency
kit's ``lock``), the refusal of a voided record, and the audit snapshot.  Who may write is the
gate's question: each public service calls ``orgs.access.require(actor, Action.RECORD, org)``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from orgs.access import Action, require
from unionportal import audit
from unionportal.concurrency import ConflictError, lock


def _snapshot(instance, fields=None) -> dict:
    data = audit.snapshot(instance, fields)
    return {key: (value.name if isinstance(value, FieldFile) else value) for key, value in data.items()}


def _lock(obj, expected_version: int | None):
    """The row, locked for this transaction; ConflictError (the kit's generic text) if it
    changed since the user loaded it."""
    return lock(obj, expected_version, message=lambda current: ConflictError().messages[0])


def _refuse_voided(record) -> None:
    if getattr(record, "voided_at", None) is not None:
        raise ValidationError(_("This record was voided; it can no longer be changed."), code="voided")


def _update(model, obj, *, actor, org, expected_version, fields, action, changes, check=None):
    with transaction.atomic():
        require(actor, Action.RECORD, org)
        current = _lock(obj, expected_version)
        _refuse_voided(current)
        before = _snapshot(current, fields)
        for name, value in changes.items():
            setattr(current, name, value)
        if check is not None:
            check(current)
        current.full_clean()
        current.save_new_version()
        after = _snapshot(current, fields)
        if before != after:
            audit.record(actor=actor, action=action, instance=current, org=org, before=before, after=after)
    return current
