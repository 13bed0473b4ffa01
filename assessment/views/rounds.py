"""A round's pages: the progress board, the ranking, its files, finalising and opening it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import charts, ranking_cache, selectors, services
from assessment import jobs as assessment_jobs
from assessment.forms import OpenRoundForm, RemindForm
from assessment.services.rounds import OPEN_IN_JOB_FROM
from assessment.views._common import attempt
from orgs.access import Action, can, get_visible_org_or_404, require
from orgs.selectors import user_scope
from unionportal.jobs.responses import started


@login_required
def round_board(request, code, year):
    round_ = selectors.round_for(request.user, code, year)
    sheets = selectors.round_sheets(request.user, round_)
    may_act = selectors.may_open_round(request.user, round_.assessor)
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
    # Counting a 5,000-sheet round by group and status: kept until a sheet is written, shared
    # by everyone with the same grants (page_cache.until_written).
    board = user_scope(request).until_written(f"assessment.board:{round_.pk}", ("assessment",),
                                              lambda: selectors.board(round_, sheets))
    return render(request, "assessment/board.html", {
        "board": board, "round": round_, "may_act": may_act,
        "remind_form": form,
    }, status=status)


@login_required
def round_ranking(request, code, year):
    round_ = selectors.round_for(request.user, code, year)
    group = request.GET.get("group", "")
    # Computed once per version of the round's data and per scope (ranking_cache); the charts
    # only when the page's cached fragment is missing (the template calls them).
    ranking, page, key = ranking_cache.ranking_page(request, round_, group, request.GET.get("page"))
    return render(request, "assessment/ranking.html", {
        "round": round_, "ranking": ranking, "page": page, "group": group, "ranking_key": key,
        "group_name": next((g.name for g in ranking.groups if g.code == group), ""),
        "histogram": lambda: charts.column_chart(ranking.histogram, title=_("Distribution of final totals")),
        "indicator_chart": lambda: charts.bar_chart(ranking.indicator_averages,
                                                    title=_("Average score per indicator")),
        "may_finalise": can(request.user, Action.SCORE, round_.assessor),
    })


@login_required
def round_results(request, code, year, fmt):
    round_ = selectors.round_for(request.user, code, year)
    # A background job (unionportal/jobs/): its page follows the progress and offers the file.
    return started(assessment_jobs.start_round_results(request, round_, fmt))


@login_required
def round_pdf(request, code, year):
    round_ = selectors.round_for(request.user, code, year)
    return started(assessment_jobs.start_round_pdf(request, round_))


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
    if not selectors.may_open_round(request.user, org):
        raise PermissionDenied
    form = OpenRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if org.get_descendant_count() >= OPEN_IN_JOB_FROM:  # a large round: a job, its page shows the progress
            return started(assessment_jobs.start_open_round(request, org, form.cleaned_data["year"],
                                                            form.cleaned_data["deadline"]))
        done = attempt(request, lambda: services.open_round(
            actor=request.user, assessor=org, year=form.cleaned_data["year"], deadline=form.cleaned_data["deadline"]))
        if done.ok:
            opened = done.value
            for template in opened.templates_copied:
                messages.info(request, services.copied_template_line(template))
            messages.success(request, _("Round %(year)d opened: %(n)d new sheet(s).")
                             % {"year": opened.round.year, "n": opened.sheets_created})
            return redirect("assessment:board", code=org.code, year=opened.round.year)
    templates = selectors.templates_of(request.user, org).order_by("-year")
    return render(request, "assessment/open_round.html", {"org": org, "form": form, "templates": templates})
