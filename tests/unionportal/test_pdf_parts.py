"""A joined PDF's parts laid out in worker processes, and a template's own <style> parsed once."""

import gc
import multiprocessing
import weakref

import pytest

from tests.pdftext import pdf_bookmarks, pdf_info, pdf_text
from tests.unionportal.test_pdf import context
from unionportal import pdf as renderer
from unionportal import pdf_parts
from unionportal.pdf_bounds import PdfTooSlow

TITLES = ["第一份文件", "第二份文件", "第三份文件"]


def _contexts():
    return [context(title=title, section=f"{title}的章节") for title in TITLES]


def _refuse_here(html):
    raise AssertionError("laid out in the job's own process")


def test_parts_are_laid_out_in_worker_processes(settings, monkeypatch):
    settings.PDF_RENDER_PROCESSES = 2
    monkeypatch.setattr(pdf_parts.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(renderer, "DOCUMENTS_PER_PART", 1)  # three parts
    monkeypatch.setattr(renderer, "html_to_document", _refuse_here)  # not in the workers
    done = []
    pdf = renderer.render_pdf_joined("pdf_sample.html", _contexts(), on_document=lambda: done.append(1))
    assert len(done) == 3
    assert pdf_bookmarks(pdf) == [item for title in TITLES for item in (title, f"{title}的章节")]
    assert multiprocessing.active_children() == []


def test_one_process_lays_out_the_parts_itself(settings, monkeypatch):
    settings.PDF_RENDER_PROCESSES = 1
    monkeypatch.setattr(renderer, "DOCUMENTS_PER_PART", 1)
    laid_out = []
    original = renderer.html_to_document
    monkeypatch.setattr(renderer, "html_to_document", lambda html: laid_out.append(1) or original(html))
    pdf = renderer.render_pdf_joined("pdf_sample.html", _contexts())
    assert len(laid_out) == 3
    assert [title for title in TITLES if title in pdf_text(pdf)] == TITLES


def test_a_part_is_laid_out_with_the_cycle_collector_paused(settings, monkeypatch):
    settings.PDF_RENDER_PROCESSES = 1
    collector_on = []
    original = renderer.html_to_document
    monkeypatch.setattr(renderer, "html_to_document",
                        lambda html: collector_on.append(gc.isenabled()) or original(html))
    renderer.render_pdf_joined("pdf_sample.html", _contexts())
    assert collector_on == [False, False, False]
    assert gc.isenabled()


def test_a_parts_cycles_are_collected_from_the_youngest_generation_only(monkeypatch):
    """With the collector paused, all a part makes stays in the youngest generation: collecting
    it frees the part's cycles without walking every older object of the process again."""

    class Box:  # laid-out boxes refer to their parents and back
        pass

    made = []
    original = renderer.html_to_document

    def with_a_cycle(html):
        box = Box()
        box.parent = Box()
        box.parent.child = box
        made.append(weakref.ref(box))
        return original(html)

    collections = []  # (generation, whether the part's cycle was still there after it)
    collect = gc.collect

    def counting(*generation):
        found = collect(*generation)
        collections.append((generation, made[0]() is not None))
        return found

    monkeypatch.setattr(renderer, "html_to_document", with_a_cycle)
    monkeypatch.setattr(gc, "collect", counting)
    pdf_parts.write_part([renderer.render_html("pdf_sample.html", _contexts()[0])], tagged=False)
    assert len(made) == 1
    assert collections == [((0,), False)]  # freed by that collection


def test_the_cycle_collector_comes_back_when_a_layout_fails(monkeypatch):
    def fail(html):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(renderer, "html_to_document", fail)
    with pytest.raises(RuntimeError):
        pdf_parts.write_part(["<p>一</p>"], tagged=False)
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused():
    gc.disable()
    try:
        pdf_parts.write_part([renderer.render_html("pdf_sample.html", _contexts()[0])], tagged=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_deadline_stops_the_worker_processes(settings, monkeypatch):
    settings.PDF_RENDER_PROCESSES = 2
    settings.PDF_RENDER_SECONDS = 0.5  # a worker process takes longer than this to start
    monkeypatch.setattr(pdf_parts.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(renderer, "DOCUMENTS_PER_PART", 1)
    with pytest.raises(PdfTooSlow):
        renderer.render_pdf_joined("pdf_sample.html", _contexts())
    assert multiprocessing.active_children() == []


def test_a_templates_own_style_still_wins_over_the_print_stylesheet():
    # print.css sets A4 portrait; the document's own <style> (taken out and parsed once) turns it.
    pdf = renderer.render_pdf("pdf_sample.html", context(raw="<style>@page { size: A4 landscape; }</style>"))
    assert _width_and_height(pdf) == (842, 595)
    assert "<style>" not in pdf_text(pdf) and "landscape" not in pdf_text(pdf)
    assert _width_and_height(renderer.render_pdf("pdf_sample.html", context())) == (595, 842)


def _width_and_height(pdf: bytes) -> tuple[int, int]:
    width, _x, height, *_rest = pdf_info(pdf)["Page size"].split()
    return round(float(width)), round(float(height))
