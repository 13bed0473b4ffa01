"""Pre-rendering: a PDF rendered in the background the moment its record changes, so that the
first download is served from the PDF cache like the second (``unionportal.pdf``).

Apps connect a receiver to ``unionportal.audit.recorded`` (sent once the transaction that
wrote the entry commits) and call ``on_action`` with the actions they render for."""

from django.conf import settings
from django.utils.translation import override

from unionportal.actors import SYSTEM
from unionportal.jobs.services import start_job
from unionportal.pdf import cache_key, cached_pdf, render_html


def enabled() -> bool:
    return bool(getattr(settings, "UNIONPORTAL_PRERENDER_PDFS", True))


def start_prerender(*, kind: str, entry, title, params: dict):
    """Queue a pre-render job for an audit entry's record (once while one is waiting);
    ``title()`` names it, in the portal's language."""
    if not enabled() or entry.org_id is None:
        return None
    with override(settings.LANGUAGE_CODE):  # the pages' language, so the cached HTML matches
        return start_job(actor=SYSTEM, kind=kind, subject_org=entry.org, title=title(), params=params,
                         dedupe_key=f"{kind}:{entry.object_id}")


def pdf_if_cached(template_name: str, context: dict) -> bytes | None:
    """The PDF of this template and context when it is in the PDF cache, else None (the render
    itself is left to a job)."""
    return cached_pdf(cache_key(render_html(template_name, context)))
