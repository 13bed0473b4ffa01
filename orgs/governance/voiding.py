"""Voiding (作废) a governance record entered by mistake: a meeting, congress session,
consultation, committee term or expense.

The record stays (struck through on the page, with who voided it, when and why); the rule
checks and dashboards leave it out (orgs/governance/selectors.py) and it can no longer be
edited.  Who may void: the union's own staff within ``UNIONPORTAL_GOVERNANCE_VOID_DAYS`` days
after it was recorded (Action.RECORD), an admin of the subtree at any time (Action.VOID).
A record others depend on is refused with the list of what depends on it.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.access import Action, can
from orgs.governance.models import (
    VOID_REASON_MAX_LENGTH,
    CommitteeTerm,
    CongressSession,
    Consultation,
    Expense,
    Meeting,
)
from orgs.models import Org
from unionportal import audit
from unionportal.actors import user_or_none
from unionportal.concurrency import lock

DEFAULT_VOID_DAYS = 7
VOID_FIELDS = ("voided_at", "voided_by", "void_reason")

# The URL's kind -> the model, and the page's anchor where such records are listed.
VOIDABLE = {
    "meeting": Meeting,
    "session": CongressSession,
    "consultation": Consultation,
    "term": CommitteeTerm,
    "expense": Expense,
}
ANCHORS = {"meeting": "meetings", "session": "congress", "consultation": "consultation",
           "term": "terms", "expense": "expenses"}
KIND_LABELS = {
    "meeting": gettext_lazy("meeting"),
    "session": gettext_lazy("congress session"),
    "consultation": gettext_lazy("collective consultation"),
    "term": gettext_lazy("committee term"),
    "expense": gettext_lazy("expense"),
}


def void_days() -> int:
    """How many days after recording the union's own staff may still void a record."""
    return int(getattr(settings, "UNIONPORTAL_GOVERNANCE_VOID_DAYS", DEFAULT_VOID_DAYS))


def kind_of(record) -> str:
    return next(kind for kind, model in VOIDABLE.items() if isinstance(record, model))


def org_of(record) -> Org:
    return record.congress.org if isinstance(record, CongressSession) else record.org


def within_staff_window(record, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return record.created_at >= now - dt.timedelta(days=void_days())


def may_void(user, record, now: dt.datetime | None = None) -> bool:
    """An admin of the subtree at any time; the union's own staff within the window (nobody
    without an actor; the system always)."""
    if record.voided_at is not None or user is None:
        return False
    org = org_of(record)
    if can(user, Action.VOID, org):
        return True
    return can(user, Action.RECORD, org) and within_staff_window(record, now)


def dependents(record) -> list[str]:
    """What depends on ``record`` (records not voided), one line each; empty: it may go."""
    if isinstance(record, CongressSession):
        # Its resolutions; a consultation approved by one of them depends on it in turn.
        return [_("motion %(number)d “%(title)s”") % {"number": motion.number, "title": motion.title}
                for motion in record.motions.order_by("number")]
    if isinstance(record, CommitteeTerm):
        # The chair of the term is who led each consultation and approved each expense in it.
        lines = [_("collective consultation %(year)d of %(date)s") % {"year": c.year, "date": c.date.isoformat()}
                 for c in Consultation.objects.filter(org=record.org, voided_at__isnull=True,
                                                      date__range=(record.start, record.end)).order_by("date")]
        lines += [_("expense of %(date)s “%(purpose)s” approved by %(chair)s")
                  % {"date": e.date.isoformat(), "purpose": e.purpose, "chair": e.approved_by}
                  for e in Expense.objects.filter(org=record.org, voided_at__isnull=True,
                                                  approved_by=record.chair,
                                                  approved_on__range=(record.start, record.end))
                  .order_by("approved_on", "pk")]
        return lines
    return []


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for voiding it."), code="reason_required")
    if len(reason) > VOID_REASON_MAX_LENGTH:
        raise ValidationError(_("The reason is at most %(max)d characters.") % {"max": VOID_REASON_MAX_LENGTH},
                              code="reason_length")
    return reason


def _void_state(record) -> dict:
    # model_to_dict (audit.snapshot) leaves out these non-editable fields.
    return {"voided_at": record.voided_at, "voided_by": record.voided_by_id,
            "void_reason": record.void_reason}


def void_record(*, actor, record, reason: str, now: dt.datetime | None = None):
    """Void ``record`` with ``reason``: atomic, the row locked, audited with the actor.

    PermissionDenied when ``actor`` may not void it (any longer); ValidationError without a
    reason, when it is voided already, or when other records depend on it (listed)."""
    reason = clean_reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        current = lock(record, None)
        if current.voided_at is not None:
            raise ValidationError(_("This record was voided already."), code="voided")
        if not may_void(actor, current, now):
            raise PermissionDenied(
                _("Only an administrator may void a record more than %(days)d days after it was recorded.")
                % {"days": void_days()})
        depending = dependents(current)
        if depending:
            raise ValidationError(
                _("It cannot be voided while other records depend on it: %(records)s. Void or "
                  "correct those first.") % {"records": _("; ").join(depending)},
                code="dependents")
        before = _void_state(current)
        current.voided_at = now
        current.voided_by = user_or_none(actor)
        current.void_reason = reason
        current.save_new_version(update_fields=[*VOID_FIELDS, "updated_at"])
        audit.record(actor=actor, action=f"governance.{kind_of(current)}.void", instance=current,
                     org=org_of(current), before=before, after=_void_state(current),
                     comment=reason)
    return current
