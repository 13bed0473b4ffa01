"""The sheet's workflow as one table: which step leads from which states to which, who may take
it (an ``orgs.access.Action`` on the assessee or on the assessor), and what the audit trail and
the sheet's history call it.

    draft ─submit→ submitted ─pass→ reviewed ─score→ scored ─finalise→ final ─reopen→ scored
    returned ─submit→ ↑   └─return→ returned           └──────finalise──────↑

``apply_transition`` is the one way to take a step: the gate at its door, the sheet's row
locked, a step already taken (a double click) reported as not taken, a form loaded from an
older version refused as a conflict.  The pages, the admin and the tests read ``TRANSITIONS``;
notifications hook onto the audit names (``assessment.sheet.pass`` …), which never change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.models import Sheet, SheetEvent, SheetStatus, Unit
from assessment.services._common import (
    EDITABLE_BY_STAFF,
    SCORING_STATUSES,
    conflict,
    event,
    locked,
    save_sheet,
    save_units,
    sheet_state,
    unit_state,
    units_of,
)
from orgs.access import Action, can, require


@dataclass
class Step:
    """One transition being taken: the locked sheet, its units, its state before."""

    transition: "Transition"
    actor: object
    sheet: Sheet
    units: list[Unit]
    before: dict
    loaded_version: int | None = None


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise  # the button
    sources: tuple[str, ...]
    target: str
    action: Action
    on: str  # whose grant the action needs: "org" (the assessee) or "assessor"
    audit: str  # the audit trail's action name
    event: str  # SheetEvent.Kind written to the sheet's history
    wrong_state: Promise  # why the step cannot be taken from another state (%(status)s)
    effect: Callable[..., None] = field(repr=False, default=None)
    taken: tuple[str, ...] = ()  # states in which the step counts as done: a repeat does nothing

    def org_of(self, sheet: Sheet):
        return getattr(sheet, self.on)


def _finish(step: Step, *, changes=None, comment: str = "", event_comment: str = "", data=None) -> None:
    """Move the sheet to the step's target, store and audit it, write its history."""
    t, sheet = step.transition, step.sheet
    sheet.status = t.target
    if changes is None:
        save_sheet(sheet, step.units, actor=step.actor, action=t.audit, before_state=step.before, comment=comment)
    else:
        save_units(sheet, step.units, changes, actor=step.actor, action=t.audit, before_state=step.before,
                   comment=comment)
    event(sheet, t.event, step.actor, comment=event_comment, data=data(sheet) if callable(data) else data)


def _require_graded(units: list[Unit]) -> None:
    if not all(u.review_grade for u in units):
        raise ValidationError(_("Give every unit a final grade first."), code="incomplete")


def _units_snapshot(units) -> list[dict]:
    return [{"seq": u.seq, "self_grade": u.self_grade, "self_docs": u.self_docs, "self_note": u.self_note,
             "self_score": str(u.self_score) if u.self_score is not None else None,
             "review_grade": u.review_grade, "review_docs": u.review_docs, "review_note": u.review_note,
             "returned": u.returned, "return_reason": u.return_reason} for u in units]


def _submit(step: Step) -> None:
    missing = [u.seq for u in step.units if not u.self_grade or u.self_docs is None]
    if missing:
        raise ValidationError(
            _("Grade every unit and say whether its documents are complete before submitting "
              "(missing: %(seqs)s).") % {"seqs": "、".join(missing)}, code="incomplete")
    step.sheet.submissions += 1
    step.sheet.submitted_at = timezone.now()
    _finish(step, data=lambda sheet: {"units": _units_snapshot(step.units), "self_total": str(sheet.self_total),
                                      "loaded_version": step.loaded_version})


def _return_reasons(units: list[Unit], reasons: dict[str, str] | None, reason: str) -> dict[str, str]:
    reasons = {seq: text.strip() for seq, text in (reasons or {}).items()}
    if not reasons:
        if not reason.strip():
            raise ValidationError(_("Give a reason for returning the sheet."), code="reason")
        reasons = {unit.seq: reason.strip() for unit in units}
    unknown = sorted(set(reasons) - {u.seq for u in units})
    if unknown:
        raise ValidationError(_("Unknown unit(s): %(seqs)s.") % {"seqs": ", ".join(unknown)})
    blank = [seq for seq, text in reasons.items() if not text]
    if blank:
        raise ValidationError(_("Give a reason for each returned unit (missing: %(seqs)s).")
                              % {"seqs": "、".join(blank)}, code="reason")
    return reasons


