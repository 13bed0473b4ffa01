"""The assessment's landing page, a union's page and its 会员评家 (recorded by the union,
approved by the superior union)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import landing, selectors, services
from assessment.forms import ApprovalForm, MemberEvaluationForm, PublicationForm, RectificationForm
from assessment.member_evaluation import evaluation_contents, validity_reasons
from assessment.models import MemberEvaluation
from assessment.views._common import attempt
from orgs.access import Action, can, get_visible_org_or_404, require
from orgs.selectors import user_scope


@login_required
def index(request):
    # The lists depend on the user's grants only (the gate) and print nothing of the request:
    # rendered once and kept as HTML (a reviewer's 150 rows, unpickled as instances, cost more
    # than their query) until a sheet, template or round is written, shared by everyone with the
    # same grants, language and time zone (page_cache.until_written).
    body = user_scope(request).rendered_until_written(
        "assessment.index", ("assessment",), "assessment/_index_body.html",
        lambda: landing.index_context(request.user))
    return render(request, "assessment/index.html", {"body": body})


@login_required
def union_page(request, code):
    org = get_visible_org_or_404(request.user, code)
    sheets, evaluations, rounds = selectors.union_page_reads(request.user, org)
    for evaluation in evaluations:
        evaluation.reasons = validity_reasons(evaluation)
        by_subject = {}
        for rating in evaluation.ratings.all():
            by_subject.setdefault((rating.get_subject_display(), rating.person), []).append(rating)
        evaluation.rating_groups = list(by_subject.items())
    return render(request, "assessment/union.html", {
        "org": org, "sheets": sheets, "evaluations": evaluations, "rounds": rounds,
        "may_open": selectors.may_open_round(request.user, org),
        "may_record": can(request.user, Action.RECORD, org),
        "may_approve": selectors.may_approve_lower_ratio(request.user, org),
    })


# --- 会员评家: recorded by the union, approved by the superior --------------------------------


@login_required
def evaluation_go(request, code):
    """The union page's "record an evaluation" box: go to that year's evaluation."""
    org = get_visible_org_or_404(request.user, code)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        messages.error(request, _("Give the year of the evaluation."))
        return redirect("assessment:union", code=org.code)
    return redirect("assessment:evaluation", code=org.code, year=year)


def _evaluation_context(request, org, year):
    evaluation = (MemberEvaluation.objects.filter(org=org, year=year)
                  .select_related("approved_by").prefetch_related("rectifications").first())
    may_record = can(request.user, Action.RECORD, org)
    may_approve = selectors.may_approve_lower_ratio(request.user, org)
    if not (may_record or may_approve):
        raise PermissionDenied
    return evaluation, may_record, may_approve


def _evaluation_page(request, org, year, *, form=None, approval_form=None, publication_form=None,
                     rectification_form=None, status=200):
    evaluation, may_record, may_approve = _evaluation_context(request, org, year)
    if evaluation is not None:
        evaluation.reasons = validity_reasons(evaluation)
    if may_record and form is None:
        form = MemberEvaluationForm(contents=evaluation_contents(), evaluation=evaluation)
    rectifications = []
    if evaluation is not None and may_record:
        for item in evaluation.rectifications.all():
            rectifications.append((item, RectificationForm(initial={
                "id": item.pk, "issue": item.issue, "measure": item.measure, "outcome": item.outcome,
                "completed": item.completed, "reported_on": item.reported_on}, prefix=f"rect{item.pk}")))
    return render(request, "assessment/evaluation.html", {
        "org": org, "year": year, "evaluation": evaluation, "may_record": may_record, "may_approve": may_approve,
        "form": form if may_record else None,
        "approval_form": (approval_form or ApprovalForm(initial={
            "approved": True, "note": evaluation.approval_note})) if may_approve and evaluation else None,
        "publication_form": (publication_form or PublicationForm(initial={
            "published_on": evaluation.published_on, "channel": evaluation.publication_note}))
        if may_record and evaluation else None,
        "rectifications": rectifications,
        "rectification_form": (rectification_form or RectificationForm(prefix="new"))
        if may_record and evaluation else None,
    }, status=status)


@login_required
def evaluation_edit(request, code, year):
    org = get_visible_org_or_404(request.user, code)
    if request.method != "POST":
        return _evaluation_page(request, org, year)
    require(request.user, Action.RECORD, org)
    evaluation = MemberEvaluation.objects.filter(org=org, year=year).first()
    form = MemberEvaluationForm(request.POST, contents=evaluation_contents(), evaluation=evaluation)
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return _evaluation_page(request, org, year, form=form, status=400)
    data = form.cleaned_data
    done = attempt(request, lambda: services.save_member_evaluation(
        actor=request.user, org=org, year=year, members=data["members"], participants=data["participants"],
        frontline_participants=data["frontline_participants"], basis=data["basis"], held_on=data["held_on"],
        ratings=form.ratings()))
    if not done.ok:
        return _evaluation_page(request, org, year, form=form, status=done.status)
    messages.success(request, _("Member evaluation %(year)d recorded.") % {"year": year})
    return redirect("assessment:evaluation", code=org.code, year=year)


def _existing_evaluation(request, code, year):
    org = get_visible_org_or_404(request.user, code)
    evaluation = get_object_or_404(MemberEvaluation.objects.select_related("org"), org=org, year=year)
    return org, evaluation


@login_required
@require_POST
def evaluation_approve(request, code, year):
    """The superior union records (or withdraws) its approval of a lower ratio; never the union."""
    org, evaluation = _existing_evaluation(request, code, year)
    if not selectors.may_approve_lower_ratio(request.user, org):
        raise PermissionDenied
    form = ApprovalForm(request.POST)
    if form.is_valid():
        done = attempt(request, lambda: services.record_superior_approval(
            actor=request.user, evaluation=evaluation, approved=form.cleaned_data["approved"],
            note=form.cleaned_data["note"]))
        if not done.ok:
            return _evaluation_page(request, org, year, approval_form=form, status=done.status)
        messages.success(request, _("The superior union's approval is recorded.") if form.cleaned_data["approved"]
                         else _("The superior union's approval is withdrawn."))
    return redirect("assessment:evaluation", code=org.code, year=year)


@login_required
@require_POST
def evaluation_publish(request, code, year):
    org, evaluation = _existing_evaluation(request, code, year)
    require(request.user, Action.RECORD, org)
    form = PublicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and the channel of the publication."))
        return _evaluation_page(request, org, year, publication_form=form, status=400)
    services.publish_evaluation_results(actor=request.user, evaluation=evaluation,
                                        published_on=form.cleaned_data["published_on"],
                                        channel=form.cleaned_data["channel"])
    messages.success(request, _("The publication of the results is recorded."))
    return redirect("assessment:evaluation", code=org.code, year=year)


@login_required
@require_POST
def evaluation_rectification(request, code, year):
    """Add a rectification item, or record the measure and outcome of one (``id``)."""
    org, evaluation = _existing_evaluation(request, code, year)
    require(request.user, Action.RECORD, org)
    prefix = request.POST.get("prefix", "new")
    form = RectificationForm(request.POST, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return _evaluation_page(request, org, year, rectification_form=form if prefix == "new" else None,
                                status=400)
    data = form.cleaned_data
    item = None
    if data.get("id"):
        item = get_object_or_404(evaluation.rectifications, pk=data["id"])
    done = attempt(request, lambda: services.record_rectification(
        actor=request.user, evaluation=evaluation, issue=data["issue"], measure=data["measure"],
        outcome=data["outcome"], completed=data["completed"], reported_on=data["reported_on"],
        rectification=item))
    if not done.ok:
        return _evaluation_page(request, org, year, rectification_form=form if prefix == "new" else None,
                                status=done.status)
    messages.success(request, _("Rectification recorded."))
    return redirect("assessment:evaluation", code=org.code, year=year)
