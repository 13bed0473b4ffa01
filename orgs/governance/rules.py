"""The rules of seed 004, as pure functions (no database; ``today`` always passed in).

Sources (fixtures/sources/004_…txt):
- 会议制度: the full committee meets once a year (全委会 原则上一年举行一次), the standing
  committee once a quarter (常委会 原则上每个季度召开一次).
- 职工代表大会制度 3、4: the congress meets at least once a year; an election or resolution needs
  more than half of ALL delegates (必须经全体职工代表过半数通过), not of those present.
- 实施细则 第十一条: delegates serve two years (每两年改选一次); 第十二条: by-elections; 第十三条:
  non-voting (列席) and invited (特邀) attendees together at most one fifth of the delegates;
  第二十条: six special committees of nine to eleven members, one chair and one vice-chair each.
- 平等协商制度: yearly (一年协商一次); 3–5 representatives a side, the union's chief
  representative is its chair; the terms go to the workers' congress, then the contract is signed.
- 财务管理制度: 一支笔 — handler and witness sign, the chair approves, only then is it paid; a cash
  advance is settled within the month (本月内须结清).
- 工作制度（九）: elections on time (按期换届选举) — a reminder before a committee term ends.

Periods are calendar periods: "at least quarterly" means a meeting in every calendar quarter.
A quarter (or year) without one is flagged as overdue, naming the period missed, through the
current and the previous calendar year (LOOKBACK_YEARS) even after the union catches up; a
period that ended before the union's records began does not count.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _


class Status(StrEnum):
    KEPT = "kept"
    DUE_SOON = "due"
    OVERDUE = "overdue"
    NOT_APPLICABLE = "na"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.KEPT: gettext_lazy("kept"),
    Status.DUE_SOON: gettext_lazy("due soon"),
    Status.OVERDUE: gettext_lazy("overdue"),
    Status.NOT_APPLICABLE: gettext_lazy("not applicable"),
}


class Period(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


# How long before a period or term ends the portal starts warning.
DUE_SOON_DAYS = {Period.QUARTER: 30, Period.YEAR: 60}
# A period missed since the union's records began stays flagged through the current and the
# previous calendar year, even after the union catches up.
LOOKBACK_YEARS = 1
TERM_REMINDER_DAYS = 90  # committee terms and delegates' mandates
ADVANCE_REMINDER_DAYS = 7  # an unsettled advance in the last week of its month
DELEGATE_TERM_YEARS = 2
# A base union's committee serves three to five years (工会法 第十五条); five unless the union
# records otherwise (a founding election records a five-year first term).
COMMITTEE_TERM_YEARS = 5
COMMITTEE_SIZE = (9, 11)
SPECIAL_COMMITTEES = 6
REPRESENTATIVES = (3, 5)
NON_VOTING_SHARE = (1, 5)  # at most one fifth of the delegates


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    requirement: str
    # Collective consultation (集体协商) is an enterprise union's (企业工会), not a government
    # office's (机关工会): it applies to base unions marked ``Org.is_enterprise``.
    enterprise_only: bool = False


RULES = (
    Rule("full", gettext_lazy("Full committee"), gettext_lazy("at least once a year")),
    Rule("standing", gettext_lazy("Standing committee"), gettext_lazy("at least once a quarter")),
    Rule("congress", gettext_lazy("Congress session"), gettext_lazy("at least once a year")),
    Rule("delegates", gettext_lazy("Delegates' terms"), gettext_lazy("re-elected every two years")),
    Rule("committees", gettext_lazy("Special committees"),
         gettext_lazy("six, 9 to 11 members each, a chair and a vice-chair")),
    Rule("consultation", gettext_lazy("Collective consultation"), gettext_lazy("once a year"),
         enterprise_only=True),
    Rule("contract", gettext_lazy("Collective contract"),
         gettext_lazy("current, approved by the congress"), enterprise_only=True),
    Rule("term", gettext_lazy("Committee term"), gettext_lazy("elections on time")),
    Rule("advances", gettext_lazy("Cash advances"), gettext_lazy("settled within the month")),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def must_consult(org_kind: str, is_enterprise: bool) -> bool:
    """Whether a union holds collective consultation: a base union of an enterprise."""
    return org_kind == "base" and is_enterprise


def applies(rule: Rule, org_kind: str, *, is_enterprise: bool = True) -> bool:
    return not rule.enterprise_only or must_consult(org_kind, is_enterprise)


@dataclass(frozen=True)
class Check:
    """One rule's status for one union, with a sentence saying why and the date that matters."""

    rule: str
    status: Status
    detail: str = ""
    due: dt.date | None = None
    missed: tuple[str, ...] = field(default_factory=tuple)  # earlier periods without a record


