"""Reading PDFs back in tests: text (poppler's pdftotext), page count, bookmarks (pypdf)."""

import subprocess
import tempfile
from pathlib import Path


def pdf_text(pdf: bytes, *, raw: bool = False) -> str:
    """The PDF's text as laid out on the page, or with ``raw=True`` in the order it is drawn
    (pdftotext -raw: a table cell's lines stay together instead of interleaving with the
    cells beside it)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(["pdftotext", "-raw" if raw else "-layout", str(path), "-"],
                                capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdf_info(pdf: bytes) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=60)
    info = {}
    for line in result.stdout.decode("utf-8").splitlines():
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
