"""Journey: a demo reviewer signs in, opens the union tree, opens a union, signs out."""

import re

from playwright.sync_api import expect


def test_reviewer_signs_in_browses_the_tree_and_signs_out(demo_data, live_server, sign_in_with_the_form, page):
    sign_in_with_the_form("demo-reviewer", "reviewer-demo-2026")
    expect(page.locator("h1")).to_contain_text("您好")
    expect(page.locator("table")).to_contain_text("审核员")

    page.get_by_role("link", name="组织树").click()
    expect(page).to_have_url(f"{live_server.url}/orgs/")
    tree = page.locator("ul.tree")
    expect(tree).to_contain_text("市港务总公司工会")
    expect(page.locator("main")).not_to_contain_text("株洲市教育系统工会")  # outside the grant

    page.get_by_role("link", name="市港务总公司工会").click()
    expect(page).to_have_url(re.compile(r"/orgs/zz-gzw-gwzgs/$"))
    expect(page.locator("nav.breadcrumbs")).to_contain_text("株洲市国资委系统工会")
    expect(page.locator("nav.breadcrumbs")).not_to_contain_text("株洲市总工会")

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/orgs/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/orgs/"))


def test_admin_searches_the_tree_and_switches_to_english(demo_data, live_server, sign_in, page):
    sign_in("demo-admin", "admin-demo-2026")
    page.goto(f"{live_server.url}/orgs/zz/")
    expect(page.locator(".counts")).to_contain_text("12")
    page.fill("#q", "卫生")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("table")).to_contain_text("株洲市卫生系统工会")
    page.wait_for_load_state()  # the menu's script (deferred) is attached by then
    page.select_option("#language", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
