"""axe-core in every page a browser journey visits (issue 10: "checked by a real tool").

axe-core comes from npm (``tests/e2e/package.json``, pinned by its lock file) and is served to
the browser tests only, as an init script of the browser context: init scripts are not subject
to the portal's Content-Security-Policy, and the portal never serves the file.

Each HTML document starts its own audit once its DOM is ready and reports to Python through an
exposed binding.  So that no page escapes, every main-frame navigation of the context's pages is
paused (Chromium's Fetch domain, document requests only) in ``_before_leaving`` until the
document it replaces has reported (up to ``LEAVE_WAIT_SECONDS``).  A document identical to one
audited in an earlier browser context of the run (``AUDITED``; ``documentKey`` says what counts)
takes that audit's findings instead of running axe-core again.  A journey may click its way out
of a page before its DOMContentLoaded (a click as soon as the link shows): the click's navigation
stops the page's loading, its deferred scripts never run and DOMContentLoaded never comes, so the
audit also starts then (``_START_AUDIT``).  Nothing can be asked of the page meanwhile: Chromium
holds DevTools commands to a frame until its pending navigation commits, so the page reports by
itself.  ``finish()`` waits for the pages still open and returns one line per violating element.
"""

import contextlib
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# A navigation waits at most this long for the audit of the page it leaves (an audit takes
# 70-175 ms; a busy CI machine can stretch that), under the journeys' 15 s expectations. A page
# left sooner is named on stderr (see ``finish``).
LEAVE_WAIT_SECONDS = 10
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

# axe-core's source, compiled only in a document to audit, not in the blank page each new tab
# starts with (a new tab took 0.2 s instead of 0.08 s).
_LOAD_AXE = "window.__unionportalLoadAxe = function () {\n%s\n;return window.axe;\n};"

# Runs in every document after _LOAD_AXE: tells Python a document started, audits it once its
# DOM is ready (the deferred scripts have run, so the stylesheets are applied) and reports. A
# page that navigates away by itself (a click) before its DOMContentLoaded has its loading
# stopped: readyState turns "complete" without DOMContentLoaded, and the page is audited as it
# stands if it was parsed whole and styled.  (A navigation from the browser, a goto, lets the
# page finish loading meanwhile.)  Each report names its document, so that a late report cannot
# count for the page's next document.  The rules that can only find minor or moderate faults
# (axe-core's own metadata says which) do not run: only serious and critical ones fail a test.
_START_AUDIT = """
(() => {
  if (window.top !== window || window.__unionportalAudit || !location.protocol.startsWith("http")) return;
  const documentId = `${performance.timeOrigin}-${Math.random()}`;
  const report = (message) => window.__unionportalAxeReport({document: documentId, url: location.href, ...message});
  report({phase: "start"});
  const ready = new Promise((resolve) => {
    document.addEventListener("DOMContentLoaded", () => resolve(true), {once: true});
    document.addEventListener("readystatechange", () => document.readyState === "complete" && resolve(false));
  });
  const faultRules = (axe) => {
    const checks = axe._audit.data.checks;
    const off = axe._audit.rules.filter((rule) => ![rule.impact, ...[...rule.any, ...rule.all, ...rule.none]
      .map((check) => (checks[check.id || check] || {}).impact)].some((impact) => ["serious", "critical"].includes(impact)));
    return Object.fromEntries(off.map((rule) => [rule.id, {enabled: false}]));
  };
  // The key of what an audit of this document reads: its markup once the per-response values
  // (CSRF token, nonces, the session's clock) are blanked, and how it is shown — the browser,
  // viewport, colour scheme, rendering mode, ready state, which stylesheets have loaded and which
  // elements are hovered or focused.  Null where the page cannot digest (crypto.subtle needs a
  // secure context, as 127.0.0.1 is) or digesting fails: such a document is always audited.
  const documentKey = async () => {
    try {
      if (!window.crypto || !crypto.subtle) return null;
      const markup = document.documentElement.outerHTML
        .replace(/(name="csrfmiddlewaretoken" value=")[^"]*/g, "$1")
        .replace(/nonce="[^"]*"/g, 'nonce=""')
        .replace(/(data-session-[a-z]+=")[0-9]+/g, "$1");
      const everything = document.getElementsByTagName("*");
      const shown = [navigator.userAgent, `${innerWidth}x${innerHeight}`, matchMedia("(prefers-color-scheme: dark)").matches,
                     document.compatMode, document.readyState,
                     [...document.querySelectorAll("link[rel~=stylesheet]")].map((link) => Boolean(link.sheet)).join(),
                     [...document.querySelectorAll(":hover, :focus")].map((element) => Array.prototype.indexOf.call(everything, element)).join()];
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${shown.join(" ")}\n${markup}`));
      return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    } catch (error) {
      return null;
    }
  };
  // The audit itself, also run on demand (``audit_now``) once a page's scripts have changed it.
  window.__unionportalRunAxe = async () => {
    const key = await documentKey();
    const known = key && (window.__unionportalAudited || {})[key];
    if (known) return {...known, key, reused: true};
    const axe = window.axe || window.__unionportalLoadAxe();
    // preload off: the stylesheets are already applied; fetching them again could time out.
    return axe.run(document, {preload: false, resultTypes: ["violations"], rules: faultRules(axe)}).then(
      (results) => ({
        key,
        violations: results.violations.filter((v) => ["serious", "critical"].includes(v.impact)).map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                                      summary: (n.failureSummary || "").split("\\n").slice(0, 2).join(" ")})),
        })),
      }),
      (error) => ({error: String(error)}),
    );
  };
  window.__unionportalAudit = ready.then((whole) => {
    if (document.contentType !== "text/html") return {violations: []};
    const styled = [...document.querySelectorAll("link[rel~=stylesheet]")].every((link) => link.sheet);
    if (!whole && (document.readyState === "loading" || !styled)) return {left: true};
    return window.__unionportalRunAxe();
  }).then((result) => { report({phase: "done", ...result}); });
})();
"""


