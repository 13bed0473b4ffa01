import hashlib

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from orgs import selectors
from orgs.access import get_visible_org_or_404
from orgs.exchange import export_orgs
from orgs.models import OrgKind
from unionportal.tabular import table_response


@login_required
def home(request):
    """The landing page: the user's roles and unions; each room adds its own card through
    its template tag (assessment, member services, duty catalogues: templates/home.html)."""
    scope = selectors.user_scope(request)
    return render(request, "home.html", {"grants": scope.grants, "top_orgs": scope.top_orgs()})


@login_required
def tree_index(request):
    tops = selectors.top_orgs(request.user)
    trees = [(org, selectors.subtree(org, request.user, depth=1)) for org in tops]
    return render(request, "orgs/index.html", {"trees": trees})


@login_required
def org_detail(request, code):
    org = get_visible_org_or_404(request.user, code)
    term = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgKind.values else ""
    # The subtree's counts (a federation's: 5,000 unions) and the path above it, kept until an
    # org is written (page_cache.until_written), shared by everyone with the same grants.
    summary, ancestors = selectors.user_scope(request).until_written(
        f"orgs.detail:{org.pk}", (),
        lambda: (selectors.subtree_summary(org, request.user), selectors.visible_ancestors(org, request.user)))
    context = {
        "org": org,
        "ancestors": ancestors,
        "summary": summary,
        "term": term,
        "kind": kind,
        "kinds": OrgKind.choices,
    }
    if term or kind:
        context["results"] = Paginator(selectors.search_subtree(org, request.user, term, kind), 50).get_page(
            request.GET.get("page")
        )
    else:
        context.update(_children_page(request, org, summary))
    return render(request, "orgs/detail.html", context)


def _children_page(request, org, summary) -> dict:
    """A page of the unions directly below ``org`` (a federation has thousands) and the key of
    its cached fragment: shared by every reader who sees the whole subtree, per grants
    otherwise, and renewed by any change below (``summary.version``)."""
    scope = selectors.user_scope(request)
    whole = scope.covers_subtree(org)
    paginator = Paginator(selectors.child_orgs(org, request.user, whole), selectors.CHILDREN_PER_PAGE)
    if whole:
        paginator.count = summary.children  # the summary counted them: no COUNT query
    reader = "whole subtree" if whole else scope.signature()
    page = paginator.get_page(request.GET.get("page"))
    key = hashlib.sha256(repr((summary.version, page.number, reader)).encode()).hexdigest()
    return {"children": page, "children_key": key}


@login_required
def org_export(request, code, fmt):
    """The org and the visible part of its subtree, in the import format (round-trips)."""
    org = get_visible_org_or_404(request.user, code)
    queryset = selectors.visible_orgs(request.user).filter(
        tree_id=org.tree_id, lft__gte=org.lft, rght__lte=org.rght
    )
    response = table_response(fmt, f"{org.code}.{fmt}")
    export_orgs(response, fmt, queryset)
    return response
