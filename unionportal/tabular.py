"""Reading and writing the portal's exchange files (.csv and .xlsx), as interfaces.md defines.

- Headers in the first row, Chinese or English names, any column order.
- Rows are numbered as a spreadsheet shows them: the header is row 1, blank rows count (and
  are skipped), a CSV record spanning several lines is one row.
- Every cell is read as text: an xlsx number 1.1 reads as "1.1".
- Exports escape cells that a spreadsheet would run as a formula, and write every cell as text.
"""

import csv
import datetime as dt
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Cells starting with these are formulas (or DDE payloads) to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


# Yes/no cells (是 / 否), as people write them.
YES = frozenset({"是", "yes", "y", "true", "1", "√", "✓"})
NO = frozenset({"否", "no", "n", "false", "0", "×"})


def parse_yes_no(text: str) -> bool | None:
    """True for 是 (yes), False for 否 (no), None for anything else (blank included)."""
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


@contextmanager
def import_transaction(report: "Report", *, dry_run: bool):
    """The one transaction an import applies in: it is rolled back on a dry run or as soon as
    any row failed while applying, so a file is written whole or not at all."""
    with transaction.atomic():
        yield
        if dry_run or not report.ok:
            transaction.set_rollback(True)


class FileFormatError(ValueError):
    """The whole file is unusable: wrong extension, unreadable, or a required column missing."""


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # the header interfaces.md gives
    en: str  # the English header, accepted too
    required: bool = False

    def header(self) -> str:
        return self.zh


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: dict[str, str]  # column key -> text
    headers: dict[str, str]  # column key -> the header as written in the file

    def __getitem__(self, key: str) -> str:
        return self.cells.get(key, "")

    def header(self, key: str) -> str:
        return self.headers.get(key, key)


@dataclass
class Table:
    rows: list[Row]
    headers: dict[str, str]  # column key -> header as written


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(self.column)
        parts.append(self.message)
        text = ": ".join(parts)
        if self.warning:
            return f"warning: {text}"
        return text if self.row is not None else f"error: {text}"


@dataclass
class Report:
    """What an import found and did; a non-empty ``errors`` means nothing was written."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def error(self, row: Row | None, column_key: str | None, message: str) -> None:
        column = row.header(column_key) if row is not None and column_key else column_key
        self.errors.append(Problem(row.number if row else None, column, message))

    def warn(self, row: Row | None, column_key: str | None, message: str) -> None:
        column = row.header(column_key) if row is not None and column_key else column_key
        self.warnings.append(Problem(row.number if row else None, column, message, warning=True))

    @property
    def ok(self) -> bool:
        return not self.errors


class UnknownFormatError(FileFormatError):
    """The file's extension names no format the portal reads: a usage error."""


def format_of(path, formats=FORMATS) -> str:
    suffix = Path(str(path)).suffix.lower().lstrip(".")
    if suffix not in formats:
        raise UnknownFormatError(
            _("Unknown file type “.%(suffix)s”; use %(formats)s.")
            % {"suffix": suffix, "formats": ", ".join(f".{f}" for f in formats)}
        )
    return suffix


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    # Undo our own export escaping so an exported file imports unchanged.
    if text.startswith(ESCAPE) and text[1:2] and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text.strip()


def _raw_rows(source, fmt: str):
    """(row number, list of cell texts) for every row of the file, blank ones included."""
    if fmt == "csv":
        data = source.read() if hasattr(source, "read") else Path(source).read_bytes()
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise FileFormatError(_("The CSV file is not UTF-8 text.")) from exc
        reader = csv.reader(io.StringIO(data, newline=""))
        try:
            for number, record in enumerate(reader, start=1):
                yield number, [cell_text(cell) for cell in record]
        except csv.Error as exc:
            raise FileFormatError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
        return
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FileFormatError(_("The xlsx file cannot be opened: %(error)s") % {"error": exc}) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    finally:
        workbook.close()


def read_table(source, fmt: str, columns: list[Column]) -> Table:
    """Read a csv/xlsx file into rows keyed by column; raise FileFormatError for the whole file."""
    by_header = {}
    for column in columns:
        by_header[column.zh] = column
        by_header[column.en.lower()] = column
    rows_iter = _raw_rows(source, fmt)
    header_row = next(rows_iter, None)
    if header_row is None or not any(header_row[1]):
        raise FileFormatError(_("The file is empty: the first row must hold the column headers."))
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, text in enumerate(header_row[1]):
        column = by_header.get(text) or by_header.get(text.lower())
        if column is None:
            continue
        if column.key in positions:
            raise FileFormatError(_("Column “%(header)s” appears twice.") % {"header": text})
        positions[column.key] = index
        headers[column.key] = text
    missing = [f"{c.zh} ({c.en})" for c in columns if c.required and c.key not in positions]
    if missing:
        raise FileFormatError(
            _("Missing column(s): %(columns)s.") % {"columns": "、".join(missing)}
        )
    rows = []
    for number, values in rows_iter:
        if not any(values):
            continue
        cells = {key: (values[index] if index < len(values) else "") for key, index in positions.items()}
        rows.append(Row(number=number, cells=cells, headers=headers))
    return Table(rows=rows, headers=headers)


def escape_cell(value) -> str:
    text = cell_text_for_export(value)
    if text.startswith(FORMULA_PREFIXES):
        return ESCAPE + text
    return text


def cell_text_for_export(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def table_response(fmt: str, filename: str):
    """An (empty) download response for a csv/xlsx file; pass it to ``write_table`` as target."""
    from django.http import HttpResponse

    response = HttpResponse(content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _display_width(text: str) -> int:
    # CJK characters take two columns in a spreadsheet.
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(1 if char.isascii() else 2 for char in longest) + 2


def write_table(target, fmt: str, headers: list[str], rows, title: str = "") -> None:
    """Write ``rows`` (lists of values) under ``headers`` as text cells, formulas escaped.

    ``target`` is a path or a binary stream.
    """
    if fmt == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([escape_cell(value) for value in row])
        # A BOM lets Excel on Windows open the Chinese text as UTF-8.
        payload = ("\ufeff" + text.getvalue()).encode("utf-8")
        if hasattr(target, "write"):
            target.write(payload)
        else:
            Path(target).write_bytes(payload)
        return
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (title or "Sheet1")[:31]
    sheet.append(headers)
    header_fill = PatternFill("solid", fgColor="DDE6F2")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    widths = [max(6, len(h) * 2 + 2) for h in headers]
    for row_values in rows:
        texts = [cell_text_for_export(value) for value in row_values]
        sheet.append([""] * len(texts))
        for index, text in enumerate(texts):
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            # Written as a string cell, never parsed as a number or formula; quotePrefix makes
            # Excel and LibreOffice show a formula-like text as text.
            cell.value = text
            cell.data_type = "s"
            cell.number_format = "@"
            if text.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True
            if "\n" in text:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[index] = min(60, max(widths[index], _display_width(text)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    workbook.save(target)
