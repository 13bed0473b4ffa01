"""/healthz reports each configured store, and a store that is down fails only the pages that
need it, with a clear 503 page; the rest of the portal keeps working (docs/deployment.md).
Down means unreachable: Redis at 127.0.0.1:1 and an object store at http://127.0.0.1:1."""

import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.kit import client_for
from tests.storage.servers import s3_environment
from unionportal.dependencies import DependencyDownMiddleware, unavailable_message
from unionportal.shared_stores import caches_setting, default_storage_setting

DOWN_REDIS = "redis://127.0.0.1:1/0"
DOWN_S3 = "http://127.0.0.1:1"


def healthz(client):
    started = time.monotonic()
    response = client.get("/healthz")
    return response.status_code, response.json(), time.monotonic() - started


@pytest.fixture
def redis_down(settings):
    with override_settings(CACHES=caches_setting({"REDIS_URL": DOWN_REDIS})):
        yield


@pytest.fixture
def s3_down(settings):
    storage = default_storage_setting(s3_environment(DOWN_S3, "unionportal-down"))
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        yield


def test_healthz_reports_a_working_redis_and_object_store(client, db, s3, redis_url):
    with override_settings(CACHES=caches_setting({"REDIS_URL": redis_url})):
        status, body, _seconds = healthz(client)
    assert (status, body) == (200, {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok"})


def test_healthz_reports_redis_down_within_two_seconds(client, db, redis_down):
    status, body, seconds = healthz(client)
    assert (status, body) == (503, {"status": "error", "database": "ok", "cache": "error"})
    assert seconds < 3


def test_healthz_reports_the_object_store_down_within_two_seconds(client, db, s3_down):
    status, body, seconds = healthz(client)
    assert (status, body) == (503, {"status": "error", "database": "ok", "storage": "error"})
    assert seconds < 3


def test_healthz_without_shared_stores_names_only_the_database(client, db):
    assert healthz(client)[:2] == (200, {"status": "ok", "database": "ok"})


def test_with_redis_down_pages_pdfs_and_refusals_still_work(sheets, redis_down):
    tree, users, sheet = sheets
    staff = client_for(users["staff"])  # sessions live in the database
    assert staff.get("/").status_code == 200
    assert staff.get(f"/assessment/2026/{tree.a1.code}/").status_code == 200
    pdf = staff.get(f"/assessment/2026/{tree.a1.code}.pdf")  # rendered afresh: no cache
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    clerk = client_for(users["clerk"])
    assert clerk.post(f"/assessment/2026/{tree.a1.code}/fill/", {"version": 1}).status_code == 403


def test_a_page_that_needs_redis_answers_503_with_a_clear_page(rf, db):
    request = rf.get("/jobs/1/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        response = DependencyDownMiddleware(lambda r: None).process_exception(
            request, RedisConnectionError("Error 111 connecting to 127.0.0.1:1"))
        message = unavailable_message("cache")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert message in page and "127.0.0.1" not in page


def test_with_the_object_store_down_files_answer_503_and_the_rest_works(sheets, s3_down):
    from assessment.models import Evidence

    tree, users, sheet = sheets
    unit = sheet.units.get(seq="2")
    evidence = Evidence.objects.create(unit=unit, file=f"evidence/{sheet.pk}/gone.pdf", name="证明.pdf",
                                       content_type="application/pdf", size=10)
    staff = client_for(users["staff"])
    with translation.override("zh-hans"):
        message = unavailable_message("storage")
    served = staff.get(f"/assessment/evidence/{evidence.pk}/")
    assert served.status_code == 503
    assert message in served.content.decode() and "127.0.0.1" not in served.content.decode()

    upload = staff.post(f"/assessment/2026/{tree.a1.code}/fill/", {
        "version": sheet.version, "action": "save",
        f"evidence-{unit.pk}": [SimpleUploadedFile("新材料.pdf", b"%PDF-1.4 new", "application/pdf")]})
    assert upload.status_code == 503 and message in upload.content.decode()
    assert list(unit.evidence.values_list("name", flat=True)) == ["证明.pdf"]  # nothing half-written

    page = staff.get(f"/assessment/2026/{tree.a1.code}/")
    assert page.status_code == 200 and "证明.pdf" in page.content.decode()
    assert staff.get(f"/assessment/2026/{tree.a1.code}.pdf").status_code == 200
    assert default_storage.__class__.__name__ == "S3Storage"


def test_with_redis_down_starting_a_job_answers_503_and_the_rest_works(transactional_db, sheets, redis_down):
    tree, users, _sheet = sheets
    queue = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=queue, RQ_QUEUES={"default": {"URL": DOWN_REDIS}}):
        reviewer = client_for(users["reviewer"])
        with translation.override("zh-hans"):
            message = unavailable_message("cache")
        started = reviewer.get(f"/assessment/rounds/{tree.a.code}/2026.pdf")  # queued on commit
        assert started.status_code == 503 and message in started.content.decode()
        assert reviewer.get(f"/assessment/rounds/{tree.a.code}/2026/").status_code == 200


def test_with_redis_down_pages_with_cached_parts_are_computed_afresh(sheets, redis_down):
    """The ranking, the board's table and an org page's list are kept in the shared cache only to
    save work (unionportal/page_cache.py): with Redis down they are computed, not refused."""
    tree, users, _sheet = sheets
    reviewer = client_for(users["reviewer"])
    for url in (f"/assessment/rounds/{tree.a.code}/2026/", f"/assessment/rounds/{tree.a.code}/2026/ranking/",
                f"/orgs/{tree.a.code}/"):
        response = reviewer.get(url)
        assert response.status_code == 200, url
    assert tree.a1.name in response.content.decode()  # the org page's list, computed afresh


def test_with_redis_up_the_shared_page_parts_live_in_redis(sheets, redis_url, monkeypatch):
    """With REDIS_URL the ranking, the board's table and an org page's list are kept in Redis,
    under the pages prefix, and a repeat of each page reads them back from there."""
    import redis
    from django.core.cache import caches

    from unionportal.page_cache import TolerantRedisCache

    hits = []
    for method in ("get", "get_many"):
        original = getattr(TolerantRedisCache, method)

        def reading(self, *args, _original=original, **kwargs):
            found = _original(self, *args, **kwargs)
            hits.append(bool(found))
            return found

        monkeypatch.setattr(TolerantRedisCache, method, reading)
    tree, users, _sheet = sheets
    reviewer = client_for(users["reviewer"])
    store = redis.Redis.from_url(redis_url)
    with override_settings(CACHES=caches_setting({"REDIS_URL": redis_url})):
        caches["pages"].clear()
        for url in (f"/assessment/rounds/{tree.a.code}/2026/", f"/assessment/rounds/{tree.a.code}/2026/ranking/",
                    f"/orgs/{tree.a.code}/"):
            kept_before = len(store.keys("unionportal-pages:*"))
            assert reviewer.get(url).status_code == 200, url
            assert len(store.keys("unionportal-pages:*")) > kept_before, url  # a part went to Redis
            hits.clear()
            assert reviewer.get(url).status_code == 200, url
            assert any(hits), url  # and the repeat read it back
        caches["pages"].clear()
    store.close()


def test_healthz_checks_running_at_once_do_not_report_a_working_cache_down(client, db, redis_url, monkeypatch):
    """Another worker's check writing between this check's write and read (a balancer's checks
    reach every worker at once) must not read as a cache that lost its value."""
    from django.core.cache import caches

    from unionportal import dependencies

    with override_settings(CACHES=caches_setting({"REDIS_URL": redis_url})):
        store = caches["default"]
        original = type(store).set
        interleaved = []

        def set_then_another_check(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            if not interleaved:  # the other check runs whole between this one's write and read
                interleaved.append(1)
                dependencies.check_cache()
            return result

        monkeypatch.setattr(type(store), "set", set_then_another_check)
        dependencies.check_cache()
        assert interleaved
        monkeypatch.undo()
        assert healthz(client)[:2] == (200, {"status": "ok", "database": "ok", "cache": "ok"})
        assert not [key for key in store._cache.get_client().keys("*") if b"healthz" in key]
