"""The one PDF renderer of the portal (WeasyPrint).

Every printed form goes through ``render_pdf``: the font configuration and the print CSS are
built once per process (building them per call costs more than rendering a page); resources
are fetched only from the portal's own static files, so text such as
``<img src="file:///etc/passwd">`` in a duty prints as text and fetches nothing; and a
rendered PDF is cached under the hash of its HTML (content and template together), so a
repeat download is instant and an edited record is never served stale.

Every render is bounded (``unionportal.pdf_bounds``): a document whose text exceeds a budget
is refused before layout and a layout that runs past a deadline is stopped, so no request
holds a worker for long. PDFs are tagged (``pdf_tags``), so their text extracts in reading
order for copy-paste and screen readers.

Many documents in one PDF (a round's sheets) go through ``render_pdf_joined``: each laid out
on its own, their pages joined, so the cost and memory of the whole stay bounded.
"""

import hashlib
import io
import logging
import mimetypes
import re
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string

from unionportal import print_fonts
from unionportal.pdf_bounds import (
    PdfTooSlow,
    check_size,
    job_budgets,
    too_slow_message,
    within_deadline,
)

logger = logging.getLogger(__name__)

PDF_CACHE = "pdf"
STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")
# Bumped when print.css or the renderer changes in a way the HTML hash cannot see.
RENDERER_VERSION = "3"
# A document that ran out of time is refused at once for this long, not laid out again.
TOO_SLOW_REMEMBERED = 3600


class FetchRefused(ValueError):
    """A URL outside the portal's static files; WeasyPrint skips the resource."""


@cache
def font_config():
    """WeasyPrint's font configuration, with the print fonts (unionportal/print_fonts.py) added
    to its fontconfig set when they are built."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    # config._config: WeasyPrint 70's own fontconfig set (pinned in pyproject.toml), as its
    # add_font_face uses it, minus the copy of each font into a temporary folder.
    refused = [path for path in print_fonts.available()
               if not fontconfig.FcConfigAppFontAddFile(config._config, str(path).encode())]
    if print_fonts.available():
        pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))
    if refused:
        logger.warning("print fonts not loaded: %s", ", ".join(map(str, refused)))
    return config


@cache
def print_stylesheet():
    from weasyprint import CSS

    path = finders.find("css/print.css")
    return CSS(filename=path, font_config=font_config(), url_fetcher=url_fetcher())


@cache
def _print_digest() -> str:
    """print.css and the print fonts: what every PDF is laid out with beside its HTML."""
    css = Path(finders.find("css/print.css")).read_bytes()
    return hashlib.sha256(css + print_fonts.digest().encode()).hexdigest()[:16]


def _static_file(url: str) -> Path:
    """The static file ``url`` names, or FetchRefused for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "portal") or parts.netloc:
        raise FetchRefused(f"refused to fetch {url!r}")
    path = unquote(parts.path)
    if not path.startswith(STATIC_PREFIX):
        raise FetchRefused(f"refused to fetch {url!r}")
    relative = path[len(STATIC_PREFIX):]
    if ".." in Path(relative).parts:
        raise FetchRefused(f"refused to fetch {url!r}")
    found = finders.find(relative)
    if not found:
        raise FetchRefused(f"no static file {relative!r}")
    return Path(found)


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PortalURLFetcher(URLFetcher):
        """Serves ``/static/…`` from the portal's own files; refuses every other URL."""

        def fetch(self, url, headers=None):
            found = _static_file(url)
            mime_type, _encoding = mimetypes.guess_type(found.name)
            return URLFetcherResponse(
                url, found.read_bytes(), {"Content-Type": mime_type or "application/octet-stream"}
            )

    return PortalURLFetcher


@cache
def url_fetcher():
    return _fetcher_class()()


def warm_up() -> None:
    """Build the font configuration and print CSS and lay out one line of Chinese, so that a
    server process's first real PDF costs what every later one does (about 0.5 s less).
    Called once per worker by the gunicorn configuration (unionportal/gunicorn.py)."""
    html_to_pdf('<html lang="zh-hans"><p>工会 <b>工会</b></p><h1>工会</h1></html>')


def warm_up_in_background() -> None:
    """``warm_up`` in a daemon thread, for the development server (``make run``): its
    first PDF then costs what every later one does, and start-up does not wait for it."""
    import threading

    def run():
        try:
            warm_up()
        except Exception:  # a missing font must not stop the server; the checks report it
            logger.exception("PDF renderer warm-up failed")

    threading.Thread(target=run, name="pdf-warm-up", daemon=True).start()


def render_html(template_name: str, context: dict) -> str:
    return render_to_string(template_name, context)


def cache_key(html: str) -> str:
    digest = hashlib.sha256()
    for part in (RENDERER_VERSION, _print_digest(), html):
        digest.update(part.encode())
        digest.update(b"\0")
    return "pdf:" + digest.hexdigest()


