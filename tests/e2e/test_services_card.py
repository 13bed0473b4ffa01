"""Journey: base-union staff apply for a member service card, the system union passes it on,
the federation completes it, and the staff see it done."""

import re
from datetime import date

from playwright.sync_api import expect

TITLE = "港务公司第四批会员服务卡"


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def open_case_from_queue(page):
    page.get_by_role("link", name="会员服务", exact=True).click()
    row = page.locator("#queue tr", has_text=TITLE)
    expect(row).to_be_visible()
    row.get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text(TITLE)


def test_service_card_travels_up_the_tree_and_comes_back_done(demo_data, live_server, sign_in, page):
    sign_in("demo-staff", "staff-demo-2026")
    expect(page.locator("main")).to_contain_text("件待我办理")
    page.get_by_role("link", name="会员服务", exact=True).click()
    page.get_by_role("link", name="为市港务总公司工会提交新申请").click()
    page.get_by_role("link", name="工会会员服务卡办理").first.click()
    page.fill("#id_title", TITLE)
    page.fill("#id_member_name", "张建国")
    page.fill("#id_description", "新入职职工 12 人办卡。")
    # 办卡材料 is a required document: without it (or a paper delivery) the submission is refused.
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".errorlist")).to_contain_text("缺少：办卡材料")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    page.check("#id_paper_0")
    page.fill("#id_paper_by_0", "张建国")
    page.fill("#id_paper_on_0", date.today().isoformat())
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("已提交")
    expect(page.locator("#case-status")).to_have_text("办理中")
    expect(page.locator("main")).to_contain_text("由株洲市国资委系统工会办理")
    case_url = page.url
    sign_out(page)

    sign_in("demo-reviewer", "reviewer-demo-2026")
    open_case_from_queue(page)
    page.fill("#id_comment", "材料齐全，同意上报。")
    page.get_by_role("button", name="审核通过并转报").click()
    expect(page.locator(".messages")).to_contain_text("已审核通过并转报")
    expect(page.locator("main")).to_contain_text("由株洲市总工会办理")
    expect(page.locator("#act")).to_have_count(0)  # nothing more for the system union
    sign_out(page)

    sign_in("demo-handler", "handler-demo-2026")
    open_case_from_queue(page)
    page.get_by_role("button", name="审核通过并转报").click()
    expect(page.locator("#act")).to_contain_text("等待发卡")
    page.fill("#id_outcome", "银行已制卡，卡已发放至基层工会。")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("#case-status")).to_have_text("已办结")
    sign_out(page)

    sign_in("demo-staff", "staff-demo-2026")
    page.goto(case_url)
    expect(page.locator("#case-status")).to_have_text("已办结")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("demo-reviewer")
    expect(timeline).to_contain_text("demo-handler")
    expect(page.locator("ol.path")).to_contain_text("株洲市国资委系统工会")
    expect(page.locator("main")).to_contain_text("银行已制卡")

    # The service the staff applied for opens from their case (its owner, the federation, is
    # above what they may see, but it is offered to their union).
    page.locator("dl.facts").get_by_role("link", name="工会会员服务卡办理").click()
    expect(page).to_have_url(re.compile(r"/services/types/\d+/$"))
    expect(page.locator("h1")).to_have_text("工会会员服务卡办理")
    expect(page.locator("main")).to_contain_text("办理流程")
