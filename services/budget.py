"""The yearly model-worker budget of a federation (seed 002; the interfaces page's rule).

For YEAR, a model worker counts when alive and first honoured in or before YEAR.  A retired one
receives the honour allowance by the number of honours (1 → 1,500, 2 → 2,000, 3 or more →
2,500 yuan); every one gets the 400-yuan health check.  Every level in the register (city,
provincial, national) is city level or above.  Rates come from the federation's BudgetRate for
YEAR (the nearest one above it otherwise), else seed 002's.  Amounts are integer yuan.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from services.models import BudgetRate, Case, CaseStatus, ModelWorker, ServiceKind
from services.models.workers import DEFAULT_RATES


@dataclass
class Tier:
    label: str
    people: int
    rate: int
    vanished: int = 0  # of them, from enterprises that no longer exist

    @property
    def total(self) -> int:
        return self.people * self.rate


@dataclass
class BudgetReport:
    org: object
    year: int
    rates: dict
    rates_source: str
    counted: int  # living model workers honoured by YEAR (= health checks)
    retirees: int
    tiers: list[Tier] = field(default_factory=list)
    aid_cases: int = 0
    aid_granted: int = 0
    aid_paid: int = 0
    not_counted_dead: int = 0
    not_counted_later: int = 0

    @property
    def allowance_total(self) -> int:
        return sum(tier.total for tier in self.tiers)

    @property
    def health_rate(self) -> int:
        return self.rates["health_check"]

    @property
    def health_total(self) -> int:
        return self.counted * self.health_rate

    @property
    def vanished(self) -> int:
        return sum(tier.vanished for tier in self.tiers)

    @property
    def total(self) -> int:
        return self.allowance_total + self.health_total + self.aid_granted

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(item, people, rate, amount) as printed and exported."""
        rows = [(tier.label, str(tier.people), f"{tier.rate:,}", f"{tier.total:,}")
                for tier in self.tiers]
        rows.append((_("Honour allowances, total"), str(self.retirees), "",
                     f"{self.allowance_total:,}"))
        rows.append((_("Health checks"), str(self.counted), f"{self.health_rate:,}",
                     f"{self.health_total:,}"))
        rows.append((_("Hardship aid granted to model workers"), str(self.aid_cases), "",
                     f"{self.aid_granted:,}"))
        rows.append((_("Total"), "", "", f"{self.total:,}"))
        return rows


def rates_for(org, year: int) -> tuple[dict, str]:
    """The rates for ``org``'s budget of ``year`` and where they come from."""
    candidates = {rate.org_id: rate for rate in
                  BudgetRate.objects.filter(year=year, org__in=org.get_ancestors(include_self=True))}
    for owner in [org, *reversed(list(org.get_ancestors()))]:
        rate = candidates.get(owner.pk)
        if rate is not None:
            values = {key: getattr(rate, key) for key in DEFAULT_RATES}
            return values, _("rates of %(org)s for %(year)d") % {"org": owner.name, "year": year}
    return dict(DEFAULT_RATES), _("standard rates (seed 002)")


def subtree_workers(org):
    return ModelWorker.objects.filter(org__tree_id=org.tree_id, org__lft__gte=org.lft,
                                      org__rght__lte=org.rght)


def budget_report(org, year: int) -> BudgetReport:
    rates, source = rates_for(org, year)
    workers = subtree_workers(org)
    counted = Q(alive=True, first_year__lte=year)
    retired = counted & Q(retired=True)
    vanished = Q(org__is_active=False)
    figures = workers.aggregate(
        counted=Count("id", filter=counted),
        retirees=Count("id", filter=retired),
        one=Count("id", filter=retired & Q(honours=1)),
        two=Count("id", filter=retired & Q(honours=2)),
        three=Count("id", filter=retired & Q(honours__gte=3)),
        one_vanished=Count("id", filter=retired & Q(honours=1) & vanished),
        two_vanished=Count("id", filter=retired & Q(honours=2) & vanished),
        three_vanished=Count("id", filter=retired & Q(honours__gte=3) & vanished),
        dead=Count("id", filter=Q(alive=False, first_year__lte=year)),
        later=Count("id", filter=Q(alive=True, first_year__gt=year)),
    )
    aid = Case.objects.filter(
        service_type__kind=ServiceKind.MODEL_WORKER_AID, status=CaseStatus.COMPLETED,
        closed_at__year=year, applicant__tree_id=org.tree_id, applicant__lft__gte=org.lft,
        applicant__rght__lte=org.rght,
    ).aggregate(n=Count("id"), granted=Sum("aid_granted"), paid=Sum("aid_paid"))
    tiers = [
        Tier(_("Honour allowance, honoured once"), figures["one"], rates["allowance_one"],
             figures["one_vanished"]),
        Tier(_("Honour allowance, honoured twice"), figures["two"], rates["allowance_two"],
             figures["two_vanished"]),
        Tier(_("Honour allowance, honoured three times or more"), figures["three"],
             rates["allowance_three"], figures["three_vanished"]),
    ]
    return BudgetReport(
        org=org, year=year, rates=rates, rates_source=source, counted=figures["counted"],
        retirees=figures["retirees"], tiers=tiers, aid_cases=aid["n"],
        aid_granted=aid["granted"] or 0, aid_paid=aid["paid"] or 0,
        not_counted_dead=figures["dead"], not_counted_later=figures["later"],
    )


def report_headers() -> list[str]:
    return [_("Item"), _("People"), _("Yuan per person"), _("Amount (yuan)")]


def export_rows(report: BudgetReport) -> list[tuple]:
    """The printed rows with people, rates and amounts as numbers (integer yuan), so a
    spreadsheet's SUM over them works; a blank stays blank."""
    def typed(text: str):
        return int(text.replace(",", "")) if text else None

    return [(label, typed(people), typed(rate), typed(amount))
            for label, people, rate, amount in report.rows()]


def write_budget(target, fmt: str, report: BudgetReport) -> None:
    """The report as a spreadsheet (``xlsx``/``csv``), amounts as integer-yuan number cells."""
    from unionportal.tabular import write_table

    write_table(target, fmt, report_headers(), export_rows(report),
                title=f"{report.org.code}-{report.year}")
