"""Thin views of the services pages: each reads through selectors and writes through one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.access import (
    Action,
    can,
    get_visible_org_or_404,
    require,
    scope_orgs,
    scope_queryset,
)
from orgs.models import Org
from orgs.selectors import user_scope
from services import budget as budget_module
from services import cases, selectors
from services import documents as required_documents
from services import funds as funds_module
from services.exchange import export_model_workers
from services.forms import ActionForm, ApplyForm, CloseRoundForm
from services.models import (
    CaseAttachment,
    CaseStatus,
    MutualAidRound,
    RoundStatus,
    ServiceType,
)
from services.pdf import render_budget_pdf, render_case_pdf
from unionportal import page_cache
from unionportal.concurrency import run_on_form
from unionportal.pdf import pdf_response

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
QUEUE_PAGE = 50
ROUNDS_PAGE = 50


@login_required
def index(request):
    # The grants, read once: the header's admin link and the registers card share them.
    scope = user_scope(request)
    asked = request.GET.get("page", "")[:20]

    def work() -> dict:
        counts = selectors.queue_counts(request.user)
        paginator = Paginator(selectors.waiting_for(request.user), QUEUE_PAGE)
        paginator.count = counts["waiting"]  # already counted: no second COUNT over the queue
        page = paginator.get_page(asked)
        rows = render_to_string("services/_case_rows.html", {
            "cases": list(page.object_list), "now": timezone.now(),
            "empty_text": _("Nothing is waiting for you.")})
        return {"rows_html": rows, "number": page.number, "counts": counts,
                "applicant_orgs": list(scope_orgs(Org.objects.all(), request.user, Action.FILL)[:20]),
                "certificates": list(selectors.certificates_to_warn(request.user)[:20])}

    # The queue depends on the user's grants only (the gate): kept until a case, certificate or
    # register is written (or a minute, for what becomes overdue), shared by the same grants;
    # its rows as HTML (50 rows' keys and unpickled instances cost more than their query).
    work = scope.until_written(page_cache.rendered(f"services.index:{asked}"), ("services",), work)
    paginator = Paginator([], QUEUE_PAGE)
    paginator.count = work["counts"]["waiting"]
    return render(request, "services/index.html", {
        "queue": Page([], work["number"], paginator),
        "queue_rows": mark_safe(work["rows_html"]),  # noqa: S308  (our template's output)
        "counts": work["counts"],
        "applicant_orgs": work["applicant_orgs"],
        "certificates": work["certificates"],
        "now": timezone.now(),
    })


@login_required
def case_list(request):
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    term = request.GET.get("q", "").strip()
    found = selectors.case_list(request.user, status=status, term=term)
    page = Paginator(found, QUEUE_PAGE).get_page(request.GET.get("page"))
    return render(request, "services/case_list.html", {
        "page": page, "status": status, "term": term, "statuses": CaseStatus.choices,
        "now": timezone.now(),
    })


def _act(request, case, form):
    """Take the decision the user chose (a key of ``cases.TRANSITIONS``) on the current step."""
    decision = request.POST.get("decision")
    if decision not in cases.TRANSITIONS:
        raise ValidationError(_("Choose an action."))
    case = cases.decide(decision, actor=request.user, case=case, step_id=form.cleaned_data["step"],
                        comment=form.cleaned_data["comment"], data=form.step_data(),
                        files=form.cleaned_data["files"], documents=form.document_uploads(),
                        paper=form.paper_deliveries())
    return case, str(cases.TRANSITIONS[decision].done)


def _documents_needed(case) -> list[str]:
    """The current step's required documents still missing, when the applicant submits it."""
    step = case.current_step
    if not case.is_open or step is None or not step.applicant_fills or not step.document_list:
        return []
    have = required_documents.provided_on(case, step)
    return [name for name in step.document_list if name not in have]


@login_required
def case_detail(request, pk):
    case = selectors.get_case_or_404(request.user, pk)
    may_act = cases.may_act(request.user, case)
    form = None
    if request.method == "POST":
        if not may_act and not cases.took_step(request.user, case, request.POST.get("step")):
            raise PermissionDenied
        form = ActionForm(request.POST, request.FILES, step=case.current_step,
                          documents_needed=_documents_needed(case))
        status = 400
        if form.is_valid():
            outcome = run_on_form(form, lambda: _act(request, case, form))
            if outcome.ok:
                case, message = outcome.value
                messages.success(request, message)
                return redirect(case)
            status = outcome.status  # 409: someone else decided the step meanwhile
    else:
        status = 200
        if may_act:
            form = ActionForm(step=case.current_step, documents_needed=_documents_needed(case))
    # The case's history depends on the user's grants only (the gate): kept as HTML until a
    # case is written, shared by everyone with the same grants, language and time zone
    # (page_cache.until_written; its ten actions through the template were half the page's CPU).
    shown = user_scope(request).until_written(page_cache.rendered(f"services.case:{case.pk}"), ("services",),
                                              lambda: _case_shown(request.user, case))
    step = case.current_step
    return render(request, "services/case_detail.html", {
        "type_visible": shown["type_visible"],
        "path": shown["path"],
        "timeline_html": mark_safe(shown["timeline_html"]),  # noqa: S308  (our template's output)
        "case": case,
        "form": form if may_act else None,
        "may_act": may_act,
        "is_last": bool(step) and shown["last_step_id"] == step.pk,
        "applicant_step": bool(step) and step.applicant_fills,
        "has_previous": bool(step) and step.position > 1,
        "officers": case.details.get("officers") or {},
        "certificate": case.details.get("certificate") or {},
        "now": timezone.now(),
    }, status=status)


