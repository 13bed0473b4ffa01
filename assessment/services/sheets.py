"""Writes of a sheet's entries: the staff's self-assessment (draft and submit) and the review
form (save the review columns, then take a step of the workflow table)."""

from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import Sheet, SheetEvent, SheetStatus, Unit
from assessment.services._common import (
    EDITABLE_BY_STAFF,
    Entry,
    apply_entries,
    conflict,
    entries_match,
    event,
    locked,
    save_units,
    sheet_state,
    units_of,
)
from assessment.services.evidence import add_evidence
from assessment.services.transitions import (
    TRANSITIONS,
    may_edit_review,
    require_review_editor,
    run,
)
from orgs.access import Action, can, require
from unionportal.actors import user_or_none
from unionportal.stored_files import removed_on_failure


def _editable(current: Sheet) -> None:
    if current.status not in EDITABLE_BY_STAFF:
        raise ValidationError(_("This sheet is %(status)s; it can no longer be filled in.")
                              % {"status": current.get_status_display()}, code="locked")


def _save_self_entries(actor, current: Sheet, units: list[Unit], entries, comment: str = "") -> dict:
    only = {u.seq for u in units if u.returned} if current.status == SheetStatus.RETURNED else None
    before_state = sheet_state(current)
    changes = apply_entries(units, entries, "self", only=only)
    if changes:
        save_units(current, units, changes, actor=actor, action="assessment.sheet.self_assess",
                   before_state=before_state, comment=comment)
    return changes


def save_self_assessment(*, actor, sheet: Sheet, entries: dict[str, Entry],
                         expected_version: int | None = None, source: str = "") -> Sheet:
    """Staff save grades, 资料齐全 and explanations (a draft, or the returned units)."""
    require(actor, Action.FILL, sheet.org)
    with transaction.atomic():
        current = locked(sheet, expected_version)
        save_self_locked(actor, current, entries, source)
    return current


def save_self_locked(actor, current: Sheet, entries: dict[str, Entry], source: str = "") -> None:
    """``save_self_assessment`` on a sheet its caller has locked (``locked``) in the current
    transaction and compared with the form's version, having checked the actor's right to fill."""
    _editable(current)
    changes = _save_self_entries(actor, current, units_of(current), entries, source)
    if changes and source:
        event(current, SheetEvent.Kind.IMPORTED, actor, comment=source, data={"units": sorted(changes)})


@dataclass
class SubmitOutcome:
    sheet: Sheet
    submitted: bool  # submitted now
    repeated: bool = False  # this very submit had been done already (a double click): nothing done
    refused: str = ""  # why the sheet was not submitted (the entries are saved as a draft)
    problems: list[str] = field(default_factory=list)  # evidence files refused


def _is_repeated_submit(actor, current: Sheet, units: list[Unit], entries, loaded_version: int) -> bool:
    """The sheet was submitted from the version this form was loaded with, by the same user,
    with the same entries: the request is a repeat of that submit (a double click)."""
    last = current.events.filter(kind=SheetEvent.Kind.SUBMITTED).order_by("-at", "-id").first()
    if last is None or last.data.get("loaded_version") != loaded_version:
        return False
    actor_id = user_or_none(actor).pk if user_or_none(actor) else None
    return last.actor_id == actor_id and entries_match(units, entries)


def submit_self_assessment(*, actor, sheet: Sheet, entries: dict[str, Entry],
                           expected_version: int, evidence=()) -> SubmitOutcome:
    """The sheet page's "submit": save the entries, then submit, under one row lock.

    A repeat of a submit already done (same user, same loaded version, same entries: a double
    click without JavaScript) is reported as done and changes nothing.  A form loaded before
    someone else's save is a conflict.  When the entries are saved but the sheet cannot be
    submitted (a unit without a grade), the draft is kept and ``refused`` says why.
    """
    require(actor, Action.FILL, sheet.org)
    with transaction.atomic(), removed_on_failure():
        current = locked(sheet)
        units = units_of(current)
        if current.version != expected_version:
            if _is_repeated_submit(actor, current, units, entries, expected_version):
                return SubmitOutcome(current, submitted=False, repeated=True)
            raise conflict(current)
        _editable(current)
        _save_self_entries(actor, current, units, entries)
        problems = []
        for seq, upload in evidence:  # (序号, uploaded file): stored before the sheet locks
            try:
                add_evidence(actor=actor, sheet=current, seq=seq, upload=upload)
            except ValidationError as exc:
                problems.append(" ".join(exc.messages))
        try:
            with transaction.atomic():
                run(TRANSITIONS["submit"], actor, current, units, loaded_version=expected_version)
        except ValidationError as exc:
            current.refresh_from_db()
            return SubmitOutcome(current, submitted=False, refused=" ".join(exc.messages), problems=problems)
    return SubmitOutcome(current, submitted=True, problems=problems)


