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
ENTRIES = 256  # tables of some 40 kB each: at most ~10 MB per process

_lock = threading.Lock()
_tables: OrderedDict[str, str] = OrderedDict()


@cache
def _template_digest() -> str:
    """A deploy that changes the table's markup gives every key a new value."""
    return hashlib.sha256(Path(settings.BASE_DIR, "templates", TEMPLATE).read_bytes()).hexdigest()[:16]


def _values(instance) -> tuple:
    """The instance's column values (what the table can print of it), in a stable order."""
    return tuple(sorted((name, value) for name, value in vars(instance).items()
                        if not name.startswith("_") and name != "fields"))


def table_key(sheet, units, perms, show_review: bool) -> str:
    """A digest of everything the table shows; computed before the forms are bound to the units."""
    rows = [(_values(unit), _values(unit.indicator), [_values(file) for file in unit.evidence.all()])
            for unit in units]
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


def clear() -> None:
    with _lock:
        _tables.clear()
