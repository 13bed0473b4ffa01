"""One sheet's pages: the sheet, its fill-in and review forms, its files and evidence."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessment import draft_saves, selectors, services
from assessment.exchange import export_sheet, import_self_assessment
from assessment.forms import ReasonForm, ReviewForm, SelfAssessmentForm, UploadForm
from assessment.models import Evidence, SheetEvent, SheetStatus
from assessment.pdf import render_sheet_pdf, sheet_filename
from assessment.scoring import Factors
from assessment.views import sheet_table
from assessment.views._common import attempt
from orgs.access import Action, require
from orgs.selectors import user_scope
from unionportal.import_limits import check_size, web_limits
from unionportal.pdf import pdf_response
from unionportal.tabular import FileFormatError, format_of, table_response


def _sheet(request, year, code):
    return selectors.sheet_for(request.user, year, code, request.GET.get("assessor") or None)


FORM_FIELDS = (("grade", "docs", "note"), ("rgrade", "rdocs", "rnote", "return", "why"))


def _bind_fields(unit, forms) -> None:
    """``unit.fields``: the bound fields of the fill-in and review forms for this unit's row."""
    unit.fields = {}
    for form, names in zip(forms, FORM_FIELDS):
        if form is None:
            continue
        for name in names:
            key = f"{name}-{unit.pk}"
            if key in form.fields:
                unit.fields[name] = form[key]


def _indicator_rows(sheet, units, forms) -> list[dict]:
    """The sheet's units grouped under their indicators, with the indicator's score and points."""
    indicators = []
    scores = {row["number"]: row for row in sheet.indicator_scores}
    for unit in units:
        if not indicators or indicators[-1]["indicator"].pk != unit.indicator_id:
            indicators.append({"indicator": unit.indicator, "units": [],
                               "score": scores.get(unit.indicator.number, {})})
        indicators[-1]["units"].append(unit)
        _bind_fields(unit, forms)
    for entry in indicators:
        entry["points"] = sum(u.points for u in entry["units"])
        entry["scaled"] = entry["points"] != entry["indicator"].weight
    return indicators


def _history(sheet) -> dict:
    events = selectors.sheet_history(sheet)
    returned = sheet.status == SheetStatus.RETURNED
    return {"events": events, "reminders": [e for e in events if e.kind == SheetEvent.Kind.REMINDED][:3],
            "returns": next((e for e in events if e.kind == SheetEvent.Kind.RETURNED), None) if returned else None}


def _sheet_forms(sheet, units, perms, fill_form, review_form, *, rows=None):
    """The fill-in and review forms the user gets (unbound unless given); unbound ones carry the
    fields of ``rows`` only (default: every unit), the units whose rows are not in sheet_table's
    store."""
    editable = [u.pk for u in units if sheet.status == SheetStatus.DRAFT or u.returned]
    rows = units if rows is None else rows
    if perms.fill and fill_form is None:
        fill_form = SelfAssessmentForm(units=rows, editable=editable, initial={"version": sheet.version})
    if perms.edits_review and review_form is None:
        review_form = ReviewForm(units=rows, returnable=perms.review, initial={"version": sheet.version})
    fill_form = fill_form if perms.fill else None
    for unit in units:  # (the evidence's delete buttons are the fill-in form's)
        unit.fillable = fill_form is not None and unit.pk in fill_form.editable
    return fill_form, review_form if perms.edits_review else None


def _stored_parts(sheet, units, perms, show_review, given: bool):
    """What the store has of the units table, as ``(key, table, row_keys, stored, missing)``:

    - ``key``: the table's key in the store; None when a form holds the user's input (rendered afresh);
    - ``table``: the stored table, or None;
    - ``row_keys``: each unit's row key, when the table is to be rendered;
    - ``stored``: the rows found in the store, by unit;
    - ``missing``: the units whose rows are rendered now (with their fields)."""
    key = None if given else sheet_table.table_key(sheet, units, perms, show_review)
    table = sheet_table.cached_table(key) if key else None
    row_keys = ({u.pk: sheet_table.row_key(sheet, u, perms, show_review) for u in units}
                if key and table is None else None)
    stored = sheet_table.cached_rows(row_keys) if row_keys else {}
    missing = [] if table else [u for u in units if u.pk not in stored]
    return key, table, row_keys, stored, missing


