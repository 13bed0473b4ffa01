"""The steps every governance write shares: the permission check, the row lock against a stale
edit, the refusal of a voided record, and the audit snapshot."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from orgs.models import Org
from orgs.services import ConflictError
from unionportal import audit
from unionportal.scoping import Action, can


def _require_record(actor, org: Org) -> None:
    if actor is not None and not can(actor, Action.RECORD, org):
        raise PermissionDenied


def _snapshot(instance, fields=None) -> dict:
    data = audit.snapshot(instance, fields)
    return {key: (value.name if isinstance(value, FieldFile) else value) for key, value in data.items()}


def _lock(model, obj, expected_version: int | None):
    """The row, locked for this transaction; ConflictError if it changed since it was loaded."""
    current = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(
            _("This record was changed by someone else after you opened it. "
              "Reload the page to see their change, then edit again."),
            code="conflict",
        )
    return current


def _refuse_voided(record) -> None:
    if getattr(record, "voided_at", None) is not None:
        raise ValidationError(_("This record was voided; it can no longer be changed."), code="voided")


def _creator(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _update(model, obj, *, actor, org, expected_version, fields, action, changes, check=None):
    with transaction.atomic():
        _require_record(actor, org)
        current = _lock(model, obj, expected_version)
        _refuse_voided(current)
        before = _snapshot(current, fields)
        for name, value in changes.items():
            setattr(current, name, value)
        if check is not None:
            check(current)
        current.full_clean()
        current.version += 1
        current.save()
        after = _snapshot(current, fields)
        if before != after:
            audit.record(actor=actor, action=action, instance=current, org=org, before=before, after=after)
    return current
