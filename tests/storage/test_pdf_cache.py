"""The PDF cache is shared by every app server: a PDF up to PDF_CACHE_INLINE_BYTES lives in the
cache itself (Redis, or the database), a bigger one in the default storage (the object store)
with its name and checksum in the cache. A cache or store that fails means a fresh render."""

import io
import tarfile

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings

from tests.storage.servers import bucket_keys
from unionportal import pdf as renderer
from unionportal.shared_stores import caches_setting

CONTEXT = {"title": "株洲市系统工会工作职责", "section": "教育系统工会", "version": "3",
           "rows": ["做好女职工工作，维护女职工合法权益。"]}


@pytest.fixture
def no_renderer(monkeypatch):
    """After this, a render would fail: what comes back came from the cache."""
    def refuse():
        def html_to_pdf(html):
            raise AssertionError("rendered again instead of served from the cache")
        monkeypatch.setattr(renderer, "html_to_pdf", html_to_pdf)
    return refuse


def test_a_small_pdf_is_kept_in_the_database_cache(db, no_renderer):
    with override_settings(CACHES=caches_setting({})):
        call_command("createcachetable", verbosity=0)
        first = renderer.render_pdf("pdf_sample.html", CONTEXT)
        key = renderer.cache_key(renderer.render_html("pdf_sample.html", CONTEXT))
        assert caches["pdf"].get(key) == first
        no_renderer()
        assert renderer.render_pdf("pdf_sample.html", CONTEXT) == first


def test_a_pdf_is_kept_in_redis(db, redis_url, no_renderer):
    with override_settings(CACHES=caches_setting({"REDIS_URL": redis_url})):
        first = renderer.render_pdf("pdf_sample.html", CONTEXT)
        no_renderer()
        assert renderer.render_pdf("pdf_sample.html", CONTEXT) == first
        caches["pdf"].clear()


def test_a_large_pdf_is_kept_in_the_object_store_and_checked_when_read(s3, settings, monkeypatch, no_renderer):
    endpoint, bucket = s3
    settings.PDF_CACHE_INLINE_BYTES = 100
    first = renderer.render_pdf("pdf_sample.html", CONTEXT)
    [(name, stored)] = bucket_keys(endpoint, bucket).items()
    assert name.startswith("generated/pdf/") and stored == first
    renders = []
    monkeypatch.setattr(renderer, "html_to_pdf", lambda html: renders.append(html) or first)
    assert renderer.render_pdf("pdf_sample.html", CONTEXT) == first and renders == []
    # A damaged or vanished copy is never served: the PDF is rendered again.
    default_storage.delete(name)
    default_storage.save(name, ContentFile(first[:-1] + b"!"))
    assert renderer.render_pdf("pdf_sample.html", CONTEXT) == first and len(renders) == 1
    for stored_name in bucket_keys(endpoint, bucket):
        default_storage.delete(stored_name)
    assert renderer.render_pdf("pdf_sample.html", CONTEXT) == first and len(renders) == 2


def test_generated_pdfs_are_not_backed_up(s3, settings, tmp_path, transactional_db):
    settings.PDF_CACHE_INLINE_BYTES = 100
    renderer.render_pdf("pdf_sample.html", CONTEXT)
    default_storage.save("evidence/1/kept.pdf", ContentFile(b"%PDF-1.4 kept"))
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    with tarfile.open(archive) as opened:
        media = sorted(name for name in opened.getnames() if name.startswith("media/"))
    assert media == ["media/evidence/1/kept.pdf"]
