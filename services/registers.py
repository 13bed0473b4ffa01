"""The registers a user can open from their landing pages (劳模名册, 劳模经费预算, 工会经费,
互助一日捐), counted per top org the user works at, in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from orgs.access import Action, scope_orgs
from orgs.models import Org
from orgs.selectors import top_orgs
from services.models import FundRecord, ModelWorker, MutualAidRound


@dataclass
class Registers:
    org: Org
    model_workers: int
    fund_records: int
    latest_fund_year: int | None
    mutual_aid_rounds: int

    @property
    def any(self) -> bool:
        return bool(self.model_workers or self.fund_records or self.mutual_aid_rounds)


def _in_subtree(org: Org) -> Q:
    return Q(org__tree_id=org.tree_id, org__lft__gte=org.lft, org__rght__lte=org.rght)


def registers_of(user) -> list[Registers]:
    """One entry per top org of the user that has any register below it (four queries,
    however many orgs: one conditional count per register)."""
    tops = top_orgs(user)
    if not tops:
        return []
    visible = scope_orgs(Org.objects.all(), user, Action.VIEW)

    def aggregate(model, **extra):
        figures = {f"n{i}": Count("pk", filter=_in_subtree(org)) for i, org in enumerate(tops)}
        for name, build in extra.items():
            figures.update({f"{name}{i}": build(org) for i, org in enumerate(tops)})
        return model.objects.filter(org__in=visible).aggregate(**figures)

    workers = aggregate(ModelWorker)
    funds = aggregate(FundRecord, latest=lambda org: Max("year", filter=_in_subtree(org)))
    rounds = aggregate(MutualAidRound)
    found = [Registers(org=org, model_workers=workers[f"n{i}"], fund_records=funds[f"n{i}"],
                       latest_fund_year=funds[f"latest{i}"], mutual_aid_rounds=rounds[f"n{i}"])
             for i, org in enumerate(tops)]
    return [entry for entry in found if entry.any]
