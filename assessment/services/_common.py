"""What every write of a sheet shares: the row lock, the states it records, the unit entries.

Private to ``assessment.services``: the steps that use these check who acts at their door.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.models import Grade, Sheet, SheetEvent, SheetStatus, Unit
from unionportal import audit
from unionportal.actors import user_or_none
from unionportal.concurrency import ConflictError, lock

EDITABLE_BY_STAFF = (SheetStatus.DRAFT, SheetStatus.RETURNED)
SCORING_STATUSES = (SheetStatus.REVIEWED, SheetStatus.SCORED, SheetStatus.FINAL)


def _conflict_text(sheet: Sheet) -> str:
    return (_("Someone else saved this sheet after you opened it (now version %(version)d). "
          "Nothing of yours was saved: your entries are still in the form; compare them with "
          "the current sheet and save again.") % {"version": sheet.version})


def conflict(sheet: Sheet) -> ConflictError:
    return ConflictError(_conflict_text(sheet))


def locked(sheet: Sheet, expected_version: int | None = None) -> Sheet:
    """The sheet's row, locked for this transaction; a conflict if it moved past the version."""
    return lock(Sheet.objects.select_related("template", "org", "assessor", "round").filter(pk=sheet.pk),
                expected_version, message=_conflict_text)


def sheet_state(sheet: Sheet) -> dict:
    return {"status": sheet.status, "version": sheet.version,
            "self_total": sheet.self_total, "final_total": sheet.final_total}


UNIT_FIELDS = ("self_grade", "self_docs", "self_note", "review_grade", "review_docs", "review_note",
               "returned", "return_reason", "self_score", "final_score")


def unit_state(unit: Unit) -> dict:
    return {name: getattr(unit, name) for name in UNIT_FIELDS}


def event(sheet, kind, actor, comment="", data=None) -> SheetEvent:
    return SheetEvent.objects.create(
        sheet=sheet, kind=kind, actor=user_or_none(actor),
        submission=sheet.submissions, comment=comment, data=data or {},
    )


def units_of(sheet: Sheet) -> list[Unit]:
    return list(sheet.units.select_related("indicator", "item").order_by("position"))


@dataclass
class Entry:
    """What a form or file gives for one unit; None leaves a field as it is."""

    grade: str | None = None
    docs: bool | None = None
    note: str | None = None


def _apply_entry(unit: Unit, entry: Entry, prefix: str) -> None:
    if entry.grade is not None:
        if entry.grade and entry.grade not in Grade.values:
            raise ValidationError(_("Unknown grade %(grade)s.") % {"grade": entry.grade})
        setattr(unit, f"{prefix}_grade", entry.grade)
        if not entry.grade:
            setattr(unit, f"{prefix}_docs", None)
    if entry.docs is not None and getattr(unit, f"{prefix}_grade"):
        setattr(unit, f"{prefix}_docs", entry.docs)
    if entry.note is not None:
        setattr(unit, f"{prefix}_note", entry.note.strip())


def apply_entries(units, entries: dict[str, Entry], prefix: str, *, only=None) -> dict:
    """Set ``<prefix>_grade/_docs/_note``; returns {seq: (before, after)} of changed units."""
    by_seq = {unit.seq: unit for unit in units}
    unknown = sorted(set(entries) - set(by_seq))
    if unknown:
        raise ValidationError(_("Unknown unit(s): %(seqs)s.") % {"seqs": ", ".join(unknown)})
    changes = {}
    for seq, entry in entries.items():
        unit = by_seq[seq]
        before = unit_state(unit)
        _apply_entry(unit, entry, prefix)
        after = unit_state(unit)
        if before != after:
            if only is not None and seq not in only:
                raise ValidationError(
                    _("Unit %(seq)s was not returned to you; only returned units may change.")
                    % {"seq": seq}, code="not_returned")
            changes[seq] = (before, after)
    return changes


def entries_match(units: list[Unit], entries: dict[str, Entry]) -> bool:
    """Whether ``entries`` would leave the self-assessment of ``units`` as it is."""
    by_seq = {unit.seq: unit for unit in units}
    for seq, entry in entries.items():
        unit = by_seq.get(seq)
        if unit is None:
            return False
        if entry.grade is not None and entry.grade != unit.self_grade:
            return False
        if entry.docs is not None and unit.self_grade and entry.docs != unit.self_docs:
            return False
        if entry.note is not None and entry.note.strip() != unit.self_note:
            return False
    return True


WRITTEN_FIELDS = ("self_grade", "self_docs", "self_note", "self_score", "review_grade", "review_docs",
                  "review_note", "final_score", "returned", "return_reason")


def write_units(units: list[Unit]) -> None:
    """Store WRITTEN_FIELDS of ``units``: one UPDATE by id per unit, sent as one batch.

    What ``bulk_update`` wrote, without its cost: it builds a CASE WHEN per field and unit,
    some 76 ms of CPU for a sheet's 20 units (a first save sends every unit) and 7 ms for one.
    The values are prepared by their fields, as the ORM's own update does."""
    if not units:
        return
    fields = [Unit._meta.get_field(name) for name in WRITTEN_FIELDS]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(Unit._meta.db_table)} SET "
           f"{', '.join(f'{quote(field.column)} = %s' for field in fields)} WHERE {quote(Unit._meta.pk.column)} = %s")
    rows = [[field.get_db_prep_save(getattr(unit, field.attname), connection) for field in fields] + [unit.pk]
            for unit in units]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def save_units(sheet, units, changes, *, actor, action, before_state, comment="") -> None:
    """Recompute, store the changed units and the sheet (new version), audit before/after."""
    scoring.recompute(sheet, units)
    for unit in units:
        if unit.seq in changes:  # the audited "after" holds the recomputed scores
            changes[unit.seq] = (changes[unit.seq][0], unit_state(unit))
    write_units([unit for unit in units if unit.seq in changes])
    # Scores of other units may change through scaling; they are stored per unit, unscaled.
    sheet.save_new_version()
    audit.record(
        actor=actor, action=action, instance=sheet, org=sheet.org,
        before={**before_state, "units": {seq: b for seq, (b, _a) in changes.items()}},
        after={**sheet_state(sheet), "units": {seq: a for seq, (_b, a) in changes.items()}},
        comment=comment,
    )


def save_sheet(sheet: Sheet, units: list[Unit], *, actor, action: str, before_state: dict,
               comment: str = "") -> None:
    """Recompute and store a sheet whose state changed (a new version), audit before/after."""
    scoring.recompute(sheet, units)
    sheet.save_new_version()
    audit.record(actor=actor, action=action, instance=sheet, org=sheet.org, before=before_state,
                 after=sheet_state(sheet), comment=comment)
