"""Reading PDFs back in tests: text (poppler's pdftotext), page count, bookmarks (pypdf)."""

import html
import re
import subprocess
import tempfile
from pathlib import Path


def _poppler(command: list[str], pdf: bytes) -> str:
    """What poppler's ``command`` (its arguments before the file) prints for ``pdf``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        result = subprocess.run([*command, str(path), *(["-"] if command[0] == "pdftotext" else [])],
                                capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdf_text(pdf: bytes, *, raw: bool = False) -> str:
    """The PDF's text as laid out on the page, or with ``raw=True`` in the order it is drawn
    (pdftotext -raw: a table cell's lines stay together instead of interleaving with the
    cells beside it)."""
    return _poppler(["pdftotext", "-raw" if raw else "-layout"], pdf)


def pdf_words(pdf: bytes) -> list[dict]:
    """Each word poppler finds (text between spaces), with its page number, left and right edge
    and its page's width in points (pdftotext -bbox): where on the line a text was printed."""
    words, page, width = [], 0, 0.0
    for line in _poppler(["pdftotext", "-bbox"], pdf).splitlines():
        if found := re.search(r'<page width="([\d.]+)"', line):
            page, width = page + 1, float(found.group(1))
        elif found := re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line):
            words.append({"page": page, "text": html.unescape(found.group(3)), "left": float(found.group(1)),
                          "right": float(found.group(2)), "page_width": width})
    return words


def spread_over_the_line(pdf: bytes, first: str, last: str) -> bool:
    """Whether the words starting with ``first`` and ``last`` are printed as one line spread
    from the left edge to the right (the first within 15 % of the page's left side, the last
    within 15 % of its right side)."""
    words = pdf_words(pdf)
    start = word_starting(words, first)
    end = word_starting(words, last, page=start["page"])
    return start["left"] < 0.15 * start["page_width"] and end["right"] > 0.85 * end["page_width"]


def word_starting(words: list[dict], prefix: str, page: int | None = None) -> dict:
    """The first of ``words`` (``pdf_words``) that starts with ``prefix`` (on ``page``, if given)."""
    found = [word for word in words if word["text"].startswith(prefix) and page in (None, word["page"])]
    assert found, f"no word starting with {prefix!r} in the PDF"
    return found[0]


def pdf_info(pdf: bytes) -> dict[str, str]:
    info = {}
    for line in _poppler(["pdfinfo"], pdf).splitlines():
        key, _sep, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_page_count(pdf: bytes) -> int:
    return int(pdf_info(pdf)["Pages"])


def pdf_bookmarks(pdf: bytes) -> list[str]:
    """Outline (bookmark) titles in document order, nested ones flattened."""
    import io

    from pypdf import PdfReader

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(PdfReader(io.BytesIO(pdf)).outline))
