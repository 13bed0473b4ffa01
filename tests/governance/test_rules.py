"""The rules of seed 004 at their boundaries (pure functions, dates injected)."""

import datetime as dt
from decimal import Decimal

import pytest

from orgs.governance import rules
from orgs.governance.rules import Period, Status

D = dt.date


# More than half of ALL delegates ------------------------------------------------------------

@pytest.mark.parametrize(("votes_for", "total", "passes"), [
    (50, 100, False),  # exactly half fails
    (51, 100, True),
    (10, 21, False),
    (11, 21, True),  # 11 > 10.5
    (0, 0, False),
])
def test_resolution_needs_more_than_half_of_all_delegates(votes_for, total, passes):
    assert rules.resolution_passes(votes_for, total) is passes


def test_votes_cannot_outnumber_the_delegates_present():
    problems = rules.votes_problems(votes_for=8, votes_against=2, abstentions=1,
                                    delegates_present=10, delegates_total=20)
    assert len(problems) == 1
    assert not rules.votes_problems(votes_for=8, votes_against=1, abstentions=1,
                                    delegates_present=10, delegates_total=20)


# Non-voting and invited at most one fifth ----------------------------------------------------

def test_one_fifth_non_voting_passes_one_more_fails():
    assert rules.non_voting_within_limit(non_voting=3, invited=1, delegates_total=20)
    assert not rules.non_voting_within_limit(non_voting=3, invited=2, delegates_total=20)
    assert rules.non_voting_allowed(20) == 4


def test_one_fifth_rounds_down_for_delegate_counts_not_divisible_by_five():
    assert rules.non_voting_within_limit(non_voting=4, invited=0, delegates_total=24)
    assert not rules.non_voting_within_limit(non_voting=5, invited=0, delegates_total=24)


# Delegates serve two years ------------------------------------------------------------------

def test_a_mandate_runs_two_years_to_the_day_before():
    assert rules.delegate_term_end(D(2024, 3, 1)) == D(2026, 2, 28)
    assert rules.delegate_term_end(D(2024, 2, 29)) == D(2026, 2, 27)


def test_serving_on_boundaries():
    assert rules.serving_on(D(2026, 2, 28), D(2024, 3, 1), D(2026, 2, 28), None)
    assert not rules.serving_on(D(2026, 3, 1), D(2024, 3, 1), D(2026, 2, 28), None)
    assert not rules.serving_on(D(2025, 1, 1), D(2024, 3, 1), D(2026, 2, 28), D(2025, 1, 1))


def test_delegate_terms_check():
    today = D(2026, 6, 1)
    assert rules.delegate_terms_check(serving=0, lapsed=0, next_end=None, today=today).status is Status.OVERDUE
    assert rules.delegate_terms_check(serving=20, lapsed=1, next_end=None, today=today).status is Status.OVERDUE
    soon = today + dt.timedelta(days=rules.TERM_REMINDER_DAYS)
    assert rules.delegate_terms_check(serving=20, lapsed=0, next_end=soon, today=today).status is Status.DUE_SOON
    later = soon + dt.timedelta(days=1)
    assert rules.delegate_terms_check(serving=20, lapsed=0, next_end=later, today=today).status is Status.KEPT


# Meetings: the standing committee quarterly, the full committee yearly ----------------------

def test_period_bounds():
    assert rules.period_bounds(D(2026, 5, 17), Period.QUARTER) == (D(2026, 4, 1), D(2026, 6, 30))
    assert rules.period_bounds(D(2026, 12, 31), Period.QUARTER) == (D(2026, 10, 1), D(2026, 12, 31))
    assert rules.previous_period(D(2026, 1, 1), Period.QUARTER) == (D(2025, 10, 1), D(2025, 12, 31))
    assert rules.previous_period(D(2026, 1, 1), Period.YEAR) == (D(2025, 1, 1), D(2025, 12, 31))


def test_a_quarter_without_a_standing_committee_meeting_is_flagged():
    today = D(2026, 7, 10)  # Q3; Q2 had no meeting
    check = rules.periodic_check_from_dates("standing", [D(2026, 3, 31)], today=today,
                                            period=Period.QUARTER)
    assert check.status is Status.OVERDUE
    assert "2026 Q2" in check.missed or "2026年第2季度" in check.missed


def test_a_meeting_on_the_last_day_of_the_quarter_counts():
    today = D(2026, 7, 10)
    check = rules.periodic_check_from_dates("standing", [D(2026, 6, 30)], today=today,
                                            period=Period.QUARTER)
    assert check.status is Status.KEPT


