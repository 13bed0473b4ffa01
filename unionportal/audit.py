"""Writing audit entries from service functions."""

from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict

from unionportal.models import AuditEntry


def snapshot(instance, fields=None) -> dict:
    """The audited state of a model instance: its concrete, non-tree fields."""
    exclude = {"lft", "rght", "tree_id", "level"}
    data = model_to_dict(instance, fields=fields)
    return {key: value for key, value in data.items() if key not in exclude}


def record(*, actor, action: str, instance, org=None, before=None, after=None, comment=""):
    """Write one audit entry; call inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        org=org,
        before=before,
        after=after,
        comment=comment,
    )