def _save_review_entries(actor, current: Sheet, units: list[Unit], entries: dict[str, Entry]) -> bool:
    before_state = sheet_state(current)
    changes = apply_entries(units, entries, "review")
    if changes:
        save_units(current, units, changes, actor=actor, action="assessment.sheet.review",
                   before_state=before_state)
    return bool(changes)


def save_review(*, actor, sheet: Sheet, entries: dict[str, Entry],
                expected_version: int | None = None) -> Sheet:
    """A reviewer's (submitted) or scorer's (reviewed, scored) grade, documents and comment per unit."""
    with transaction.atomic():
        current = locked(sheet, expected_version)
        require_review_editor(actor, current)
        _save_review_entries(actor, current, units_of(current), entries)
    return current


class ReviewStep(StrEnum):
    SAVE = "save"
    RETURN = "return"
    PASS = "pass"
    SCORE = "score"
    FINALISE = "finalise"


@dataclass
class ReviewOutcome:
    sheet: Sheet
    step: ReviewStep
    taken: bool  # the step was taken now; False: it had been taken already (nothing of it was done)
    saved: bool  # the review entries changed something


def _holds_right(actor, sheet: Sheet, step: ReviewStep) -> bool:
    """Whether the actor's role may take ``step`` at all (whatever the sheet's state)."""
    if step in TRANSITIONS:
        t = TRANSITIONS[step]
        return can(actor, t.action, t.org_of(sheet))
    return can(actor, Action.REVIEW, sheet.org) or can(actor, Action.SCORE, sheet.assessor)


def review_step(*, actor, sheet: Sheet, entries: dict[str, Entry], step: str = ReviewStep.SAVE,
                reasons: dict[str, str] | None = None, reason: str = "",
                expected_version: int | None = None) -> ReviewOutcome:
    """The sheet page's review form: save the entries, then return, pass on, score or finalise.

    One transaction: if the step fails (no reason to return, a unit without a final grade),
    the entries are not saved either and the version stays, so the form can be sent again.
    A step already taken (a double click) is reported, not repeated, to a user whose role may
    take it; anyone else gets PermissionDenied, as for any step their role may not take.
    """
    try:
        step = ReviewStep(step)
    except ValueError:
        raise ValidationError(_("Unknown action %(action)s.") % {"action": step}, code="action") from None
    t = TRANSITIONS.get(step)
    with transaction.atomic():
        current = locked(sheet)
        if not _holds_right(actor, current, step):
            raise PermissionDenied
        may_edit = may_edit_review(actor, current)
        stale = expected_version is not None and current.version != expected_version
        if t is not None and current.status in t.taken:
            saved = False
            if may_edit and not stale:  # e.g. the scorer grades a scored sheet and clicks “score”
                saved = _save_review_entries(actor, current, units_of(current), entries)
            return ReviewOutcome(current, step, taken=False, saved=saved)
        if not may_edit:
            raise PermissionDenied
        if stale:
            raise conflict(current)
        require_review_editor(actor, current)
        units = units_of(current)
        saved = _save_review_entries(actor, current, units, entries)
        if step == ReviewStep.RETURN:
            run(t, actor, current, units, reasons=reasons, reason=reason)
        elif t is not None:
            run(t, actor, current, units)
    return ReviewOutcome(current, step, taken=True, saved=saved)
