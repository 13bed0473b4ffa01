from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from orgs import selectors
from orgs.access import get_visible_org_or_404
from orgs.exchange import export_orgs
from unionportal.tabular import table_response


@login_required
def home(request):
    """The landing page: the user's roles and unions; each room adds its own card through
    its template tag (assessment, member services, duty catalogues: templates/home.html)."""
    return render(request, "home.html", {
        "grants": selectors.user_grants(request.user),
        "top_orgs": selectors.top_orgs(request.user),
    })


@login_required
def tree_index(request):
    tops = selectors.top_orgs(request.user)
    trees = [(org, selectors.subtree(org, request.user, depth=1)) for org in tops]
    return render(request, "orgs/index.html", {"trees": trees})


@login_required
def org_detail(request, code):
    org = get_visible_org_or_404(request.user, code, selectors.visible_orgs(request.user).prefetch_related("aliases"))
    term = request.GET.get("q", "").strip()
    context = {
        "org": org,
        "ancestors": selectors.visible_ancestors(org, request.user),
        "tree": selectors.subtree(org, request.user),
        "term": term,
    }
    if term:
        context["results"] = Paginator(selectors.search_subtree(org, request.user, term), 50).get_page(
            request.GET.get("page")
        )
    return render(request, "orgs/detail.html", context)


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
