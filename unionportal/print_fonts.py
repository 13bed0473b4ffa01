"""The print fonts: Noto CJK SC with the glyphs of everyday Chinese numbered first, and cut out
as a small face of their own.

WeasyPrint keeps a font's glyph ids when it embeds a subset (its content streams name glyphs by
id), so an embedded subset holds an empty slot for every glyph below the highest one used: with
Debian's Noto CJK, whose common hanzi sit anywhere up to id 65,000, a one-page sheet carried
425 kB of fonts.  The same fonts with ASCII, punctuation and the GB 2312 hanzi (6,763, 99.9 % of
running text) as glyphs 1 to about 7,800 give subsets a tenth of the size, and a PDF that looks
the same to the pixel: each glyph keeps its outline, its metrics, its private dict, its layout
rules; only the numbering changes (fontTools' ``reorderGlyphs``).

Every PDF also copies each face it uses into memory and subsets it (``Font.__init__`` and
``Font._harfbuzz_subset`` in WeasyPrint): about a millisecond per megabyte, over half the time
of a small PDF with 16-25 MB faces.  So each face is written twice: the everyday face (those
first glyphs only, about 2 MB, cut by HarfBuzz's own subsetter) under the family's name, and the
whole face under "<family> Rare" (生僻字: every character the source covers).  Every font stack
of the print styles names the rare face right after its family (a test reads them all), so a
character the everyday face lacks is printed from it, in the same design; a document without
such characters never opens it.  (A fontconfig alias would say it once, but Pango's fallback
does not follow one.)

``manage.py build_print_fonts`` (run by ``make``) writes them to ``PRINT_FONTS_DIR`` under their
own names ("UnionPortal Sans", "UnionPortal Serif"), in files named by the build (an earlier
build's files stay, for the processes started before it); the PDF renderer adds that folder to its
font configuration (``unionportal.pdf.font_config``; not through @font-face, for which
WeasyPrint copies each font, 90 MB in all, into a temporary folder of every process), and the
font stacks of print.css and of the print templates name them ahead of the system's Noto CJK.
Without them, PDFs use the system's Noto CJK: the same pages, bigger files, slower renders.
"""

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

BUILDER_VERSION = "5"  # bumped when the glyph order or the faces written change
SYSTEM_FONTS = Path("/usr/share/fonts/opentype/noto")  # Debian's fonts-noto-cjk


@dataclass(frozen=True)
class Face:
    family: str  # the CSS family print.css names first
    weight: int
    source: str  # a collection of Debian's fonts-noto-cjk
    source_family: str  # the face in it

    @property
    def file_name(self) -> str:
        """The everyday face's file: named by the build that wrote it, so that a new build never
        replaces a file that a process still running (started before it) may open for the first
        time - with the whole face's characters registered for that name."""
        return f"{self.family.replace(' ', '')}-{self.weight}-b{BUILDER_VERSION}.otf"

    @property
    def rare_family(self) -> str:
        """The whole face's family: where characters outside the everyday face are printed from."""
        return f"{self.family} Rare"

    @property
    def rare_file_name(self) -> str:
        return f"{self.rare_family.replace(' ', '')}-{self.weight}-b{BUILDER_VERSION}.otf"

    @property
    def file_names(self) -> tuple[str, str]:
        return self.file_name, self.rare_file_name


