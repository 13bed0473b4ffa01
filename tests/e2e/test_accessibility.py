"""Accessibility, checked by a real tool (issue 10).

Every journey is audited by axe-core through the harness in ``accessibility.py``; these tests
prove the harness catches what it must, hold the reviewer's sheet (the page the issue found
16 unlabelled selects on) to every impact of the rules it broke, and send each demo account
through its landing pages so the audit sees them all.
"""

import uuid

import pytest
from playwright.sync_api import expect

from assessment import services
from assessment.models import Sheet
from fixtures.demo_orgs import DEMO_ACCOUNTS
from tests.e2e.accessibility import AXE, AccessibilityAudit
from unionportal.actors import SYSTEM

# The rules the reviewer's sheet broke, checked at every impact (empty-table-header is "minor").
SHEET_RULES = ["label", "select-name", "listitem", "list", "empty-table-header", "color-contrast",
               "link-in-text-block", "th-has-data-cells"]


def run_axe(page, rules):
    """axe-core on the current page, only ``rules``, every impact: {rule: [targets]}."""
    results = page.evaluate(
        "(rules) => (window.axe || window.__unionportalLoadAxe()).run("
        "document, {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']})",
        rules)
    return {v["id"]: [" ".join(n["target"]) for n in v["nodes"]] for v in results["violations"]}


FAULTY = ("<!DOCTYPE html><html lang='en'><head><title>form</title></head><body><main><h1>Form</h1>"
          "<select id='unnamed'><option>a</option></select><p><a href='/next'>go on</a></p></main></body></html>")
CLEAN = "<!DOCTYPE html><html lang='en'><head><title>next</title></head><body><main><h1>Next</h1></main></body></html>"


def test_the_audit_names_rule_page_and_element_of_a_serious_violation(browser):
    context = browser.new_context()
    try:
        # A made-up site (Playwright's route answers it; the audit holds its navigations).
        context.route("http://a11y.test/**", lambda route: route.fulfill(
            content_type="text/html", body=FAULTY if "/form/" in route.request.url else CLEAN))
        audit = AccessibilityAudit(context)
        page = context.new_page()
        page.goto("http://a11y.test/form/")
        page.goto("http://a11y.test/next")  # leaving the faulty page must not lose its report
        problems = audit.finish()
    finally:
        context.close()
    assert any(line.startswith("[critical] select-name on /form/: #unnamed") for line in problems), problems
    assert len(problems) == 1, problems


# A deferred script that arrives late: the page is parsed and shown before its DOMContentLoaded.
LATE = FAULTY.replace("<title>form</title>", "<title>form</title><script defer src='/static/late.js'></script>")


def late_site(route):
    if "/static/" in route.request.url:
        route.request.frame.page.wait_for_timeout(500)
        route.fulfill(content_type="text/javascript", body="")
    else:
        route.fulfill(content_type="text/html", body=LATE if "/form/" in route.request.url else CLEAN)


@pytest.mark.parametrize("leave", ["click", "goto"])
def test_a_page_left_before_its_scripts_ran_is_still_audited(browser, leave):
    """A click stops the page's loading (its script never runs): it is audited as it stands. A
    goto lets it finish loading while the audit holds the navigation: it is audited whole."""
    context = browser.new_context()
    try:
        context.route("http://a11y.test/**", late_site)
        audit = AccessibilityAudit(context)
        page = context.new_page()
        page.goto("http://a11y.test/form/", wait_until="commit")
        page.locator("#unnamed").wait_for()
        assert page.evaluate("() => document.readyState") == "interactive"  # its script still loading
        if leave == "click":
            page.get_by_role("link", name="go on").click()
        else:
            page.goto("http://a11y.test/next")
        page.wait_for_url("http://a11y.test/next")
        problems = audit.finish()
    finally:
        context.unroute_all(behavior="ignoreErrors")  # the click's page no longer waits for its script
        context.close()
    assert any(line.startswith("[critical] select-name on /form/: #unnamed") for line in problems), problems
    assert audit.unaudited == []


def serving(body):
    return lambda route: route.fulfill(content_type="text/html", body=body)


def test_an_identical_document_takes_the_findings_of_its_first_audit(browser):
    """A document audited before in the run is not audited again: its findings (the faults
    included) count for the page again; a document that differs in any way is audited afresh."""
    marker = uuid.uuid4().hex  # a document no earlier test audited
    faulty = FAULTY.replace("<h1>Form</h1>", f"<h1>Form {marker}</h1>")
    visits = [faulty, faulty, faulty.replace("<p>", "<p>changed ")]
    problems, reused = [], []
    for body in visits:
        context = browser.new_context()
        try:
            # localhost is a secure context, where the page can digest its document (not a11y.test).
            context.route("http://localhost:9/**", serving(body))
            audit = AccessibilityAudit(context)
            page = context.new_page()
            page.goto("http://localhost:9/form/")
            problems.append(audit.finish())
            reused.append([report.get("reused", False) for report in audit.reports])
        finally:
            context.close()
    assert reused == [[False], [True], [False]]
    for found in problems:
        assert any(line.startswith("[critical] select-name on /form/: #unnamed") for line in found), found


def test_the_reviewers_sheet_passes_every_impact_of_the_rules_it_broke(demo_data, live_server, sign_in, page):
    sheet = Sheet.objects.get(org__code="zz-gzw-gwzgs", year=2026)
    services.save_self_assessment(actor=SYSTEM, sheet=sheet, entries={
        u.seq: services.Entry(grade="full", docs=True, note="已完成") for u in sheet.units.all()})
    services.apply_transition(actor=SYSTEM, sheet=sheet, name="submit")
    sign_in("demo-reviewer", "reviewer-demo-2026")
    page.goto(f"{live_server.url}{sheet.get_absolute_url()}")
    selects = page.locator("select[name^=rgrade], select[name^=rdocs]")
    expect(selects.first).to_be_visible()
    assert selects.count() == 2 * sheet.units.count()
    assert run_axe(page, SHEET_RULES) == {}
    # Each select is named after its item, so a screen reader says which one it is.
    first = sheet.units.order_by("position").first()
    assert page.get_by_label(f"审核等级 {first.seq}", exact=True).count() == 1


@pytest.mark.parametrize("username,password", [(u, p) for u, p, _role, _code in DEMO_ACCOUNTS])
def test_every_demo_accounts_landing_pages_pass_the_audit(demo_data, live_server, sign_in, page,
                                                          username, password):
    assert AXE.exists()
    sign_in(username, password)
    for link in page.locator("nav.mainnav a").all():
        href = link.get_attribute("href")
        if href.startswith("/admin/"):
            continue  # Django's own admin pages are not the portal's templates
        page.goto(f"{live_server.url}{href}")
        expect(page.locator("h1").first).to_be_visible()
    # The audit of every page visited runs when the test ends (conftest.pytest_runtest_call).
