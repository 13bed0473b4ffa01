"""Assessment journeys in the browser, on the demo data of `seed --demo`:
staff fill in and submit; a reviewer returns one item and the staff fix it and resubmit;
a scorer finalises and downloads the ranking."""

import re

from playwright.sync_api import expect

from assessment import services
from assessment.models import Sheet, SheetStatus
from unionportal.actors import SYSTEM

STAFF = ("demo-staff", "staff-demo-2026")
REVIEWER = ("demo-reviewer", "reviewer-demo-2026")
SCORER = ("demo-scorer", "scorer-demo-2026")


def sheet_of(code, year=2026):
    return Sheet.objects.get(org__code=code, year=year)


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def fill_every_unit(page, sheet, grade="full"):
    for unit in sheet.units.order_by("position"):
        page.check(f"input[name='grade-{unit.pk}'][value='{grade}']")
        page.check(f"input[name='docs-{unit.pk}']")
        page.fill(f"textarea[name='note-{unit.pk}']", f"{unit.seq} 已完成")


def test_staff_fill_in_and_submit(demo_data, live_server, sign_in, page):
    sign_in(*STAFF)
    expect(page.locator("main")).to_contain_text("考核工作")
    page.get_by_role("link", name=re.compile("2026 · 市港务总公司工会")).click()
    expect(page.locator("h1")).to_contain_text("2026年度基层工会工作考核细则")
    sheet = sheet_of("zz-gzw-gwzgs")
    first = sheet.units.order_by("position").first()
    page.check(f"input[name='grade-{first.pk}'][value='basic']")
    expect(page.locator(".running [data-self-total]")).to_have_text("5")  # 10 × (0.7 − 0.2), computed as they click
    page.check(f"input[name='docs-{first.pk}']")
    expect(page.locator(".running [data-self-total]")).to_have_text("7")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    expect(page.locator(f"input[name='grade-{first.pk}'][value='basic']")).to_be_checked()
    fill_every_unit(page, sheet)
    expect(page.locator(".running [data-self-total]")).to_have_text("100")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已提交")
    expect(page.locator(".badge.status-submitted").first).to_be_visible()
    expect(page.get_by_role("button", name="保存草稿")).to_have_count(0)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and str(sheet.self_total) == "100.00"


def test_reviewer_returns_one_item_and_staff_fix_and_resubmit(demo_data, live_server, sign_in, page):
    sheet = sheet_of("zz-gzw-gwzgs")
    services.save_self_assessment(actor=SYSTEM, sheet=sheet, entries={
        u.seq: services.Entry(grade="full", docs=True, note="已完成") for u in sheet.units.all()})
    services.apply_transition(actor=SYSTEM, sheet=sheet, name="submit")
    target = sheet.units.get(seq="2")

    sign_in(*REVIEWER)
    page.goto(f"{live_server.url}/assessment/")
    expect(page.locator("main")).to_contain_text("待审核")
    page.get_by_role("link", name="市港务总公司工会").first.click()
    page.check(f"input[name='return-{target.pk}']")
    page.fill(f"input[name='why-{target.pk}']", "请补充职代会会议记录")
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator(".messages")).to_contain_text("已退回")
    sign_out(page)

    sign_in(*STAFF)
    page.goto(f"{live_server.url}/assessment/2026/zz-gzw-gwzgs/")
    expect(page.locator(".callout")).to_contain_text("请补充职代会会议记录")
    other = sheet.units.get(seq="1.1")
    expect(page.locator(f"input[name='grade-{other.pk}']")).to_have_count(0)  # not returned: locked
    page.check(f"input[name='grade-{target.pk}'][value='basic']")
    page.fill(f"textarea[name='note-{target.pk}']", "会议记录已补充")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已提交")
    expect(page.locator(".history")).to_contain_text("第 2 次提交")
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.submissions == 2
    assert str(sheet.self_total) == "92.50"


def test_scorer_finalises_and_downloads_the_ranking(demo_data, live_server, sign_in, page):
    sign_in(*SCORER)
    page.goto(f"{live_server.url}/assessment/")
    expect(page.locator("main")).to_contain_text("待评分与定稿")
    page.goto(f"{live_server.url}/assessment/2011/zz-sw/")
    page.get_by_role("button", name="定稿").click()
    expect(page.locator(".messages")).to_contain_text("已定稿")
    expect(page.locator(".badge.status-final").first).to_be_visible()
    page.goto(f"{live_server.url}/assessment/rounds/zz/2011/ranking/")
    expect(page.locator("table.ranking")).to_contain_text("株洲市商务系统工会")
    expect(page.locator("svg.chart").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="考核结果（xlsx）").click()
    path = download.value.path()
    from openpyxl import load_workbook

    with open(path, "rb") as handle:
        rows = list(load_workbook(handle).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("名次", "系统内名次", "编码", "单位")
    assert any(row[2] == "zz-sw" for row in rows[1:])
    assert sheet_of("zz-sw", 2011).status == SheetStatus.FINAL
