"""Who is told what in the assessment workflow (connected in AssessmentConfig.ready).

submitted → the reviewers of the union above (the nearest grants the gate lets review it);
returned → the sheet union's staff, with the reasons; passed → the assessor's scorers;
scored and finalised → the staff.  Deadline reminders (a daily job): 7 days and 1 day before a
round's deadline and every day while it is overdue, the staff of each sheet not yet submitted
and their reviewers, once per person per day.  The actor is never told of their own act.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessment.models import Round, Sheet, SheetStatus, Unit
from orgs.access import Action
from orgs.recipients import granted_on, nearest_by_org, user_ids_who_may
from unionportal.notifications import hooks, kinds
from unionportal.notifications.delivery import Message, notify, notify_each
from unionportal.notifications.scheduled import register_daily

SUBMITTED = "assessment.submitted"
RETURNED = "assessment.returned"
PASSED = "assessment.passed"
SCORED = "assessment.scored"
FINALISED = "assessment.finalised"
DEADLINE = "assessment.deadline"
REMINDER_DAYS = (7, 1)  # days before the deadline; then every day while overdue
OVERDUE_YEARS = 1  # overdue rounds of this year and the last are reminded of
LISTED_ORGS = 10
REASON_MAX = 1500


def register_kinds() -> None:
    kinds.register(SUBMITTED, _("Sheets submitted for your review"),
                   _("%(org)s submitted its %(year)s assessment sheet"),
                   _("The sheet assessed by %(assessor)s waits for your review."), order=10)
    kinds.register(RETURNED, _("Your sheets returned for changes"),
                   _("Your %(year)s assessment sheet was returned"),
                   _("The sheet of %(org)s (assessor: %(assessor)s) was returned for changes.\n"
                     "Reason:\n%(reason)s"), order=11)
    kinds.register(PASSED, _("Sheets passed on for your score"),
                   _("The %(year)s sheet of %(org)s is ready to score"),
                   _("A reviewer passed the sheet on; it waits for your score."), order=12)
    kinds.register(SCORED, _("Your sheets scored"),
                   _("Your %(year)s assessment sheet was scored"),
                   _("%(assessor)s scored the sheet of %(org)s: %(total)s points."), order=13)
    kinds.register(FINALISED, _("Your sheets finalised"),
                   _("Your %(year)s assessment sheet is final"),
                   _("The final score of %(org)s from %(assessor)s is %(total)s points."), order=14)
    kinds.register(DEADLINE, _("Assessment deadline reminders"),
                   _("%(year)s assessment of %(assessor)s: deadline %(deadline)s"),
                   _("Not yet submitted (%(count)s): %(orgs)s"), order=15)


def _sheet(entry) -> Sheet | None:
    return Sheet.objects.select_related("org", "assessor").filter(pk=entry.object_id).first()


def _params(sheet: Sheet) -> dict:
    total = sheet.final_total if sheet.final_total is not None else "—"
    return {"org": sheet.org.name, "assessor": sheet.assessor.name, "year": sheet.year,
            "total": str(total)}


def _tell(kind: str, entry, sheet: Sheet, recipient_ids, **extra) -> None:
    notify(kind, recipient_ids, key=f"audit:{entry.pk}", params={**_params(sheet), **extra},
           link=sheet.get_absolute_url(), actor_id=entry.actor_id)


def _reasons(sheet: Sheet, comment: str) -> str:
    returned = list(Unit.objects.filter(sheet=sheet, returned=True).order_by("pk")
                    .values_list("seq", "return_reason"))
    texts = {reason for _seq, reason in returned}
    if comment.strip() and (not returned or texts == {comment.strip()}):
        return comment.strip()[:REASON_MAX]
    lines = "\n".join(f"{seq}: {reason}" for seq, reason in returned if reason)
    return (lines or comment.strip() or "—")[:REASON_MAX]


def submitted(entry) -> None:
    sheet = _sheet(entry)
    if sheet is not None:
        _tell(SUBMITTED, entry, sheet, user_ids_who_may(Action.REVIEW, sheet.org, nearest=True))


def returned(entry) -> None:
    sheet = _sheet(entry)
    if sheet is not None:
        _tell(RETURNED, entry, sheet, user_ids_who_may(Action.FILL, sheet.org),
              reason=_reasons(sheet, entry.comment))


def passed(entry) -> None:
    sheet = _sheet(entry)
    if sheet is not None:
        _tell(PASSED, entry, sheet, user_ids_who_may(Action.SCORE, sheet.assessor))


def scored(entry) -> None:
    sheet = _sheet(entry)
    if sheet is not None:
        _tell(SCORED, entry, sheet, user_ids_who_may(Action.FILL, sheet.org))


def finalised(entry) -> None:
    sheet = _sheet(entry)
    if sheet is not None:
        _tell(FINALISED, entry, sheet, user_ids_who_may(Action.FILL, sheet.org))


HANDLERS = {
    "assessment.sheet.submit": submitted,
    "assessment.sheet.return": returned,
    "assessment.sheet.pass": passed,
    "assessment.sheet.score": scored,
    "assessment.sheet.finalise": finalised,
}


# --- deadline reminders (a daily job) ----------------------------------------------------------

def rounds_to_remind(day: dt.date):
    """Rounds whose deadline is 7 or 1 days away, or past - a past one only while it is of this
    year or the last (a sheet left unsubmitted in an old round is not nagged about for ever)."""
    soon = [day + dt.timedelta(days=days) for days in REMINDER_DAYS]
    overdue = Q(deadline__lt=day, year__gte=day.year - OVERDUE_YEARS)
    return Round.objects.filter(Q(deadline__in=soon) | overdue).select_related("assessor")


def _round_messages(round_: Round) -> dict[int, Message]:
    """{user id: the message} for one round: each staff member and reviewer of its sheets not
    yet submitted, with the unions they wait for."""
    sheets = list(round_.sheets.filter(status__in=(SheetStatus.DRAFT, SheetStatus.RETURNED))
                  .select_related("org", "assessor").order_by("org__tree_id", "org__lft"))
    if not sheets:
        return {}
    waiting: dict[int, list[Sheet]] = defaultdict(list)
    by_org = {sheet.org_id: sheet for sheet in sheets}
    units = [sheet.org for sheet in sheets]
    for org_id, user_ids in granted_on(units, Action.FILL).items():
        for user_id in user_ids:
            waiting[user_id].append(by_org[org_id])
    for org_id, user_ids in nearest_by_org(units, Action.REVIEW).items():
        for user_id in user_ids:
            waiting[user_id].append(by_org[org_id])
    messages = {}
    for user_id, own in waiting.items():
        names = [sheet.org.name for sheet in own[:LISTED_ORGS]]
        orgs = "、".join(names) + ("…" if len(own) > LISTED_ORGS else "")
        link = own[0].get_absolute_url() if len(own) == 1 else reverse("assessment:index")
        messages[user_id] = Message({"year": round_.year, "assessor": round_.assessor.name,
                                     "deadline": round_.deadline.isoformat(), "count": len(own),
                                     "orgs": orgs}, link)
    return messages


def remind_deadlines(day: dt.date) -> int:
    """The day's deadline reminders; keyed by round and day, so a second run writes nothing."""
    written = 0
    for round_ in rounds_to_remind(day):
        written += notify_each(DEADLINE, _round_messages(round_),
                               key=f"{DEADLINE}:{round_.pk}:{day.isoformat()}")
    return written


def connect() -> None:
    register_kinds()
    hooks.on_actions("assessment", HANDLERS)
    register_daily("assessment-deadlines", remind_deadlines)
