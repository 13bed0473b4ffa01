"""Connecting an app's hand-offs (audit actions) to its notification rules.

Each app's ``notifications.py`` calls ``on_actions`` from its AppConfig.ready with
{audit action: handler(entry)}.  The handlers run once the transaction that wrote the entry
commits (``unionportal.audit.recorded``); a handler that fails is logged and never breaks the
request or command that did the work.
"""

import logging
from collections.abc import Callable

from unionportal import audit

log = logging.getLogger("unionportal.notifications")


def on_actions(name: str, handlers: dict[str, Callable]) -> None:
    def receiver(sender, entry, **kwargs):
        handler = handlers.get(entry.action)
        if handler is None:
            return
        try:
            handler(entry)
        except Exception:  # noqa: BLE001 - a notification never breaks the work it follows
            log.exception("notifications for audit entry %s (%s) failed", entry.pk, entry.action)

    audit.recorded.connect(receiver, weak=False, dispatch_uid=f"notifications:{name}")


def actor_id(entry) -> int | None:
    return entry.actor_id
