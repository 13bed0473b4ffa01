"""The sheet page's table of units, rendered once per distinct content and reused.

The table (templates/assessment/sheet_table.html) is most of a sheet page's rendering: 20 units
with their fill-in or review fields.  It holds nothing of the request (no CSRF token, no user
name), so the same table serves every user who sees the same sheet with the same permissions.
Its key is a digest of everything it shows, taken from the rows this request has just read
(the units, their indicators and evidence, the sheet, the template's factors), with the
permissions, the language, the URL prefix and the template's source: a write is visible on the
next request, and no user gets a table rendered for another permission.  Forms that carry a
user's input (a failed save) are never cached.

The store is a small LRU in each process: keys from the data need no invalidation across
processes, and it adds no query or network round trip to the page.

A table not in the store is put together from its rows (templates/assessment/sheet_table_row.html),
each kept the same way under a digest of what the row shows: the unit with its evidence, the
sheet's status (which units are editable), the permissions and the language.  A save changes a
unit or two, so the page after it renders those rows, not twenty (a staff member's draft is
saved every few seconds in a deadline week: issue 13).
"""

import hashlib
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import mark_safe

TEMPLATE = "assessment/sheet_table.html"
ROW_TEMPLATE = "assessment/sheet_table_row.html"
ENTRIES = 256  # tables of some 40 kB each: at most ~10 MB per process
ROW_ENTRIES = 4096  # rows of some 2 kB each: at most ~8 MB per process

_lock = threading.Lock()
_tables: OrderedDict[str, str] = OrderedDict()
_rows: OrderedDict[str, str] = OrderedDict()


@cache
def _template_digest() -> str:
    """A deploy that changes the table's markup gives every key a new value."""
    digest = hashlib.sha256()
    for name in (TEMPLATE, ROW_TEMPLATE):
        digest.update(Path(settings.BASE_DIR, "templates", name).read_bytes())
    return digest.hexdigest()[:16]


def _values(instance) -> tuple:
    """The instance's column values (what the table can print of it), in a stable order."""
    return tuple(sorted((name, value) for name, value in vars(instance).items()
                        if not name.startswith("_") and name != "fields"))


def _unit_values(unit) -> tuple:
    return _values(unit), [_values(file) for file in unit.evidence.all()]


def table_key(sheet, units, perms, show_review: bool) -> str:
    """A digest of everything the table shows; computed before the forms are bound to the units."""
    rows = [(*_unit_values(unit), _values(unit.indicator)) for unit in units]
    parts = (_template_digest(), translation.get_language(), get_script_prefix(), perms, show_review,
             _values(sheet), _values(sheet.template), rows)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_table(key: str) -> str | None:
    with _lock:
        html = _tables.get(key)
        if html is not None:
            _tables.move_to_end(key)
    return None if html is None else mark_safe(html)  # noqa: S308  (rendered by our template)


def render_table(context: dict, key: str | None) -> str:
    """The table rendered; kept under ``key`` unless it is None (a form with the user's input)."""
    html = render_to_string(TEMPLATE, context).strip()
    if key is not None:
        with _lock:
            _tables[key] = html
            while len(_tables) > ENTRIES:
                _tables.popitem(last=False)
    return mark_safe(html)  # noqa: S308  (the template escapes; render_to_string's result is safe)


def row_key(sheet, unit, perms, show_review: bool) -> str:
    """A digest of everything a unit's row shows: the unit and its evidence, and what decides its
    fields (the permissions; the sheet's status: a draft's every unit is editable, a returned
    sheet's the returned ones).  Computed before the forms are bound to the units."""
    parts = (_template_digest(), translation.get_language(), get_script_prefix(), perms, show_review,
             sheet.pk, sheet.status, _unit_values(unit))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_rows(keys: dict) -> dict:
    """{unit id: the stored row} of those of ``keys`` ({unit id: row key}) in the store."""
    found = {}
    with _lock:
        for pk, key in keys.items():
            html = _rows.get(key)
            if html is not None:
                _rows.move_to_end(key)
                found[pk] = mark_safe(html)  # noqa: S308  (rendered by our template)
    return found


def render_rows(units, show_review: bool, keys: dict | None) -> None:
    """``unit.row_html`` of each unit, the rows rendered with the fields bound to them; each kept
    under its key in ``keys`` (none kept when ``keys`` is None: a form with the user's input)."""
    for unit in units:
        html = render_to_string(ROW_TEMPLATE, {"unit": unit, "show_review": show_review}).strip()
        unit.row_html = mark_safe(html)  # noqa: S308  (the template escapes)
        if keys is not None:
            with _lock:
                _rows[keys[unit.pk]] = html
                while len(_rows) > ROW_ENTRIES:
                    _rows.popitem(last=False)


def clear() -> None:
    with _lock:
        _tables.clear()
        _rows.clear()
