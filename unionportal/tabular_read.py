"""Reading an exchange file into rows, within limits (``unionportal.tabular.read_table``).

The whole file is refused (``FileFormatError``) when it is too large, a zip bomb, in an
unknown encoding or unreadable; a bad cell (a NUL or other control character, more than
``max_cell_chars`` characters) is a row error in the import's report, and the cell is read
without the bad characters so the checks that follow never see them.
"""

import csv
import io
import re
from pathlib import Path

import openpyxl
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from unionportal import import_limits
from unionportal.csv_encoding import UnknownEncoding, decode_csv
from unionportal.tabular import FileFormatError, Problem, Report, Row, Table, cell_text

# XML 1.0 forbids these (so an export would fail on them) and PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _csv_rows(source, limits):
    data = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    if isinstance(data, bytes):
        try:
            data, _encoding = decode_csv(data)
        except UnknownEncoding as exc:
            raise FileFormatError(str(exc)) from exc
    first_line = data.split("\n", 1)[0]
    # Excel's "Unicode text" separates cells by tabs.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    # A cell longer than csv's own limit (131,072) is a row error below, not an unreadable file;
    # the file's size bounds it. (The limit is process-wide; it is only ever raised.)
    if csv.field_size_limit() < limits.max_bytes:
        csv.field_size_limit(limits.max_bytes)
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            if len(record) > limits.max_columns:
                record = record[:limits.max_columns]
            yield number, [cell_text(cell) for cell in record]
    except csv.Error as exc:
        raise FileFormatError(_("The CSV file cannot be read near line %(line)d: %(error)s")
                              % {"line": reader.line_num, "error": exc}) from exc


def _unreadable(exc: Exception, message: str) -> FileFormatError:
    cause = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return FileFormatError(_("The xlsx file declares XML entities or a DTD, which are refused "
                                     "for safety. Copy the cells into a new workbook and save that."))
        cause = cause.__cause__ or cause.__context__
    first_line = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
    return FileFormatError(message % {"error": first_line})


def _xlsx_rows(source, limits):
    if not openpyxl.DEFUSEDXML:
        # openpyxl parses with defusedxml when it is installed (and OPENPYXL_DEFUSEDXML allows).
        raise FileFormatError(_("The server cannot read xlsx files safely (defusedxml is missing)."))
    import_limits.check_xlsx_archive(source, limits)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _unreadable(exc, _("The xlsx file cannot be opened: %(error)s")) from exc
    try:
        sheet = workbook.worksheets[0]
        header = next(sheet.iter_rows(max_row=1, max_col=limits.max_columns, values_only=True), ())
        width = max((index + 1 for index, value in enumerate(header) if value not in (None, "")),
                    default=1)
        # Only the header's columns, so a declared dimension of A1:XFD1048576 pads nothing; rows
        # up to one past the limit whatever the dimension says (a short one would drop rows).
        rows = sheet.iter_rows(max_col=width, max_row=limits.max_rows + 2, values_only=True)
        for number, values in enumerate(rows, start=1):
            yield number, [cell_text(value) for value in values]
    except FileFormatError:
        raise
    except Exception as exc:  # a damaged or hostile sheet (entities, bad XML, bad values)
        raise _unreadable(exc, _("The xlsx file cannot be read: %(error)s")) from exc
    finally:
        workbook.close()


def raw_rows(source, fmt: str, limits):
    """(row number, list of cell texts) for every row of the file, blank ones included."""
    import_limits.check_size(source, limits)
    rows = _csv_rows(source, limits) if fmt == "csv" else _xlsx_rows(source, limits)
    for number, values in rows:
        if number > limits.max_rows + 1:  # the header row does not count
            raise import_limits.too_many_rows(limits)
        yield number, values


def _clean_cell(text: str, number: int, header: str, limits, problems: list[Problem]) -> str:
    if CONTROL_CHARACTERS.search(text):
        char = CONTROL_CHARACTERS.search(text).group()
        problems.append(Problem(number, header, _("contains the control character U+%(code)04X "
                                                  "(e.g. a NUL byte), which a cell may not hold.")
                                % {"code": ord(char)}))
        text = CONTROL_CHARACTERS.sub("", text)
    if len(text) > limits.max_cell_chars:
        problems.append(Problem(number, header, _("is %(length)d characters long; a cell holds at "
                                                  "most %(max)d.")
                                % {"length": len(text), "max": limits.max_cell_chars}))
        text = text[:limits.max_cell_chars]
    return text


def read_table(source, fmt: str, columns, *, report: Report | None = None, limits=None) -> Table:
    """Read a csv/xlsx file into rows keyed by column; raise FileFormatError for the whole file.

    Bad cells are reported to ``report`` (as row errors); without a report the first one
    refuses the whole file.  ``limits`` defaults to the web's.
    """
    limits = limits or import_limits.web_limits()
    by_header = {}
    for column in columns:
        by_header[column.zh] = column
        by_header[column.en.lower()] = column
    rows_iter = raw_rows(source, fmt, limits)
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
    problems: list[Problem] = []
    rows = []
    for number, values in rows_iter:
        if not any(values):
            continue
        cells = {
            key: _clean_cell(values[index], number, headers[key], limits, problems) if index < len(values) else ""
            for key, index in positions.items()
        }
        rows.append(Row(number=number, cells=cells, headers=headers))
    if problems:
        if report is None:
            raise FileFormatError(str(problems[0]))
        report.errors.extend(problems)
    return Table(rows=rows, headers=headers)
