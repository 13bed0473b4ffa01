"""Duty-catalogue work in background jobs (unionportal/jobs/): a subtree's PDF not yet in the
PDF cache, and a catalogue's PDF rendered as soon as it is published."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from duties import selectors
from duties.models import CatalogueVersion, VersionStatus
from duties.pdf import TEMPLATE, catalogue_context, render_catalogue_pdf
from orgs.access import get_visible_org_or_404
from unionportal import audit
from unionportal.actors import SYSTEM
from unionportal.jobs import prerender, responses
from unionportal.jobs.registry import Output, job_kind
from unionportal.jobs.services import start_job
from unionportal.pdf import pdf_response, render_pdf

SUBTREE_PDF = "duties.subtree_pdf"
CATALOGUE_PDF = "duties.catalogue_pdf"


def file_names(org, subtree: bool) -> tuple[str, str]:
    """The download's name, and its ASCII name for clients that ignore filename*."""
    suffix = "及所属单位" if subtree else ""
    return f"{org.name}{suffix}工作职责.pdf", f"{org.code}-duties{'-subtree' if subtree else ''}.pdf"


def subtree_pdf_response(request, org, versions):
    """A subtree's PDF: from the PDF cache when it is there, else a job and its page."""
    cached = prerender.pdf_if_cached(TEMPLATE, catalogue_context(org, versions, subtree=True))
    if cached is not None:
        name, fallback = file_names(org, True)
        return pdf_response(cached, name, fallback=fallback)
    job = start_job(actor=request.user, kind=SUBTREE_PDF, subject_org=org,
                    title=_("%(org)s and every union below: duty catalogues (PDF)") % {"org": org.name},
                    params={"org": org.code},
                    dedupe_key=f"{SUBTREE_PDF}:{org.pk}:{request.user.pk}:{get_language()}",
                    back_url=reverse("duties:catalogue", args=[org.code]))
    return responses.started(job)


@job_kind(SUBTREE_PDF, label=gettext_lazy("Duty catalogues of a subtree (PDF)"))
def subtree_pdf(job, progress) -> Output:
    user = job.started_by if job.started_by_id else SYSTEM
    org = get_visible_org_or_404(user, job.params["org"])
    subtree, versions = selectors.export_versions(org, user, subtree=True)
    if not versions:
        raise CatalogueVersion.DoesNotExist
    progress.set_total(2)  # the catalogues read, then the layout
    context = catalogue_context(org, versions, subtree=subtree)
    progress.advance()
    pdf = render_pdf(TEMPLATE, context)
    progress.advance()
    name, fallback = file_names(org, subtree)
    return Output(pdf, name, "application/pdf", ascii_name=fallback)


@job_kind(CATALOGUE_PDF, label=gettext_lazy("A catalogue's PDF, rendered ahead"))
def catalogue_pdf(job, progress) -> None:
    version = CatalogueVersion.objects.select_related("catalogue__org").get(pk=job.params["version"])
    progress.set_total(1)
    if version.status == VersionStatus.PUBLISHED:  # not superseded meanwhile
        org = version.catalogue.org
        subtree, versions = selectors.export_versions(org, SYSTEM, subtree=False, unscoped=True)
        render_catalogue_pdf(org, versions, subtree=subtree)  # lands in the PDF cache
    progress.advance()


@receiver(audit.recorded, dispatch_uid="duties.jobs.prerender")
def prerender_published_catalogue(sender, entry, **kwargs):
    if entry.action != "duties.version.publish":
        return
    prerender.start_prerender(
        kind=CATALOGUE_PDF, entry=entry, params={"version": int(entry.object_id)},
        title=lambda: _("%(catalogue)s: the published catalogue's PDF") % {"catalogue": entry.object_repr})
