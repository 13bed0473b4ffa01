"""The print fonts (unionportal/print_fonts.py): Noto CJK SC renumbered so that everyday hanzi
are the first glyphs.  Each glyph keeps its outline, metrics, private dict and layout rules, so
a PDF looks the same to the pixel; its embedded font subsets are a fraction of the size."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from unionportal import pdf as renderer
from unionportal import print_fonts

SAMPLE = ("第一章 总则 第一条 为加强和规范基层工会建设，根据《中华人民共和国工会法》《中国工会章程》，"
          "结合本市实际，制定本办法。职工代表大会每年至少召开一次；会员评家、困难职工帮扶、劳模管理。"
          "（一）组织建设 ①②③ ＡＢＣ１２３ abc 123 %‰ ×÷±…·「」“”——")


@pytest.fixture(scope="module")
def built_face(tmp_path_factory):
    """The first face built once by ``print_fonts.build`` for the module (3 s of CPU a build):
    the face, the folder it was built into, and the paths that build wrote."""
    face = print_fonts.FACES[0]
    folder = tmp_path_factory.mktemp("print-fonts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(print_fonts, "FACES", (face,))
        written = print_fonts.build(folder)
    return face, folder, written


def _outline(charstring) -> list:
    from fontTools.pens.recordingPen import RecordingPen

    pen = RecordingPen()
    charstring.draw(pen)
    return pen.value


def _hints(charstring) -> dict:
    return {key: value for key, value in charstring.private.rawDict.items() if key != "Subrs"}  # an offset


def test_everyday_hanzi_come_first_and_every_glyph_keeps_its_drawing(built_face):
    from fontTools.ttLib import TTFont

    face, folder, _written = built_face
    source, built = print_fonts._source_face(face), TTFont(folder / face.file_name)
    assert sorted(built.getGlyphOrder()) == sorted(source.getGlyphOrder())
    source_cmap, built_cmap = source.getBestCmap(), built.getBestCmap()
    assert built_cmap == source_cmap  # the same glyph (by name) for every character
    gb2312 = [c for c in print_fonts.first_characters() if 0x4E00 <= c <= 0x9FFF]
    assert len(gb2312) == 6763
    assert max(built.getGlyphID(built_cmap[c]) for c in gb2312) < 8000
    assert max(source.getGlyphID(source_cmap[c]) for c in gb2312) > 60000  # what it was
    source_top, built_top = (f["CFF "].cff.topDictIndex[0] for f in (source, built))
    rare = [c for c in (0x4DAE, 0x5803, 0x9FA5, 0x20AC) if c in source_cmap]  # 䶮 堃 龥 €
    for character in [*map(ord, SAMPLE), *rare]:
        name = source_cmap[character]
        old, new = source_top.CharStrings[name], built_top.CharStrings[name]
        assert _outline(new) == _outline(old), chr(character)  # drawn through its own subroutines
        assert _hints(new) == _hints(old), chr(character)  # its own private dict (FDSelect)
        for metrics in ("hmtx", "vmtx"):
            assert built[metrics][name] == source[metrics][name], chr(character)
    vertical = {}
    for font in (source, built):  # the vertical forms of punctuation, by glyph name
        table = font["GSUB"].table
        lookups = {index for record in table.FeatureList.FeatureRecord if record.FeatureTag == "vert"
                   for index in record.Feature.LookupListIndex}
        vertical[font is built] = {src: dst for index in lookups
                                   for sub in table.LookupList.Lookup[index].SubTable
                                   for src, dst in getattr(sub, "mapping", {}).items()}
    assert vertical[True] == vertical[False] and vertical[True]


def _pages_as_images(pdf: bytes) -> list[bytes]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "110", "-png", str(path), str(Path(folder) / "page")],
                       check=True, timeout=60)
        return [page.read_bytes() for page in sorted(Path(folder).glob("page*.png"))]


def _with_system_fonts_only(html: str) -> bytes:
    """``html`` laid out as before the print fonts: print.css and the template's own style with
    the system's Noto CJK only, in a font configuration that never saw the print fonts."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    def system_only(css: str) -> str:
        return css.replace('"UnionPortal Sans", ', "").replace('"UnionPortal Serif", ', "")

    fonts = FontConfiguration()
    print_css = CSS(string=system_only(Path(finders.find("css/print.css")).read_text()), font_config=fonts)
    return HTML(string=system_only(html), base_url="portal:///", url_fetcher=renderer.url_fetcher()).write_pdf(
        stylesheets=[print_css], font_config=fonts)


