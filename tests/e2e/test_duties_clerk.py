"""Journey: the demo clerk of 教育 opens its duty catalogue, searches, opens an item, prints it."""

import re

from playwright.sync_api import expect

from tests.pdftext import pdf_text


def test_clerk_searches_opens_an_item_and_downloads_the_pdf(demo_data, live_server, sign_in, page):
    sign_in("demo-clerk", "clerk-demo-2026")
    page.get_by_role("link", name="工作职责").first.click()
    expect(page).to_have_url(f"{live_server.url}/duties/")
    expect(page.locator("main")).not_to_contain_text("株洲市卫生系统工会")  # outside the grant
    page.get_by_role("link", name="株洲市教育系统工会").click()
    expect(page).to_have_url(re.compile(r"/duties/zz-jy/$"))
    expect(page.locator("h1")).to_contain_text("教育系统工会工作职责")

    page.fill("#q", "女职工")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#search-summary")).to_contain_text("1")
    expect(page.locator(".duty-list li")).to_have_count(1)
    page.get_by_role("link", name="做好女职工工作，维护女职工合法权益。").click()
    expect(page).to_have_url(re.compile(r"/duties/zz-jy/items/\d+/$"))
    expect(page.locator("h1")).to_contain_text("做好女职工工作")

    page.get_by_role("link", name="返回职责清单").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="打印（PDF）").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        text = "".join(pdf_text(handle.read()).split())
    assert "教育系统工会工作职责" in text and "做好女职工工作，维护女职工合法权益。" in text

    response = page.request.get(f"{live_server.url}/duties/zz-ws.pdf")
    assert response.status == 404  # 卫生 is outside the clerk's union
