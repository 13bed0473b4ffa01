"""The registers a user can open from their landing pages (劳模名册, 劳模经费预算, 工会经费,
互助一日捐), counted per top org the user works at, in a fixed number of queries."""

from dataclasses import dataclass

from django.db import connection

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


def registers_of(user, tops: list[Org] | None = None) -> list[Registers]:
    """One entry per top org of the user that has any register below it, in one query however
    many orgs (two when the caller does not pass the user's ``tops``; the landing page does)."""
    tops = top_orgs(user) if tops is None else tops
    if not tops:
        return []
    workers, funds, rounds = _counts(user, tops)
    found = [Registers(org=org, model_workers=workers[i], fund_records=funds[i],
                       latest_fund_year=funds[len(tops) + i], mutual_aid_rounds=rounds[i])
             for i, org in enumerate(tops)]
    return [entry for entry in found if entry.any]


def _counts(user, tops: list[Org]) -> tuple[tuple, tuple, tuple]:
    """Per register table one row: the rows below each top org, then (funds only) the latest
    year below each.  Written as SQL because building the same conditional counts through the
    ORM (three querysets, each compiling the scope's subquery again) cost the landing page
    more CPU than all its other cards; the scope itself still comes from the gate
    (``scope_orgs``), compiled once."""
    visible = scope_orgs(Org.objects.all(), user, Action.VIEW)
    scoped, scope_params = "", []
    if visible.query.where:  # a superuser's scope has no condition: no filter at all
        inner, scope_params = visible.values("pk").query.sql_with_params()
        scoped = f" WHERE r.org_id IN ({inner})"
    below = "o.tree_id = %s AND o.lft >= %s AND o.rght <= %s"
    bounds = [value for org in tops for value in (org.tree_id, org.lft, org.rght)]
    counts = ", ".join(f"COALESCE(SUM(CASE WHEN {below} THEN 1 ELSE 0 END), 0)" for _ in tops)
    latest = ", ".join(f"MAX(CASE WHEN {below} THEN r.year END)" for _ in tops)
    nothing = ", ".join("NULL" for _ in tops)
    parts, params = [], []
    for table, (model, last) in enumerate(((ModelWorker, nothing), (FundRecord, latest), (MutualAidRound, nothing))):
        parts.append(f"SELECT {table}, {counts}, {last} FROM {model._meta.db_table} r "
                     f"JOIN {Org._meta.db_table} o ON o.id = r.org_id{scoped}")
        params += bounds + (bounds if last is latest else []) + list(scope_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    return rows[0], rows[1], rows[2]
