"""Journey: a union's staff records a congress session and a resolution; the federation's
dashboard moves the union from overdue to kept."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import session_cookie


def _congress_cell(page, code):
    return page.locator(f'tr[data-org="{code}"] td[data-rule="congress"]')


def test_staff_records_a_session_and_resolution_and_the_dashboard_updates(
        demo_data, live_server, sign_in, page, browser):
    # The reviewer of the system union watches the dashboard of its subtree.
    reviewer_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    reviewer_context.add_cookies([session_cookie(live_server, "demo-reviewer", "reviewer-demo-2026")])
    reviewer = reviewer_context.new_page()
    reviewer.goto(f"{live_server.url}/orgs/zz-gzw/governance/dashboard/")
    expect(_congress_cell(reviewer, "zz-gzw-gwzgs")).to_contain_text("逾期")
    overdue_before = int(reviewer.locator('tr[data-rule="congress"] a[data-status="overdue"]').inner_text())
    expect(reviewer.get_by_role("link", name="登记大会会议")).to_have_count(0)  # reviewers read only

    # The union's staff records a session of its workers' congress.
    sign_in("demo-staff", "staff-demo-2026")
    page.goto(f"{live_server.url}/orgs/zz-gzw-gwzgs/")
    page.get_by_role("link", name="工会治理").click()
    expect(page.locator('tr[data-rule="congress"]')).to_contain_text("逾期")
    page.get_by_role("link", name="登记大会会议").click()
    page.fill("#id_title", "第三届职工代表大会第一次会议")
    boxes = page.locator("input[name=present]")
    expect(boxes).to_have_count(20)
    for index in range(16):
        boxes.nth(index).check()
    page.fill("#id_non_voting", "列席甲\n列席乙\n列席丙")
    page.fill("#id_invited", "特邀甲\n特邀乙")  # 5 > 20 / 5: refused
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".errorlist")).to_contain_text("五分之一")
    page.fill("#id_invited", "特邀甲")  # 4 = one fifth: accepted
    page.get_by_role("button", name="保存").click()

    # Its resolution: exactly half of all delegates is refused as "passed".
    expect(page).to_have_url(re.compile(r"/sessions/\d+/motions/new/$"))
    page.fill("#id_title", "关于集体合同草案的决议")
    page.fill("#id_votes_for", "10")
    page.fill("#id_votes_against", "5")
    page.select_option("#id_declared", "passed")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".errorlist")).to_contain_text("未超过全体代表 20 人的半数")
    page.fill("#id_votes_for", "11")
    page.fill("#id_votes_against", "4")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("第 1 号议案已登记：通过")
    session = page.locator("article.session").first
    expect(session).to_contain_text("关于集体合同草案的决议")
    expect(session.locator(".badge.outcome-passed")).to_have_text("通过")
    expect(page.locator('tr[data-rule="congress"]')).to_contain_text("已落实")
    href = session.get_by_role("link", name="决议表决记录（PDF）").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    # The dashboard shows the union keeping the rule.
    reviewer.reload()
    expect(_congress_cell(reviewer, "zz-gzw-gwzgs")).to_contain_text("已落实")
    overdue_after = int(reviewer.locator('tr[data-rule="congress"] a[data-status="overdue"]').inner_text())
    assert overdue_after == overdue_before - 1
    reviewer_context.close()
