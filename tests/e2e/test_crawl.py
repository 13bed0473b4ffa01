"""No page links to a page that fails for the same user (issue 10, defect 2).

For each demo account, a breadth-first crawl from ``/`` with the Django test client follows
every same-site link (``<a href>``, exports and PDFs included) and collects every link that
answers 4xx or 5xx; the crawl must finish (every page it meets visited) within its budget.
Links that only a POST may follow (sign-out, the language switch) are forms, not anchors, so
the crawl never meets them.
"""

import functools
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.template.base import Template
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from fixtures.demo_orgs import DEMO_ACCOUNTS
from tests.demo_database import demo_database_fixture
from tests.kept_pdfs import pdfs_kept_in
from unionportal.frame_stack import caller_with_room

# Per account, a guard against a crawl that never ends (the demo admin's is the largest, about
# 1,250 pages): the test fails when the crawl stops with links left unvisited.
PAGE_BUDGET = 2000
# Rendering a PDF takes one to seven seconds (a round's PDF): one download of each download
# view (PDF, xlsx, csv) proves that view answers, and the views' own tests check what they
# print; every page (HTML) is still visited.
DOWNLOADS_PER_VIEW = 1
# Django's admin pages of one kind of object (change, history, delete) are one generic view
# over the model; its sort and filter links multiply one changelist into hundreds of URLs.
# A few objects of each kind, and each parameter of a changelist once, prove they answer.
ADMIN_OBJECTS_PER_KIND = 3
# Query parameters that only filter the rows a page lists (rows it lists unfiltered too): each
# value is visited once, on the first page that offers it, and each page unfiltered, not every
# page × combination (the governance dashboard: 13 unions × 27 combinations of rule and status).
LIST_FILTERS = {"orgs:governance-dashboard": {"rule", "status", "kind", "q"}}
# An <a> start tag (quoted attribute values may hold ">"): only these are parsed.
ANCHOR_TAG = re.compile(r"""<a\s(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


@functools.lru_cache(maxsize=65536)
def _href(tag: str) -> str | None:
    """The href of one <a> start tag, read by HTMLParser (entities, quoting); most of a page's
    anchors (its header, its rows' links) are on other pages too, so each is read once."""
    parser = _Links()
    parser.feed(tag)
    parser.close()
    return parser.hrefs[0] if parser.hrefs else None


def _links(url: str, html: str) -> list[str]:
    found = []
    # The anchors only: at a tenth of the cost of tokenising the whole page.
    for href in filter(None, map(_href, ANCHOR_TAG.findall(html))):
        # An absolute path (the header's links, most of a page's) means the same on every page.
        link = _same_site(url if href[0] != "/" or href.startswith("//") else "", href)
        if link is not None:
            found.append(link)
    return found


@functools.lru_cache(maxsize=65536)
def _same_site(url: str, href: str) -> str | None:
    """``href`` on the page ``url`` as a same-site path and query, or None (another site, a
    mail link); a page's links are mostly the same few hundred, so each is worked out once."""
    if href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    absolute, _ = urldefrag(urljoin("http://testserver" + url, href))
    parts = urlsplit(absolute)
    if parts.netloc != "testserver" or not parts.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _view(url: str):
    return _resolved(urlsplit(url).path)


@functools.cache
def _resolved(path: str):
    """The view of ``path`` (the URLconf does not change during a run): a crawl offers each
    path about 14 times, once per page that links to it."""
    try:
        return resolve(path)
    except Resolver404:
        return None


def _crawl_keys(url: str, match) -> list:
    """What visiting ``url`` proves; it is visited when one of them is new."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    view = match.view_name if match else ""
    if view.startswith("admin:"):
        # _changelist_filters only carries the list's filters back to it from an object's page.
        names = {name for name, _ in pairs if name != "_changelist_filters"}
        return [(parts.path, name) for name in sorted(names)] or [parts.path]
    if pairs and {name for name, _ in pairs} <= LIST_FILTERS.get(view, set()):
        return [(view, name, value) for name, value in pairs]
    return [url]


class _Frontier:
    """The links still to visit, each new page once, in the order met."""

    def __init__(self):
        self.queue = deque()
        self.seen = set()
        self.offered: set[str] = set()
        self.admin_objects: dict[tuple, set] = {}  # kind of admin object page → objects queued

    def offer(self, url: str, referrer: str) -> None:
        # A link offered again is turned away as it was the first time (its keys are seen, or its
        # kind of admin object page is full): pages repeat their links (about 20 offers a link).
        if url in self.offered:
            return
        self.offered.add(url)
        match = _view(url)
        keys = [key for key in _crawl_keys(url, match) if key not in self.seen]
        if not keys or not self._admin_object_wanted(match):
            return
        self.seen.update(keys)
        self.queue.append((url, referrer, match.view_name if match else url))

    def _admin_object_wanted(self, match) -> bool:
        if match is None or not match.view_name.startswith("admin:") or "object_id" not in match.kwargs:
            return True
        kind = (match.view_name, *sorted((k, v) for k, v in match.kwargs.items() if k != "object_id"))
        objects = self.admin_objects.setdefault(kind, set())
        if match.kwargs["object_id"] not in objects and len(objects) >= ADMIN_OBJECTS_PER_KIND:
            return False
        objects.add(match.kwargs["object_id"])
        return True


# Download URLs an earlier account's crawl fetched, by view: of a download view's links, an
# account fetches one of these when it meets one, so the "pdf" cache (below) has its PDF.
_DOWNLOADED: dict[str, set[str]] = {}


def crawl(client: Client, budget: int = PAGE_BUDGET) -> tuple[list[tuple[str, int, str]], int, int]:
    """Return (broken links as (url, status, found on), pages visited, links left unvisited)."""
    frontier = _Frontier()
    frontier.offer("/", "(start)")
    broken = []
    visited = 0
    downloads: dict[str, int] = {}  # view name → downloads of it fetched
    put_off: deque = deque()  # links of download views, each but one an earlier account fetched
    while (frontier.queue or put_off) and visited < budget:
        if not frontier.queue:  # the pages are done: the links put off, for views not yet fetched
            frontier.queue, put_off = put_off, None
        url, referrer, view = frontier.queue.popleft()
        if downloads.get(view, 0) >= DOWNLOADS_PER_VIEW:
            continue
        if put_off is not None and url not in _DOWNLOADED.get(view, (url,)):
            put_off.append((url, referrer, view))
            continue
        response = client.get(url)
        visited += 1
        is_html = response.get("Content-Type", "").startswith("text/html")
        if not is_html and response.status_code < 300:
            downloads[view] = downloads.get(view, 0) + 1
            _DOWNLOADED.setdefault(view, set()).add(url)
        if response.status_code >= 400:
            broken.append((url, response.status_code, referrer))
        elif response.status_code in (301, 302):
            target = urlsplit(urljoin(url, response["Location"]))
            if target.netloc in ("", "testserver"):
                frontier.offer(target.path + (f"?{target.query}" if target.query else ""), url)
        elif is_html:  # not a download (PDF, xlsx, csv): for those, answering is all a link needs
            for link in _links(url, response.content.decode()):
                frontier.offer(link, url)
    return broken, visited, len(frontier.queue) + len(put_off or ())


# The crawl on a 1 MB frame in a chunk of 2 MB of CPython's frame stack (unionportal/frame_stack.py):
# each request's own roomy frame (the first middleware) then fits in the MB below it, instead of
# mapping a chunk of its own for every page.
_with_room_for_every_request = caller_with_room(1 << 17)


demo_database = demo_database_fixture()
# Rendered PDFs as the accounts before left them in the "pdf" cache (the tests' own fixture
# empties it before each test).
_PDFS: dict = {}


@pytest.fixture
def pdfs_rendered_for_earlier_accounts(_empty_caches):
    """The "pdf" cache kept from one account's crawl to the next (``tests.kept_pdfs``): the demo
    data is the same, so an account whose document differs gets its own."""
    with pdfs_kept_in(_PDFS):
        yield


@pytest.fixture
def templates_rendered_unrecorded(monkeypatch):
    """Templates rendered as outside tests: the test client records each template's context
    (a copy for every included template) for ``response.context``, which the crawl never reads."""
    monkeypatch.setattr(Template, "_render", lambda self, context: self.nodelist.render(context))


# The crawl checks that links lead somewhere, not how fast a PDF prints (bench/ does): on a
# loaded CI machine the 2011 round's PDF can pass the production render deadline.
@override_settings(PDF_RENDER_SECONDS=120)
@pytest.mark.parametrize("username", [account[0] for account in DEMO_ACCOUNTS])
def test_no_link_a_demo_account_meets_answers_an_error(demo_database, db, pdfs_rendered_for_earlier_accounts,
                                                       templates_rendered_unrecorded, username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    broken, visited, unvisited = _with_room_for_every_request(crawl, client)
    assert visited > 10, "the crawl found almost nothing: is the landing page empty?"
    assert unvisited == 0, f"the crawl stopped at {visited} pages with {unvisited} links unvisited"
    assert broken == [], "\n".join(f"{status} {url}  (linked from {ref})" for url, status, ref in broken)