def _sheet_page(request, sheet, others, *, fill_form=None, review_form=None, status=200):
    units = selectors.sheet_units(sheet)
    # What the page offers, from the user's grants read once (the header's admin link too);
    # each write asks the gate again.
    scope = user_scope(request)
    perms = services.sheet_permissions(request.user, sheet, scope.can)
    show_review = sheet.status != SheetStatus.DRAFT or any(u.review_grade for u in units)
    given = fill_form is not None or review_form is not None
    key, table, row_keys, stored, missing = _stored_parts(sheet, units, perms, show_review, given)
    fill_form, review_form = _sheet_forms(sheet, units, perms, fill_form, review_form, rows=missing)
    indicators = _indicator_rows(sheet, units, (fill_form, review_form) if missing else ())
    for unit in units:
        if unit.pk in stored:
            unit.row_html = stored[unit.pk]
    if table is None:
        sheet_table.render_rows(missing, show_review, row_keys)
    context = {
        "sheet": sheet, "others": others, "units": units, "indicators": indicators, "perms": perms,
        "fill_form": fill_form, "review_form": review_form,
        "reopen_form": ReasonForm() if perms.reopen else None,
        "upload_form": UploadForm() if perms.fill else None,
        **_history(sheet),
        "factors": Factors.of(sheet.template),
        "can_board": scope.can(Action.VIEW, sheet.assessor),
        "show_review": show_review,
        # The delete buttons' forms (outside the fill-in form: forms do not nest).
        "removable_files": [file for unit in units if unit.fillable for file in unit.files],
    }
    context["units_table"] = table or sheet_table.render_table(context, key)
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
    done = attempt(request, lambda: draft_saves.save_draft(
        actor=request.user, sheet=sheet, entries=form.entries(), expected_version=form.cleaned_data["version"]))
    if not done.ok:
        sheet.refresh_from_db()
        return _sheet_page(request, sheet, others, fill_form=form, status=done.status)
    outcome = done.value
    sheet = outcome.sheet
    if outcome.repeated:  # a double click: the first click saved it (and its files)
        messages.success(request, _("Draft saved."))
        return _after(sheet)
    for unit in units:
        for upload in request.FILES.getlist(f"evidence-{unit.pk}"):
            attempt(request, lambda unit=unit, upload=upload: services.add_evidence(
                actor=request.user, sheet=sheet, seq=unit.seq, upload=upload))
    messages.success(request, _("Draft saved."))
    return _after(sheet)


def _fill_and_submit(request, sheet, others, units, form):
    """Save and submit under one lock; the same submit sent twice is done once."""
    evidence = [(unit.seq, upload) for unit in units for upload in request.FILES.getlist(f"evidence-{unit.pk}")]
    done = attempt(request, lambda: services.submit_self_assessment(
        actor=request.user, sheet=sheet, entries=form.entries(), expected_version=form.cleaned_data["version"],
        evidence=evidence))
    if not done.ok:
        sheet.refresh_from_db()
        return _sheet_page(request, sheet, others, fill_form=form, status=done.status)
    outcome = done.value
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
    done = attempt(request, lambda: services.review_step(
        actor=request.user, sheet=sheet, step=request.POST.get("action", "save"),
        entries=form.entries() if form else {}, reasons=form.return_reasons() if form else None,
        reason=form.cleaned_data["reason"] if form else "",
        expected_version=form.cleaned_data["version"] if form else sheet.version))
    if not done.ok:
        sheet.refresh_from_db()
        return _sheet_page(request, sheet, others, review_form=form, status=done.status)
    outcome = done.value
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
        if attempt(request, lambda: services.apply_transition(
                actor=request.user, sheet=sheet, name="reopen", reason=form.cleaned_data["reason"])).ok:
            messages.success(request, _("Reopened for scoring; the reason is in the history."))
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
    if attempt(request, lambda: services.delete_evidence(actor=request.user, evidence=evidence)).ok:
        messages.success(request, _("Evidence removed."))
    return _after(sheet)