def _return(step: Step, reasons: dict[str, str] | None = None, reason: str = "") -> None:
    reasons = _return_reasons(step.units, reasons, reason)
    changes = {}
    for unit in step.units:
        before = unit_state(unit)
        unit.returned = unit.seq in reasons
        unit.return_reason = reasons.get(unit.seq, "")
        if before != unit_state(unit):
            changes[unit.seq] = (before, unit_state(unit))
    _finish(step, changes=changes, comment=reason, event_comment=reason.strip(),
            data={"whole": len(reasons) == len(step.units), "reasons": reasons})


def _pass(step: Step) -> None:
    """Ungraded units keep the self-assessment; returned marks are cleared."""
    changes, accepted = {}, []
    for unit in step.units:
        before = unit_state(unit)
        if not unit.review_grade:
            unit.review_grade, unit.review_docs = unit.self_grade, unit.self_docs
            accepted.append(unit.seq)
        unit.returned, unit.return_reason = False, ""
        if before != unit_state(unit):
            changes[unit.seq] = (before, unit_state(unit))
    step.sheet.reviewed_at = timezone.now()
    _finish(step, changes=changes, data=lambda sheet: {"accepted_as_self_assessed": accepted,
                                                       "final_total": str(sheet.final_total)})


def _score(step: Step) -> None:
    _require_graded(step.units)
    step.sheet.scored_at = timezone.now()
    _finish(step, data=lambda sheet: {"final_total": str(sheet.final_total)})


def _finalise(step: Step) -> None:
    _require_graded(step.units)
    now = timezone.now()
    step.sheet.scored_at = step.sheet.scored_at or now
    step.sheet.finalised_at = now
    _finish(step, data=lambda sheet: {"final_total": str(sheet.final_total)})


def _reopen(step: Step, reason: str = "") -> None:
    if not reason.strip():
        raise ValidationError(_("Give a reason for reopening the sheet."), code="reason")
    step.sheet.finalised_at = None
    _finish(step, comment=reason.strip(), event_comment=reason.strip())


S = SheetStatus
TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    Transition("submit", gettext_lazy("Submit"), EDITABLE_BY_STAFF, S.SUBMITTED, Action.FILL, "org",
               "assessment.sheet.submit", SheetEvent.Kind.SUBMITTED,
               gettext_lazy("This sheet is %(status)s; it cannot be submitted."), _submit,
               taken=(S.SUBMITTED,)),
    Transition("return", gettext_lazy("Return for correction"), (S.SUBMITTED,), S.RETURNED, Action.REVIEW, "org",
               "assessment.sheet.return", SheetEvent.Kind.RETURNED,
               gettext_lazy("Only a submitted sheet can be returned."), _return),
    Transition("pass", gettext_lazy("Pass on to scoring"), (S.SUBMITTED,), S.REVIEWED, Action.REVIEW, "org",
               "assessment.sheet.pass", SheetEvent.Kind.REVIEWED,
               gettext_lazy("Only a submitted sheet can be passed on."), _pass, taken=SCORING_STATUSES),
    Transition("score", gettext_lazy("Confirm scores"), (S.REVIEWED,), S.SCORED, Action.SCORE, "assessor",
               "assessment.sheet.score", SheetEvent.Kind.SCORED,
               gettext_lazy("Only a reviewed sheet can be scored."), _score, taken=(S.SCORED, S.FINAL)),
    Transition("finalise", gettext_lazy("Finalise"), (S.REVIEWED, S.SCORED), S.FINAL, Action.SCORE, "assessor",
               "assessment.sheet.finalise", SheetEvent.Kind.FINALISED,
               gettext_lazy("Only a reviewed or scored sheet can be finalised."), _finalise, taken=(S.FINAL,)),
    Transition("reopen", gettext_lazy("Reopen"), (S.FINAL,), S.SCORED, Action.SCORE, "assessor",
               "assessment.sheet.reopen", SheetEvent.Kind.REOPENED,
               gettext_lazy("Only a final sheet can be reopened."), _reopen),
)}

