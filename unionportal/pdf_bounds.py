"""Bounds on every PDF render, so that no request holds a worker for long.

Two guards, both used by ``unionportal.pdf.render_pdf``:

- a size budget checked before layout: the document's text (tags stripped) may not exceed
  ``settings.PDF_MAX_TEXT_CHARS`` characters; a bigger document is refused at once;
- a deadline around the layout: after ``settings.PDF_RENDER_SECONDS`` the render is
  interrupted (an exception raised in the rendering thread) and refused.

A refusal reaches the user as a page that says what to do (``PdfRefusedMiddleware``), with
HTTP 413 for a document that is too large and 503 for one that took too long.
"""

import contextvars
import ctypes
import logging
import re
import threading
from contextlib import contextmanager
from html import unescape

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Measured on a loaded 2-core machine: the largest seeded document (the 2011 round of zz, 12
# sheets, 11,356 characters) renders in 5.3 s, dense tables at about 2,000 characters a second,
# plain long text faster (a 32,767-character duty cell 2.4 s). The budgets leave room above
# the seeded documents and stop far below the workers' 60 s timeout.
DEFAULT_MAX_TEXT_CHARS = 50_000
DEFAULT_RENDER_SECONDS = 15.0

TAG = re.compile(r"<(?:style|script)\b.*?</(?:style|script)>|<[^>]*>", re.DOTALL | re.IGNORECASE)
SPACE = re.compile(r"\s+")


class PdfRefused(Exception):
    """A PDF that will not be rendered; ``message`` tells the user what to do."""

    status = 413

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PdfTooLarge(PdfRefused):
    status = 413


class PdfTooSlow(PdfRefused):
    status = 503


def too_slow_message() -> str:
    return _("This document took too long to print and was stopped. Print a smaller part, "
             "such as one unit or one record, or shorten its longest texts.")


class _Deadline(BaseException):
    """Raised inside the rendering thread when its time is up (a BaseException, so that no
    ``except Exception`` in the renderer swallows it)."""


# A background job (unionportal/jobs/) renders with its own, larger budgets: nobody waits on
# a request for it (settings JOBS_PDF_MAX_TEXT_CHARS and JOBS_PDF_RENDER_SECONDS).
_budget_override: contextvars.ContextVar = contextvars.ContextVar("pdf_budget_override", default=None)


@contextmanager
def budgets(*, max_text_chars: int, render_seconds: float):
    """Within this block, renders use these budgets instead of the request's."""
    token = _budget_override.set((int(max_text_chars), float(render_seconds)))
    try:
        yield
    finally:
        _budget_override.reset(token)


def job_budgets() -> bool:
    """Whether the render runs under a background job's budgets."""
    return _budget_override.get() is not None


def max_text_chars() -> int:
    override = _budget_override.get()
    if override is not None:
        return override[0]
    return int(getattr(settings, "PDF_MAX_TEXT_CHARS", DEFAULT_MAX_TEXT_CHARS))


def render_seconds() -> float | None:
    override = _budget_override.get()
    seconds = override[1] if override is not None else getattr(settings, "PDF_RENDER_SECONDS",
                                                               DEFAULT_RENDER_SECONDS)
    return float(seconds) if seconds else None


def text_size(html: str) -> int:
    """Characters of printable text in ``html``: what the layout has to place."""
    return len(SPACE.sub("", unescape(TAG.sub("", html))))


def check_size(html: str) -> None:
    size, budget = text_size(html), max_text_chars()
    if size > budget:
        logger.warning("PDF refused: %d characters of text, budget %d", size, budget)
        raise PdfTooLarge(_(
            "This document is too large to print (%(size)s characters of text; at most "
            "%(budget)s). Print a smaller part, such as one unit or one record."
        ) % {"size": f"{size:,}", "budget": f"{budget:,}"})


def _raise_in_thread(thread_id: int, exception: type[BaseException] | None) -> None:
    """Make ``thread_id`` raise ``exception`` at its next bytecode (None: cancel a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


def within_deadline(work, seconds: float | None = None):
    """``work()``, interrupted after ``seconds`` (``PDF_RENDER_SECONDS`` by default) with
    PdfTooSlow. The layout is Python code, so the interruption lands within milliseconds;
    nothing is cached or written by an interrupted render."""
    seconds = render_seconds() if seconds is None else seconds
    if not seconds:
        return work()
    lock = threading.Lock()
    state = {"running": True, "fired": False}
    target = threading.get_ident()

    def expire():
        with lock:
            if state["running"]:
                state["fired"] = True
                _raise_in_thread(target, _Deadline)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        try:
            return work()
        finally:
            with lock:
                state["running"] = False
                if state["fired"]:
                    _raise_in_thread(target, None)  # not yet delivered: cancel it
            timer.cancel()
    except _Deadline:
        state["fired"] = True
    finally:
        if state["fired"]:
            logger.warning("PDF render stopped after %.1f s", seconds)
            raise PdfTooSlow(too_slow_message())


class PdfRefusedMiddleware:
    """Turns a refused PDF into a page that says why and what to do next."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PdfRefused):
            return None
        response = TemplateResponse(request, "pdf/refused.html", {"message": exception.message},
                                    status=exception.status)
        response["Cache-Control"] = "private, no-store"
        return response
