"""Journey: the demo admin of 株洲市总工会 opens zz's duties, which has no catalogue of its own:
an overview of the system unions' catalogues, a union's page, the whole federation's PDF."""

import re

from playwright.sync_api import expect

from tests.pdftext import pdf_text


def test_admin_opens_the_federation_overview_and_prints_the_whole_federation(demo_data, live_server, sign_in, page):
    sign_in("demo-admin", "admin-demo-2026")
    page.goto(f"{live_server.url}/duties/zz/")
    expect(page.locator("h1")).to_contain_text("株洲市总工会所属单位职责清单")
    rows = page.locator("#federation-catalogues tbody tr")
    expect(rows).to_have_count(12)
    expect(page.locator(".counts")).to_contain_text("116")

    page.get_by_role("link", name="株洲市教育系统工会").click()
    expect(page).to_have_url(re.compile(r"/duties/zz-jy/$"))
    expect(page.locator("h1")).to_contain_text("教育系统工会工作职责")
    page.go_back()

    expect(page.locator("#subtree-downloads").get_by_role("link", name="比较所属单位职责")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="全部打印（PDF）").click()
    download = download_info.value
    assert download.suggested_filename == "株洲市总工会及所属单位工作职责.pdf"
    with open(download.path(), "rb") as handle:
        text = "".join(pdf_text(handle.read()).split())
    assert "株洲市总工会及所属单位工作职责" in text and "做好女干警工作，维护女干警合法权益。" in text

    response = page.request.get(f"{live_server.url}/duties/zz.pdf")  # without ?subtree=1
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert 'filename="zz-duties-subtree.pdf"' in response.headers["content-disposition"]
    assert page.request.get(f"{live_server.url}/duties/lf.pdf").status == 404  # outside zz
