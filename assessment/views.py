"""The assessment pages.  Thin: look the object up through the gate, bind a form, call a service."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessment import charts, draft_saves, landing, selectors, services
from assessment.exchange import export_results, export_sheet, import_self_assessment
from assessment.forms import (
    ApprovalForm,
    CopyTemplateForm,
    MemberEvaluationForm,
    OpenRoundForm,
    PublicationForm,
    ReasonForm,
    RectificationForm,
    RemindForm,
    ReviewForm,
    SelfAssessmentForm,
    UploadForm,
)
from assessment.member_evaluation import evaluation_contents, validity_reasons
from assessment.models import (
    Evidence,
    MemberEvaluation,
    SheetEvent,
    SheetStatus,
)
from assessment.pdf import render_round_pdf, render_sheet_pdf, sheet_filename
from assessment.scoring import Factors
from unionportal.import_limits import check_size, web_limits
from unionportal.pdf import pdf_response
from unionportal.scoping import Action, can, get_visible_org_or_404, require
from unionportal.tabular import FileFormatError, format_of, table_response


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def index(request):
    return render(request, "assessment/index.html", landing.index_context(request.user))


# --- one sheet ----------------------------------------------------------------------------


def _sheet(request, year, code):
    return selectors.sheet_for(request.user, year, code, request.GET.get("assessor") or None)


def _sheet_page(request, sheet, others, *, fill_form=None, review_form=None, status=200):
    units = list(sheet.units.select_related("indicator", "item").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at"))).order_by("position"))
    perms = services.sheet_permissions(request.user, sheet)
    editable = [u.pk for u in units if sheet.status == SheetStatus.DRAFT or u.returned]
    if perms.fill and fill_form is None:
        fill_form = SelfAssessmentForm(units=units, editable=editable, initial={"version": sheet.version})
    if perms.edits_review and review_form is None:
        review_form = ReviewForm(units=units, returnable=perms.review, initial={"version": sheet.version})
    indicators = []
    scores = {row["number"]: row for row in sheet.indicator_scores}
    for unit in units:
        if not indicators or indicators[-1]["indicator"].pk != unit.indicator_id:
            indicators.append({"indicator": unit.indicator, "units": [],
                               "score": scores.get(unit.indicator.number, {})})
        indicators[-1]["units"].append(unit)
        unit.fields = {}
        for form, names in ((fill_form, ("grade", "docs", "note")),
                            (review_form, ("rgrade", "rdocs", "rnote", "return", "why"))):
            if form is None:
                continue
            for name in names:
                key = f"{name}-{unit.pk}"
                if key in form.fields:
                    unit.fields[name] = form[key]
    for entry in indicators:
        entry["points"] = sum(u.points for u in entry["units"])
        entry["scaled"] = entry["points"] != entry["indicator"].weight
    events = list(sheet.events.select_related("actor").order_by("-at", "-id"))
    context = {
        "sheet": sheet, "others": others, "units": units, "indicators": indicators, "perms": perms,
        "fill_form": fill_form if perms.fill else None,
        "review_form": review_form if perms.edits_review else None,
        "reopen_form": ReasonForm() if perms.reopen else None,
        "upload_form": UploadForm() if perms.fill else None,
        "events": events,
        "reminders": [e for e in events if e.kind == SheetEvent.Kind.REMINDED][:3],
        "returns": next((e for e in events if e.kind == SheetEvent.Kind.RETURNED), None)
        if sheet.status == SheetStatus.RETURNED else None,
        "factors": Factors.of(sheet.template),
        "can_board": can(request.user, Action.VIEW, sheet.assessor),
        "show_review": sheet.status != SheetStatus.DRAFT or any(u.review_grade for u in units),
    }
    return render(request, "assessment/sheet.html", context, status=status)


@login_required
def sheet_detail(request, year, code):
    sheet, others = _sheet(request, year, code)
    return _sheet_page(request, sheet, others)


def _after(sheet):
    return redirect(sheet.get_absolute_url())


@login_required
@require_POST
def sheet_fill(request, year, code):
    sheet, others = _sheet(request, year, code)
    require(request.user, Action.FILL, sheet.org)
    units = list(sheet.units.select_related("indicator", "item").order_by("position"))
    editable = [u.pk for u in units if sheet.status == SheetStatus.DRAFT or u.returned]
    if sheet.status not in services.EDITABLE_BY_STAFF:
        # A form loaded before the sheet was submitted: read what it sends, so that the
        # service can tell a repeat of that submit from a different (conflicting) one.
        editable = [u.pk for u in units if f"note-{u.pk}" in request.POST or f"grade-{u.pk}" in request.POST]
    form = SelfAssessmentForm(request.POST, units=units, editable=editable)
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return _sheet_page(request, sheet, others, fill_form=form, status=400)
    if request.POST.get("action") == "submit":
        return _fill_and_submit(request, sheet, others, units, form)
    try:
        outcome = draft_saves.save_draft(actor=request.user, sheet=sheet, entries=form.entries(),
                                         expected_version=form.cleaned_data["version"])
    except services.ConflictError as exc:
        sheet.refresh_from_db()
        messages.error(request, _error_text(exc))
        return _sheet_page(request, sheet, others, fill_form=form, status=409)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _sheet_page(request, sheet, others, fill_form=form, status=400)
    sheet = outcome.sheet
    if outcome.repeated:  # a double click: the first click saved it (and its files)
        messages.success(request, _("Draft saved."))
        return _after(sheet)
    problems = []
    for unit in units:
        for upload in request.FILES.getlist(f"evidence-{unit.pk}"):
            try:
                services.add_evidence(actor=request.user, sheet=sheet, seq=unit.seq, upload=upload)
            except ValidationError as exc:
                problems.append(_error_text(exc))
    for problem in problems:
        messages.error(request, problem)
    messages.success(request, _("Draft saved."))
    return _after(sheet)


def _fill_and_submit(request, sheet, others, units, form):
    """Save and submit under one lock; the same submit sent twice is done once."""
    evidence = [(unit.seq, upload) for unit in units for upload in request.FILES.getlist(f"evidence-{unit.pk}")]
    try:
        outcome = services.submit_self_assessment(actor=request.user, sheet=sheet, entries=form.entries(),
                                                  expected_version=form.cleaned_data["version"],
                                                  evidence=evidence)
    except services.ConflictError as exc:
        sheet.refresh_from_db()
        messages.error(request, _error_text(exc))
        return _sheet_page(request, sheet, others, fill_form=form, status=409)
    except ValidationError as exc:
        sheet.refresh_from_db()
        messages.error(request, _error_text(exc))
        return _sheet_page(request, sheet, others, fill_form=form, status=400)
    for problem in outcome.problems:
        messages.error(request, problem)
    if outcome.repeated:
        messages.info(request, _("The sheet was already submitted."))
    elif outcome.submitted:
        messages.success(request, _("Submitted. The sheet is locked until it is reviewed."))
    else:
        messages.warning(request, _("Your entries are saved as a draft, but the sheet was not "
                                    "submitted: %(reason)s") % {"reason": outcome.refused})
    return _after(outcome.sheet)


REVIEW_DONE = {
    services.ReviewStep.SAVE: gettext_lazy("Review saved."),
    services.ReviewStep.RETURN: gettext_lazy("Returned to the union for correction."),
    services.ReviewStep.PASS: gettext_lazy("Review passed on to the scorers."),
    services.ReviewStep.SCORE: gettext_lazy("Scores confirmed."),
    services.ReviewStep.FINALISE: gettext_lazy("The sheet is final and locked."),
}

# A step sent again once taken (a double click): reported as done, nothing done twice.
ALREADY_DONE = {
    services.ReviewStep.PASS: gettext_lazy("The sheet was already passed on to the scorers."),
    services.ReviewStep.SCORE: gettext_lazy("The scores were already confirmed."),
    services.ReviewStep.FINALISE: gettext_lazy("The sheet was already final."),
}


@login_required
@require_POST
def sheet_review(request, year, code):
    """Save the review (or the scorer's grades), return units, pass on, score or finalise."""
    sheet, others = _sheet(request, year, code)
    perms = services.sheet_permissions(request.user, sheet)
    form = None
    if perms.edits_review:
        units = list(sheet.units.select_related("indicator", "item").order_by("position"))
        form = ReviewForm(request.POST, units=units, returnable=perms.review)
        if not form.is_valid():
            messages.error(request, _("Please correct the marked fields."))
            return _sheet_page(request, sheet, others, review_form=form, status=400)
    # Without a form to fill in, the service answers 403, or "already taken" to a user whose
    # role may take the step; the version read here guards against a change in between.
    try:
        outcome = services.review_step(
            actor=request.user, sheet=sheet, step=request.POST.get("action", "save"),
            entries=form.entries() if form else {}, reasons=form.return_reasons() if form else None,
            reason=form.cleaned_data["reason"] if form else "",
            expected_version=form.cleaned_data["version"] if form else sheet.version)
    except services.ConflictError as exc:
        sheet.refresh_from_db()
        messages.error(request, _error_text(exc))
        return _sheet_page(request, sheet, others, review_form=form, status=409)
    except ValidationError as exc:
        sheet.refresh_from_db()
        messages.error(request, _error_text(exc))
        return _sheet_page(request, sheet, others, review_form=form, status=400)
    if outcome.taken:
        messages.success(request, str(REVIEW_DONE[outcome.step]))
    else:
        if outcome.saved:
            messages.success(request, str(REVIEW_DONE[services.ReviewStep.SAVE]))
        messages.info(request, str(ALREADY_DONE.get(outcome.step, _("This step was already taken."))))
    return _after(outcome.sheet)


@login_required
@require_POST
def sheet_reopen(request, year, code):
    sheet, others = _sheet(request, year, code)
    require(request.user, Action.SCORE, sheet.assessor)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_sheet(actor=request.user, sheet=sheet, reason=form.cleaned_data["reason"])
            messages.success(request, _("Reopened for scoring; the reason is in the history."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    else:
        messages.error(request, _("Give a reason for reopening the sheet."))
    return _after(sheet)


@login_required
def sheet_pdf(request, year, code):
    sheet, _others = _sheet(request, year, code)
    return pdf_response(render_sheet_pdf(sheet), sheet_filename(sheet))


@login_required
def sheet_export(request, year, code, fmt):
    sheet, _others = _sheet(request, year, code)
    response = table_response(fmt, f"{sheet.year}-{sheet.org.code}.{fmt}")
    export_sheet(response, fmt, sheet)
    return response


@login_required
@require_POST
def sheet_upload(request, year, code):
    sheet, others = _sheet(request, year, code)
    require(request.user, Action.FILL, sheet.org)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return _after(sheet)
    upload = form.cleaned_data["file"]
    try:
        fmt = format_of(upload.name)
        check_size(upload, web_limits())  # before reading it into memory
        report = import_self_assessment(io.BytesIO(upload.read()), fmt, sheet, actor=request.user,
                                        dry_run=form.cleaned_data["dry_run"], filename=upload.name)
    except FileFormatError as exc:
        messages.error(request, str(exc))
        return _after(sheet)
    if report.errors:
        messages.error(request, _("Nothing was changed. Problems in the file:"))
        for problem in report.errors[:50]:
            messages.error(request, problem.ui_text)
    elif form.cleaned_data["dry_run"]:
        messages.info(request, _("Check passed: %(n)d unit(s) would change.") % {"n": report.updated})
    else:
        messages.success(request, _("File read: %(n)d unit(s) changed, scores recomputed.") % {"n": report.updated})
    return _after(sheet)


@login_required
def evidence_download(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("unit__sheet__org"), pk=pk)
    if not selectors.visible_sheets(request.user).filter(pk=evidence.unit.sheet_id).exists():
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=evidence.content_type, as_attachment=True,
                            filename=evidence.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("unit__sheet__org", "unit__sheet__assessor"),
                                 pk=pk)
    sheet = evidence.unit.sheet
    if not selectors.visible_sheets(request.user).filter(pk=sheet.pk).exists():
        raise Http404
    try:
        services.delete_evidence(actor=request.user, evidence=evidence)
        messages.success(request, _("Evidence removed."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _after(sheet)


# --- rounds -------------------------------------------------------------------------------


@login_required
def round_board(request, code, year):
    round_ = selectors.round_for(request.user, code, year)
    sheets = selectors.round_sheets(request.user, round_)
    may_act = can(request.user, Action.SCORE, round_.assessor) or can(request.user, Action.MANAGE, round_.assessor)
    status = 200
    form = RemindForm(sheets=sheets)
    if request.method == "POST":
        if not may_act:
            raise PermissionDenied
        form = RemindForm(request.POST, sheets=sheets)
        if form.is_valid():
            count = services.remind(actor=request.user, round=round_, sheets=form.chosen_sheets(),
                                    message=form.cleaned_data["message"])
            messages.success(request, _("Reminder recorded for %(n)d sheet(s); the unions see it on their sheet.")
                             % {"n": count})
            return redirect("assessment:board", code=code, year=year)
        for error in form.errors.get("sheet", []):
            messages.error(request, error)
        status = 400
    return render(request, "assessment/board.html", {
        "board": selectors.board(round_, sheets), "round": round_, "may_act": may_act,
        "remind_form": form,
    }, status=status)


@login_required
def round_ranking(request, code, year):
    round_ = selectors.round_for(request.user, code, year)
    ranking = selectors.ranking(round_, selectors.round_sheets(request.user, round_))
    group = request.GET.get("group", "")
    rows = [r for r in ranking.rows if r.group_code == group] if group else ranking.rows
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "assessment/ranking.html", {
        "round": round_, "ranking": ranking, "page": page, "group": group,
        "group_name": next((g.name for g in ranking.groups if g.code == group), ""),
        "histogram": charts.column_chart(ranking.histogram, title=_("Distribution of final totals")),
        "indicator_chart": charts.bar_chart(ranking.indicator_averages, title=_("Average score per indicator")),
        "may_finalise": can(request.user, Action.SCORE, round_.assessor),
    })


@login_required
def round_results(request, code, year, fmt):
    round_ = selectors.round_for(request.user, code, year)
    response = table_response(fmt, f"{year}-{code}-results.{fmt}")
    export_results(response, fmt, selectors.ranking(round_, selectors.round_sheets(request.user, round_)))
    return response


@login_required
def round_pdf(request, code, year):
    round_ = selectors.round_for(request.user, code, year)
    sheets = list(selectors.round_sheets(request.user, round_)
                  .select_related("org", "assessor", "template", "round").order_by("org__tree_id", "org__lft"))
    return pdf_response(render_round_pdf(round_, sheets), f"{year}-{code}-考核细则汇编.pdf")


@login_required
@require_POST
def round_finalise(request, code, year):
    round_ = selectors.round_for(request.user, code, year)
    require(request.user, Action.SCORE, round_.assessor)
    count = services.finalise_round(actor=request.user, round=round_)
    if count:
        messages.success(request, _("%(n)d sheet(s) finalised.") % {"n": count})
    else:  # a double click, or nothing scored yet: nothing was done
        messages.info(request, _("No scored or reviewed sheet was left to finalise."))
    return redirect("assessment:ranking", code=code, year=year)


@login_required
def round_open(request, code):
    org = get_visible_org_or_404(request.user, code)
    if not (can(request.user, Action.SCORE, org) or can(request.user, Action.MANAGE, org)):
        raise PermissionDenied
    form = OpenRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.open_round(actor=request.user, assessor=org, year=form.cleaned_data["year"],
                                         deadline=form.cleaned_data["deadline"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            for template in opened.templates_copied:
                messages.info(request, services.copied_template_line(template))
            messages.success(request, _("Round %(year)d opened: %(n)d new sheet(s).")
                             % {"year": opened.round.year, "n": opened.sheets_created})
            return redirect("assessment:board", code=org.code, year=opened.round.year)
    templates = selectors.templates_of(request.user, org).order_by("-year")
    return render(request, "assessment/open_round.html", {"org": org, "form": form, "templates": templates})


# --- templates ----------------------------------------------------------------------------


@login_required
def template_detail(request, pk):
    template = get_object_or_404(selectors.visible_templates(request.user), pk=pk)
    may_manage = can(request.user, Action.MANAGE, template.assessor)
    form = CopyTemplateForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                copy = services.copy_template(actor=request.user, template=template, year=form.cleaned_data["year"])
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("Copied to %(year)d.") % {"year": copy.year})
                return redirect("assessment:template", pk=copy.pk)
    indicators = list(template.indicators.prefetch_related("items"))
    return render(request, "assessment/template.html", {
        "template": template, "indicators": indicators, "warnings": services.template_warnings(template),
        "units": services.graded_units(indicators), "may_manage": may_manage, "form": form,
        "assessees": list(selectors.template_assessees(request.user, template)[:200]),
    })


# --- the union's page ---------------------------------------------------------------------


@login_required
def union_page(request, code):
    org = get_visible_org_or_404(request.user, code)
    sheets = list(org.assessment_sheets.select_related("assessor", "round").order_by("-year", "assessor__lft"))
    evaluations = list(MemberEvaluation.objects.filter(org=org).prefetch_related("ratings", "rectifications")
                       .order_by("-year"))
    for evaluation in evaluations:
        evaluation.reasons = validity_reasons(evaluation)
        by_subject = {}
        for rating in evaluation.ratings.all():
            by_subject.setdefault((rating.get_subject_display(), rating.person), []).append(rating)
        evaluation.rating_groups = list(by_subject.items())
    rounds = list(selectors.visible_rounds(request.user).filter(assessor=org).order_by("-year"))
    return render(request, "assessment/union.html", {
        "org": org, "sheets": sheets, "evaluations": evaluations, "rounds": rounds,
        "may_open": can(request.user, Action.SCORE, org) or can(request.user, Action.MANAGE, org),
        "may_record": can(request.user, Action.RECORD, org),
        "may_approve": services.may_approve_lower_ratio(request.user, org),
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
    may_approve = services.may_approve_lower_ratio(request.user, org)
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
    try:
        _evaluation, created = services.save_member_evaluation(
            actor=request.user, org=org, year=year, members=data["members"], participants=data["participants"],
            frontline_participants=data["frontline_participants"], basis=data["basis"], held_on=data["held_on"],
            ratings=form.ratings())
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _evaluation_page(request, org, year, form=form, status=400)
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
    if not services.may_approve_lower_ratio(request.user, org):
        raise PermissionDenied
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            services.record_superior_approval(actor=request.user, evaluation=evaluation,
                                              approved=form.cleaned_data["approved"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return _evaluation_page(request, org, year, approval_form=form, status=400)
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
    try:
        services.record_rectification(actor=request.user, evaluation=evaluation, issue=data["issue"],
                                      measure=data["measure"], outcome=data["outcome"],
                                      completed=data["completed"], reported_on=data["reported_on"],
                                      rectification=item)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _evaluation_page(request, org, year, rectification_form=form if prefix == "new" else None,
                                status=400)
    messages.success(request, _("Rectification recorded."))
    return redirect("assessment:evaluation", code=org.code, year=year)