def _case_shown(user, case) -> dict:
    timeline = selectors.timeline(case)
    # The paper documents name who recorded them: as text in the kept HTML, no user row kept.
    papers = list(case.paper_documents.select_related("recorded_by"))
    return {
        # The type's page, when the user may open it (services.selectors.visible_service_types).
        "type_visible": selectors.visible_service_types(user).filter(pk=case.service_type_id).exists(),
        "path": timeline.path,
        "last_step_id": timeline.entries[-1].step.pk if timeline.entries else None,
        "timeline_html": render_to_string("services/_case_timeline.html",
                                          {"timeline": timeline, "paper_documents": papers}),
    }


@login_required
def case_pdf(request, pk):
    case = selectors.get_case_or_404(request.user, pk)
    return pdf_response(render_case_pdf(case), f"{case.number}.pdf")


@login_required
def attachment(request, pk):
    """A case's file, only for users who may see the case (the scoping gate); never inline."""
    item = get_object_or_404(
        CaseAttachment.objects.filter(case__in=selectors.visible_cases(request.user)), pk=pk)
    try:
        with item.file.open("rb") as handle:  # at most 10 MB (services.attachments)
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(True, item.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def type_detail(request, pk):
    # 404 unless the owner is visible or the type is offered to an org the user sees.
    service_type = get_object_or_404(
        selectors.visible_service_types(request.user).select_related("org", "duty_org"), pk=pk)
    steps = list(service_type.steps.all())
    return render(request, "services/type_detail.html", {
        "service_type": service_type, "steps": steps,
        # Staff of a union below the owner may not see the owner's catalogue: no dead link.
        "duty_org_visible": bool(service_type.duty_org) and can(request.user, Action.VIEW,
                                                                service_type.duty_org),
        "preamble": [line for line in service_type.preamble.splitlines() if line.strip()],
    })


def _org(request, code):
    return get_visible_org_or_404(request.user, code)


@login_required
def org_services(request, code):
    org = _org(request, code)
    applied = (selectors.visible_cases(request.user).filter(applicant=org)
             .select_related("service_type", "current_step", "current_org")
             .order_by("-submitted_at", "-id"))
    page = Paginator(applied, QUEUE_PAGE).get_page(request.GET.get("page"))
    may_apply = cases.may_apply(request.user, org)
    return render(request, "services/org.html", {
        "org": org, "page": page,
        "may_apply": may_apply,
        "types": cases.available_types(org) if may_apply else [],
        "now": timezone.now(),
    })


@login_required
def apply_choose(request, code):
    org = _org(request, code)
    if not cases.may_apply(request.user, org):
        raise PermissionDenied
    return render(request, "services/apply_choose.html",
                  {"org": org, "types": cases.available_types(org).select_related("federation")
                   .prefetch_related("steps"),
                   "federation": cases.federation_of(org)})


def _not_offered(request, org, type_code):
    """A service the union's federation does not offer: say so, and which ones it does."""
    # The service's name as the catalogues give it (a public name), to say what is missing.
    name = (ServiceType.objects.filter(code=type_code).values_list("name", flat=True).first()
            or type_code)
    return render(request, "services/not_offered.html", {
        "org": org, "federation": cases.federation_of(org), "name": name,
        "offered": cases.available_types(org).exists(),
    }, status=404)


@login_required
def apply(request, code, type_code):
    org = _org(request, code)
    if not cases.may_apply(request.user, org):
        raise PermissionDenied
    service_type = (cases.available_types(org).filter(code=type_code)
                    .order_by("shared", "-org__level").first())
    if service_type is None:
        return _not_offered(request, org, type_code)
    form = ApplyForm(request.POST or None, request.FILES or None, service_type=service_type,
                     applicant=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_on_form(form, lambda: cases.submit_case(
            actor=request.user, service_type=service_type, applicant=org,
            token=data["token"], title=data["title"], member_name=data.get("member_name", ""),
            description=data["description"], details=form.details(),
            model_worker=data.get("model_worker"), files=data["files"],
            documents=form.document_uploads(), paper=form.paper_deliveries()))
        if outcome.ok:
            case = outcome.value
            messages.success(request, _("Application %(number)s submitted.") % {"number": case.number})
            return redirect(case)
    return render(request, "services/apply.html", {
        "org": org, "service_type": service_type, "form": form,
        "steps": list(service_type.steps.all()),
    })


# --- model workers and budget -------------------------------------------------------------------


@login_required
def model_workers(request, code):
    org = _org(request, code)
    workers = selectors.visible_workers(request.user, org).order_by("org__lft", "name", "id")
    term = request.GET.get("q", "").strip()
    if term:
        workers = workers.filter(name__icontains=term)
    page = Paginator(workers, 100).get_page(request.GET.get("page"))
    year = timezone.localdate().year
    return render(request, "services/model_workers.html", {
        "org": org, "page": page, "term": term, "year": year,
        "budget_years": _budget_years(org),
    })


@login_required
def model_workers_export(request, code, fmt):
    org = _org(request, code)
    response = HttpResponse(content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{org.code}-model-workers.{fmt}"'
    export_model_workers(response, fmt, selectors.visible_workers(request.user, org))
    return response


def _budget_years(org) -> list[int]:
    this_year = timezone.localdate().year
    years = list(range(this_year, this_year - 12, -1))
    if 2016 not in years:
        years.append(2016)  # the year of seed 002's figures
    return years


def _budget_org(request, code):
    """The budget covers a whole subtree: readers need the org itself in scope."""
    return _org(request, code)


@login_required
def budget_latest(request, code):
    _budget_org(request, code)  # outside the scope: 404 here, not a redirect to one
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 1900 <= int(year) <= 2099 else timezone.localdate().year
    return redirect("services:budget", code=code, year=year)


@login_required
def budget(request, code, year):
    org = _budget_org(request, code)
    report = budget_module.budget_report(org, year)
    return render(request, "services/budget.html", {
        "org": org, "report": report, "years": _budget_years(org),
        "may_manage": can(request.user, Action.MANAGE, org),
    })


@login_required
def budget_export(request, code, year, fmt):
    org = _budget_org(request, code)
    report = budget_module.budget_report(org, year)
    filename = f"{org.code}-model-worker-budget-{year}.{fmt}"
    if fmt == "pdf":
        return pdf_response(render_budget_pdf(report), filename)
    response = HttpResponse(content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    budget_module.write_budget(response, fmt, report)
    return response


# --- funds and mutual aid -----------------------------------------------------------------------


@login_required
def funds(request, code, year=None):
    org = _org(request, code)
    years = selectors.fund_years(request.user, org)
    if year is None:
        year = years[0] if years else timezone.localdate().year
    summary = funds_module.summarise(selectors.fund_records(request.user, org, year))
    return render(request, "services/funds.html", {
        "org": org, "year": year, "years": years, "summary": summary,
        "rates": (funds_module.DUES_PERCENT, funds_module.UPWARD_PERCENT,
                  funds_module.RETAINED_PERCENT),
    })


@login_required
def mutual_aid(request, code):
    org = _org(request, code)
    page = Paginator(selectors.mutual_aid_rounds(request.user, org), ROUNDS_PAGE).get_page(
        request.GET.get("page"))
    rounds = list(page.object_list)
    # The orgs of this page the user manages: one query, not one per round.
    manageable = set(scope_orgs(Org.objects.filter(pk__in={r.org_id for r in rounds}),
                                request.user, Action.MANAGE).values_list("pk", flat=True))
    for round_ in rounds:
        round_.flagged = funds_module.is_flagged(round_)
        round_.percent = funds_module.payout_percent(round_)
        round_.may_close = round_.status == RoundStatus.OPEN and round_.org_id in manageable
    return render(request, "services/mutual_aid.html", {
        "org": org, "page": page, "rounds": rounds, "form": CloseRoundForm(),
        "minimum": funds_module.MUTUAL_AID_MIN_PAYOUT_PERCENT,
    })


@login_required
@require_POST
def close_round(request, pk):
    # Through the gate first: a round outside what the user sees answers 404.
    round_ = get_object_or_404(
        scope_queryset(MutualAidRound.objects.select_related("org"), request.user, Action.VIEW),
        pk=pk)
    org = round_.org
    require(request.user, Action.MANAGE, org)
    form = CloseRoundForm(request.POST)
    if form.is_valid():
        try:
            funds_module.close_round(actor=request.user, round_=round_,
                                     compliant=form.cleaned_data["compliant"],
                                     comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The round is closed."))
    return redirect("services:mutual_aid", code=org.code)
