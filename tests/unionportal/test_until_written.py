"""Values kept until something they count is written (page_cache.until_written): computed
again after any audited write to their subject — at once, at commit, after a minute, and, when
the shared cache answers nothing, every time.  Per scope on real pages: tests/assessment/
test_kept_lists.py."""

import pytest
from django.db import transaction

from tests.kit import scope_tree
from unionportal import audit, page_cache
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.calls


def test_a_value_is_kept_until_its_subject_is_written():
    compute = Counter()
    assert page_cache.until_written("k", ("services",), compute) == 1
    assert page_cache.until_written("k", ("services",), compute) == 1
    page_cache.mark_written(["assessment"])  # another subject: still kept
    assert page_cache.until_written("k", ("services",), compute) == 1
    page_cache.mark_written(["services"])
    assert page_cache.until_written("k", ("services",), compute) == 2
    assert page_cache.until_written("other", ("services",), compute) == 3  # each key its own


def test_a_value_is_kept_a_minute_at_most(monkeypatch):
    compute, now = Counter(), [1_000_000.0]
    monkeypatch.setattr(page_cache.time, "time", lambda: now[0])
    assert page_cache.until_written("k", ("services",), compute) == 1
    now[0] += page_cache.COUNTS_MAX_AGE - 1
    assert page_cache.until_written("k", ("services",), compute) == 1
    now[0] += 2  # what became overdue meanwhile is counted again
    assert page_cache.until_written("k", ("services",), compute) == 2


def test_a_write_made_while_computing_is_not_hidden_by_the_value():
    calls = []

    def compute():
        calls.append(1)
        if len(calls) == 1:  # another request commits a write while this one counts
            page_cache.mark_written(["services"])
        return len(calls)

    assert page_cache.until_written("k", ("services",), compute) == 1
    assert page_cache.until_written("k", ("services",), compute) == 2  # counted again
    assert page_cache.until_written("k", ("services",), compute) == 2


def test_without_a_shared_cache_every_read_computes(monkeypatch):
    class Silent:  # a Redis that does not answer, as TolerantRedisCache reports it
        def get_many(self, keys):
            return {}

        def add(self, *args, **kwargs):
            return False

        def set_many(self, *args, **kwargs):
            return []

        def get(self, *args, **kwargs):
            raise AssertionError("no value is looked up without the marks")

        def set(self, *args, **kwargs):
            raise AssertionError("nothing is kept without the marks")

    monkeypatch.setattr(page_cache, "caches", {page_cache.PAGES_CACHE: Silent()})
    compute = Counter()
    assert [page_cache.until_written("k", ("services",), compute) for _ in range(3)] == [1, 2, 3]


def test_an_audited_write_marks_its_app_now_and_again_at_commit(django_capture_on_commit_callbacks):
    tree = scope_tree()
    compute = Counter()
    page_cache.until_written("k", ("orgs",), compute)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        audit.record(actor=SYSTEM, action="orgs.test", instance=tree.a)
        assert page_cache.until_written("k", ("orgs",), compute) == 2  # at once
    assert page_cache.until_written("k", ("orgs",), compute) == 2
    for callback in callbacks:  # the commit: a reader who counted before it counts again
        callback()
    assert page_cache.until_written("k", ("orgs",), compute) == 3


def test_with_the_database_as_cache_a_write_marks_only_at_commit(django_capture_on_commit_callbacks):
    """A mark written inside the writer's transaction would keep its row locked until the
    commit, every writer of the app queued behind it (and deadlocks between them)."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from unionportal.cache_tables import create_cache_tables
    from unionportal.shared_stores import DEFAULT_CACHE_TABLE, caches_setting

    tree = scope_tree()
    compute = Counter()
    with override_settings(CACHES=caches_setting({})):  # no REDIS_URL: the database
        create_cache_tables(verbosity=0)  # (inside the test's transaction: rolled back)
        page_cache.until_written("k", ("orgs",), compute)
        with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                audit.record(actor=SYSTEM, action="orgs.test", instance=tree.a)
            assert not [q for q in queries.captured_queries if DEFAULT_CACHE_TABLE in q["sql"]]
        assert page_cache.until_written("k", ("orgs",), compute) == 1
        for callback in callbacks:
            callback()
        assert page_cache.until_written("k", ("orgs",), compute) == 2


def test_any_write_to_the_tree_marks_it_written():
    """However the tree is written (a service, an import's bulk path, a factory's save): its
    lock marks it, so a kept scope or count of it is read again."""
    from tests.factories import OrgFactory

    tree = scope_tree()
    compute = Counter()
    page_cache.until_written("k", ("orgs",), compute)
    OrgFactory(code="kit-a-9", name="甲九基层工会", parent=tree.a)  # no service, no audit
    assert page_cache.until_written("k", ("orgs",), compute) == 2


def test_a_new_release_reads_no_value_kept_by_the_old_one(monkeypatch):
    compute = Counter()
    assert page_cache.until_written("k", ("orgs",), compute) == 1
    monkeypatch.setattr(page_cache, "code_release", lambda: "0123456789abcdef")
    assert page_cache.until_written("k", ("orgs",), compute) == 2  # another shape, maybe


def test_the_release_is_the_digest_of_the_portals_source(settings, tmp_path):
    (tmp_path / "orgs" / "migrations").mkdir(parents=True)
    source = tmp_path / "orgs" / "selectors.py"
    source.write_text("A = 1\n")
    settings.BASE_DIR = tmp_path

    def release():
        page_cache.code_release.cache_clear()
        return page_cache.code_release()

    try:
        first = release()
        (tmp_path / "orgs" / "migrations" / "0002_x.py").write_text("# a migration\n")
        assert release() == first
        source.write_text("A = 2\n")
        second = release()
        assert second != first
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "page.html").write_text("<p>{{ a }}</p>\n")  # markup is kept too
        assert release() != second
    finally:
        page_cache.code_release.cache_clear()


def test_a_write_landing_while_a_request_computes_makes_its_value_stale():
    """The request's marks are read before its inputs (its grants, the case it shows): a grant
    given or a case decided after that is not hidden under the write's own mark."""
    compute, writes = Counter(), [1]

    def view(request):
        if writes:  # another user's write commits after this request read its grants
            writes.pop()
            page_cache.mark_written(["orgs"])
        return page_cache.until_written("k", ("orgs",), compute)

    request = page_cache.WrittenMarksMiddleware(view)
    assert request(None) == 1
    assert request(None) == 2  # computed again: the first was kept under the marks before the write
    assert request(None) == 2
