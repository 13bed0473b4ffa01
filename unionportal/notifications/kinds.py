"""The kinds of notification: each app registers its own (in its ``notifications.py``).

A kind has a label (the preferences page), a title and a body (format strings filled with the
notification's ``params`` in the reader's language) and a default delivery channel.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

log = logging.getLogger("unionportal.notifications")


class Channel(models.TextChoices):
    PORTAL = "portal", _("in the portal only")
    EMAIL = "email", _("by e-mail at once")
    DIGEST = "digest", _("in a daily e-mail digest")


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy text
    title: object  # lazy format string, filled with the notification's params
    body: object
    default: str = Channel.EMAIL
    order: int = 100
    # params -> params to fill in, at reading time (turns stored codes into translated labels)
    prepare: Callable | None = None


KINDS: dict[str, Kind] = {}


def register(code: str, label, title, body, *, default: str = Channel.EMAIL, order: int = 100,
             prepare: Callable | None = None) -> Kind:
    """Register a kind (idempotent: an app's ready() may run twice in tests)."""
    kind = Kind(code=code, label=label, title=title, body=body, default=default, order=order,
                prepare=prepare)
    KINDS[code] = kind
    return kind


def ordered() -> list[Kind]:
    return sorted(KINDS.values(), key=lambda kind: (kind.order, kind.code))


def default_channel(code: str) -> str:
    kind = KINDS.get(code)
    return kind.default if kind is not None else Channel.PORTAL


def _fill(template, params: dict) -> str:
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        log.warning("notification text %r does not fit its details %r", str(template), sorted(params))
        return str(template)


def render(code: str, params: dict) -> tuple[str, str]:
    """(title, body) of a notification in the active language."""
    kind = KINDS.get(code)
    if kind is None:
        return code, ""
    if kind.prepare is not None:
        params = kind.prepare(dict(params))
    return _fill(kind.title, params), _fill(kind.body, params)
