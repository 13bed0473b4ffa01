from django import template

from assessment.models import Grade
from assessment.scoring import num
from unionportal.fragment_store import FragmentStore, SharedValues, values

register = template.Library()


@register.filter
def score(value) -> str:
    """A score or points as the documents write them (20, 17.5); blank for none."""
    return num(value)


@register.filter
def grade_label(value) -> str:
    """A stored grade in the reader's language (全面完成 / fully completed); blank for none."""
    return Grade(value).label if value in Grade.values else ""


_sheet_row_store = FragmentStore(4096, "assessment/_sheet_row.html")


@register.simple_tag
def sheet_rows(sheets, show_deadline=False):
    """The rows of a list of sheets; a row rendered before for the same sheet, as it is now,
    comes from the fragment store (a reviewer's queue of 100 rows cost ~10 ms to render)."""
    show_deadline = bool(show_deadline)
    shared = SharedValues()  # the few assessors and rounds of a queue, once each

    def key_parts(sheet):  # (a landing page's reminder count is an attribute: in values(sheet))
        return (values(sheet), values(sheet.org), shared(sheet.assessor), shared(sheet.round),
                sheet.is_overdue, show_deadline)

    return _sheet_row_store.rows(list(sheets), key_parts,
                                 lambda sheet: {"sheet": sheet, "show_deadline": show_deadline})


@register.inclusion_tag("assessment/_work.html", takes_context=True)
def assessment_work(context):
    """The user's assessment work for the home page: sheets to fill, reviews and scores waiting."""
    from assessment import selectors
    from assessment.models import SheetStatus
    from orgs.access import Action, compiled_rows
    from orgs.selectors import user_scope

    request = context["request"]
    user, scope = request.user, user_scope(request)

    def work():
        # A queue the user's grants cannot reach is empty: asked only of roles that have it
        # (the grants were read once for the whole page).
        fill = [s for s in compiled_rows(selectors.my_sheets, user, 20)
                if s.status in (SheetStatus.DRAFT, SheetStatus.RETURNED)] if scope.holds(Action.FILL) else []
        return {"fill": fill,
                "review": selectors.review_queue(user).count() if scope.holds(Action.REVIEW) else 0,
                "score": selectors.scoring_queue(user).count() if scope.holds(Action.SCORE) else 0,
                # Readers (clerks) have no queue but every sheet of their unions to open.
                "readable": selectors.visible_sheets(user).count()}

    # Counting a federation's 25,000 sheets is most of its landing page: kept until a sheet is
    # written (shared by everyone with the same grants).
    return {"work": scope.until_written("home.assessment", ("assessment",), work)}