# Periods -------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)  # (pure; a city's dashboard asks it some 135,000 times)
def period_bounds(day: dt.date, period: Period) -> tuple[dt.date, dt.date]:
    """The calendar quarter or year holding ``day``: (first day, last day)."""
    if period is Period.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end = (dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1))
    return start, end - dt.timedelta(days=1)


def previous_period(day: dt.date, period: Period) -> tuple[dt.date, dt.date]:
    start, _end = period_bounds(day, period)
    return period_bounds(start - dt.timedelta(days=1), period)


def period_label(day: dt.date, period: Period) -> str:
    return _period_label(day, period, get_language())


@lru_cache(maxsize=1024)  # per language: a city's dashboard names the same few periods 5,000 times
def _period_label(day: dt.date, period: Period, _language: str) -> str:
    if period is Period.YEAR:
        return _("%(year)d") % {"year": day.year}
    return _("%(year)d Q%(quarter)d") % {"year": day.year, "quarter": (day.month - 1) // 3 + 1}


def lookback_start(today: dt.date) -> dt.date:
    """How far back a missed period still counts: the start of the previous calendar year."""
    return dt.date(today.year - LOOKBACK_YEARS, 1, 1)


def lookback_periods(today: dt.date, period: Period) -> list[tuple[dt.date, dt.date]]:
    """The completed periods of the look-back (the previous year and the current one so far),
    latest first: 4 to 7 quarters, or last year."""
    return list(_lookback_periods(today, period))


@lru_cache(maxsize=256)
def _lookback_periods(today: dt.date, period: Period) -> tuple[tuple[dt.date, dt.date], ...]:
    first = lookback_start(today)
    periods = []
    start, _end = period_bounds(today, period)
    while True:
        bounds = period_bounds(start - dt.timedelta(days=1), period)
        if bounds[0] < first:
            return tuple(periods)
        periods.append(bounds)
        start = bounds[0]


def missed_periods(today: dt.date, period: Period, held: set[dt.date],
                   since: dt.date | None) -> list[tuple[dt.date, dt.date]]:
    """The completed periods of the look-back without a record, latest first.

    ``held``: the first days of the periods that have one; ``since``: when the union began
    keeping records (None: no records at all). Periods that ended before ``since`` do not count."""
    if since is None:
        return []
    return [(start, end) for start, end in lookback_periods(today, period)
            if start not in held and end >= since]


def periodic_check(rule: str, *, today: dt.date, period: Period, held: set[dt.date],
                   last: dt.date | None = None, since: dt.date | None = None) -> Check:
    """A "at least once per period" rule.

    ``held``: the first days of the periods (the current one and those of the look-back) with a
    record; ``since``: the date the union's records began (None: it has none).

    Overdue: the last completed period had none and the current one has none yet; or a completed
    period of the look-back (since the records began) had none: a missed quarter or year stays
    flagged after the union catches up, naming the periods missed (``Check.missed``).
    Due soon: none yet in the current period, which ends within DUE_SOON_DAYS.
    Kept: otherwise.
    """
    start, end = period_bounds(today, period)
    prev_start, prev_end = previous_period(today, period)
    held_current, held_previous = start in held, prev_start in held
    missed_bounds = missed_periods(today, period, held, since)
    missed = tuple(period_label(p_start, period) for p_start, _p_end in missed_bounds)
    last_text = _("last on %(date)s") % {"date": last.isoformat()} if last else _("none recorded")
    if not held_previous and not held_current:
        return Check(rule, Status.OVERDUE,
                     _("none in %(period)s; %(last)s") % {"period": period_label(prev_start, period),
                                                         "last": last_text},
                     due=end, missed=missed)
    if missed:
        return Check(rule, Status.OVERDUE,
                     _("missed: %(periods)s; %(last)s")
                     % {"periods": _(", ").join(reversed(missed)), "last": last_text},
                     due=missed_bounds[0][1], missed=missed)
    if not held_current and (end - today).days < DUE_SOON_DAYS[period]:
        return Check(rule, Status.DUE_SOON,
                     _("none yet in %(period)s, which ends on %(date)s")
                     % {"period": period_label(today, period), "date": end.isoformat()},
                     due=end, missed=missed)
    return Check(rule, Status.KEPT, last_text, due=None if held_current else end, missed=missed)


def periodic_check_from_dates(rule: str, dates, *, today: dt.date, period: Period,
                              since: dt.date | None = None) -> Check:
    """``periodic_check`` from the dates of the records themselves.

    ``since``: when the union began keeping records (by default its first record here)."""
    dates = [day for day in dates if day <= today]
    if since is None:
        since = min(dates, default=None)
    return periodic_check(
        rule, today=today, period=period,
        held={period_bounds(day, period)[0] for day in dates},
        last=max(dates, default=None), since=since,
    )


# Congress ------------------------------------------------------------------------------------

def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def delegate_term_end(start: dt.date) -> dt.date:
    """A mandate starting on ``start`` runs two years: to the day before its second anniversary."""
    return add_years(start, DELEGATE_TERM_YEARS) - dt.timedelta(days=1)


def serving_on(day: dt.date, start: dt.date, end: dt.date, ended_on: dt.date | None) -> bool:
    """Whether a mandate counts among the delegates on ``day``."""
    return start <= day <= end and (ended_on is None or ended_on > day)


def resolution_passes(votes_for: int, delegates_total: int) -> bool:
    """More than half of ALL delegates serving, not of those present: exactly half fails."""
    return delegates_total > 0 and 2 * votes_for > delegates_total


def votes_problems(*, votes_for: int, votes_against: int, abstentions: int,
                   delegates_present: int, delegates_total: int) -> list[str]:
    problems = []
    if delegates_total <= 0:
        problems.append(_("The congress has no delegates serving on the session's date."))
    cast = votes_for + votes_against + abstentions
    if cast > delegates_present:
        problems.append(
            _("%(cast)d votes were cast but only %(present)d delegates attended.")
            % {"cast": cast, "present": delegates_present}
        )
    return problems


# Attendance (quorum): fractions as (numerator, denominator), never floats ------------------------

def congress_quorum_needed(delegates_total: int, share: tuple[int, int]) -> int:
    """A workers' congress opens with AT LEAST ``share`` of all delegates present (企业民主管理规定:
    two thirds by default): the fewest delegates that makes."""
    numerator, denominator = share
    return -(-numerator * delegates_total // denominator)  # ceiling, in integers


def committee_quorum_needed(members_total: int, share: tuple[int, int]) -> int:
    """A committee meeting needs MORE than ``share`` of its members (half by default)."""
    numerator, denominator = share
    return numerator * members_total // denominator + 1


def share_text(share: tuple[int, int]) -> str:
    numerator, denominator = share
    return f"{numerator}/{denominator}"


def congress_quorum_problem(*, present: int, delegates_total: int, share: tuple[int, int]) -> str:
    """The sentence naming the rule when a session is below its quorum ("" when it is not)."""
    needed = congress_quorum_needed(delegates_total, share)
    if present >= needed:
        return ""
    return (_("Only %(present)d of %(total)d delegates present: a workers' congress opens only with "
              "at least %(share)s of all delegates present, that is %(needed)d (企业民主管理规定).")
            % {"present": present, "total": delegates_total, "share": share_text(share),
               "needed": needed})


def committee_quorum_problem(*, present: int, members_total: int, share: tuple[int, int]) -> str:
    needed = committee_quorum_needed(members_total, share)
    if present >= needed:
        return ""
    return (_("Only %(present)d of %(total)d members present: a committee meeting needs more than "
              "%(share)s of its members present, that is %(needed)d.")
            % {"present": present, "total": members_total, "share": share_text(share),
               "needed": needed})


def committee_term_problem(start: dt.date, end: dt.date) -> str:
    """换届: a committee serves at most COMMITTEE_TERM_YEARS years (工会法 第十五条)."""
    if end > committee_term_end(start, COMMITTEE_TERM_YEARS):
        return (_("A committee term is at most %(years)d years (工会法 第十五条: 每届任期三年或者五年); "
                  "this one runs from %(start)s to %(end)s.")
                % {"years": COMMITTEE_TERM_YEARS, "start": start.isoformat(), "end": end.isoformat()})
    return ""


def delegate_term_problem(start: dt.date, end: dt.date, *, by_election: bool = False) -> str:
    """Delegates serve two years (实施细则 第十一条); a by-election serves the rest of a term,
    never longer."""
    rule_end = delegate_term_end(start)
    if end == rule_end or (by_election and start <= end < rule_end):
        return ""
    return (_("A delegate's term is %(years)d years (实施细则 第十一条: 每两年改选一次): from %(start)s "
              "it ends on %(rule_end)s, not %(end)s.")
            % {"years": DELEGATE_TERM_YEARS, "start": start.isoformat(),
               "rule_end": rule_end.isoformat(), "end": end.isoformat()})


def non_voting_allowed(delegates_total: int) -> int:
    """How many non-voting and invited attendees a session of ``delegates_total`` may have."""
    numerator, denominator = NON_VOTING_SHARE
    return delegates_total * numerator // denominator


def non_voting_within_limit(*, non_voting: int, invited: int, delegates_total: int) -> bool:
    """列席 + 特邀 ≤ one fifth of the delegates (第十三条)."""
    numerator, denominator = NON_VOTING_SHARE
    return denominator * (non_voting + invited) <= numerator * delegates_total


def delegate_terms_check(*, serving: int, lapsed: int, next_end: dt.date | None,
                         today: dt.date, rule: str = "delegates") -> Check:
    """Mandates run two years.  Overdue: none serving, or a mandate past its end that was not
    renewed or closed; due soon: one ends within TERM_REMINDER_DAYS."""
    if lapsed:
        return Check(rule, Status.OVERDUE,
                     _("%(count)d delegates' terms have ended without re-election") % {"count": lapsed})
    if serving == 0:
        return Check(rule, Status.OVERDUE, _("no delegates serving"))
    if next_end is not None and (next_end - today).days <= TERM_REMINDER_DAYS:
        return Check(rule, Status.DUE_SOON,
                     _("%(count)d delegates serving; the next term ends on %(date)s")
                     % {"count": serving, "date": next_end.isoformat()}, due=next_end)
    return Check(rule, Status.KEPT, _("%(count)d delegates serving") % {"count": serving},
                 due=next_end)


def committee_problems(*, size: int, chairs: int, vice_chairs: int, not_serving: int = 0) -> list[str]:
    """``not_serving``: members held to the delegate rule (all but those the congress took on
    as non-delegates, 第二十条 聘请非代表职工) who are not serving delegates."""
    low, high = COMMITTEE_SIZE
    problems = []
    if not_serving:
        problems.append(_("%(count)d members are neither serving delegates nor marked as non-delegate members")
                        % {"count": not_serving})
    if not low <= size <= high:
        problems.append(_("%(size)d members; a special committee has %(low)d to %(high)d")
                        % {"size": size, "low": low, "high": high})
    if chairs != 1:
        problems.append(_("%(count)d chairs; it needs exactly one") % {"count": chairs})
    if vice_chairs != 1:
        problems.append(_("%(count)d vice-chairs; it needs exactly one") % {"count": vice_chairs})
    return problems


def special_committees_check(*, complete: int, formed: int, has_congress: bool,
                             rule: str = "committees") -> Check:
    """The six special committees exist, each with 9–11 members, a chair and a vice-chair."""
    if not has_congress:
        return Check(rule, Status.OVERDUE, _("no congress recorded"))
    if complete >= SPECIAL_COMMITTEES:
        return Check(rule, Status.KEPT, _("all six complete"))
    return Check(rule, Status.OVERDUE,
                 _("%(complete)d of six complete (%(formed)d formed)")
                 % {"complete": complete, "formed": formed})


# Collective consultation ---------------------------------------------------------------------

def representatives_problems(*, union_side: list[str], employer_side: list[str],
                             union_chair: str | None) -> list[str]:
    """3–5 a side, the union's chief representative (listed first) is its chair."""
    low, high = REPRESENTATIVES
    problems = []
    for label, side in ((_("union side"), union_side), (_("employer side"), employer_side)):
        if not low <= len(side) <= high:
            problems.append(_("%(side)s has %(count)d representatives; each side has %(low)d to %(high)d")
                            % {"side": label, "count": len(side), "low": low, "high": high})
    if union_chair is None:
        problems.append(_("No committee term is recorded for the consultation date, so the union's "
                          "chair is unknown; record the committee term first."))
    elif union_side and union_side[0] != union_chair:
        problems.append(_("The union's chief representative must be its chair, %(chair)s.")
                        % {"chair": union_chair})
    return problems


def contract_current(*, signed_on: dt.date | None, valid_until: dt.date | None, approved: bool,
                     today: dt.date) -> bool:
    """A collective contract approved by the congress, signed, and not expired."""
    return (approved and signed_on is not None and signed_on <= today
            and valid_until is not None and valid_until >= today)


def contract_check(*, current_until: dt.date | None, today: dt.date, rule: str = "contract") -> Check:
    """``current_until``: the latest end date among the union's current contracts."""
    if current_until is None:
        return Check(rule, Status.OVERDUE, _("no current collective contract"))
    if (current_until - today).days <= TERM_REMINDER_DAYS:
        return Check(rule, Status.DUE_SOON, _("the contract ends on %(date)s")
                     % {"date": current_until.isoformat()}, due=current_until)
    return Check(rule, Status.KEPT, _("current until %(date)s") % {"date": current_until.isoformat()},
                 due=current_until)


# Elections and terms -------------------------------------------------------------------------

def committee_term_end(start: dt.date, years: int = COMMITTEE_TERM_YEARS) -> dt.date:
    """A committee elected on ``start`` serves to the day before the ``years``-th anniversary."""
    return add_years(start, years) - dt.timedelta(days=1)


def term_check(*, end: dt.date | None, today: dt.date, rule: str = "term") -> Check:
    """The latest committee term: overdue once it ended without a new one, a reminder before."""
    if end is None:
        return Check(rule, Status.OVERDUE, _("no committee term recorded"))
    if end < today:
        return Check(rule, Status.OVERDUE, _("the term ended on %(date)s; the election is overdue")
                     % {"date": end.isoformat()}, due=end)
    if (end - today).days <= TERM_REMINDER_DAYS:
        return Check(rule, Status.DUE_SOON, _("the term ends on %(date)s; prepare the election")
                     % {"date": end.isoformat()}, due=end)
    return Check(rule, Status.KEPT, _("the term runs until %(date)s") % {"date": end.isoformat()},
                 due=end)


# Expenses ------------------------------------------------------------------------------------

def payment_problems(*, handler_signed: bool, witness_signed: bool, approved: bool,
                     amount: Decimal, method: str, bank_transfer_from: Decimal | None) -> list[str]:
    """一支笔: both signatures and the chair's approval before payment; large sums by bank."""
    problems = []
    if not handler_signed:
        problems.append(_("The handler has not signed."))
    if not witness_signed:
        problems.append(_("The witness has not signed."))
    if not approved:
        problems.append(_("The chair has not approved it."))
    if method == "cash" and bank_transfer_from is not None and amount >= bank_transfer_from:
        problems.append(_("%(amount)s yuan or more is paid by bank transfer, not in cash.")
                        % {"amount": bank_transfer_from})
    return problems


def advance_due(paid_on: dt.date) -> dt.date:
    """An advance is settled within the month it was paid: by its last day."""
    first_of_next = dt.date(paid_on.year + (paid_on.month == 12), paid_on.month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def advances_check(*, oldest_unsettled: dt.date | None, unsettled: int, today: dt.date,
                   rule: str = "advances") -> Check:
    """``oldest_unsettled``: the payment date of the oldest advance not yet settled."""
    if oldest_unsettled is None:
        return Check(rule, Status.KEPT, _("no advance outstanding"))
    due = advance_due(oldest_unsettled)
    if today > due:
        return Check(rule, Status.OVERDUE,
                     _("%(count)d advances outstanding; the oldest was due on %(date)s")
                     % {"count": unsettled, "date": due.isoformat()}, due=due)
    if (due - today).days < ADVANCE_REMINDER_DAYS:
        return Check(rule, Status.DUE_SOON, _("%(count)d advances to settle by %(date)s")
                     % {"count": unsettled, "date": due.isoformat()}, due=due)
    return Check(rule, Status.KEPT, _("%(count)d advances outstanding, due %(date)s")
                 % {"count": unsettled, "date": due.isoformat()}, due=due)
