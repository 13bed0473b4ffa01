"""Governance pages that read: the union's page, the dashboard, the overdue export, the minutes
and the PDFs.  Every view finds the org through the scoping gate (404 outside what the user
sees) and the record inside that org (404 otherwise).  The forms that write are in
record_views.py.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from orgs.access import Action, can, get_visible_org_or_404
from orgs.governance import exports, pdf, rules, selectors, voiding
from orgs.governance.models import (
    CommitteeKind,
    Meeting,
    Motion,
)
from orgs.governance.rules import RULES, RULES_BY_CODE, STATUS_LABELS, Status
from orgs.governance.services.expenses import (
    limits_for,
)
from orgs.models import OrgKind
from orgs.selectors import user_scope
from unionportal.pdf import pdf_response
from unionportal.tabular import table_response
from unionportal.uploads import content_type_of

# Pages ---------------------------------------------------------------------------------------

@login_required
def governance_page(request, code):
    org = get_visible_org_or_404(request.user, code)
    # The page depends on the user's grants only (the gate; its links): its body kept as HTML
    # until a governance record or the tree is written (a founding's officers are written with
    # the new union and its first term), shared by everyone with the same grants, language and
    # time zone (page_cache.until_written; ~30 queries and ~60 ms of CPU for a union with a few
    # years of records).
    body = user_scope(request).rendered_until_written(
        f"governance.page:{org.pk}", ("governance",), "orgs/governance/_page_body.html",
        lambda: _page_context(request.user, org))
    return render(request, "orgs/governance/page.html", {"org": org, "body": body})


def _page_context(user, org) -> dict:
    today = timezone.localdate()
    status = selectors.union_status(org, today)
    return {
        "org": org,
        "today": today,
        "checks": [(rule, status.checks[rule.code]) for rule in RULES],
        "records": selectors.union_records(org),
        "missed": selectors.missed_meetings(status),
        "may_record": can(user, Action.RECORD, org),
        "committee_kinds": CommitteeKind.choices,
        "limits": limits_for(org),
        "is_enterprise": rules.must_consult(org.kind, org.is_enterprise),
        "committee_not_serving": selectors.committee_flags(org, today),
        # The void links: an admin of the subtree at any time, the union's staff within the window.
        "may_void_any": can(user, Action.VOID, org),
        "void_since": timezone.now() - dt.timedelta(days=voiding.void_days()),
    }


def _filters(request):
    rule = request.GET.get("rule", "")
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    return {
        "rule": rule if rule in RULES_BY_CODE else "",
        "status": status if status in (Status.KEPT, Status.DUE_SOON, Status.OVERDUE) else "",
        "kind": kind if kind in OrgKind.values else "",
        "term": request.GET.get("q", "").strip()[:50],
    }


@login_required
def dashboard(request, code):
    org = get_visible_org_or_404(request.user, code)
    today = timezone.localdate()
    filters = _filters(request)
    board = selectors.dashboard(org, request.user, today, **filters)
    page = Paginator(board.rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "orgs/governance/dashboard.html", {
        "org": org, "today": today, "board": board, "page": page, "filters": filters,
        "rules": RULES, "statuses": [(s, STATUS_LABELS[s]) for s in (Status.KEPT, Status.DUE_SOON, Status.OVERDUE)],
        "kinds": OrgKind.choices, "query": query.urlencode(),
        **_contractless(board, filters),
    })


# The enterprises without a contract listed under the dashboard at most; the rest are a filter
# (a city's dashboard had thousands of them: a 700 kB page).
CONTRACTLESS_SHOWN = 50


def _contractless(board, filters) -> dict:
    if filters["rule"]:
        return {"contractless": None}
    found = selectors.contractless_enterprises(board.rows)
    every = {"rule": "contract", "status": Status.OVERDUE.value, "kind": filters["kind"], "q": filters["term"]}
    return {"contractless": found[:CONTRACTLESS_SHOWN], "contractless_more": max(0, len(found) - CONTRACTLESS_SHOWN),
            "contractless_all": "?" + urlencode({name: value for name, value in every.items() if value})}


@login_required
def overdue_export(request, code, fmt):
    """The overdue list of the subtree (filters as on the dashboard) as xlsx or csv."""
    org = get_visible_org_or_404(request.user, code)
    filters = _filters(request)
    rows = selectors.subtree_rows(org, request.user, timezone.localdate(), kind=filters["kind"],
                                  term=filters["term"])
    statuses = (Status(filters["status"]),) if filters["status"] else (Status.OVERDUE,)
    response = table_response(fmt, f"{org.code}-governance-overdue.{fmt}")
    exports.write_overdue(response, fmt, selectors.overdue_lines(rows, rule=filters["rule"],
                                                                 statuses=statuses))
    return response


@login_required
def minutes_file(request, code, pk):
    org = get_visible_org_or_404(request.user, code)
    meeting = get_object_or_404(Meeting, pk=pk, org=org)
    if not meeting.minutes:
        raise Http404
    try:
        handle = meeting.minutes.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = meeting.minutes_name or meeting.minutes.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, content_type=content_type_of(meeting.minutes.name),
                            as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def meeting_pdf(request, code, pk):
    org = get_visible_org_or_404(request.user, code)
    meeting = get_object_or_404(Meeting, pk=pk, org=org)
    return pdf_response(pdf.render_minutes_pdf(meeting),
                        f"{org.name}{meeting.get_kind_display()}{meeting.date:%Y%m%d}.pdf")


@login_required
def motion_pdf(request, code, pk):
    org = get_visible_org_or_404(request.user, code)
    motion = get_object_or_404(Motion.objects.select_related("session__congress"), pk=pk,
                               session__congress__org=org)
    return pdf_response(pdf.render_resolution_pdf(motion),
                        f"{org.name}决议{motion.session.date:%Y%m%d}-{motion.number}.pdf")
