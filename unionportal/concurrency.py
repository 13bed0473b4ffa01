"""The concurrency kit: optimistic locking of records a user edits in a form.

A form carries the version it was loaded at; the service locks the row, compares, writes and
saves the next version; the view maps what the service refused onto the form::

    class Meeting(Versioned, models.Model): ...                 # the version field, once

    def update_meeting(*, actor, meeting, expected_version, **changes):   # a service
        with transaction.atomic():
            current = lock(meeting, expected_version)           # row lock + ConflictError
            ...
            current.save_new_version()                          # version + 1, then save

    outcome = run_on_form(form, lambda: services.update_meeting(...))     # a view
    if outcome.ok: return redirect(...)
    return render(request, template, context, status=outcome.status)      # 409 or 400
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Versioned(models.Model):
    """An abstract model with the optimistic-locking counter: a save based on an older version
    is refused (``lock``), never merged."""

    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save_new_version(self, *args, **kwargs) -> None:
        """Save the row as its next version (the one way to bump it)."""
        self.version += 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "version" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "version"]
        self.save(*args, **kwargs)


def bump_versions(queryset, **changes) -> int:
    """Give every row of ``queryset`` its next version in one UPDATE (with ``changes``)."""
    return queryset.update(version=F("version") + 1, **changes)


class ConflictError(ValidationError):
    """Someone else saved the record since the user loaded it; nothing was written."""

    def __init__(self, message=None, code="conflict", params=None):
        if message is None:
            message = _("This record was changed by someone else after you opened it. "
                        "Reload the page to see their change, then edit again.")
        super().__init__(message, code=code, params=params)


def is_conflict(exc: ValidationError) -> bool:
    """Whether a refusal means "changed meanwhile" (409) rather than "invalid" (400)."""
    if isinstance(exc, ConflictError):
        return True
    return any(getattr(error, "code", None) == "conflict" for error in _errors(exc))


def _errors(exc: ValidationError) -> list[ValidationError]:
    if hasattr(exc, "error_dict"):
        return [error for errors in exc.error_dict.values() for error in errors]
    return list(exc.error_list)


def lock(obj_or_queryset, expected_version: int | None, *,
         message: str | Callable[[Any], str] | None = None):
    """Lock the row (``select_for_update``) for the rest of the transaction and return it fresh.

    ``obj_or_queryset``: a model instance, or a queryset that yields exactly that row (add your
    ``select_related`` there).  ``expected_version``: the version the user's form was loaded at
    (None: lock without comparing - an internal step).  A stale version raises ConflictError
    with ``message`` (a text, formatted with the row's ``name`` and ``version``, or a callable
    taking the current row), else a generic one naming the record.
    """
    if isinstance(obj_or_queryset, models.Model):
        obj = obj_or_queryset
        queryset = type(obj)._default_manager.filter(pk=obj.pk)
    else:
        queryset = obj_or_queryset
    if not queryset.query.select_for_update:
        queryset = queryset.select_for_update(of=("self",))
    current = queryset.get()
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(_conflict_text(current, message))
    return current


def _conflict_text(current, message) -> str:
    if message is None:
        return _("%(name)s was changed by someone else after you opened it. "
                 "Reload the page to see their change, then edit again.") % {"name": str(current)}
    if callable(message):
        return message(current)
    if "%(" in str(message):
        return str(message) % {"name": str(current), "version": current.version}
    return str(message)


@dataclass
class Outcome:
    """What ``run_on_form`` returns: the service's result, or why it refused."""

    value: Any = None
    status: int = 200  # 200 done; 400 invalid; 409 changed meanwhile
    messages: list[str] = field(default_factory=list)  # the refusal's texts, for a banner

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def conflict(self) -> bool:
        return self.status == 409


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on ``form``: a field's errors on the field, the rest
    (and errors about fields the form does not show) above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            form.add_error(target, errors)
    else:
        form.add_error(None, exc.error_list)


def run_on_form(form, call: Callable[[], Any]) -> Outcome:
    """Run a service call; map what it refuses (ValidationError, ConflictError) onto ``form``.

    ``form`` may be None (a view without one): the texts are still in ``Outcome.messages``.
    """
    try:
        return Outcome(value=call())
    except ValidationError as exc:
        if form is not None:
            add_errors(form, exc)
        return Outcome(status=409 if is_conflict(exc) else 400, messages=list(exc.messages))
