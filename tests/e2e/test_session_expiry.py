"""Journey (issue 9): an expiring session never costs typed work.  Staff type a meeting record,
the session expires before they save, they sign in again and land on the form with everything
they typed; a successful save forgets the draft.  The page warns before the session ends."""

import time
from importlib import import_module

from django.conf import settings as django_settings
from playwright.sync_api import expect

from orgs.models import OrgKind
from tests.factories import PASSWORD, GrantFactory, OrgFactory
from unionportal.accounts import sessions

AGENDA = "一、审议年度工作报告\n二、讨论困难职工帮扶方案（会前已征求意见）"
ATTENDEES = "张三\n李四\n王五"


def _staff(code="e2e-base"):
    org = OrgFactory(code=code, name="测试基层工会", kind=OrgKind.BASE)
    return GrantFactory(role="staff", org=org, user__username="e2e-staff").user, org


def _expire_session(page, seconds=3 * 3600):
    """Make the browser's session idle for longer than the limit, as if they went to lunch."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME)
    session = import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[sessions.LAST_SEEN] = time.time() - seconds
    session.save()


def test_typed_text_survives_an_expired_session_and_re_sign_in(transactional_db, live_server,
                                                                 sign_in, page):
    user, org = _staff()
    form_url = f"{live_server.url}/orgs/{org.code}/governance/meetings/new/"
    sign_in(user.username, PASSWORD)
    page.goto(form_url)
    page.select_option("#id_kind", index=1)
    page.fill("#id_date", "2026-03-02")
    page.fill("#id_attendees", ATTENDEES)
    page.fill("#id_agenda", AGENDA)
    page.fill("#id_decisions", "通过")
    # The draft is written 0.3 s after the last keystroke: wait until it holds the last field.
    page.wait_for_function("""() => Object.keys(localStorage).some((key) => key.startsWith("unionportal-draft:")
        && (JSON.parse(localStorage.getItem(key)).values.decisions || [])[0] === "通过")""")

    _expire_session(page)
    page.locator("form.stack-form button[type=submit], form.stack-form input[type=submit]").first.click()

    # Sent to sign in (the save did not go through), told that the typing is kept.
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    expect(page.locator(".messages")).to_contain_text("重新登录")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")

    # Back on the form, with everything that was typed.
    page.wait_for_url(form_url)
    expect(page.locator("#id_agenda")).to_have_value(AGENDA)
    expect(page.locator("#id_attendees")).to_have_value(ATTENDEES)
    expect(page.locator("#id_decisions")).to_have_value("通过")
    expect(page.locator("#id_date")).to_have_value("2026-03-02")

    # Saving now works, and the draft is forgotten: a new form starts empty.
    page.locator("form.stack-form button[type=submit], form.stack-form input[type=submit]").first.click()
    page.wait_for_url(lambda url: "/meetings/new/" not in url)
    assert org.meetings.get().agenda.replace("\r\n", "\n") == AGENDA
    page.goto(form_url)
    expect(page.locator("#id_agenda")).to_have_value("")


def test_the_page_warns_before_the_session_expires(transactional_db, live_server, sign_in, page,
                                                   settings):
    user, org = _staff()
    sign_in(user.username, PASSWORD)
    # Warn a whole idle period ahead, so the warning shows as soon as the page loads.
    settings.UNIONPORTAL_SESSION_WARNING_SECONDS = settings.UNIONPORTAL_SESSION_IDLE_SECONDS + 60
    page.goto(f"{live_server.url}/orgs/{org.code}/")
    banner = page.locator("#session-banner")
    expect(banner).to_contain_text("会话将于")
    expect(banner.get_by_role("button", name="保持登录")).to_be_visible()