# What each document audited in this run found, by the key the page computes (``documentKey``),
# handed to each new browser context (a document seen twice within one context is audited twice):
# a journey's pages recur across journeys (each account's landing page, the sign-in page, a list
# after each change), and an audit costs the browser 100-400 ms of CPU; an identical document
# gets the findings of its first audit.
AUDITED: dict[str, dict] = {}


def remember(report: dict) -> None:
    key = report.get("key")
    if key and "violations" in report:
        AUDITED.setdefault(key, {"violations": report["violations"]})


class AccessibilityAudit:
    """Audits every document of one browser context; ``finish()`` lists what failed."""

    def __init__(self, context):
        if not AXE.exists():
            pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/e2e` (`make test` does it)")
        self.context = context
        self.reports: list[dict] = []
        self.auditing: dict = {}  # page → its current document, until that document reports
        self.unaudited: list[str] = []  # why a page left was not audited
        self.failures: list[tuple] = []  # (page, why) a page's navigations could not be held
        context.expose_binding("__unionportalAxeReport", self._receive)
        context.add_init_script(script=_LOAD_AXE % AXE.read_text())
        # The findings of the documents audited so far in this run, by their key (``AUDITED``).
        context.add_init_script(script=f"window.__unionportalAudited = {json.dumps(AUDITED)};")
        context.add_init_script(script=_START_AUDIT)
        # Pages opened from now on: the context's first page (conftest.page) and its popups.
        context.on("page", self._hold_navigations)

    def _receive(self, source, message):
        page, document = source["page"], message.pop("document")
        if message.pop("phase") == "start":
            self.auditing[page] = document
            return
        if "left" in message:
            self.unaudited.append(f"the journey left {message['url']} before it was parsed whole and styled")
        else:
            self.reports.append(message)
            remember(message)
        if self.auditing.get(page) == document:
            del self.auditing[page]

    def _hold_navigations(self, page):
        """Pause each navigation of the page's main frame until the document it replaces has
        reported (Chromium's Fetch domain, for documents only: the page's other requests go
        on unpaused and its HTTP cache stays on, which a Playwright route would turn off)."""
        try:
            session = page.context.new_cdp_session(page)
            main_frame = session.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
            session.on("Fetch.requestPaused", lambda paused: self._before_leaving(page, session, main_frame, paused))
            session.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "resourceType": "Document"}]})
        except Exception as exc:  # noqa: BLE001 — reported by finish(), unless the page closed
            # (Raised here, in an event handler, it would surface in whatever call comes next.)
            self.failures.append((page, f"{page.url}: its navigations could not be held for the audit: {exc}"))

    def _before_leaving(self, page, session, main_frame, paused):
        if paused.get("frameId") == main_frame:
            deadline = time.monotonic() + LEAVE_WAIT_SECONDS
            try:
                while page in self.auditing and time.monotonic() < deadline:
                    page.wait_for_timeout(10)  # lets the report arrive meanwhile
            except Exception:  # noqa: BLE001 — the page closed meanwhile
                pass
            if page in self.auditing and not page.is_closed():
                self.unaudited.append(f"axe-core had not finished auditing {page.url} when the journey left it")
        with contextlib.suppress(Exception):  # the page closed meanwhile
            session.send("Fetch.continueRequest", {"requestId": paused["requestId"]})

    def finish(self) -> list[str]:
        for page in self.context.pages:
            try:
                page.evaluate("() => window.__unionportalAudit || null")
                for _ in range(300):  # the report is on its way; give it up to 15 s
                    if page not in self.auditing:
                        break
                    page.wait_for_timeout(50)
            except Exception:  # noqa: BLE001 — the page closed or navigated by itself meanwhile
                pass
        # A popup that closes itself (the admin's "add another") leaves nothing to audit. A page
        # left before it was parsed whole and styled, or whose report did not come in time, is
        # named on stderr, not failed: every page the main menu reaches is audited without
        # navigation races in test_accessibility.py.
        for why in self.unaudited:
            sys.stderr.write(f"note: {why}\n")
        problems = [f"{page.url}: axe-core did not finish auditing it"
                    for page in self.auditing if not page.is_closed()]
        # A popup that closed itself at once has nothing to hold.
        problems.extend(why for page, why in self.failures if not page.is_closed())
        for report in self.reports:
            problems.extend(report_lines(report))
        return list(dict.fromkeys(problems))  # a page visited twice names its faults once


def report_lines(report: dict) -> list[str]:
    """One line per violating element of one document's report."""
    where = urlsplit(report["url"])
    page = where.path + (f"?{where.query}" if where.query else "")
    if "error" in report:
        return [f"axe-core could not audit {page}: {report['error']}"]
    return [f"[{violation['impact']}] {violation['id']} on {page}: {node['target']}"
            f"  {node['html']}  — {violation['help']}. {node['summary']}"
            for violation in report["violations"] for node in violation["nodes"]]


def audit_now(page) -> list[str]:
    """The audit again, on the document as it stands: for what the page's scripts build after
    its DOMContentLoaded (the admin's select2 widgets), which the automatic audit runs before.
    Waits for that audit first: axe-core runs one audit at a time."""
    report = page.evaluate("() => Promise.resolve(window.__unionportalAudit).then(() => "
                           "window.__unionportalRunAxe()).then((result) => ({url: location.href, ...result}))")
    remember(report)
    return report_lines(report)