FACES = (
    Face("UnionPortal Sans", 400, "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    Face("UnionPortal Sans", 700, "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
    Face("UnionPortal Serif", 400, "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    Face("UnionPortal Serif", 700, "NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
)


def fonts_dir() -> Path:
    return Path(settings.PRINT_FONTS_DIR).resolve()


def _gb2312_rows(first: int, last: int) -> list[int]:
    """The characters of GB 2312 rows ``first``..``last`` (0xA1-based), in the standard's order."""
    found = []
    for row in range(first, last + 1):
        for cell in range(0xA1, 0xFF):
            try:
                found.append(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def first_characters() -> list[int]:
    """The characters whose glyphs come first, most used first: ASCII and Latin-1, general and
    CJK punctuation, full-width forms, GB 2312's symbols, its level-1 hanzi (3,755, by pinyin),
    then its level-2 hanzi (3,008, by radical)."""
    return [*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2000, 0x2070), *range(0x3000, 0x3040),
            *range(0xFF00, 0xFFF0), *_gb2312_rows(0xA1, 0xA9), *_gb2312_rows(0xB0, 0xD7),
            *_gb2312_rows(0xD8, 0xF7)]


def _source_face(face: Face):
    from fontTools.ttLib import TTCollection

    # (The source's own timestamp kept: two builds of one source are the same bytes, so every
    # app server's fonts, and so its PDFs' cache keys, agree.)
    collection = TTCollection(SYSTEM_FONTS / face.source, recalcBBoxes=False, recalcTimestamp=False)
    for font in collection.fonts:
        if font["name"].getDebugName(1) == face.source_family:
            return font
    raise LookupError(f"{face.source_family} is not in {face.source}")


def _substitutions(subtable):
    """(from glyphs, to glyphs) pairs of one GSUB subtable; nothing for contextual ones (their
    nested lookups are subtables of the list too)."""
    subtable = getattr(subtable, "ExtSubTable", subtable)
    if hasattr(subtable, "mapping"):  # single and multiple substitution
        for source, target in subtable.mapping.items():
            yield (source,), (target,) if isinstance(target, str) else tuple(target)
    for source, targets in getattr(subtable, "alternates", {}).items():
        yield (source,), tuple(targets)
    for first, ligatures in getattr(subtable, "ligatures", {}).items():
        for ligature in ligatures:
            yield (first, *ligature.Component), (ligature.LigGlyph,)


# The GSUB features HarfBuzz applies to horizontal Chinese by default (its shaper's list), i.e.
# what can appear in a PDF without the CSS asking for a variant.  Not 'aalt' and the other
# alternates features: they reach thousands of glyphs no print template asks for.
DEFAULT_FEATURES = frozenset({"ccmp", "locl", "rlig", "calt", "liga", "clig", "rclt"})
# And the vertical forms of punctuation (HarfBuzz applies 'vert' in vertical text; 'vrt2' is its
# alternative): kept so that the everyday face shapes vertical text as the source does, though no
# print template writes vertically today.
VERTICAL_FEATURES = frozenset({"vert", "vrt2"})


def _nested_lookups(value, found: set[int], depth: int = 0) -> None:
    """The lookup indexes a contextual subtable calls (``LookupListIndex`` anywhere inside)."""
    if depth > 6:
        return
    index = getattr(value, "LookupListIndex", None)
    if isinstance(index, int):
        found.add(index)
    for child in (value if isinstance(value, list) else getattr(value, "__dict__", {}).values()):
        if isinstance(child, list) or hasattr(child, "__dict__"):
            _nested_lookups(child, found, depth + 1)


def substitutes(font, glyphs: set[str], feature_tags=DEFAULT_FEATURES) -> set[str]:
    """Every glyph the substitutions of ``feature_tags`` (the default features) can produce
    from ``glyphs``."""
    if "GSUB" not in font:
        return set()
    table = font["GSUB"].table
    features = set()  # of each script's default language and of Simplified Chinese: not the
    for script in table.ScriptList.ScriptRecord:  # other languages' local forms (locl)
        languages = [script.Script.DefaultLangSys, *(record.LangSys for record in script.Script.LangSysRecord
                                                     if record.LangSysTag == "ZHS ")]
        features.update(index for language in languages if language is not None
                        for index in language.FeatureIndex)
    records = table.FeatureList.FeatureRecord
    wanted = {index for feature in features if records[feature].FeatureTag in feature_tags
              for index in records[feature].Feature.LookupListIndex}
    pending = list(wanted)
    while pending:
        nested: set[int] = set()
        for subtable in table.LookupList.Lookup[pending.pop()].SubTable:
            _nested_lookups(getattr(subtable, "ExtSubTable", subtable), nested)
        pending += sorted(nested - wanted)
        wanted |= nested
    pairs = [pair for index in sorted(wanted) for subtable in table.LookupList.Lookup[index].SubTable
             for pair in _substitutions(subtable)]
    reached, grown = set(glyphs), True
    while grown:
        grown = False
        for sources, targets in pairs:
            if reached.issuperset(sources) and not reached.issuperset(targets):
                reached.update(targets)
                grown = True
    return reached - set(glyphs)


def everyday_glyphs(font) -> list[str]:
    """.notdef, the glyphs of ``first_characters()`` in that order, then what shaping may put
    in their place, horizontally or vertically (the 中文 forms of quotes and dashes, vertical
    punctuation, ligatures): glyphs reached through GSUB only, which a document uses as often."""
    old_order = font.getGlyphOrder()
    character_glyph = font.getBestCmap()
    order, placed = [old_order[0]], {old_order[0]}  # .notdef stays glyph 0
    for character in first_characters():
        glyph = character_glyph.get(character)
        if glyph is not None and glyph not in placed:
            placed.add(glyph)
            order.append(glyph)
    reached = substitutes(font, placed, DEFAULT_FEATURES | VERTICAL_FEATURES)
    return order + [glyph for glyph in old_order if glyph in reached and glyph not in placed]


def reordered(font, everyday: list[str]):
    """``font`` (a CID-keyed CFF OpenType face) with the ``everyday`` glyphs numbered first,
    in that order, every other glyph after them in its old order."""
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    old_order = font.getGlyphOrder()
    placed = set(everyday)
    new_order = [*everyday, *(glyph for glyph in old_order if glyph not in placed)]
    top = font["CFF "].cff.topDictIndex[0]
    # Each glyph's private dict is chosen by its position (FDSelect), which reorderGlyphs leaves
    # as it was: decode every charstring under its old position first, then move the choices.
    old_position = {glyph: index for index, glyph in enumerate(old_order)}
    for glyph in old_order:
        top.CharStrings[glyph]
    fd_of = [top.FDSelect[old_position[glyph]] for glyph in new_order]
    reorderGlyphs(font, new_order)
    top.FDSelect.gidArray = fd_of
    return font


def everyday_face(whole: bytes, glyph_ids) -> bytes:
    """The face ``whole`` with only the glyphs ``glyph_ids`` (numbered in their old order), cut
    by HarfBuzz's subsetter (a tenth of a second, where fontTools' takes seconds): every table,
    name and layout feature kept, each lookup pruned to the glyphs that remain, no glyph added
    by layout closure (``everyday_glyphs`` already holds what the features reach)."""
    import uharfbuzz

    cut = uharfbuzz.SubsetInput()
    cut.keep_everything()
    cut.unicode_set.clear()  # (keep_everything keeps the glyph of every character too)
    cut.glyph_set.clear()
    cut.glyph_set.update(glyph_ids)
    cut.flags |= uharfbuzz.SubsetFlags.NO_LAYOUT_CLOSURE
    face = uharfbuzz.subset(uharfbuzz.Face(whole), cut)
    if face is None:
        raise ValueError("HarfBuzz could not cut the everyday face")
    return face.blob.data


# The name records a face's names are in: family, style, unique id, full name, PostScript name,
# and the typographic and WWS family and style (dropped: they would name Noto's family).
NAME_IDS = (1, 2, 3, 4, 6, 16, 17, 21, 22)


def _set_names(names, family: str, weight: int) -> str:
    """The name table's family, style and PostScript names set to ``family``; the PostScript name."""
    style = "Bold" if weight >= 700 else "Regular"
    postscript = f"{family.replace(' ', '')}-{style}"
    names.names = [record for record in names.names if record.nameID not in NAME_IDS]
    for name_id, value in ((1, family), (2, style), (3, f"{postscript};{BUILDER_VERSION}"),
                           (4, f"{family} {style}"), (6, postscript)):
        names.setName(value, name_id, 3, 1, 0x409)
    return postscript


def renamed(font, face: Face):
    """``font`` under the face's own names (family, style, PostScript name): fontconfig and the
    PDF then tell it apart from the system's Noto CJK, whose names it came with."""
    postscript = _set_names(font["name"], face.family, face.weight)
    cff = font["CFF "].cff
    cff.fontNames = [postscript]
    top = cff.topDictIndex[0]
    top.FullName = font["name"].getDebugName(4)
    top.FamilyName = face.family
    return font


def _renamed_rare(whole: bytes, face: Face):
    """The whole face under the rare family's names: only its name table, which fontconfig,
    Pango and so the PDFs' font names read. Its CFF table keeps the family's own PostScript
    name, against the OpenType rule that the two agree: rewriting those 16-25 MB would take
    seconds of every build for a name no reader here uses."""
    from fontTools.ttLib import TTFont

    # Tables read when asked for, the others copied as they are.
    font = TTFont(io.BytesIO(whole), recalcTimestamp=False)
    _set_names(font["name"], face.rare_family, face.weight)
    return font


def _source_stamp(face: Face) -> dict:
    source = SYSTEM_FONTS / face.source
    if not source.is_file():
        raise FileNotFoundError(f"{source} is missing: install Debian's fonts-noto-cjk (make system-deps)")
    stat = source.stat()
    return {"builder": BUILDER_VERSION, "source": face.source, "size": stat.st_size, "mtime": int(stat.st_mtime)}


def _stamp_path(face: Face, target: Path) -> Path:
    return target / (face.file_name + ".json")


def _stamp(face: Face, target: Path) -> dict | None:
    """What the last build of ``face`` into ``target`` recorded, or None."""
    try:
        return json.loads(_stamp_path(face, target).read_text())
    except (OSError, ValueError):
        return None


def is_current(face: Face, target: Path) -> bool:
    stamp = _stamp(face, target)
    if stamp is None or not all((target / name).is_file() for name in face.file_names):
        return False
    return {key: value for key, value in stamp.items() if key not in face.file_names} == _source_stamp(face)


def _write_atomically(path: Path, write) -> None:
    """``write(temporary path)``, then the file replaces ``path`` at once (a reader, another
    build, sees the old file or the new one, never half of one); nothing is left on failure."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _write_face(face: Face, target: Path) -> list[Path]:
    """The everyday and the rare face of ``face`` written into ``target``; their paths."""
    font = _source_face(face)
    everyday = everyday_glyphs(font)
    font = renamed(reordered(font, everyday), face)
    saved = io.BytesIO()
    font.save(saved)
    whole = saved.getvalue()  # (16-25 MB: read out once)
    paths = [target / name for name in face.file_names]
    common = everyday_face(whole, sorted(font.getGlyphID(glyph) for glyph in everyday))
    _write_atomically(paths[0], lambda temporary: temporary.write_bytes(common))
    rare = _renamed_rare(whole, face)
    _write_atomically(paths[1], rare.save)
    return paths


def build(target: Path | None = None) -> list[Path]:
    """Writes each face not yet current into ``target``; the paths written (two per face)."""
    target = Path(target or fonts_dir())
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for face in FACES:
        source = _source_stamp(face)  # first: a missing source names its package
        if is_current(face, target):
            continue
        paths = _write_face(face, target)
        checksums = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
        stamp = {**source, **checksums}
        _write_atomically(_stamp_path(face, target), lambda temporary, s=stamp: temporary.write_text(json.dumps(s)))
        written += paths
    return written


@cache
def available() -> tuple[Path, ...]:
    """The built faces' files, when all of them are built and current; else none (a partial set
    would print some text in the system fonts and some in these: the same glyphs, but no gain).
    Read once per process: a process started before a build uses the system fonts until it
    restarts."""
    target = fonts_dir()
    try:
        if not all(is_current(face, target) for face in FACES):
            return ()
    except FileNotFoundError:  # no source fonts: nothing to be current with
        return ()
    return tuple(target / name for face in FACES for name in face.file_names)


@cache
def digest() -> str:
    """Changes when the fonts PDFs are laid out with change (a part of each PDF's cache key):
    the built files' checksums, never their folder, so app servers in different folders agree."""
    stamps = [_stamp(face, fonts_dir()) for face in FACES] if available() else []
    return hashlib.sha256(json.dumps(stamps, sort_keys=True).encode()).hexdigest()[:16]
