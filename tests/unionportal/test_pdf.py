"""The shared renderer: Chinese text, page numbers, bookmarks, the fetcher, the cache."""

import pytest

from tests.pdftext import pdf_bookmarks, pdf_page_count, pdf_text
from unionportal import pdf as renderer


def context(**extra):
    return {"title": "株洲市系统工会工作职责", "section": "教育系统工会", "version": "3",
            "rows": ["做好女职工工作，维护女职工合法权益。"], **extra}


def test_renders_chinese_text_page_numbers_and_bookmarks():
    document = renderer.render_pdf("pdf_sample.html", context())
    text = pdf_text(document)
    assert "株洲市系统工会工作职责" in text
    assert "做好女职工工作，维护女职工合法权益。" in text
    assert "第1页共1页" in text.replace(" ", "")
    assert "版本 3" in text and "打印日期" in text
    assert pdf_page_count(document) == 1
    assert {"株洲市系统工会工作职责", "教育系统工会"} <= set(pdf_bookmarks(document))


def test_long_tables_repeat_their_header_on_every_page():
    document = renderer.render_pdf("pdf_sample.html", context(rows=[f"第{i}条职责内容" for i in range(120)]))
    pages = pdf_text(document).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 3
    assert all("序号" in page for page in pages)
    assert f"共{len(pages)}页" in pages[-1].replace(" ", "")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "https://example.org/logo.png",
    "/etc/passwd",
    "/static/../unionportal/settings.py",
    "portal://evil.example/static/css/print.css",
])
def test_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(renderer.FetchRefused):
        renderer.url_fetcher().fetch(url)


def test_fetcher_serves_the_portals_static_files():
    fetched = renderer.url_fetcher().fetch("portal:///static/css/print.css")
    assert b"@page" in fetched.read() and fetched.content_type == "text/css"


def test_markup_in_content_prints_as_text_and_fetches_nothing(monkeypatch):
    fetched = []
    fetcher = renderer.url_fetcher()
    original = fetcher.fetch

    def spy(url, headers=None):
        fetched.append(url)
        return original(url, headers)

    monkeypatch.setattr(fetcher, "fetch", spy)
    hostile = '<img src="file:///etc/passwd"> http://169.254.169.254/'
    text = pdf_text(renderer.render_pdf("pdf_sample.html", context(rows=[hostile])))
    assert '<img src="file:///etc/passwd">' in text and "169.254.169.254" in text
    assert fetched == []
    # Even markup that reached the page unescaped fetches nothing outside /static/.
    document = renderer.render_pdf("pdf_sample.html", context(raw='<img src="file:///etc/passwd">'))
    assert "root:" not in pdf_text(document)
    assert fetched == ["file:///etc/passwd"]


def test_repeat_render_comes_from_the_cache_and_edits_are_never_stale(monkeypatch):
    calls = []
    original = renderer.html_to_pdf
    monkeypatch.setattr(renderer, "html_to_pdf", lambda html: calls.append(html) or original(html))
    first = renderer.render_pdf("pdf_sample.html", context())
    again = renderer.render_pdf("pdf_sample.html", context())
    assert again == first and len(calls) == 1
    edited = renderer.render_pdf("pdf_sample.html", context(rows=["修改后的内容"]))
    assert len(calls) == 2 and "修改后的内容" in pdf_text(edited)


def test_pdf_response_keeps_the_chinese_file_name():
    response = renderer.pdf_response(b"%PDF-1.7", "教育系统工会.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E6%95%99" in response["Content-Disposition"]


def test_warm_up_builds_the_fonts_once_for_the_process():
    renderer.font_config.cache_clear()
    renderer.print_stylesheet.cache_clear()
    renderer.url_fetcher.cache_clear()
    renderer.warm_up()
    assert renderer.font_config.cache_info().currsize == 1
    assert renderer.print_stylesheet.cache_info().currsize == 1
    first = renderer.font_config()
    renderer.warm_up()
    assert renderer.font_config() is first


def test_gunicorn_settings_warm_each_worker(monkeypatch):
    from unionportal import gunicorn

    calls = []
    monkeypatch.setattr(renderer, "warm_up", lambda: calls.append(1))
    gunicorn.post_worker_init(worker=None)
    assert calls == [1] and gunicorn.timeout >= 60


def test_the_development_server_warms_the_renderer_in_the_background(monkeypatch):
    import threading

    from django.apps import apps

    warmed = threading.Event()
    monkeypatch.setattr(renderer, "warm_up", warmed.set)
    monkeypatch.setenv("RUN_MAIN", "true")
    apps.get_app_config("unionportal").ready()
    assert warmed.wait(timeout=10)


def test_joined_documents_keep_order_bookmarks_and_their_own_page_numbers(monkeypatch):
    monkeypatch.setattr(renderer, "DOCUMENTS_PER_PART", 2)  # three documents: two parts joined
    titles = ["第一份文件", "第二份文件", "第三份文件"]
    document = renderer.render_pdf_joined(
        "pdf_sample.html", [context(title=title, section=f"{title}的章节") for title in titles])
    assert pdf_bookmarks(document) == [item for title in titles for item in (title, f"{title}的章节")]
    pages = [page.replace(" ", "") for page in pdf_text(document).split("\f") if page.strip()]
    assert [next(t for t in titles if t in page) for page in pages] == titles
    assert all("第1页共1页" in page for page in pages)


def test_joined_documents_are_bounded_by_their_text_together(settings):
    settings.PDF_MAX_TEXT_CHARS = 120  # each document alone fits, the three together do not
    from unionportal.pdf_bounds import PdfTooLarge, text_size

    one = text_size(renderer.render_html("pdf_sample.html", context()))
    assert one * 3 > 120 > one
    with pytest.raises(PdfTooLarge):
        renderer.render_pdf_joined("pdf_sample.html", [context(), context(), context()])
