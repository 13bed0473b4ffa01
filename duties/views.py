"""Duty catalogue pages, exports and PDFs: thin, every read through the scoping gate."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from duties import compare as comparison
from duties import selectors
from duties.exchange import export_duties
from duties.jobs import subtree_pdf_response
from duties.models import VersionStatus
from duties.pdf import render_catalogue_pdf
from orgs import selectors as org_selectors
from orgs.access import Action, can, get_visible_org_or_404
from services.selectors import service_types_for_duty
from unionportal import page_cache
from unionportal.pdf import pdf_response
from unionportal.tabular import table_response


def _wants_subtree(request) -> bool:
    return request.GET.get("subtree", "") in {"1", "true", "yes", "on"}


@login_required
def index(request):
    catalogues = list(selectors.visible_catalogues(request.user).distinct())
    parents = {catalogue.org.parent_id for catalogue in catalogues if catalogue.org.parent_id}
    federations = list(org_selectors.visible_orgs(request.user).filter(pk__in=parents).order_by("tree_id", "lft"))
    return render(request, "duties/index.html", {"catalogues": catalogues, "federations": federations})


@login_required
def catalogue(request, code):
    number = request.GET.get("version", "")[:20]
    term = request.GET.get("q", "").strip()
    if term:  # a search is read live (and its terms are not kept)
        template, context = _page_with_body(request.user, code, number, term)
    else:
        # The page depends on the user's grants only (the gate): kept until a catalogue is
        # written, shared by everyone with the same grants, language and time zone
        # (page_cache.until_written).
        template, context = org_selectors.user_scope(request).until_written(
            page_cache.rendered(f"duties.catalogue:{code}:{number}"), ("duties",),
            lambda: _page_with_body(request.user, code, number, term))
    if "body" in context:
        context = {**context, "body": mark_safe(context["body"])}  # noqa: S308  (our template's output)
    return render(request, template, context)


def _page_with_body(user, code, number, term) -> tuple[str, dict]:
    """``_catalogue_page``, a catalogue's body rendered to HTML (its items through the template
    cost more than their read; kept so, a page renders only the header around it)."""
    template, context = _catalogue_page(user, code, number, term)
    if template != "duties/catalogue.html":
        return template, context
    body = render_to_string("duties/_catalogue_body.html", context)
    return template, {"org": context["org"], "version": context["version"], "body": str(body)}


def _catalogue_page(user, code, number, term) -> tuple[str, dict]:
    org = get_visible_org_or_404(user, code)
    can_manage = can(user, Action.MANAGE, org)
    # Every version the user may read, in one query: the one shown is picked from them.
    versions = list(selectors.versions_of(org, user, may_manage=can_manage))
    if number == "" and not any(v.status == VersionStatus.PUBLISHED for v in versions):
        return "duties/federation.html", _federation_context(user, org, versions)
    version = selectors.version_in(versions, number)
    sections = selectors.sections(version, term)
    found = sum(len(section.items) for section in sections)
    return "duties/catalogue.html", {
        "org": org,
        "version": version,
        "versions": versions,
        "sections": sections,
        "found": found,
        "term": term,
        "is_current": version.status == VersionStatus.PUBLISHED,
        "can_manage": can_manage,
        "total": version.items.count() if term else found,  # unsearched, every item is listed
        "has_children": not org.is_leaf_node(),
        "can_compare": selectors.children_with_catalogues(org, user),
    }


def _federation_context(user, org, own_versions) -> dict:
    """An org without a published catalogue of its own (a federation such as zz): an overview
    of the catalogues of the visible orgs below it, with the subtree's exports; 404 when
    nothing below is visible either."""
    catalogues = selectors.catalogues_below(org, user)
    if not catalogues:
        raise Http404
    return {
        "org": org,
        "catalogues": list(catalogues),
        "total": sum(version.item_count for version in catalogues),
        # A manager may have a draft of the org's own catalogue in the works.
        "own_versions": own_versions,
        "can_compare": selectors.children_with_catalogues(org, user),
    }


@login_required
def item_detail(request, code, pk):
    # What the page shows depends on the user's grants only (the gate): kept until a catalogue
    # or a service type is written, shared by everyone with the same grants (a clerk opens
    # item after item; reading one through the gate and its service types cost ~15 ms of CPU).
    return render(request, "duties/item.html", org_selectors.user_scope(request).until_written(
        f"duties.item:{code}:{pk}", ("duties", "services"), lambda: _item_context(request.user, code, pk)))


def _item_context(user, code, pk) -> dict:
    org = get_visible_org_or_404(user, code)
    item = selectors.item_or_404_for(org, user, pk)
    return {
        "org": org,
        "version": item.version,
        "item": item,
        # The service types whose steps carry out this item's 运行流程 (services/).
        "related_service_types": service_types_for_duty(org, item.number, user),
    }


@login_required
def changes(request, code):
    """What changed between two versions (default: the one before the published one)."""
    org = get_visible_org_or_404(request.user, code)
    versions = list(selectors.versions_of(org, request.user))
    if not versions:
        raise Http404
    new = selectors.version_or_404(org, request.user, request.GET.get("to"))
    older = [version for version in versions if version.number < new.number]
    old_number = request.GET.get("from") or (older[0].number if older else None)
    old = selectors.version_or_404(org, request.user, old_number) if old_number else None
    return render(request, "duties/changes.html", {
        "org": org,
        "versions": versions,
        "old": old,
        "new": new,
        "changes": selectors.diff_versions(old, new) if old else [],
    })


def _export_versions(request, code, prefetch=True):
    org = get_visible_org_or_404(request.user, code)
    subtree, versions = selectors.export_versions(org, request.user, subtree=_wants_subtree(request),
                                                  prefetch=prefetch)
    if not versions:
        raise Http404
    return org, subtree, versions


@login_required
def catalogue_pdf(request, code):
    # One org's own catalogue: the version and its org in one query; the contents are read
    # only when the PDF is not cached (render_catalogue_pdf).
    own = None if _wants_subtree(request) else selectors.published_version_for(request.user, code)
    if own is not None:
        org, subtree, versions = own.catalogue.org, False, [own]
    else:
        org, subtree, versions = _export_versions(request, code, prefetch=False)
    if subtree:  # from the PDF cache, or rendered by a background job (duties/jobs.py)
        return subtree_pdf_response(request, org, selectors.prefetch_contents(versions))
    pdf = render_catalogue_pdf(org, versions, subtree=subtree)
    suffix = "及所属单位" if subtree else ""
    # The ASCII name is for clients that ignore filename* (the UTF-8 name).
    return pdf_response(pdf, f"{org.name}{suffix}工作职责.pdf", fallback=_file_name(org, subtree, "pdf"))


def _file_name(org, subtree: bool, fmt: str) -> str:
    return f"{org.code}-duties{'-subtree' if subtree else ''}.{fmt}"


@login_required
def catalogue_export(request, code, fmt):
    org, subtree, versions = _export_versions(request, code)
    response = table_response(fmt, _file_name(org, subtree, fmt))
    export_duties(response, fmt, versions)
    return response


@login_required
def compare(request, code):
    org = get_visible_org_or_404(request.user, code)
    result = comparison.compare_children(org, request.user)
    if not result.versions:
        raise Http404
    return render(request, "duties/compare.html", {"org": org, "comparison": result})
