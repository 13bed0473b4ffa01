"""The demo's assessment chain can be finished by the demo accounts alone (issue 10, defect 3):
demo-staff fills in and submits the 2026 zz-gzw-gwzgs sheet, demo-reviewer passes it on,
demo-scorer (who also scores at zz-gzw, the template's owner) confirms and finalises it."""

import re

from playwright.sync_api import expect

from assessment.models import Sheet, SheetStatus
from fixtures.demo_orgs import DEMO_ACCOUNTS

PASSWORDS = {username: password for username, password, _role, _code in DEMO_ACCOUNTS}


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_the_2026_sheet_goes_from_fill_in_to_finalised_with_the_demo_accounts(
        demo_data, live_server, sign_in, page):
    sheet = Sheet.objects.get(org__code="zz-gzw-gwzgs", year=2026)
    url = f"{live_server.url}{sheet.get_absolute_url()}"

    sign_in("demo-staff", PASSWORDS["demo-staff"])
    page.goto(url)
    for unit in sheet.units.order_by("position"):
        page.check(f"input[name='grade-{unit.pk}'][value='full']")
        page.check(f"input[name='docs-{unit.pk}']")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已提交")
    sign_out(page)

    sign_in("demo-reviewer", PASSWORDS["demo-reviewer"])
    page.goto(url)
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".messages li").first).to_be_visible()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.REVIEWED
    sign_out(page)

    # The scorer finds the sheet from their own work list, not by a typed address.
    sign_in("demo-scorer", PASSWORDS["demo-scorer"])
    page.goto(f"{live_server.url}/assessment/")
    page.locator(f"a[href='{sheet.get_absolute_url()}']").first.click()
    page.get_by_role("button", name="确认得分").click()
    expect(page.locator(".messages li").first).to_be_visible()
    page.get_by_role("button", name="定稿").click()
    expect(page.locator(".messages")).to_contain_text("已定稿")
    expect(page.locator(".badge.status-final").first).to_be_visible()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.FINAL
