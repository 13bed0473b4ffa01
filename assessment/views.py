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

from assessment import charts, selectors, services
from assessment.exchange import export_results, export_sheet, import_self_assessment
from assessment.forms import (
    CopyTemplateForm,
    OpenRoundForm,
    ReasonForm,
    RemindForm,
    ReviewForm,
    SelfAssessmentForm,
    UploadForm,
)
from assessment.member_evaluation import validity_reasons
from assessment.models import (
    Evidence,
    MemberEvaluation,
    SheetEvent,
    SheetStatus,
)
from assessment.pdf import render_round_pdf, render_sheet_pdf, sheet_filename
from assessment.scoring import Factors
from unionportal.pdf import pdf_response
from unionportal.scoping import Action, can, get_visible_org_or_404, require
from unionportal.tabular import FileFormatError, format_of, table_response


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def index(request):
    user = request.user
    context = {
        "my_sheets": list(selectors.my_sheets(user)[:50]),
        "review_queue": list(selectors.review_queue(user)[:100]),
        "scoring_queue": list(selectors.scoring_queue(user)[:100]),
        "rounds": list(selectors.visible_rounds(user)[:50]),
        "templates": list(selectors.visible_templates(user).order_by("-year", "assessor__lft")[:60]),
        "openable": list(selectors.openable_orgs(user)[:20]),
    }
    return render(request, "assessment/index.html", context)


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
    form = SelfAssessmentForm(request.POST, units=units, editable=editable)
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return _sheet_page(request, sheet, others, fill_form=form, status=400)
    try:
        sheet = services.save_self_assessment(actor=request.user, sheet=sheet, entries=form.entries(),
                                              expected_version=form.cleaned_data["version"])
    except services.ConflictError as exc:
        sheet.refresh_from_db()
        messages.error(request, _error_text(exc))
        return _sheet_page(request, sheet, others, fill_form=form, status=409)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _sheet_page(request, sheet, others, fill_form=form, status=400)
    problems = []
    for unit in units:
        for upload in request.FILES.getlist(f"evidence-{unit.pk}"):
            try:
                services.add_evidence(actor=request.user, sheet=sheet, seq=unit.seq, upload=upload)
            except ValidationError as exc:
                problems.append(_error_text(exc))
    for problem in problems:
        messages.error(request, problem)
    if request.POST.get("action") == "submit":
        try:
            if services.submit_sheet(actor=request.user, sheet=sheet, expected_version=sheet.version):
                messages.success(request, _("Submitted. The sheet is locked until it is reviewed."))
            else:
                messages.info(request, _("The sheet was already submitted."))
        except ValidationError as exc:
            messages.warning(request, _("Your entries are saved as a draft, but the sheet was not "
                                        "submitted: %(reason)s") % {"reason": _error_text(exc)})
    else:
        messages.success(request, _("Draft saved."))
    return _after(sheet)


REVIEW_DONE = {
    services.ReviewStep.SAVE: gettext_lazy("Review saved."),
    services.ReviewStep.RETURN: gettext_lazy("Returned to the union for correction."),
    services.ReviewStep.PASS: gettext_lazy("Review passed on to the scorers."),
    services.ReviewStep.SCORE: gettext_lazy("Scores confirmed."),
    services.ReviewStep.FINALISE: gettext_lazy("The sheet is final and locked."),
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
        messages.info(request, _("This step was already taken."))
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
        report = import_self_assessment(io.BytesIO(upload.read()), fmt, sheet, actor=request.user,
                                        dry_run=form.cleaned_data["dry_run"], filename=upload.name)
    except FileFormatError as exc:
        messages.error(request, str(exc))
        return _after(sheet)
    if report.errors:
        messages.error(request, _("Nothing was changed. Problems in the file:"))
        for problem in report.errors[:50]:
            messages.error(request, str(problem))
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
    messages.success(request, _("%(n)d sheet(s) finalised.") % {"n": count})
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
                messages.info(request, _("Copied the %(from)d template “%(title)s” to %(year)d.")
                              % {"from": template.copied_from.year, "title": template.title, "year": template.year})
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
    })
