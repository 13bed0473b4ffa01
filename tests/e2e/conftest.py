"""The browser-test harness: Debian's chromium driven by Playwright against the live server.

The journeys run in Debian's chromium-headless-shell: the same Blink and V8 as its chromium,
without the desktop browser around them, which costs a second CPU on every navigation.  A test
that needs the desktop browser (the PDF viewer) takes ``desktop_browser`` instead.

Every journey test takes ``page`` (a fresh browser context) and ``live_server``; ``sign_in``
hands the browser a session the portal's sign-in view made, ``sign_in_with_the_form`` types
into the real form (the journeys about signing in).  A missing chromium fails the run: CI must not skip.

Every page a journey visits is audited by axe-core (npm, installed into ``tests/e2e/node_modules``
by ``make test``): a test fails on any violation of impact serious or critical, naming the rule,
the page and the element (issue 10).
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.demo_database import load_demo, shared_folder
from tests.e2e.accessibility import AccessibilityAudit

# A busy 2-core CI machine: give `expect(...)` the same 15 s as the page's own actions.
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("UNIONPORTAL_CHROMIUM", "/usr/bin/chromium-headless-shell")
DESKTOP_CHROMIUM = os.environ.get("UNIONPORTAL_DESKTOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("UNIONPORTAL_E2E_ARTIFACTS", "/tmp/unionportal-e2e"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def launch(playwright, executable):
    if not (Path(executable).exists() or shutil.which(executable)):
        pytest.fail(f"{executable} not found: run `make test` (it installs Debian's chromium)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)


@pytest.fixture(scope="session")
def browser(playwright):
    browser = launch(playwright, CHROMIUM)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def desktop_browser(playwright):
    """Debian's chromium itself, for a module whose tests need more than the headless shell
    (it overrides ``browser`` with this fixture)."""
    browser = launch(playwright, DESKTOP_CHROMIUM)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)  # every page of the context, popups included
    request.node.stash[AUDIT] = AccessibilityAudit(context)
    page = context.new_page()
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


AUDIT = pytest.StashKey[AccessibilityAudit]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A journey that passed still fails if a page it visited has a serious accessibility violation."""
    result = yield
    audit = item.stash.get(AUDIT, None)
    if audit is not None:
        problems = audit.finish()
        if problems:
            pytest.fail("axe-core found serious or critical accessibility violations:\n" + "\n".join(problems),
                        pytrace=False)
    return result


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def session_cookie(live_server, username: str, password: str) -> dict:
    """Signs in through the portal's own sign-in view (Django's test client posts the form:
    the same password check, lockout and signals) and returns its session cookie for a browser."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302 and response.url == "/", f"{username} could not sign in"
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url, "httpOnly": settings.SESSION_COOKIE_HTTPONLY,
            "sameSite": settings.SESSION_COOKIE_SAMESITE}


@pytest.fixture
def sign_in(live_server, page):
    """Signs in without the browser drawing the sign-in page (it is proven by the journeys
    about it, through ``sign_in_with_the_form``) and opens the landing page, as the form does."""
    def sign_in_as(username: str, password: str):
        # The page in hand is left once its DOM is whole, so that its audit sees it (a journey
        # may sign out and at once sign in again: the sign-in page may still be loading).
        page.wait_for_load_state("domcontentloaded")
        page.context.add_cookies([session_cookie(live_server, username, password)])
        page.goto(f"{live_server.url}/")
        return page

    return sign_in_as


@pytest.fixture
def sign_in_with_the_form(live_server, page):
    def sign_in_as(username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return sign_in_as


@pytest.fixture
def demo_data(transactional_db, tmp_path_factory):
    """The demo seeded into the (flushed) test database, committed so the live server sees it;
    seeded once per run, later copied back (``tests.demo_database.load_demo``)."""
    load_demo(shared_folder(tmp_path_factory))
