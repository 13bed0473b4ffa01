"""The print fonts (unionportal/print_fonts.py): Noto CJK SC renumbered so that everyday hanzi
are the first glyphs, and those first glyphs cut out as a small everyday face beside the whole
("… Rare").  Each glyph keeps its outline, metrics, private dict and layout rules, so a PDF
looks the same to the pixel; its embedded font subsets are a fraction of the size."""

import io
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
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


def _vertical_forms(font) -> set:
    """The vertical forms of punctuation: (glyph, its vertical form) pairs by glyph name, of
    every language's 'vert' lookups."""
    table = font["GSUB"].table
    lookups = {index for record in table.FeatureList.FeatureRecord if record.FeatureTag == "vert"
               for index in record.Feature.LookupListIndex}
    return {(src, dst) for index in lookups for sub in table.LookupList.Lookup[index].SubTable
            for src, dst in getattr(sub, "mapping", {}).items()}


def test_everyday_hanzi_come_first_and_every_glyph_keeps_its_drawing(built_face):
    from fontTools.ttLib import TTCollection, TTFont

    face, folder, _written = built_face
    source = print_fonts._source_face(face)
    everyday, whole = TTFont(folder / face.file_name), TTFont(folder / face.rare_file_name)
    assert sorted(whole.getGlyphOrder()) == sorted(source.getGlyphOrder())
    source_cmap, whole_cmap, everyday_cmap = source.getBestCmap(), whole.getBestCmap(), everyday.getBestCmap()
    assert whole_cmap == source_cmap  # the same glyph (by name) for every character
    assert everyday_cmap.items() <= source_cmap.items()
    gb2312 = [c for c in print_fonts.first_characters() if 0x4E00 <= c <= 0x9FFF]
    assert len(gb2312) == 6763
    assert all(c in everyday_cmap for c in print_fonts.first_characters() if c in source_cmap)
    for font in (everyday, whole):  # numbered first in both
        assert max(font.getGlyphID(source_cmap[c]) for c in gb2312) < 8000
    assert max(source.getGlyphID(source_cmap[c]) for c in gb2312) > 60000  # what it was
    assert len(everyday.getGlyphOrder()) < 9000
    assert (folder / face.file_name).stat().st_size * 5 < (folder / face.rare_file_name).stat().st_size
    for font in (everyday, whole):  # the source's own timestamp: two builds are the same bytes
        assert font["head"].modified == source["head"].modified
    rare = [c for c in (0x4DAE, 0x5803, 0x9FA5, 0x20AC) if c in source_cmap]  # 䶮 堃 龥 €
    assert rare and not any(c in everyday_cmap for c in rare)
    source_top = source["CFF "].cff.topDictIndex[0]
    checked = [*((ord(c), everyday) for c in SAMPLE), *((c, whole) for c in [*map(ord, SAMPLE), *rare])]
    for character, font in checked:
        name = source_cmap[character]
        old, new = source_top.CharStrings[name], font["CFF "].cff.topDictIndex[0].CharStrings[name]
        assert _outline(new) == _outline(old), chr(character)  # drawn through its own subroutines
        assert _hints(new) == _hints(old), chr(character)  # its own private dict (FDSelect)
        for metrics in ("hmtx", "vmtx"):
            assert font[metrics][name] == source[metrics][name], chr(character)
    vertical = _vertical_forms(source)
    assert _vertical_forms(whole) == vertical and vertical
    # Everyday text shaped by HarfBuzz, across and down the page, comes out as the same glyphs
    # from the everyday face as from the source (the GSUB lookups it keeps: 中文 quotes and
    # dashes, vertical punctuation).
    source_data = (print_fonts.SYSTEM_FONTS / face.source).read_bytes()
    collection = TTCollection(print_fonts.SYSTEM_FONTS / face.source)
    source_index = next(index for index, font in enumerate(collection.fonts)
                        if font["name"].getDebugName(1) == face.source_family)
    everyday_data = (folder / face.file_name).read_bytes()
    for direction in ("ltr", "ttb"):
        mine = _shaped(everyday_data, 0, everyday.getGlyphOrder(), SAMPLE, direction)
        theirs = _shaped(source_data, source_index, source.getGlyphOrder(), SAMPLE, direction)
        assert mine == theirs, direction
    assert _shaped(source_data, source_index, source.getGlyphOrder(), "「，」", "ttb") != [
        source_cmap[ord(c)] for c in "「，」"]  # (vertical forms were asked for)


def _shaped(data: bytes, index: int, glyph_order: list[str], text: str, direction: str) -> list[str]:
    """``text`` shaped as Simplified Chinese by HarfBuzz with the face ``index`` of ``data``:
    the glyphs' names."""
    import uharfbuzz

    font = uharfbuzz.Font(uharfbuzz.Face(data, index))
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.direction, buffer.script, buffer.language = direction, "Hani", "zh-Hans"
    uharfbuzz.shape(font, buffer)
    return [glyph_order[info.codepoint] for info in buffer.glyph_infos]


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
        return re.sub(r'"UnionPortal (Sans|Serif)( Rare)?", ', "", css)

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
    assert b"Rare" not in fonts  # and from the everyday faces: the whole ones never opened
    assert len(with_print_fonts) < len(before) / 3, (len(with_print_fonts), len(before))


