"""Journey under the Content-Security-Policy: the portal's language menu and the admin's
scripts (changelist actions, inline "add another" rows, the related-object popup with its
autocomplete) all work, a PDF opens in the browser's viewer, and the browser reports no
violation of the policy."""

import re

import pytest
from playwright.sync_api import expect

from assessment.services import open_round
from tests.assessment.conftest import make_template
from tests.factories import PASSWORD, UserFactory
from tests.kit import scope_tree
from unionportal.actors import SYSTEM


@pytest.fixture(scope="module")
def browser(desktop_browser):
    """The PDF opens in the desktop chromium's viewer (the headless shell downloads it)."""
    return desktop_browser


@pytest.fixture
def violations(page):
    """Every CSP violation the browser reports, in any page or popup of the context."""
    found = []

    def listen(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(message.text)

    page.context.on("console", listen)
    return found


def test_admin_scripts_work_under_the_policy(transactional_db, live_server, sign_in, page, violations):
    tree = scope_tree()
    # A superuser: the inline rows need Django's model permissions, which org admins lack.
    UserFactory(username="kit-root", is_superuser=True, is_staff=True)
    sign_in("kit-root", PASSWORD)

    # The portal's own script: the language menu submits on change (no inline handler).
    page.wait_for_load_state()  # the menu's script (deferred) is attached by then
    page.select_option("#language", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.wait_for_load_state()  # the menu's script (deferred) is attached by then
    page.select_option("#language", "zh-hans")
    expect(page.get_by_role("button", name="退出")).to_be_visible()

    # Changelist actions: ticking a row counts it; an action leads to its confirmation page.
    page.goto(f"{live_server.url}/admin/orgs/org/")
    page.locator(f"input.action-select[value='{tree.a2.pk}']").check()
    expect(page.locator("#result_list tr.selected")).to_have_count(1)
    expect(page.locator(".action-counter")).to_contain_text("1")
    page.select_option("select[name=action]", "delete_selected")
    page.locator("button[name=index]").click()
    expect(page.locator("input[name=post]")).to_have_count(1)  # "are you sure?", not confirmed
    expect(page.locator("#content")).to_contain_text(tree.a2.name)

    # Inline rows: "add another" adds a row of aliases.
    page.goto(f"{live_server.url}/admin/orgs/org/{tree.a1.pk}/change/")
    rows = page.locator(".inline-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator(".inline-group .add-row a").click()
    expect(rows).to_have_count(before + 1)

    # Related-object popup: add an org from the grant form; it lands in the autocomplete.
    page.goto(f"{live_server.url}/admin/orgs/grant/add/")
    with page.expect_popup() as opened:
        page.locator("#add_id_org").click()
    popup = opened.value
    popup.fill("#id_code", "kit-a-9")
    popup.fill("#id_name", "甲九基层工会")
    popup.select_option("#id_kind", "base")
    popup.locator(".field-parent .select2-selection").click()
    popup.locator(".select2-search__field").fill("甲系统")
    popup.locator(".select2-results__option", has_text=tree.a.name).click()
    # Listen before clicking: the response page may close the popup before a later wait
    # would start listening.
    with popup.expect_event("close"):
        popup.locator("input[name=_save]").click()
    expect(page.locator("#select2-id_org-container")).to_contain_text("甲九基层工会")
    expect(page.locator("#id_org")).to_have_value(re.compile(r"^\d+$"))

    # Proportions drawn from data come from classes, not style attributes: the progress bar
    # of a round's board still has its width.
    make_template(tree.a)
    open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    page.goto(f"{live_server.url}/assessment/rounds/{tree.a.code}/2026/")
    segment = page.locator(".progress .seg").first
    expect(segment).to_be_visible()
    assert segment.bounding_box()["width"] > 100

    # A PDF (served with the same policy) opens in Chromium's viewer without a violation: the
    # viewer (an extension page in the tab) loads the document again into a frame of its own.
    pdf = f"{live_server.url}/assessment/2026/{tree.a1.code}.pdf"
    with page.expect_event("framenavigated", lambda frame: frame.parent_frame and frame.url == pdf) as viewer:
        response = page.goto(pdf)
    assert response.headers["content-type"] == "application/pdf"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    viewer.value.wait_for_load_state()

    assert violations == []
