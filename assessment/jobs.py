"""Assessment work in background jobs (unionportal/jobs/): a round's combined PDF and results
file, and each finalised sheet's PDF rendered ahead of its first download."""

import datetime as dt
import io

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.exchange import export_results
from assessment.models import Round, Sheet
from assessment.pdf import render_round_pdf, render_sheet_pdf
from assessment.services.rounds import copied_template_line, open_round_in_steps
from orgs.models import Org
from unionportal import audit
from unionportal.actors import SYSTEM
from unionportal.jobs import prerender
from unionportal.jobs.models import Job, JobStatus
from unionportal.jobs.registry import Output, job_kind
from unionportal.jobs.services import start_job
from unionportal.tabular import CONTENT_TYPES

ROUND_PDF = "assessment.round_pdf"
ROUND_RESULTS = "assessment.round_results"
SHEET_PDF = "assessment.sheet_pdf"
OPEN_ROUND = "assessment.open_round"


def _acting(job):
    """Whose view the job prints: the user who started it (their scope, as on the page)."""
    return job.started_by if job.started_by_id else SYSTEM


def _per_user(request, *parts) -> str:
    """A second click while the first job still waits in the queue finds that job."""
    return ":".join(str(part) for part in (*parts, request.user.pk, get_language()))


def _round(job) -> Round:
    """The job's round, if its starter still sees it (Http404 otherwise: the job fails)."""
    return selectors.visible_rounds(_acting(job)).get(pk=job.params["round"])


# --- a round's combined PDF and results -----------------------------------------------------------


def start_round_pdf(request, round_: Round):
    return start_job(
        actor=request.user, kind=ROUND_PDF, subject_org=round_.assessor,
        title=_("%(year)d %(org)s: every sheet of the round (PDF)") % {
            "year": round_.year, "org": round_.assessor.name},
        params={"round": round_.pk}, dedupe_key=_per_user(request, ROUND_PDF, round_.pk),
        back_url=reverse("assessment:board", args=[round_.assessor.code, round_.year]))


@job_kind(ROUND_PDF, label=gettext_lazy("Every sheet of a round (PDF)"))
def round_pdf(job, progress) -> Output:
    round_ = _round(job)
    sheets = list(selectors.round_sheets(_acting(job), round_)
                  .select_related("org", "assessor", "template", "round").order_by("org__tree_id", "org__lft"))
    progress.set_total(len(sheets) + 1)  # each sheet laid out, then the whole written
    pdf = render_round_pdf(round_, sheets, on_sheet=progress.advance)
    progress.advance()
    code = round_.assessor.code
    return Output(pdf, f"{round_.year}-{code}-考核细则汇编.pdf", "application/pdf",
                  ascii_name=f"{round_.year}-{code}-sheets.pdf")


def start_round_results(request, round_: Round, fmt: str):
    return start_job(
        actor=request.user, kind=ROUND_RESULTS, subject_org=round_.assessor,
        title=_("%(year)d %(org)s: results of the round (%(fmt)s)") % {
            "year": round_.year, "org": round_.assessor.name, "fmt": fmt},
        params={"round": round_.pk, "fmt": fmt}, dedupe_key=_per_user(request, ROUND_RESULTS, round_.pk, fmt),
        back_url=reverse("assessment:ranking", args=[round_.assessor.code, round_.year]))


@job_kind(ROUND_RESULTS, label=gettext_lazy("Results of a round (spreadsheet)"))
def round_results(job, progress) -> Output:
    round_ = _round(job)
    fmt = job.params["fmt"]
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format {fmt!r}")
    progress.set_total(1)
    target = io.BytesIO()
    export_results(target, fmt, selectors.ranking(round_, selectors.round_sheets(_acting(job), round_)))
    name = f"{round_.year}-{round_.assessor.code}-results.{fmt}"
    return Output(target.getvalue(), name, CONTENT_TYPES[fmt], ascii_name=name)


# --- opening a large round -----------------------------------------------------------------------


def start_open_round(request, assessor, year: int, deadline):
    return start_job(
        actor=request.user, kind=OPEN_ROUND, subject_org=assessor,
        title=_("%(year)d %(org)s: opening the round") % {"year": year, "org": assessor.name},
        params={"assessor": assessor.pk, "year": year, "deadline": deadline.isoformat() if deadline else None},
        dedupe_key=_per_user(request, OPEN_ROUND, assessor.pk, year),
        back_url=reverse("assessment:board", args=[assessor.code, year]))


@job_kind(OPEN_ROUND, label=gettext_lazy("Opening a round"))
def open_round(job, progress) -> None:
    """The round opened a step of assessees at a time, as the user who asked (their audit); its
    page then says what the request's messages would: each template copied, the sheets made.
    What each attempt did is kept in the job's params as it goes, so a retry after a dead
    worker (which resumes where the steps stopped) still lists the earlier attempts' work."""
    params = job.params
    deadline = params.get("deadline")
    earlier_copied, earlier_sheets = list(params.get("copied", [])), int(params.get("sheets", 0))

    def keep(**done_so_far):  # under this run's claim: a superseded run writes nothing
        job.params = {**job.params, **done_so_far}
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(params=job.params)

    def on_first(first):
        if first.templates_copied:
            keep(copied=earlier_copied + [copied_template_line(template) for template in first.templates_copied])

    def on_step(done, total):  # between two steps' transactions: the page sees it at once
        keep(sheets=earlier_sheets + done)
        progress.advance(done - progress.job.done)
        progress.set_total(total)

    opened = open_round_in_steps(
        actor=_acting(job), assessor=Org.objects.get(pk=params["assessor"]), year=params["year"],
        deadline=dt.date.fromisoformat(deadline) if deadline else None, on_step=on_step, on_first=on_first)
    for line in job.params.get("copied", []):
        progress.note(line)
    progress.note(_("Round %(year)d opened: %(n)d new sheet(s).")
                  % {"year": opened.round.year, "n": earlier_sheets + opened.sheets_created})


# --- a finalised sheet's PDF, before anyone asks -----------------------------------------------------


@job_kind(SHEET_PDF, label=gettext_lazy("A sheet's PDF, rendered ahead"))
def sheet_pdf(job, progress) -> None:
    sheet = Sheet.objects.select_related("org", "assessor", "template", "round").get(pk=job.params["sheet"])
    progress.set_total(1)
    render_sheet_pdf(sheet)  # lands in the PDF cache the download reads
    progress.advance()


@receiver(audit.recorded, dispatch_uid="assessment.jobs.prerender")
def prerender_finalised_sheet(sender, entry, **kwargs):
    if entry.action != "assessment.sheet.finalise":
        return
    prerender.start_prerender(
        kind=SHEET_PDF, entry=entry, params={"sheet": int(entry.object_id)},
        title=lambda: _("%(sheet)s: the finalised sheet's PDF") % {"sheet": entry.object_repr})