def html_to_pdf(html: str) -> bytes:
    return html_to_document(html).write_pdf(pdf_tags=True)


# A print template's own <style> (the sheet's is 1.9 KB) was parsed again for every document:
# a round of 500 sheets parsed it 500 times. Taken out of the HTML and parsed once, it is
# passed after print.css, so it still wins over print.css as it did (same selectors: later
# wins; the templates' rules are as specific as print.css's or more). Only a bare <style>
# written by a template: record text is escaped and cannot form one.
STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@lru_cache(maxsize=32)  # the print templates have a handful of distinct blocks
def template_stylesheet(text: str):
    from weasyprint import CSS

    return CSS(string=text, base_url="portal:///", font_config=font_config(), url_fetcher=url_fetcher())


def _stylesheets(html: str) -> tuple[str, list]:
    """``html`` without its <style> elements, and the stylesheets to lay it out with."""
    styles = [template_stylesheet(text) for text in STYLE_ELEMENT.findall(html)]
    return (STYLE_ELEMENT.sub("", html) if styles else html), [print_stylesheet(), *styles]


@cache
def _print_templates_digest() -> str:
    """The print templates' sources: a deploy that changes one gives every data key a new value."""
    digest = hashlib.sha256()
    for path in sorted(Path(settings.BASE_DIR, "templates").glob("*/pdf/**/*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def data_cache_key(template_name: str, data_key: str) -> str:
    """The cache key of a PDF by the version of the data it prints (``render_pdf_for``)."""
    from django.utils import translation

    digest = hashlib.sha256()
    for part in (RENDERER_VERSION, _print_digest(), _print_templates_digest(),
                 translation.get_language() or "", template_name, data_key):
        digest.update(part.encode())
        digest.update(b"\0")
    return "pdf:data:" + digest.hexdigest()


def render_pdf_for(template_name: str, data_key: str, context) -> bytes:
    """``render_pdf`` looked up first by ``data_key``, so a cached PDF costs no HTML rendering.

    ``data_key`` must change with every write the document shows (versions, ``updated_at``
    of each record printed); ``context`` is called only when the PDF is not cached."""
    key = data_cache_key(template_name, data_key)
    pdf = cached_pdf(key)
    if pdf is None:
        pdf = render_pdf(template_name, context())
        remember_pdf(key, pdf)
    return pdf


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a print template (``templates/<app>/pdf/…``) to PDF bytes, cached by content.

    Raises ``PdfTooLarge`` or ``PdfTooSlow`` (``unionportal.pdf_bounds``) for a document
    beyond the budgets; the middleware answers those with a page that says what to do."""
    html = render_html(template_name, context)
    key = cache_key(html)
    pdf = cached_pdf(key)
    if pdf is None:
        check_size(html)
        pdf = _bounded(key, lambda: html_to_pdf(html))
    return pdf


def _bounded(key: str, render) -> bytes:
    """``render()`` within the deadline, its PDF remembered under ``key``."""
    # (A background job has its own, longer deadline: a request's refusal does not bind it.)
    if not job_budgets() and _cache_call("get", key + ":too-slow"):
        raise PdfTooSlow(too_slow_message())  # it ran out of time before: refuse at once
    try:
        pdf = within_deadline(render)
    except PdfTooSlow:
        _cache_call("set", key + ":too-slow", True, timeout=TOO_SLOW_REMEMBERED)
        raise
    remember_pdf(key, pdf)
    return pdf


# Many documents in one PDF ------------------------------------------------------------------
# One long document costs more than its parts: its layout keeps every page's boxes alive until
# it is written. A round of 150 sheets as one document peaked at 1.16 GB of memory (about 7 MB
# a sheet) and cost 608 ms of CPU a sheet against 509 ms at 10 sheets (measured 2026-11-30,
# loaded machine). ``render_pdf_joined`` lays out each document on its own and writes their
# pages in parts of DOCUMENTS_PER_PART, then joins the parts' PDFs with their bookmarks (pypdf);
# the parts are laid out in a pool of processes, one a core (``unionportal.pdf_parts``).
# The part size trades memory against file size: a part holds its sheets' boxes until it is
# written, and carries its own Chinese font subsets (about 420 KB; each sheet's own PDF would
# carry them, 500 sheets about 220 MB, against some 20 KB a sheet for its pages).

DOCUMENTS_PER_PART = 25


def render_pdf_joined(template_name: str, contexts, *, on_document=None) -> bytes:
    """``template_name`` rendered with each of ``contexts`` and laid out as a document of its
    own (its own page numbers), all in one PDF in that order, bookmarks kept; cached by the
    documents' HTML together. ``on_document()`` is called once per document as it is laid
    out, or as its part is done when the parts go to a pool (a background job's progress). Bounded as ``render_pdf``: the size budget applies to the
    documents' text together, the deadline to the whole."""
    htmls = [render_html(template_name, context) for context in contexts]
    key = cache_key("joined\0" + "\0".join(htmls))
    pdf = cached_pdf(key)
    if pdf is None:
        check_size("".join(htmls))
        pdf = _bounded(key, lambda: _lay_out_joined(htmls, on_document, DOCUMENTS_PER_PART))
    elif on_document is not None:
        for _html in htmls:
            on_document()
    return pdf


def html_to_document(html: str):
    """``html`` laid out (a WeasyPrint Document), not yet written."""
    from weasyprint import HTML

    html, stylesheets = _stylesheets(html)
    document = HTML(string=html, base_url="portal:///", url_fetcher=url_fetcher())
    return document.render(stylesheets=stylesheets, font_config=font_config(), pdf_tags=True)


def _lay_out_joined(htmls: list[str], on_document, per_part: int) -> bytes:
    # Joining drops the parts' tag structures (pypdf does not merge them): tagging parts that
    # will be joined would only cost time (a twentieth of a sheet's).
    from unionportal.pdf_parts import write_parts

    parts = [htmls[start:start + per_part] for start in range(0, len(htmls), per_part)]
    written = write_parts(parts, tagged=len(parts) == 1, on_document=on_document)
    return written[0] if len(written) == 1 else join_pdfs(written)


def join_pdfs(parts: list[bytes]) -> bytes:
    """The PDFs ``parts`` one after another, with their bookmarks and the first one's metadata.

    (Tag structures are not merged: a joined PDF's text extracts in the order it is drawn,
    which is reading order for the portal's layouts.)"""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for number, part in enumerate(parts):
        reader = PdfReader(io.BytesIO(part))
        writer.append(reader, import_outline=True)
        if number == 0 and reader.metadata:
            writer.add_metadata(dict(reader.metadata))
    target = io.BytesIO()
    writer.write(target)
    return target.getvalue()


# The shared PDF cache ---------------------------------------------------------------------
# Every app server and worker shares it (Redis, or the database: settings.CACHES["pdf"]). A PDF
# up to PDF_CACHE_INLINE_BYTES is kept in the cache itself; a bigger one (a whole round) in the
# default storage under generated/pdf/, with its name, size and sha256 in the cache, so Redis
# memory and database rows stay small. The cache is an optimisation: when it or the storage
# does not answer, the PDF is rendered afresh (and the failure logged).

GENERATED_PDF_PREFIX = "generated/pdf/"


def _cache_call(method: str, *args, **kwargs):
    from unionportal.dependencies import cache_errors

    try:
        return getattr(caches[PDF_CACHE], method)(*args, **kwargs)
    except (*cache_errors(), DatabaseError) as exc:
        logger.warning("PDF cache unavailable (%s): %s", method, type(exc).__name__)
        return None


def cached_pdf(key: str) -> bytes | None:
    """The PDF cached under ``key``, or None (never cached, expired, or a store is down)."""
    entry = _cache_call("get", key)
    if entry is None or isinstance(entry, bytes):
        return entry
    from unionportal.dependencies import STORAGE_ERRORS

    try:
        with default_storage.open(entry["file"], "rb") as stream:
            pdf = stream.read()
    except FileNotFoundError:
        return None
    except (*STORAGE_ERRORS, OSError, KeyError, TypeError) as exc:
        logger.warning("Cached PDF unreadable: %s", type(exc).__name__)
        return None
    if len(pdf) != entry.get("size") or hashlib.sha256(pdf).hexdigest() != entry.get("sha256"):
        return None
    return pdf


def remember_pdf(key: str, pdf: bytes) -> None:
    if len(pdf) <= settings.PDF_CACHE_INLINE_BYTES:
        _cache_call("set", key, pdf)
        return
    from unionportal.dependencies import STORAGE_ERRORS

    digest = hashlib.sha256(pdf).hexdigest()
    try:
        name = default_storage.save(f"{GENERATED_PDF_PREFIX}{key.removeprefix('pdf:')}.pdf",
                                    ContentFile(pdf))
    except (*STORAGE_ERRORS, OSError) as exc:
        logger.warning("Rendered PDF not kept: %s", type(exc).__name__)
        return
    _cache_call("set", key, {"file": name, "size": len(pdf), "sha256": digest})


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True, fallback: str = "") -> HttpResponse:
    """An HTTP response for a PDF; the (often Chinese) file name survives in every browser.

    ``fallback`` is the ASCII name for clients that ignore ``filename*`` (such as
    ``zz-duties.pdf``); without it, the ASCII part of ``filename``, or ``document.pdf`` when
    that leaves no name (a Chinese ``教育系统工会.pdf`` would leave just ``.pdf``)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    ascii_name = "".join(c for c in fallback or filename if c.isascii() and c.isprintable() and c not in '"\\')
    if not ascii_name.lower().removesuffix(".pdf").strip(" ._-"):
        ascii_name = "document.pdf"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Content-Length"] = str(len(pdf))
    return response