def test_a_pdf_looks_the_same_to_the_pixel_and_carries_a_fraction_of_the_fonts():
    assert print_fonts.available(), "make builds the print fonts (manage.py build_print_fonts)"
    html = render_to_string("pdf_sample.html", {
        "title": "株洲市总工会 工作职责", "section": "教育系统工会", "version": "3",
        "rows": [SAMPLE, "<b>加粗</b>", SAMPLE[::-1]],
        "raw": f"<p><b>{SAMPLE}</b></p><p>{SAMPLE}</p>"})
    with_print_fonts = renderer.html_to_pdf(html)
    before = _with_system_fonts_only(html)
    pages = _pages_as_images(with_print_fonts)
    assert pages == _pages_as_images(before) and len(pages) >= 1
    fonts = subprocess.run(["pdffonts", "-"], input=with_print_fonts, capture_output=True, check=True).stdout
    assert b"UnionPortal-Sans" in fonts and b"UnionPortal-Serif-Bold" in fonts
    assert b"Noto" not in fonts  # every character printed in the print fonts
    assert len(with_print_fonts) < len(before) / 3, (len(with_print_fonts), len(before))


def test_the_fonts_are_loaded_from_their_folder_copied_nowhere_and_never_fetched_by_url():
    """Through @font-face WeasyPrint would copy the four fonts (80 MB) into a temporary folder
    of every process, left behind by any process that is killed."""
    config = renderer.font_config()
    renderer.html_to_pdf('<html lang="zh-hans"><p>工会 <b>工会</b></p><h1>工会</h1></html>')
    assert config._folder is None
    for path in print_fonts.available():
        with pytest.raises(renderer.FetchRefused):
            renderer.url_fetcher().fetch(path.as_uri())


def test_a_font_is_built_again_only_when_its_source_or_the_builder_changed(built_face, tmp_path, monkeypatch):
    from fontTools.ttLib import TTFont

    face, folder, written = built_face
    assert written == [folder / face.file_name] and print_fonts.is_current(face, folder)
    assert TTFont(folder / face.file_name)["name"].getDebugName(1) == "UnionPortal Sans"
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)  # the module's build stays as built
    monkeypatch.setattr(print_fonts, "FACES", (face,))
    built_at = (tmp_path / face.file_name).stat().st_mtime_ns
    assert print_fonts.build(tmp_path) == []  # current: kept
    monkeypatch.setattr(print_fonts, "BUILDER_VERSION", "changed")
    assert not print_fonts.is_current(face, tmp_path)
    # Built again without the reordering, which test_everyday_hanzi_come_first_… tests (3 s).
    monkeypatch.setattr(print_fonts, "reordered", lambda font: font)
    assert print_fonts.build(tmp_path) == [tmp_path / face.file_name]
    assert (tmp_path / face.file_name).stat().st_mtime_ns != built_at
    assert print_fonts.is_current(face, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [face.file_name, face.file_name + ".json"]


def test_without_the_source_fonts_the_build_says_which_package_is_missing(tmp_path, monkeypatch):
    import io

    from django.core.management import call_command

    monkeypatch.setattr(print_fonts, "SYSTEM_FONTS", tmp_path / "nowhere")
    monkeypatch.setattr(print_fonts, "fonts_dir", lambda: tmp_path / "fonts")
    errors = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("build_print_fonts", stderr=errors)
    assert exited.value.code == 1
    assert "fonts-noto-cjk" in errors.getvalue() and "Traceback" not in errors.getvalue()
