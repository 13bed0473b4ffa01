"""A journey without a mouse (issue 10): demo-staff sign in, open their 2026 sheet from the
landing page, grade every item, tick 资料齐全, write a note and submit it, with Tab, Enter,
Space, arrow keys and typing only.  Each control is reached by Tab in the page's own order,
and the focused control shows a visible outline."""

from playwright.sync_api import expect

from assessment.models import Sheet, SheetStatus

MAX_TABS = 400  # more than the sheet's controls; a control never reached fails the test


def tab_to(page, selector):
    """Press Tab until the focused element matches ``selector``; fail if it is never reached."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def focus_outline(page):
    return page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return {style: style.outlineStyle, width: parseFloat(style.outlineWidth),
                visible: document.activeElement.matches(':focus-visible')};
    }""")


def assert_focus_visible(page):
    outline = focus_outline(page)
    assert outline["visible"] and outline["style"] != "none" and outline["width"] >= 2, outline


def test_staff_fill_in_and_submit_the_sheet_with_the_keyboard_only(demo_data, live_server, page):
    sheet = Sheet.objects.get(org__code="zz-gzw-gwzgs", year=2026)
    units = list(sheet.units.order_by("position"))

    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "#id_username")
    assert_focus_visible(page)
    page.keyboard.type("demo-staff")
    tab_to(page, "#id_password")
    page.keyboard.type("staff-demo-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    tab_to(page, f"main a[href^='{sheet.get_absolute_url()}']")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("2026年度基层工会工作考核细则")

    for number, unit in enumerate(units):
        # Tab enters the radio group on its checked choice (尚未评定 at first); arrows move and pick.
        tab_to(page, f"input[name='grade-{unit.pk}']")
        assert_focus_visible(page)
        full = page.locator(f"input[name='grade-{unit.pk}'][value='full']")
        for _ in range(4):
            if full.is_checked():
                break
            page.keyboard.press("ArrowDown")
        if number == 0:  # and back: to 基本完成 with the arrow, then 完成 again
            page.keyboard.press("ArrowDown")
            expect(page.locator(f"input[name='grade-{unit.pk}'][value='basic']")).to_be_checked()
            page.keyboard.press("ArrowUp")
        expect(full).to_be_checked()
        tab_to(page, f"input[name='docs-{unit.pk}']")
        page.keyboard.press("Space")
        tab_to(page, f"textarea[name='note-{unit.pk}']")
        page.keyboard.type(f"{unit.seq} 已完成")
    expect(page.locator(".running [data-self-total]")).to_have_text("100")

    tab_to(page, "button[name=action][value=submit]")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("已提交")
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and str(sheet.self_total) == "100.00"
    assert sheet.units.get(pk=units[-1].pk).self_note == f"{units[-1].seq} 已完成"