def test_a_skipped_quarter_stays_flagged_after_the_union_catches_up():
    today = D(2026, 8, 1)  # Q3: Q1 held, Q2 skipped, Q3 caught up
    check = rules.periodic_check_from_dates("standing", [D(2026, 3, 1), D(2026, 7, 20)],
                                            today=today, period=Period.QUARTER, since=D(2026, 1, 1))
    q2 = rules.period_label(D(2026, 4, 1), Period.QUARTER)
    assert check.status is Status.OVERDUE
    assert check.missed == (q2,)
    assert q2 in check.detail
    assert check.due == D(2026, 6, 30)  # when the missed quarter's meeting was due


def test_a_quarter_skipped_earlier_in_the_look_back_is_still_flagged():
    dates = [D(2025, 2, 1), D(2025, 5, 1), D(2025, 11, 1), D(2026, 2, 1), D(2026, 5, 1)]
    check = rules.periodic_check_from_dates("standing", dates, today=D(2026, 5, 20),
                                            period=Period.QUARTER)
    assert check.status is Status.OVERDUE
    assert check.missed == (rules.period_label(D(2025, 7, 1), Period.QUARTER),)


def test_periods_before_the_records_began_or_before_the_look_back_do_not_count():
    # Records began in 2026 Q1: 2025 is not "missed".
    check = rules.periodic_check_from_dates("standing", [D(2026, 2, 1), D(2026, 4, 10)],
                                            today=D(2026, 5, 1), period=Period.QUARTER)
    assert check.status is Status.KEPT and check.missed == ()
    # 2024 Q2 was skipped, but the look-back is the current and the previous year.
    dates = [D(2024, 1, 15)] + [D(year, month, 15) for year in (2024, 2025, 2026)
                                for month in (1, 4, 7, 10) if D(2024, 7, 1) <= D(year, month, 15) <= D(2026, 4, 30)]
    check = rules.periodic_check_from_dates("standing", dates, today=D(2026, 5, 1), period=Period.QUARTER)
    assert check.status is Status.KEPT and check.missed == ()
    assert rules.lookback_periods(D(2026, 5, 1), Period.QUARTER)[-1] == (D(2025, 1, 1), D(2025, 3, 31))
    assert rules.lookback_periods(D(2026, 5, 1), Period.YEAR) == [(D(2025, 1, 1), D(2025, 12, 31))]


def test_a_skipped_year_stays_flagged_after_the_full_committee_meets_again():
    check = rules.periodic_check_from_dates("full", [D(2024, 1, 12), D(2026, 1, 12)],
                                            today=D(2026, 3, 1), period=Period.YEAR)
    assert check.status is Status.OVERDUE
    assert check.missed == (rules.period_label(D(2025, 1, 1), Period.YEAR),)


def test_due_soon_near_the_end_of_the_quarter():
    held_last_quarter = [D(2026, 5, 5)]
    days = rules.DUE_SOON_DAYS[Period.QUARTER]
    end = D(2026, 9, 30)
    just_inside = end - dt.timedelta(days=days - 1)
    just_outside = end - dt.timedelta(days=days)
    assert rules.periodic_check_from_dates("standing", held_last_quarter, today=just_inside,
                                           period=Period.QUARTER).status is Status.DUE_SOON
    assert rules.periodic_check_from_dates("standing", held_last_quarter, today=just_outside,
                                           period=Period.QUARTER).status is Status.KEPT


def test_full_committee_yearly():
    assert rules.periodic_check_from_dates("full", [D(2025, 12, 31)], today=D(2026, 3, 1),
                                           period=Period.YEAR).status is Status.KEPT
    assert rules.periodic_check_from_dates("full", [D(2024, 12, 31)], today=D(2026, 3, 1),
                                           period=Period.YEAR).status is Status.OVERDUE
    assert rules.periodic_check_from_dates("full", [], today=D(2026, 3, 1),
                                           period=Period.YEAR).status is Status.OVERDUE


def test_future_dates_do_not_count():
    check = rules.periodic_check_from_dates("full", [D(2026, 12, 1)], today=D(2026, 3, 1),
                                            period=Period.YEAR)
    assert check.status is Status.OVERDUE


# Special committees ------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "ok"), [(8, False), (9, True), (11, True), (12, False)])
def test_special_committee_has_nine_to_eleven_members(size, ok):
    assert (not rules.committee_problems(size=size, chairs=1, vice_chairs=1)) is ok


