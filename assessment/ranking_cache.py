"""A round's ranking, computed once per version of its data and per scope, kept in the shared cache.

Ranking 5,000 sheets is Python over every row (``selectors.ranking``); the page shows 100 of
them.  So the whole ranking is computed once and stored as a summary plus one entry per page
(all units, and each system union's), and a request reads the summary and its one page.

The key holds everything the ranking is read from, so no entry outlives a write and none is
shown to a reader with another scope:

- the round's and the previous round's sheets with a final total (the rows it ranks): their
  count, highest id, sum of versions and latest ``updated_at`` (every write saves a new version
  or ``updated_at``: ``save_new_version``, ``bump_versions``, the regrouping's save; a deletion
  lowers the count); of the others only their count (the ranking shows how many are unranked):
  a staff member's draft save, the season's commonest write, leaves the ranking as it is;
- the orgs: their count, latest ``updated_at`` and the sum of ``lft`` × ``id`` (a rename, or a
  move that changes whose subtree a sheet lies in);
- the reader's scope: superuser, or the (role, org) of each of their grants — readers with the
  same grants see the same sheets, so they share the entry;
- the language the labels are kept in.

The version itself is read once per write to sheets or orgs (or a minute), not per request.
"""

import hashlib

from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Q, Subquery, Sum
from django.utils.translation import get_language

from assessment import selectors
from assessment.models import Round, Sheet
from orgs.models import Org
from orgs.selectors import user_scope
from unionportal import page_cache
from unionportal.page_cache import PAGES_CACHE

PAGE_SIZE = 100

TIMEOUT = 600  # seconds; a stale key is never read again (the key changes), this only frees memory


def _cache():
    return caches[PAGES_CACHE]


def data_version(round_: Round) -> tuple:
    """What the ranking of ``round_`` is computed from, as it stands now (two queries)."""
    previous = (Round.objects.filter(assessor_id=round_.assessor_id, year__lt=round_.year)
                .order_by("-year").values("pk")[:1])
    ranked, unranked = Q(final_total__isnull=False), Q(final_total__isnull=True)
    sheets = Sheet.objects.filter(Q(round_id=round_.pk) | Q(round_id=Subquery(previous))).aggregate(
        n=Count("pk", filter=ranked), top=Max("pk", filter=ranked), versions=Sum("version", filter=ranked),
        at=Max("updated_at", filter=ranked), unranked=Count("pk", filter=unranked))
    # lft × id: a move shifts the bounds of rows it does not save (whose subtree a sheet is in).
    orgs = Org.objects.aggregate(n=Count("pk"), at=Max("updated_at"), shape=Sum(F("lft") * F("id")))
    return (sheets["n"], sheets["top"], sheets["versions"], _stamp(sheets["at"]), sheets["unranked"],
            orgs["n"], orgs["shape"], _stamp(orgs["at"]))


def _stamp(moment) -> str:
    return moment.isoformat() if moment else ""


def ranking_key(request, round_: Round) -> str:
    # The data's version itself (two aggregates over the round's sheets and the tree) is the
    # same for every reader: read again only after a write to sheets or orgs (or a minute).
    version = page_cache.until_written(f"assessment:ranking-version:{round_.pk}", ("orgs", "assessment"),
                                       lambda: data_version(round_))
    # The reader's scope as the gate decides it (the grants the request has read already).
    parts = (round_.pk, version, user_scope(request).signature(), get_language())
    return "assessment:ranking:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _compute(user, round_: Round, key: str) -> tuple[selectors.Ranking, dict[str, int], dict[str, list]]:
    """Rank the round's sheets the user sees; store the summary and every page (all units, and
    per system union) under ``key``; return the summary, the row count per group and the pages."""
    ranking = selectors.ranking(round_, selectors.round_sheets(user, round_))
    by_group: dict[str, list] = {"": ranking.rows}
    for row in ranking.rows:
        if row.group_code:
            by_group.setdefault(row.group_code, []).append(row)
    pages, counts = {}, {}
    for group, rows in by_group.items():
        counts[group] = len(rows)
        for start in range(0, len(rows), PAGE_SIZE):
            pages[f"{key}:{group}:{start // PAGE_SIZE + 1}"] = rows[start:start + PAGE_SIZE]
    summary = selectors.Ranking(**{**ranking.__dict__, "rows": []})
    _cache().set_many({**pages, key: (summary, counts)}, TIMEOUT)
    return summary, counts, pages


def ranking_page(request, round_: Round, group: str, page_number) -> tuple[selectors.Ranking, Page, str]:
    """The round's ranking summary (without its rows), one page of rows, of all units or of
    the system union ``group``, as the request's user may see them, and the key they are kept
    under (the page's fragment cache uses it too)."""
    user = request.user
    key = ranking_key(request, round_)
    found, pages = _cache().get(key), None
    if found is None:
        *found, pages = _compute(user, round_, key)
    summary, counts = found
    paginator = Paginator(range(counts.get(group, 0)), PAGE_SIZE)
    number = paginator.get_page(page_number).number
    page_key = f"{key}:{group}:{number}"
    rows = pages.get(page_key, []) if pages is not None else _cache().get(page_key)
    if rows is None:  # the page was evicted before its summary: compute once more
        summary, counts, pages = _compute(user, round_, key)
        rows = pages.get(page_key, [])
    return summary, Page(rows, number, paginator), key
