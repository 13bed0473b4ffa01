"""No page links to a page that fails for the same user (issue 10, defect 2).

For each demo account, a bounded breadth-first crawl from ``/`` with the Django test client
follows every same-site link (``<a href>``, exports and PDFs included) and collects every
link that answers 4xx or 5xx.  Links that only a POST may follow (sign-out, the language
switch) are forms, not anchors, so the crawl never meets them.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from fixtures.demo_orgs import DEMO_ACCOUNTS
from tests.demo_database import demo_database_fixture

# Per account: enough to reach every kind of page the demo data has, bounded for CI.
PAGE_BUDGET = 400
# The admin's sort and filter links multiply one changelist into hundreds of URLs; one
# visit per changelist path and set of query parameter names is enough to prove they answer.
# Rendering a PDF takes one to seven seconds (a round's PDF): one download of each download
# view (PDF, xlsx, csv) proves that view answers, and the views' own tests check what they
# print; every page (HTML) is still visited.
DOWNLOADS_PER_VIEW = 1


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:")):
            continue
        absolute, _ = urldefrag(urljoin("http://testserver" + url, href))
        parts = urlsplit(absolute)
        if parts.netloc != "testserver" or not parts.path:
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _crawl_key(url: str) -> str:
    """Admin sort/filter variants of one changelist count as one page."""
    parts = urlsplit(url)
    if parts.path.startswith("/admin/") and parts.query:
        keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&")})
        return parts.path + "?" + "&".join(keys)
    return url


def _view_name(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return url


def crawl(client: Client, budget: int = PAGE_BUDGET) -> tuple[list[tuple[str, int, str]], int]:
    """Return (broken links as (url, status, found on), pages visited)."""
    queue = deque([("/", "(start)")])
    seen = {_crawl_key("/")}
    broken = []
    visited = 0
    downloads: dict[str, int] = {}  # view name → downloads of it fetched
    while queue and visited < budget:
        url, referrer = queue.popleft()
        view = _view_name(url)
        if downloads.get(view, 0) >= DOWNLOADS_PER_VIEW:
            continue
        response = client.get(url)
        visited += 1
        if not response.get("Content-Type", "").startswith("text/html") and response.status_code < 300:
            downloads[view] = downloads.get(view, 0) + 1
        if response.status_code >= 400:
            broken.append((url, response.status_code, referrer))
            continue
        if response.status_code in (301, 302):
            target = urljoin(url, response["Location"])
            if urlsplit(target).netloc in ("", "testserver") and _crawl_key(target) not in seen:
                seen.add(_crawl_key(target))
                queue.append((urlsplit(target).path + (f"?{urlsplit(target).query}" if urlsplit(target).query else ""), url))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # a download (PDF, xlsx, csv): it answered, that is all a link needs
        for link in _links(url, response.content.decode()):
            key = _crawl_key(link)
            if key not in seen:
                seen.add(key)
                queue.append((link, url))
    return broken, visited


demo_database = demo_database_fixture()


# The crawl checks that links lead somewhere, not how fast a PDF prints (bench/ does): on a
# loaded CI machine the 2011 round's PDF can pass the production render deadline.
@override_settings(PDF_RENDER_SECONDS=120)
@pytest.mark.parametrize("username", [account[0] for account in DEMO_ACCOUNTS])
def test_no_link_a_demo_account_meets_answers_an_error(demo_database, db, username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    broken, visited = crawl(client)
    assert visited > 10, "the crawl found almost nothing: is the landing page empty?"
    assert broken == [], "\n".join(f"{status} {url}  (linked from {ref})" for url, status, ref in broken)
