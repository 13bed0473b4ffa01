"""axe-core in every page a browser journey visits (issue 10: "checked by a real tool").

axe-core comes from npm (``tests/e2e/package.json``, pinned by its lock file) and is served to
the browser tests only, as an init script of the browser context: init scripts are not subject
to the portal's Content-Security-Policy, and the portal never serves the file.

Each HTML document starts its own audit once its DOM is ready and reports to Python through an
exposed binding.  So that no page escapes, the context routes every main-frame navigation
through ``_before_leaving``: the request waits (up to ``LEAVE_WAIT_SECONDS``) until the document
it replaces has reported.  ``finish()`` waits for the
pages still open and returns one line per violating element.
"""

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

# Runs in every document after axe.min.js: tells Python a document started, audits it once its
# DOM is ready (the deferred scripts have run, so the stylesheets are applied) and reports.
_START_AUDIT = """
(() => {
  if (window.top !== window || window.__unionportalAudit || !location.protocol.startsWith("http")) return;
  const report = (message) => window.__unionportalAxeReport(message);
  report({phase: "start", url: location.href});
  const ready = new Promise((resolve) => {
    if (document.readyState !== "loading") resolve();
    else document.addEventListener("DOMContentLoaded", resolve, {once: true});
  });
  window.__unionportalAudit = ready.then(() => {
    if (document.contentType !== "text/html" || !window.axe) return {url: location.href, violations: []};
    // preload off: the stylesheets are already applied; fetching them again could time out.
    return window.axe.run(document, {preload: false, resultTypes: ["violations"]}).then(
      (results) => ({
        url: location.href,
        violations: results.violations.filter((v) => ["serious", "critical"].includes(v.impact)).map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                                      summary: (n.failureSummary || "").split("\\n").slice(0, 2).join(" ")})),
        })),
      }),
      (error) => ({url: location.href, error: String(error)}),
    );
  }).then((result) => { report({phase: "done", ...result}); });
})();
"""


class AccessibilityAudit:
    """Audits every document of one browser context; ``finish()`` lists what failed."""

    def __init__(self, context):
        if not AXE.exists():
            pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/e2e` (`make test` does it)")
        self.context = context
        self.reports: list[dict] = []
        self.auditing: set = set()  # pages whose current document has not reported yet
        self.unaudited: list[str] = []  # pages left while their audit still ran
        context.expose_binding("__unionportalAxeReport", self._receive)
        context.add_init_script(path=str(AXE))
        context.add_init_script(script=_START_AUDIT)
        # Static files never wait: a page still loading its scripts and styles must reach its
        # audit while a navigation away from it is held.
        context.route(lambda url: "/static/" not in url, self._before_leaving)

    def _receive(self, source, message):
        page = source["page"]
        if message.pop("phase") == "start":
            self.auditing.add(page)
            return
        self.reports.append(message)
        self.auditing.discard(page)

    def _before_leaving(self, route):
        """Hold a page's navigation until the document it replaces has reported."""
        request = route.request
        try:
            frame = request.frame if request.is_navigation_request() else None
        except Exception:  # noqa: BLE001 — a popup's first request comes before its frame: nothing to audit yet
            frame = None
        if frame is not None and frame.parent_frame is None:
            page = frame.page
            deadline = time.monotonic() + LEAVE_WAIT_SECONDS
            try:
                while page in self.auditing and time.monotonic() < deadline:
                    page.wait_for_timeout(25)  # lets the report arrive meanwhile
            except Exception:  # noqa: BLE001 — the page closed meanwhile
                pass
            if page in self.auditing and not page.is_closed():
                self.unaudited.append(page.url)
        route.fallback()

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
        # left while its audit ran (Playwright cannot always deliver the report while a route
        # handler holds the next navigation) is named on stderr, not failed: every page the
        # main menu reaches is audited without navigation races in test_accessibility.py.
        for url in self.unaudited:
            sys.stderr.write(f"note: axe-core had not finished auditing {url} when the journey left it\n")
        problems = [f"{page.url}: axe-core did not finish auditing it"
                    for page in self.auditing if not page.is_closed()]
        for report in self.reports:
            where = urlsplit(report["url"])
            page = where.path + (f"?{where.query}" if where.query else "")
            if "error" in report:
                problems.append(f"axe-core could not audit {page}: {report['error']}")
                continue
            for violation in report["violations"]:
                for node in violation["nodes"]:
                    problems.append(
                        f"[{violation['impact']}] {violation['id']} on {page}: {node['target']}"
                        f"  {node['html']}  — {violation['help']}. {node['summary']}")
        return list(dict.fromkeys(problems))  # a page visited twice names its faults once