def test_special_committee_needs_one_chair_and_one_vice_chair():
    assert rules.committee_problems(size=9, chairs=0, vice_chairs=1)
    assert rules.committee_problems(size=9, chairs=1, vice_chairs=2)


def test_six_committees_complete():
    assert rules.special_committees_check(complete=6, formed=6, has_congress=True).status is Status.KEPT
    assert rules.special_committees_check(complete=5, formed=6, has_congress=True).status is Status.OVERDUE
    assert rules.special_committees_check(complete=0, formed=0, has_congress=False).status is Status.OVERDUE


# Collective consultation -------------------------------------------------------------------

def test_representatives_three_to_five_a_side_and_the_chair_leads():
    three, five, six = ["甲", "乙", "丙"], list("甲乙丙丁戊"), list("甲乙丙丁戊己")
    assert not rules.representatives_problems(union_side=three, employer_side=five, union_chair="甲")
    assert rules.representatives_problems(union_side=three[:2], employer_side=three, union_chair="甲")
    assert rules.representatives_problems(union_side=three, employer_side=six, union_chair="甲")
    assert rules.representatives_problems(union_side=["乙", "甲", "丙"], employer_side=three,
                                          union_chair="甲")
    assert rules.representatives_problems(union_side=three, employer_side=three, union_chair=None)


def test_contract_current_and_its_end():
    today = D(2026, 6, 1)
    assert rules.contract_current(signed_on=D(2025, 3, 1), valid_until=today, approved=True, today=today)
    assert not rules.contract_current(signed_on=D(2025, 3, 1), valid_until=D(2026, 5, 31),
                                      approved=True, today=today)
    assert not rules.contract_current(signed_on=D(2025, 3, 1), valid_until=D(2027, 1, 1),
                                      approved=False, today=today)
    assert rules.contract_check(current_until=None, today=today).status is Status.OVERDUE
    assert rules.contract_check(current_until=D(2027, 6, 1), today=today).status is Status.KEPT


# Elections and terms -----------------------------------------------------------------------

def test_term_reminder_and_overdue_election():
    today = D(2026, 6, 1)
    assert rules.term_check(end=None, today=today).status is Status.OVERDUE
    assert rules.term_check(end=D(2026, 5, 31), today=today).status is Status.OVERDUE
    assert rules.term_check(end=today, today=today).status is Status.DUE_SOON
    reminder = today + dt.timedelta(days=rules.TERM_REMINDER_DAYS)
    assert rules.term_check(end=reminder, today=today).status is Status.DUE_SOON
    assert rules.term_check(end=reminder + dt.timedelta(days=1), today=today).status is Status.KEPT


# Expenses ----------------------------------------------------------------------------------

def test_payment_needs_both_signatures_and_the_chairs_approval():
    base = {"amount": Decimal("100"), "method": "cash", "bank_transfer_from": Decimal("1000")}
    assert not rules.payment_problems(handler_signed=True, witness_signed=True, approved=True, **base)
    assert len(rules.payment_problems(handler_signed=False, witness_signed=False, approved=False, **base)) == 3
    assert rules.payment_problems(handler_signed=True, witness_signed=True, approved=False, **base)


def test_large_sums_are_paid_by_bank_transfer():
    common = {"handler_signed": True, "witness_signed": True, "approved": True,
              "bank_transfer_from": Decimal("1000")}
    assert rules.payment_problems(amount=Decimal("1000"), method="cash", **common)
    assert not rules.payment_problems(amount=Decimal("999.99"), method="cash", **common)
    assert not rules.payment_problems(amount=Decimal("1000"), method="bank", **common)


def test_an_advance_is_settled_within_the_month():
    assert rules.advance_due(D(2026, 3, 10)) == D(2026, 3, 31)
    assert rules.advance_due(D(2026, 12, 5)) == D(2026, 12, 31)
    assert rules.advance_due(D(2024, 2, 1)) == D(2024, 2, 29)
    paid = D(2026, 3, 10)
    assert rules.advances_check(oldest_unsettled=paid, unsettled=1, today=D(2026, 3, 31)).status is Status.DUE_SOON
    assert rules.advances_check(oldest_unsettled=paid, unsettled=1, today=D(2026, 4, 1)).status is Status.OVERDUE
    assert rules.advances_check(oldest_unsettled=paid, unsettled=1, today=D(2026, 3, 12)).status is Status.KEPT
    assert rules.advances_check(oldest_unsettled=None, unsettled=0, today=D(2026, 4, 1)).status is Status.KEPT
