"""Pages usable on a phone (issue 10): at 375 × 812 the staff's sheet, the case pages and every
demo account's landing pages never scroll sideways.  Wide tables scroll inside their own
container; the page itself fits.  Each page is screenshotted (full page) into the e2e artifacts
folder for a person to look at."""

import re

import pytest

from assessment.models import Sheet
from fixtures.demo_orgs import DEMO_ACCOUNTS
from services.models import Case
from tests.e2e.conftest import ARTIFACTS, session_cookie

PHONE = {"width": 375, "height": 812}
PASSWORDS = {username: password for username, password, _role, _code in DEMO_ACCOUNTS}
LANDING_PAGES = ("/", "/assessment/", "/services/", "/orgs/", "/duties/")

# What sticks out, for the failure message: the widest elements whose right edge passes the viewport.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-wrap, .table-scroll'))
    .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)}`);
}"""


def assert_fits_a_phone(page, live_server, path, shot):
    page.goto(f"{live_server.url}{path}")
    page.locator("h1").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{shot}.png"), full_page=True)
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll_width <= client_width, (
        f"{path} scrolls sideways at {client_width} px (content {scroll_width} px): {page.evaluate(OVERFLOWING)}")


def sign_in_on_a_phone(page, live_server, username, with_the_form=False):
    """The form (and so the sign-in page at phone width) once; the other accounts by session."""
    page.set_viewport_size(PHONE)
    if not with_the_form:
        page.context.add_cookies([session_cookie(live_server, username, PASSWORDS[username])])
        page.goto(f"{live_server.url}/")
        return
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORDS[username])
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")


def test_the_staffs_sheet_and_case_pages_fit_a_phone(demo_data, live_server, page):
    sign_in_on_a_phone(page, live_server, "demo-staff", with_the_form=True)
    sheet = Sheet.objects.get(org__code="zz-gzw-gwzgs", year=2026)
    assert_fits_a_phone(page, live_server, sheet.get_absolute_url(), "staff-sheet")
    assert_fits_a_phone(page, live_server, "/services/cases/", "staff-cases")
    cases = Case.objects.filter(applicant__code="zz-gzw-gwzgs", is_demo=True).order_by("pk")
    assert cases.count() >= 3
    for case in cases:
        assert_fits_a_phone(page, live_server, f"/services/cases/{case.pk}/", f"case-{case.pk}")
    assert_fits_a_phone(page, live_server, "/services/org/zz-gzw-gwzgs/apply/member-card/", "staff-apply")


@pytest.mark.parametrize("username", list(PASSWORDS))
def test_every_demo_accounts_landing_pages_fit_a_phone(demo_data, live_server, page, username):
    sign_in_on_a_phone(page, live_server, username)
    for path in LANDING_PAGES:
        name = re.sub(r"\W+", "-", path).strip("-") or "home"
        assert_fits_a_phone(page, live_server, path, f"{username}-{name}")
