"""A joined PDF's parts laid out in worker processes (``unionportal.pdf.render_pdf_joined``).

WeasyPrint is pure Python: one process lays out one sheet at a time on one core. A round of
500 sheets at about half a second a sheet takes over four minutes in one process; its parts
are independent (each its own PDF, joined afterwards), so they are laid out in a pool of
processes, as many as the machine has cores (``settings.PDF_RENDER_PROCESSES``, default 2).

The pool is made for one joined PDF and ended with it, so a job's worker keeps none of the
layout's memory (WeasyPrint's and fontconfig's caches live and die in the pool's processes).
Its processes are started with ``spawn``: a fresh interpreter inherits no database
connection, lock or thread of the job's process (``fork`` would copy them mid-transaction).
They receive HTML and return PDF bytes; they never touch the database.

The caller's deadline (``pdf_bounds.within_deadline``) still holds: the parent waits in
short steps, so the deadline's exception reaches it, and the pool's processes are then
killed rather than left to finish.
"""

import contextlib
import functools
import gc
import multiprocessing
import os

from django.conf import settings

DEFAULT_PROCESSES = 2
# How long the parent blocks at a time while it waits for a part (the deadline's exception
# can only land between two waits).
WAIT_STEP_SECONDS = 0.2


def processes_for(parts: int) -> int:
    """How many processes lay out ``parts`` parts: one (in this process) for a single part."""
    wanted = int(getattr(settings, "PDF_RENDER_PROCESSES", DEFAULT_PROCESSES))
    return max(1, min(wanted, parts, os.cpu_count() or 1))


@contextlib.contextmanager
def cyclic_gc_paused():
    """Python's cycle collector paused for one part, and run once when it is written.

    A part keeps every laid-out page of its documents alive until it is written (hundreds of
    thousands of boxes), and each automatic collection walked all of them again: about a
    quarter of a sheet's layout CPU in a part of 25 (docs/benchmarks.md, "Sixth pass"), for
    about 60 MB more peak memory. A pool process ends with its PDF; in a long-lived process (one
    part laid out in place) Python may keep that memory for its next render. The layout's own
    garbage is freed by reference counting as before; only cycles wait for the collection.
    The collector is the process's: other threads run without it meanwhile (production's
    gunicorn and job workers run one render at a time)."""
    was_enabled = gc.isenabled()
    try:
        # Inside the try: the render deadline's exception (pdf_bounds) may land on any
        # bytecode, and must never leave the collector off for the rest of the process's life.
        gc.disable()
        yield
    finally:
        if was_enabled:
            gc.enable()
            # Only the youngest generation: with the collector off, everything the part made
            # stayed in it, so that is where its cycles are. A full collection walked every
            # object of the process as well (a worker's whole heap) after each part. (Not when
            # someone else had paused the collector: theirs to collect.)
            gc.collect(0)


def write_part(htmls: list[str], tagged: bool, on_document=None) -> bytes:
    """``htmls`` laid out each as a document of its own, their pages in one PDF."""
    with cyclic_gc_paused():  # (collected once the part's documents are gone)
        return _lay_out_and_write(htmls, tagged, on_document)


def _lay_out_and_write(htmls: list[str], tagged: bool, on_document) -> bytes:
    from unionportal.pdf import html_to_document

    documents = []
    for html in htmls:
        documents.append(html_to_document(html))
        if on_document is not None:
            on_document()
    pages = [page for document in documents for page in document.pages]
    # The first document's metadata (title, language) stands for the whole.
    return documents[0].copy(pages).write_pdf(pdf_tags=tagged)


def _write_untagged_part(settings_module: str, htmls: list[str]) -> bytes:
    """A pool process's task (Django set up on its first: a failure there fails the task and
    so the PDF, where a pool's initializer would be restarted without end)."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
        django.setup()
    return write_part(htmls, tagged=False)


def write_parts(parts: list[list[str]], tagged: bool, on_document=None) -> list[bytes]:
    """Each of ``parts`` as a PDF, in order; ``on_document()`` once per document as its part
    is done. In this process for one part, in a pool of processes for more."""
    processes = processes_for(len(parts))
    if processes == 1:
        return [write_part(htmls, tagged, on_document) for htmls in parts]
    # (Joined parts are never tagged: pypdf does not merge tag structures.)
    # (The settings a test overrides are not the module's: the environment names it.)
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
    pool = multiprocessing.get_context("spawn").Pool(processes)
    try:
        written = []
        # In order, each as soon as it is ready.
        results = pool.imap(functools.partial(_write_untagged_part, settings_module), parts)
        for htmls in parts:
            written.append(_next(results))
            if on_document is not None:
                for _html in htmls:
                    on_document()
        pool.close()
        return written
    finally:
        pool.terminate()  # at once when the deadline struck; a no-op wait when all is done
        pool.join()


def _next(results):
    while True:
        try:
            return results.next(timeout=WAIT_STEP_SECONDS)
        except multiprocessing.TimeoutError:
            continue
