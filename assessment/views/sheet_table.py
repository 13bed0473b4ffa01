"""The sheet page's table of units, rendered once per distinct content and reused.

The table (templates/assessment/sheet_table.html) is most of a sheet page's rendering: 20 units
with their fill-in or review fields.  It holds nothing of the request (no CSRF token, no user
name), so the same table serves every user who sees the same sheet with the same permissions.
Its key is a digest of everything it shows, taken from the rows this request has just read
(the units, their indicators and evidence, the sheet, the template's factors), with the
permissions, the language, the URL prefix and the template's source: a write is visible on the
next request, and no user gets a table rendered for another permission.  Forms that carry a
user's input (a failed save) are never cached.

The stores are unionportal.fragment_store's LRUs in each process: keys from the data need no
invalidation across processes, and they add no query or network round trip to the page.

A table not in the store is put together from its rows (templates/assessment/sheet_table_row.html),
each kept the same way under a digest of what the row shows: the unit with its evidence, the
sheet's status (which units are editable), the permissions and the language.  A save changes a
unit or two, so the page after it renders those rows, not twenty (a staff member's draft is
saved every few seconds in a deadline week: issue 13).
"""

from unionportal.fragment_store import FragmentStore, values

TEMPLATE = "assessment/sheet_table.html"
ROW_TEMPLATE = "assessment/sheet_table_row.html"
# Tables of some 40 kB each: at most ~10 MB per process; rows of some 2 kB each: ~8 MB.
_tables = FragmentStore(256, TEMPLATE, ROW_TEMPLATE)
_rows = FragmentStore(4096, ROW_TEMPLATE, TEMPLATE)


def _unit_values(unit) -> tuple:
    return values(unit), [values(file) for file in unit.files]


def table_key(sheet, units, perms, show_review: bool) -> str:
    """A digest of everything the table shows; computed before the forms are bound to the units."""
    rows = [(*_unit_values(unit), values(unit.indicator)) for unit in units]
    return _tables.key(perms, show_review, values(sheet), values(sheet.template), rows)


def cached_table(key: str) -> str | None:
    return _tables.get(key)


def render_table(context: dict, key: str | None) -> str:
    """The table rendered; kept under ``key`` unless it is None (a form with the user's input)."""
    return _tables.render(context, key)


def row_key(sheet, unit, perms, show_review: bool) -> str:
    """A digest of everything a unit's row shows: the unit and its evidence, and what decides its
    fields (the permissions; the sheet's status: a draft's every unit is editable, a returned
    sheet's the returned ones).  Computed before the forms are bound to the units."""
    return _rows.key(perms, show_review, sheet.pk, sheet.status, _unit_values(unit))


def cached_rows(keys: dict) -> dict:
    """{unit id: the stored row} of those of ``keys`` ({unit id: row key}) in the store."""
    return _rows.get_many(keys)


def render_rows(units, show_review: bool, keys: dict | None) -> None:
    """``unit.row_html`` of each unit, the rows rendered with the fields bound to them; each kept
    under its key in ``keys`` (none kept when ``keys`` is None: a form with the user's input)."""
    for unit in units:
        key = None if keys is None else keys[unit.pk]
        unit.row_html = _rows.render({"unit": unit, "show_review": show_review}, key)


def clear() -> None:
    _tables.clear()
    _rows.clear()
