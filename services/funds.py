"""Union funds (工会经费) and mutual aid (职工互助一日捐) of seed 002: the arithmetic and the
writes.  Dues are 2 % of the payroll; 40 % of the dues go to the city federation above and
60 % stay with the union.  A mutual-aid round that paid out under 70 % of what it raised is
flagged and cannot be closed as compliant.  Money is integer yuan, computed in decimals.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.access import Action, require
from services.models import FundRecord, MutualAidRound, RoundStatus
from unionportal import audit
from unionportal.actors import user_or_none
from unionportal.concurrency import lock

DUES_PERCENT = 2
UPWARD_PERCENT = 40  # to the city federation above (市总工会)
RETAINED_PERCENT = 60
MUTUAL_AID_MIN_PAYOUT_PERCENT = 70


def _yuan(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Split:
    payroll: int
    dues: int
    upward: int
    retained: int


def split(payroll: int) -> Split:
    """payroll → dues (2 %) → 40 % up, 60 % kept; the two shares always add up to the dues."""
    dues = _yuan(Decimal(payroll) * DUES_PERCENT / 100)
    upward = _yuan(Decimal(dues) * UPWARD_PERCENT / 100)
    return Split(payroll=payroll, dues=dues, upward=upward, retained=dues - upward)


@dataclass
class FundRow:
    record: FundRecord
    split: Split

    @property
    def received(self) -> int:
        return self.record.received

    @property
    def arrears(self) -> int:
        return max(self.split.upward - self.record.received, 0)

    @property
    def percent(self) -> int:
        if not self.split.upward:
            return 100
        return min(100, int(self.record.received * 100 / self.split.upward))


def _total(value):
    """A summary's column total: ``value(row)`` summed over its rows."""
    return property(lambda self: sum(value(row) for row in self.rows))


@dataclass
class FundSummary:
    rows: list[FundRow]

    payroll = _total(lambda row: row.split.payroll)
    dues = _total(lambda row: row.split.dues)
    upward = _total(lambda row: row.split.upward)
    retained = _total(lambda row: row.split.retained)
    received = _total(lambda row: row.received)
    arrears = _total(lambda row: row.arrears)

    @property
    def percent(self) -> int:
        return min(100, int(self.received * 100 / self.upward)) if self.upward else 100


def summarise(records) -> FundSummary:
    return FundSummary([FundRow(record, split(record.payroll)) for record in records])


def record_funds(*, actor, org, year: int, payroll: int, received: int = 0,
                 is_demo: bool = False) -> FundRecord:
    """Set one union's payroll and received dues for a year (creates or updates)."""
    require(actor, Action.MANAGE, org)
    if payroll < 0 or received < 0:
        raise ValidationError(_("Amounts cannot be negative."))
    with transaction.atomic():
        record = (FundRecord.objects.select_for_update().filter(org=org, year=year).first()
                  or FundRecord(org=org, year=year, is_demo=is_demo))
        return _write_amounts(actor, record, org, "funds.record", payroll=payroll,
                              received=received)


def _write_amounts(actor, row, org, action: str, **amounts):
    """Set ``amounts`` on ``row`` (new, or locked by the caller), save it and audit a change."""
    before = audit.snapshot(row, list(amounts)) if row.pk else None
    for name, value in amounts.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    after = audit.snapshot(row, list(amounts))
    if before != after:
        audit.record(actor=actor, action=action, instance=row, org=org, before=before, after=after)
    return row


def payout_percent(round_: MutualAidRound) -> Decimal | None:
    """The share paid out, to one decimal; where rounding would hide a shortfall (69.99 % shown
    as 70.0 %), two decimals, rounded down, so a flagged round never reads as 70 %."""
    if not round_.raised:
        return None
    exact = Decimal(round_.paid) * 100 / Decimal(round_.raised)
    shown = exact.quantize(Decimal("0.1"), ROUND_HALF_UP)
    if is_flagged(round_) and shown >= MUTUAL_AID_MIN_PAYOUT_PERCENT:
        shown = exact.quantize(Decimal("0.01"), ROUND_DOWN)
    return shown


def is_flagged(round_: MutualAidRound) -> bool:
    """Paid out under 70 % of what was raised (exact integer comparison, no rounding)."""
    return round_.raised > 0 and round_.paid * 100 < round_.raised * MUTUAL_AID_MIN_PAYOUT_PERCENT


def record_round(*, actor, org, year: int, name: str, raised: int, paid: int,
                 is_demo: bool = False) -> MutualAidRound:
    require(actor, Action.MANAGE, org)
    if raised < 0 or paid < 0:
        raise ValidationError(_("Amounts cannot be negative."))
    with transaction.atomic():
        round_ = (MutualAidRound.objects.select_for_update()
                  .filter(org=org, year=year, name=name).first())
        if round_ is not None and round_.status == RoundStatus.CLOSED:
            if (round_.raised, round_.paid) != (raised, paid):
                raise ValidationError(_("The round is closed; its amounts can no longer change."))
            return round_
        if round_ is None:
            round_ = MutualAidRound(org=org, year=year, name=name, is_demo=is_demo)
        return _write_amounts(actor, round_, org, "mutual_aid.record", raised=raised, paid=paid)


def close_round(*, actor, round_: MutualAidRound, compliant: bool, comment: str = "",
                now=None) -> MutualAidRound:
    """Close a round; a flagged one (under 70 % paid out) cannot be closed as compliant."""
    require(actor, Action.MANAGE, round_.org)
    with transaction.atomic():
        locked = lock(MutualAidRound.objects.select_related("org").filter(pk=round_.pk), None)
        if locked.status == RoundStatus.CLOSED:
            if locked.compliant == compliant:
                return locked  # a repeated close changes nothing
            raise ValidationError(_("The round is already closed."))
        if compliant and is_flagged(locked):
            raise ValidationError(
                _("%(name)s paid out %(percent)s%% of the money raised, under the %(min)d%% the "
                  "rules require: it cannot be closed as compliant.")
                % {"name": locked.name, "percent": payout_percent(locked),
                   "min": MUTUAL_AID_MIN_PAYOUT_PERCENT}
            )
        locked.status = RoundStatus.CLOSED
        locked.compliant = compliant
        locked.closed_at = now or timezone.now()
        locked.closed_by = user_or_none(actor)
        locked.save()
        audit.record(actor=actor, action="mutual_aid.close", instance=locked, org=locked.org,
                     after={"compliant": compliant}, comment=comment)
    return locked
