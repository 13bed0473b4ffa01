"""LibreOffice (headless) as the tests' stand-in for the office programs clerks use.

``soffice`` comes from the Debian package libreoffice-calc-nogui (Makefile APT_PACKAGES); the
tests need it and fail, never skip, without it.  Each call uses its own profile directory, so
parallel runs do not share LibreOffice's lock.
"""

import csv
import io
import shutil
import subprocess
from pathlib import Path

from openpyxl import load_workbook

TIMEOUT = 180  # seconds; a conversion takes about one


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    assert path, "LibreOffice is missing: apt-get install libreoffice-calc-nogui (make system-deps)"
    return path


def convert(source: Path, fmt: str, outdir: Path) -> Path:
    """``source`` opened and saved again by LibreOffice as ``fmt`` (csv, xlsx) into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
         "--convert-to", fmt, "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=TIMEOUT,
    )
    result = outdir / f"{source.stem}.{fmt}"
    assert result.exists(), f"LibreOffice wrote no {result.name}"
    return result


def libreoffice_sums(xlsx: bytes, ranges: list[str], tmp_path: Path) -> list[str]:
    """What LibreOffice computes for ``=SUM(range)`` over each range of the file's first sheet.

    The formulas are appended in a row below the data; LibreOffice calculates them on load and
    the CSV it writes holds the results as it shows them.
    """
    workbook = load_workbook(io.BytesIO(xlsx))
    sheet = workbook.worksheets[0]
    row = sheet.max_row + 2
    for column, cell_range in enumerate(ranges, start=1):
        sheet.cell(row=row, column=column, value=f"=SUM({cell_range})")
    source = tmp_path / "with-sums.xlsx"
    workbook.save(source)
    text = convert(source, "csv", tmp_path / "lo").read_text("utf-8")
    last = list(csv.reader(io.StringIO(text)))[row - 1]
    # Shown as formatted (436,500): the number is what is left without the separators.
    return [cell.replace(",", "") for cell in last[: len(ranges)]]