# Who edits the review columns (grade, documents, comment) of a sheet in each state.
REVIEW_EDITORS: dict[str, tuple[Action, str]] = {
    S.SUBMITTED: (Action.REVIEW, "org"),
    S.REVIEWED: (Action.SCORE, "assessor"),
    S.SCORED: (Action.SCORE, "assessor"),
}


def transition(name: str) -> Transition:
    try:
        return TRANSITIONS[name]
    except KeyError:
        raise ValidationError(_("Unknown action %(action)s.") % {"action": name}, code="action") from None


def run(t: Transition, actor, current: Sheet, units: list[Unit], *, loaded_version=None, **params) -> None:
    """Take ``t`` on a sheet already locked, checked for its actor and version (unchecked here)."""
    if current.status not in t.sources:
        raise ValidationError(str(t.wrong_state) % {"status": current.get_status_display()}, code="state")
    step = Step(t, actor, current, units, sheet_state(current), loaded_version)
    t.effect(step, **params)


def take(*, actor, sheet: Sheet, name: str, expected_version: int | None = None,
         **params) -> tuple[Sheet, bool]:
    """``apply_transition``, returning the sheet as it now stands too."""
    t = transition(name)
    require(actor, t.action, t.org_of(sheet))
    with transaction.atomic():
        current = locked(sheet)
        if current.status in t.taken:
            return current, False
        if current.status in t.sources and expected_version is not None and current.version != expected_version:
            raise conflict(current)
        run(t, actor, current, units_of(current), loaded_version=expected_version, **params)
    return current, True


def apply_transition(*, actor, sheet: Sheet, name: str, expected_version: int | None = None, **params) -> bool:
    """Take the step ``name`` on ``sheet``; False when it had been taken already (nothing done).

    ``params``: ``reasons`` (per 序号) or ``reason`` to return, ``reason`` to reopen.
    """
    return take(actor=actor, sheet=sheet, name=name, expected_version=expected_version, **params)[1]


def may_take(user, sheet: Sheet, name: str, allowed=None) -> bool:
    """Whether ``user`` may take the step now: the sheet is in a source state, the role allows it
    (``allowed(action, org)``: the gate's answer for the user, ``access.can`` unless given)."""
    t = TRANSITIONS[name]
    if sheet.status not in t.sources:
        return False
    return (allowed or (lambda action, org: can(user, action, org)))(t.action, t.org_of(sheet))


def may_edit_review(user, sheet: Sheet) -> bool:
    editor = REVIEW_EDITORS.get(sheet.status)
    return editor is not None and can(user, editor[0], getattr(sheet, editor[1]))


def require_review_editor(actor, sheet: Sheet) -> None:
    editor = REVIEW_EDITORS.get(sheet.status)
    if editor is None:
        raise ValidationError(_("This sheet is %(status)s; it cannot be reviewed or scored now.")
                              % {"status": sheet.get_status_display()}, code="state")
    require(actor, editor[0], getattr(sheet, editor[1]))


@dataclass(frozen=True)
class SheetPermissions:
    """What a user may do on a sheet in its current state (the sheet page shows these forms)."""

    fill: bool = False
    review: bool = False  # grade, return or pass on a submitted sheet
    score: bool = False  # grade, score or finalise a reviewed or scored sheet
    reopen: bool = False  # reopen a final sheet

    @property
    def edits_review(self) -> bool:
        return self.review or self.score


def sheet_permissions(user, sheet: Sheet, allowed=None) -> SheetPermissions:
    """From the table: the steps this user may take on the sheet as it stands.  ``allowed``: a
    page's answers from the grants it has read (``UserScope.can``), instead of a query each."""
    def may(name):
        return may_take(user, sheet, name, allowed)

    return SheetPermissions(fill=may("submit"), review=may("pass"), score=may("finalise"), reopen=may("reopen"))
