"""The branded 404, 403 and 500 pages (Chinese and English): they say what to do next and leak
nothing; a refusal is one log line and one audit entry; staff opening /admin/ are told where
their work is."""

import io
import logging

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import translation

from tests.kit import client_for, scope_tree, user_with_role
from unionportal import urls as portal_urls
from unionportal.models import AuditEntry
from unionportal.refusals import REFUSED_ACTION

pytestmark = pytest.mark.django_db

SECRET = "secret-detail /orgs/kit-b/ 乙系统工会"


def refusing(request):
    raise PermissionDenied(SECRET)


def crashing(request):
    raise RuntimeError(SECRET)


def suspicious(request):
    raise SuspiciousOperation(SECRET)


# This module is the URLconf of its tests: the portal's own URLs and handlers plus three
# views that fail on purpose.
urlpatterns = [
    path("test/refuse/", refusing),
    path("test/crash/", crashing),
    path("test/suspicious/", suspicious),
    *portal_urls.urlpatterns,
]
handler403 = portal_urls.handler403

TEXTS = {
    "zh-hans": {"404": ["未找到", "您可以", "返回我的工作"],
                "403": ["无权操作", "您可以", "返回我的工作"],
                "500": ["出错了", "您可以", "返回我的工作"],
                "admin": ["管理后台仅供工会管理员使用", "前往我的工作"]},
    "en": {"404": ["Not found", "What you can do", "Back to my work"],
           "403": ["Not allowed", "What you can do", "Back to my work"],
           "500": ["Something went wrong", "What you can do", "Back to my work"],
           "admin": ["Administration is for union administrators", "Go to my work"]},
}
LANGUAGES = list(TEXTS)


@pytest.fixture
def tree():
    return scope_tree()


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_leaks_nothing(body: str):
    for secret in ("secret-detail", "/orgs/kit-b/", "乙系统工会", "Traceback", "RuntimeError",
                   "PermissionDenied", "SuspiciousOperation"):
        assert secret not in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_page_says_what_to_do_and_names_nothing_outside(tree, language):
    client = in_language(client_for(user_with_role(tree, "staff")), language)
    response = client.get(f"/orgs/{tree.b.code}/")
    assert response.status_code == 404
    body = response.content.decode()
    for text in TEXTS[language]["404"]:
        assert text in body
    assert f'lang="{language}"' in body
    assert tree.b.name not in body
    assert 'href="/"' in body


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", LANGUAGES)
def test_403_page_says_what_to_do_and_hides_the_exception(tree, language):
    client = in_language(client_for(user_with_role(tree, "staff")), language)
    response = client.get("/test/refuse/")
    assert response.status_code == 403
    body = response.content.decode()
    for text in TEXTS[language]["403"]:
        assert text in body
    assert_leaks_nothing(body)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", LANGUAGES)
def test_500_page_says_what_to_do_and_hides_the_exception(tree, language):
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role(tree, "staff"))
    in_language(client, language)
    response = client.get("/test/crash/")
    assert response.status_code == 500
    body = response.content.decode()
    for text in TEXTS[language]["500"]:
        assert text in body
    assert f'lang="{language}"' in body
    assert_leaks_nothing(body)
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize("language", LANGUAGES)
def test_500_page_renders_without_context_or_database(language):
    with translation.override(language), CaptureQueriesContext(connection) as queries:
        body = render_to_string("500.html")
    assert len(queries) == 0
    for text in TEXTS[language]["500"]:
        assert text in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_at_the_admin_are_told_where_their_work_is(tree, language, caplog):
    staff = user_with_role(tree, "staff")
    client = in_language(client_for(staff), language)
    with caplog.at_level(logging.INFO):
        response = client.get("/admin/")
    assert response.status_code == 403
    body = response.content.decode()
    for text in TEXTS[language]["admin"]:
        assert text in body
    assert tree.a1.name in body  # their own union, by its name
    assert tree.b.name not in body and tree.a.name not in body
    assert 'href="/"' in body
    # A refusal, not an error: one warning line, no traceback.
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert records[0].getMessage() == "Refused 403: user=kit-staff path=/admin/ reason=no admin grant"
    assert AuditEntry.objects.filter(action=REFUSED_ACTION, actor=staff, object_repr="/admin/").count() == 1


@pytest.mark.urls(__name__)
def test_a_refusal_is_one_log_line_without_traceback(tree, caplog):
    staff = user_with_role(tree, "staff")
    client = client_for(staff)
    with caplog.at_level(logging.INFO):
        client.get("/test/refuse/")
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert len(records) == 1
    record = records[0]
    assert record.name == "django.request" and record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    line = logging.Formatter("%(message)s").format(record)
    assert "\n" not in line and "Traceback" not in line
    assert line == f"Refused 403: user=kit-staff path=/test/refuse/ reason={SECRET}"


@pytest.mark.urls(__name__)
def test_refusals_enter_the_audit_trail_once_per_user_and_path(tree):
    staff = user_with_role(tree, "staff")
    client = client_for(staff)
    for _ in range(5):
        client.get("/test/refuse/")
    client.get("/admin/")
    entries = AuditEntry.objects.filter(action=REFUSED_ACTION, actor=staff)
    assert sorted(entries.values_list("object_repr", flat=True)) == ["/admin/", "/test/refuse/"]
    assert entries.get(object_repr="/test/refuse/").comment == SECRET


def console_lines(request_it) -> list[str]:
    """What the console handler writes while ``request_it()`` runs."""
    console = next(h for h in logging.getLogger().handlers
                   if any(type(f).__name__ == "OneLineRefusals" for f in h.filters))
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        request_it()
    finally:
        console.setStream(previous)
    return stream.getvalue().splitlines()


@pytest.mark.urls(__name__)
def test_a_suspicious_request_is_one_line_on_the_console(tree):
    client = client_for(user_with_role(tree, "staff"))
    lines = console_lines(lambda: client.get("/test/suspicious/"))
    assert lines == [f"Refused 400: user=kit-staff path=/test/suspicious/ reason={SECRET}"]


def test_a_csrf_refusal_keeps_its_reason_on_one_line(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(tree, "staff"))
    lines = console_lines(lambda: client.post("/i18n/setlang/", {"language": "en"}))
    assert lines == ["Refused 403: user=kit-staff path=/i18n/setlang/ "
                     "reason=Forbidden (CSRF cookie not set.): /i18n/setlang/"]