def test_a_rare_character_is_printed_from_the_whole_face_in_the_same_design():
    """生僻字 in a name: outside the everyday faces, printed from their "Rare" twins (not from
    the system's Noto CJK), looking the same and read back as the same characters."""
    rare = "王䶮 李堃 张喆"
    html = render_to_string("pdf_sample.html", {
        "title": "会员名册", "section": rare, "version": "1", "rows": [f"会员：{rare}", f"<b>{rare}</b>"],
        "raw": f"<h2>{rare}</h2><p>{rare}</p>"})
    with_print_fonts = renderer.html_to_pdf(html)
    assert _pages_as_images(with_print_fonts) == _pages_as_images(_with_system_fonts_only(html))
    fonts = subprocess.run(["pdffonts", "-"], input=with_print_fonts, capture_output=True, check=True).stdout
    assert b"UnionPortal-Sans-Rare" in fonts and b"UnionPortal-Serif-Rare" in fonts
    assert b"Noto" not in fonts
    text = subprocess.run(["pdftotext", "-", "-"], input=with_print_fonts, capture_output=True,
                          check=True).stdout
    assert rare in text.decode()


def _print_styles() -> dict[str, str]:
    """print.css and every print template (their own <style>), by path: the files
    ``pdf._print_templates_digest`` reads."""
    styles = {"print.css": Path(finders.find("css/print.css")).read_text()}
    templates = Path(__file__).resolve().parents[2] / "templates"
    styles.update({str(path): path.read_text() for path in templates.glob("*/pdf/**/*.html")})
    return styles


def test_every_print_font_stack_starts_with_a_print_font_and_its_rare_face():
    """A stack naming the system's Noto CJK names a print font first (else those PDFs embed
    Noto's 40-65k-glyph subsets), and each print font is followed by its "Rare" face (else a
    rare character comes from Noto's)."""
    stacks = [(path, re.findall(r'"([^"]+)"', stack)) for path, text in _print_styles().items()
              for stack in re.findall(r"font(?:-family)?\s*:([^;}]*)", text)
              if "UnionPortal" in stack or "Noto" in stack]
    assert len(stacks) >= 15
    for path, families in stacks:
        assert families[0] in ("UnionPortal Sans", "UnionPortal Serif"), (path, families)
        for index, family in enumerate(families):
            if family in ("UnionPortal Sans", "UnionPortal Serif"):
                assert families[index + 1:index + 2] == [f"{family} Rare"], (path, families)


def test_the_fonts_are_loaded_from_their_folder_copied_nowhere_and_never_fetched_by_url():
    """Through @font-face WeasyPrint would copy the eight font files (about 90 MB) into a
    temporary folder of every process, left behind by any process that is killed."""
    config = renderer.font_config()
    renderer.html_to_pdf('<html lang="zh-hans"><p>工会 <b>工会</b></p><h1>工会</h1></html>')
    assert config._folder is None
    for path in print_fonts.available():
        with pytest.raises(renderer.FetchRefused):
            renderer.url_fetcher().fetch(path.as_uri())


def test_a_font_is_built_again_only_when_its_source_or_the_builder_changed(built_face, tmp_path, monkeypatch):
    from fontTools.ttLib import TTFont

    face, folder, written = built_face
    assert written == [folder / name for name in face.file_names] and print_fonts.is_current(face, folder)
    assert TTFont(folder / face.file_name)["name"].getDebugName(1) == "UnionPortal Sans"
    assert TTFont(folder / face.rare_file_name)["name"].getDebugName(1) == "UnionPortal Sans Rare"
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)  # the module's build stays as built
    monkeypatch.setattr(print_fonts, "FACES", (face,))
    monkeypatch.setattr(print_fonts, "fonts_dir", lambda: tmp_path)
    earlier = sorted(path.name for path in tmp_path.iterdir())
    assert print_fonts.build(tmp_path) == []  # current: kept
    said = io.StringIO()
    call_command("build_print_fonts", stdout=said)
    assert said.getvalue() == f"1 of 1 print fonts already current in {tmp_path}.\n"
    monkeypatch.setattr(print_fonts, "BUILDER_VERSION", "changed")
    assert not print_fonts.is_current(face, tmp_path)
    # Built again without the reordering, which test_everyday_hanzi_come_first_… tests (3 s).
    monkeypatch.setattr(print_fonts, "reordered", lambda font, everyday: font)
    said = io.StringIO()
    call_command("build_print_fonts", stdout=said)
    assert said.getvalue().splitlines() == [*(f"written {tmp_path / name}" for name in face.file_names),
                                            f"0 of 1 print fonts already current in {tmp_path}."]
    assert print_fonts.is_current(face, tmp_path)
    stamp = json.loads((tmp_path / (face.file_name + ".json")).read_text())
    assert set(face.file_names) <= stamp.keys()  # each file's checksum: the PDFs' cache key
    # The new build's files beside the earlier build's, which a process started before it
    # may still open: none of them replaced.
    assert set(earlier).isdisjoint([*face.file_names, face.file_name + ".json"])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [*earlier, *face.file_names, face.file_name + ".json"])
    (tmp_path / face.rare_file_name).unlink()  # half a face is no face
    assert not print_fonts.is_current(face, tmp_path)


def test_without_the_source_fonts_the_build_says_which_package_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(print_fonts, "SYSTEM_FONTS", tmp_path / "nowhere")
    monkeypatch.setattr(print_fonts, "fonts_dir", lambda: tmp_path / "fonts")
    errors = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("build_print_fonts", stderr=errors)
    assert exited.value.code == 1
    assert "fonts-noto-cjk" in errors.getvalue() and "Traceback" not in errors.getvalue()
