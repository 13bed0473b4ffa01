"""What /assessment/ lists for the signed-in user, split by what each list holds: the sheets
they fill in (to fill in / in review or scoring / finalised), the queues they act on, and the
other sheets they can open (a clerk's only assessment work), in a fixed number of queries."""

from assessment import selectors
from assessment.models import SheetStatus
from orgs.access import compiled_rows

OTHER_SHEETS_SHOWN = 50
TO_FILL = (SheetStatus.DRAFT, SheetStatus.RETURNED)
IN_PROGRESS = (SheetStatus.SUBMITTED, SheetStatus.REVIEWED, SheetStatus.SCORED)


def index_context(user) -> dict:
    # The queues' queries compiled once per process (orgs.access.compiled_rows): building them
    # through the ORM cost more CPU than running them.
    mine = compiled_rows(selectors.my_sheets, user, 50)
    review_queue = compiled_rows(selectors.review_queue, user, 100)
    scoring_queue = compiled_rows(selectors.scoring_queue, user, 100)
    listed = {sheet.pk for sheet in mine + review_queue + scoring_queue}
    others = (selectors.visible_sheets(user).exclude(pk__in=listed)
              .select_related("org", "assessor", "round").order_by("-year", "org__tree_id", "org__lft"))
    other_sheets = list(others[:OTHER_SHEETS_SHOWN + 1])
    for sheet in review_queue + scoring_queue + other_sheets:
        # Only the user's own sheets count reminders; the rows' template asks every sheet, and a
        # missing attribute costs the template a dir() of the model per row.
        vars(sheet).setdefault("reminders", 0)
    return {
        "to_fill": [sheet for sheet in mine if sheet.status in TO_FILL],
        "in_progress": [sheet for sheet in mine if sheet.status in IN_PROGRESS],
        "finalised": [sheet for sheet in mine if sheet.status == SheetStatus.FINAL],
        "review_queue": review_queue,
        "scoring_queue": scoring_queue,
        "other_sheets": other_sheets[:OTHER_SHEETS_SHOWN],
        "more_other_sheets": len(other_sheets) > OTHER_SHEETS_SHOWN,
        "rounds": compiled_rows(selectors.visible_rounds, user, 50),
        "templates": list(selectors.visible_templates(user).order_by("-year", "assessor__lft")[:60]),
        "openable": compiled_rows(selectors.openable_orgs, user, 20),
    }
