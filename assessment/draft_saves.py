"""Saving a sheet's draft (保存草稿) so that a double click is not a conflict.

The second POST of a double-clicked "save draft" carries the version the form was loaded
with, which the first POST has just moved on.  It is recognised as a repeat (and answered as
a success, nothing written) when the sheet's last write is that very save: the same user's
self-assessment save from the form's version, and the sheet already holds what the form
sends.  Anything else that moved the version on is someone else's change: a conflict.
"""

from dataclasses import dataclass

from django.db import transaction

from assessment.models import Sheet
from assessment.services._common import conflict, entries_match, locked, units_of
from assessment.services.sheets import save_self_locked
from orgs.access import Action, require
from unionportal.actors import user_or_none
from unionportal.models import AuditEntry

SELF_ASSESS = "assessment.sheet.self_assess"


@dataclass
class DraftOutcome:
    sheet: Sheet
    repeated: bool = False  # this very save had been done already: nothing written


def _is_repeated_save(actor, current: Sheet, entries, loaded_version: int) -> bool:
    last = (AuditEntry.objects.filter(content_type__app_label="assessment", content_type__model="sheet",
                                      object_id=str(current.pk))
            .order_by("-created_at", "-id").first())
    if last is None or last.action != SELF_ASSESS or last.comment:
        return False  # the last write was something else (a submit, an import, a review …)
    actor_id = user_or_none(actor).pk if user_or_none(actor) else None
    before_version = (last.before or {}).get("version")
    after_version = (last.after or {}).get("version")
    return (last.actor_id == actor_id and before_version == loaded_version
            and after_version == current.version
            and entries_match(units_of(current), entries))


def save_draft(*, actor, sheet: Sheet, entries: dict, expected_version: int) -> DraftOutcome:
    """The sheet page's "save draft": what ``services.save_self_assessment`` does (under the
    one row lock taken here), unless it repeats the save just done from the same form."""
    require(actor, Action.FILL, sheet.org)
    with transaction.atomic():
        current = locked(sheet)  # one row lock for the check and the save
        if current.version != expected_version:
            if _is_repeated_save(actor, current, entries, expected_version):
                return DraftOutcome(current, repeated=True)
            raise conflict(current)
        save_self_locked(actor, current, entries)
    return DraftOutcome(current)
