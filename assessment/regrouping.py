"""A sheet's system-union grouping (系统工会分组) when an org moves during the year.

A sheet records its group when the round opens.  While the sheet is not final, the board
and the ranking follow the live tree: when an org moves (``orgs.signals.org_moved``), every
unfinished sheet of the moved subtree is regrouped, and its history and the audit trail say
so.  A final sheet keeps the group it was finalised with.
"""

from django.db import transaction
from django.dispatch import receiver

from assessment.models import Sheet, SheetEvent, SheetStatus
from assessment.services._common import event
from assessment.services.rounds import group_of
from orgs.models import Org
from orgs.signals import org_moved
from unionportal import audit


def regroup_open_sheets(*, actor, orgs) -> int:
    """Recompute the group of every unfinished sheet of ``orgs``; returns how many changed."""
    changed = 0
    with transaction.atomic():
        sheets = list(Sheet.objects.select_for_update(of=("self",)).exclude(status=SheetStatus.FINAL)
                      .filter(org__in=orgs).select_related("org", "assessor", "group"))
        by_assessor: dict[int, list[Sheet]] = {}
        for sheet in sheets:
            by_assessor.setdefault(sheet.assessor_id, []).append(sheet)
        for group_sheets in by_assessor.values():
            assessor = group_sheets[0].assessor
            live = Org.objects.filter(pk__in=[sheet.org_id for sheet in group_sheets])
            groups = group_of(list(live), assessor)
            for sheet in group_sheets:
                new_group_id = groups.get(sheet.org_id)
                if new_group_id != sheet.group_id:
                    _regroup(actor, sheet, new_group_id)
                    changed += 1
    return changed


def _regroup(actor, sheet: Sheet, new_group_id: int | None) -> None:
    old_group = sheet.group
    new_group = Org.objects.filter(pk=new_group_id).first() if new_group_id else None
    sheet.group = new_group
    # The version stays: the grouping is not what a staff member's open form edits.
    sheet.save(update_fields=["group", "updated_at"])
    names = f"{old_group.name if old_group else '—'} → {new_group.name if new_group else '—'}"
    event(sheet, SheetEvent.Kind.REGROUPED, actor, comment=names,
          data={"from": old_group.code if old_group else None, "to": new_group.code if new_group else None})
    audit.record(actor=actor, action="assessment.sheet.regroup", instance=sheet, org=sheet.org,
                 before={"group": old_group.code if old_group else None},
                 after={"group": new_group.code if new_group else None})


@receiver(org_moved, dispatch_uid="assessment.regroup_open_sheets")
def _org_moved(sender, *, org, actor, **kwargs):
    regroup_open_sheets(actor=actor, orgs=org.get_descendants(include_self=True))
