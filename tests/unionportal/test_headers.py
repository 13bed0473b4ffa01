"""Security headers on every response: pages, PDFs, downloads, the admin and error pages
(Content-Security-Policy with no inline script and no framing, Permissions-Policy, no storing
of signed-in pages and files); no inline script or style in what the portal renders; the
favicon."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from assessment import services as assessment_services
from tests.assessment.conftest import make_template
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_security_headers(response, *, signed_in=True):
    assert "Content-Security-Policy" in response, response.request["PATH_INFO"]
    csp = directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    if signed_in:
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, response["Cache-Control"]
        assert "public" not in cache_control


@pytest.fixture
def kit():
    tree = scope_tree()
    make_template(tree.a)
    round_a = assessment_services.open_round(actor=SYSTEM, assessor=tree.a, year=2026).round
    return tree, round_a.sheets.get(org=tree.a1)


@pytest.fixture
def admin_client(kit):
    tree, _sheet = kit
    return client_for(user_with_role(tree, "admin"))


def test_headers_on_a_page(kit, admin_client):
    tree, _sheet = kit
    response = admin_client.get(f"/orgs/{tree.a.code}/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_headers_on_a_pdf(kit, admin_client):
    _tree, sheet = kit
    response = admin_client.get(f"/assessment/{sheet.year}/{sheet.org.code}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_security_headers(response)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_headers_on_a_download(kit, admin_client, fmt):
    tree, sheet = kit
    for url in (f"/orgs/{tree.a.code}.{fmt}", f"/assessment/{sheet.year}/{sheet.org.code}.{fmt}"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment")
        assert_security_headers(response)


def test_headers_on_the_admin(kit, admin_client):
    tree, _sheet = kit
    for url in ("/admin/", "/admin/orgs/org/", f"/admin/orgs/org/{tree.a1.pk}/change/",
                "/admin/orgs/grant/add/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_headers_on_error_pages(kit, admin_client):
    tree, _sheet = kit
    not_found = admin_client.get(f"/orgs/{tree.b.code}/")
    assert not_found.status_code == 404
    assert_security_headers(not_found)
    refused = client_for(user_with_role(tree, "staff")).get("/admin/")
    assert refused.status_code == 403
    assert_security_headers(refused)


def test_redirects_of_the_outer_middleware_carry_the_headers(kit, admin_client):
    response = admin_client.get("/orgs")  # CommonMiddleware adds the slash
    assert response.status_code == 301
    assert_security_headers(response)


def test_signed_out_pages_carry_the_policy(client):
    for url in ("/accounts/login/", "/no-such-page/"):
        response = client.get(url)
        assert_security_headers(response, signed_in=False)


def test_a_view_with_a_stricter_cache_header_keeps_it(kit, admin_client):
    response = admin_client.get("/healthz")  # never_cache: max-age=0, no-cache, no-store…
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"} <= cache_control


def test_rendered_pages_have_no_inline_script_or_style(kit, admin_client):
    tree, sheet = kit
    for url in ("/", f"/orgs/{tree.a.code}/", "/duties/", "/assessment/",
                f"/assessment/{sheet.year}/{sheet.org.code}/", f"/assessment/rounds/{tree.a.code}/2026/",
                "/services/", f"/services/org/{tree.a1.code}/funds/",
                "/admin/", "/admin/orgs/org/", f"/admin/orgs/org/{tree.a1.pk}/change/",
                "/admin/orgs/grant/add/", f"/orgs/{tree.b.code}/"):
        body = admin_client.get(url).content.decode()
        for pattern in (INLINE_HANDLER, INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT):
            found = pattern.search(body)
            assert found is None, f"{url}: {found and found.group(0)}"


def web_templates():
    """Every template a browser renders: all but the print templates (WeasyPrint reads those,
    never a browser, so their <style> blocks are outside the policy).  A page in a pdf/ folder
    that extends the portal's base.html (the "cannot be printed" page) is a web page."""
    root = Path(settings.BASE_DIR) / "templates"

    def is_print(path):
        in_pdf_folder = "pdf" in path.relative_to(root).parts
        return in_pdf_folder and '{% extends "base.html" %}' not in path.read_text()

    return [path for path in root.rglob("*.html") if not is_print(path)]


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for template in web_templates():
        text = template.read_text()
        for pattern in (INLINE_HANDLER, INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT):
            for found in pattern.finditer(text):
                offenders.append(f"{template.name}: {found.group(0)[:80]}")
    assert offenders == []


def test_every_page_names_the_icon_and_favicon_ico_answers(client, kit, admin_client):
    body = admin_client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', body)
    for visitor in (client, admin_client):
        response = visitor.get("/favicon.ico")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/x-icon"
        assert response.content == Path(finders.find("favicon.ico")).read_bytes()
        assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
