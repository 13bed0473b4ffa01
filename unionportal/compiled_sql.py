"""Queries that every request asks, compiled to SQL once per process instead of once per call.

Building and compiling a query through the ORM costs 0.5-3 ms of CPU (the gate's EXISTS over
the user's grants is the dearest), several times a page, against a floor of about 2 ms for a
whole request.  A query whose shape never changes - only an id in it does - is compiled once
with placeholder ids standing in, and each call runs that text with the real ids bound.  Only
the SQL's text is kept: every call reads the rows live, so nothing can be stale or leak
between users.

    sql, params = compiled(("my key",), lambda: Model.objects.filter(user_id=USER).query.exists())
    cursor.execute(sql, bind(params, user=request.user.pk))

``fetch_instances`` does the same for a queryset whose model instances (``select_related``
included) a page needs: Django's own compiler, kept from the first call, turns each call's
rows into instances.

On PostgreSQL a read by key (``prepared=True``: one org's sheet, one case) also runs as a
prepared statement, so the server plans it once per connection instead of every time (1.1 ms
of planning for 0.1 ms of running the sheet's).  Only such reads: a prepared statement soon
runs a generic plan, blind to the values bound, and for a list whose size depends on the
user (a federation's queue against a base union's) the generic plan was measured 12 times
slower than planning each call.  The SQL is Django's, compiled for its client-side binding and
run here with server-side binding: a query with a bound value PostgreSQL cannot type (one in
its SELECT list) would fail here, so a new ``prepared`` read is tested on PostgreSQL.
"""

import copy
from functools import cache

from django.conf import settings
from django.db import connections
from django.db.models.query import ValuesIterable, get_related_populators

# Values no row has (negative ids, a year no round has, a code with a NUL): they mark where the
# real values go in the compiled parameters. The year and a subtree's bounds (TREE, LFT, RGHT:
# an org's tree_id, lft and rght, for "in this subtree") fit positive integer fields, as Django
# compiles a value outside a field's range to "no rows"; no tree holds a billion unions.
USER = -913_131_313
ORG = -913_131_314
YEAR = 32_749
CODE = "\x00compiled-code\x00"
PK = -913_131_316
TREE = 2_147_483_101
LFT = 2_147_483_102
RGHT = 2_147_483_103
_PLACEHOLDERS = {"user": USER, "org": ORG, "year": YEAR, "code": CODE, "pk": PK,
                 "tree": TREE, "lft": LFT, "rght": RGHT}
_PLACEHOLDER_VALUES = frozenset(_PLACEHOLDERS.values())
_INT64 = (-(2**63), 2**63 - 1)

_compiled: dict[tuple, tuple[str, tuple]] = {}
_compilers: dict[tuple, tuple] = {}
_values_compilers: dict[tuple, tuple] = {}


def compiled(key: tuple, build, using: str = "default") -> tuple[str, tuple]:
    """The SQL and parameters of the ``Query`` that ``build()`` returns, compiled once per
    process for ``key`` and the database ``using``."""
    full_key = (*key, using, connections[using].vendor)
    found = _compiled.get(full_key)
    if found is None:
        sql, params = build().get_compiler(using).as_sql()
        _check_placeholders(key, params)
        found = _compiled[full_key] = (sql, tuple(params))
    return found


def _check_placeholders(key: tuple, params) -> None:
    if not any(_is_placeholder(param) for param in params):
        raise ValueError(f"no placeholder id in the compiled query {key!r}")


def _is_placeholder(param) -> bool:
    return isinstance(param, int | str) and param in _PLACEHOLDER_VALUES


def bind(params: tuple, **ids) -> tuple:
    """The compiled parameters with each placeholder replaced by its real value (``user=…``,
    ``org=…``, ``year=…``, ``code=…``, ``pk=…``); a value whose placeholder the query lacks is refused,
    as it would otherwise be silently ignored."""
    swap = {_PLACEHOLDERS[name]: value for name, value in ids.items()}
    missing = [placeholder for placeholder in swap if placeholder not in params]
    if missing:
        raise ValueError(f"the compiled query has no place for {sorted(map(str, missing))}")
    return tuple(swap[param] if _is_placeholder(param) and param in swap else param for param in params)


def fetch_one(key: tuple, build, using: str = "default", **ids):
    """The first row of the compiled query with ``ids`` bound, or None."""
    sql, params = compiled(key, build, using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, bind(params, **ids))
        return cursor.fetchone()


@cache
def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Server-side binding, each statement prepared on its connection (psycopg keeps them)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)

        def _convert_query(self, query, params=None):
            # Kept, as Django's own cursors keep it: the query log reads it (last_executed_query;
            # the text with $1, $2 where a client-side cursor's log shows the values).
            self._query = converted = super()._convert_query(query, params)
            return converted

    return PreparedCursor


def _cursor(connection, prepared: bool):
    """A cursor of ``connection`` (Django's wrapper: errors, query logging, thread checks); on
    PostgreSQL with ``prepared``, one whose statements are prepared."""
    if not (prepared and connection.vendor == "postgresql" and settings.PREPARED_KEY_READS):
        return connection.cursor()
    connection.close_if_health_check_failed()  # as Django's own cursor() does first
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_prepared_cursor_class()(connection.connection))


def fetch_instances(key: tuple, build, using: str = "default", *, prepared: bool = False, **values) -> list:
    """The model instances of the queryset ``build()`` returns, its ``select_related`` objects
    attached, with ``values`` bound: the SQL and Django's compiler (which knows the columns and
    how to turn a row into instances) are made once per process for ``key`` and ``using``.

    The queryset may use ``select_related``, ``annotate``, ``order_by`` and a slice but no
    ``prefetch_related`` or deferred fields; those are refused at the first call. A query
    without placeholders (a superuser's) is compiled once as it is. ``prepared``: a read by key
    (a row or a few), run as a prepared statement on PostgreSQL (see the module's text)."""
    if any(isinstance(value, int) and not _INT64[0] <= value <= _INT64[1] for value in values.values()):
        return []  # no row holds such a number (an id typed into a URL); the database would refuse it
    full_key = (*key, using, connections[using].vendor)
    found = _compilers.get(full_key)
    if found is None:
        queryset = build()
        query = queryset.query
        if queryset._prefetch_related_lookups or query.deferred_loading[0]:
            raise ValueError(f"fetch_instances compiles plain querysets only: {key!r}")
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        found = _compilers[full_key] = (compiler, sql, tuple(params))
    compiler, sql, params = found
    compiler = copy.copy(compiler)  # this thread's connection for the rows' converters
    compiler.connection = connections[using]
    with _cursor(compiler.connection, prepared) as cursor:
        cursor.execute(sql, bind(params, **values))
        rows = cursor.fetchall()
    return list(_instances(compiler, rows, using))


def fetch_values(key: tuple, build, using: str = "default", *, day=None, **values) -> list[dict]:
    """The rows of the ``values()`` queryset ``build()`` returns, as the ORM returns them (dicts
    of its values and annotations, each converted), with ``values`` bound: compiled once per
    process for ``key`` and ``using``, as ``fetch_instances`` is.

    ``day``: the date the query's own dates derive from (today, and the periods around it), for
    a query that compares with them: it is compiled again when the day changes, its previous
    text dropped, so a long-lived process keeps one text per key."""
    full_key = (*key, using, connections[using].vendor)
    found = _values_compilers.get(full_key)
    if found is None or found[0] != day:
        queryset = build()
        if not issubclass(queryset._iterable_class, ValuesIterable) or queryset._prefetch_related_lookups:
            raise ValueError(f"fetch_values compiles plain values() querysets only: {key!r}")
        query = queryset.query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        _check_placeholders(key, params)
        # As Django's ValuesIterable names the columns.
        names = list(query.selected) if query.selected else [
            *query.extra_select, *query.values_select, *query.annotation_select]
        found = _values_compilers[full_key] = (day, compiler, sql, tuple(params), names)
    _day, compiler, sql, params, names = found
    compiler = copy.copy(compiler)  # this thread's connection for the rows' converters
    compiler.connection = connections[using]
    with compiler.connection.cursor() as cursor:
        cursor.execute(sql, bind(params, **values))
        rows = cursor.fetchall()
    return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[rows])]


def _instances(compiler, rows, using):
    """Django's ``ModelIterable`` over rows already fetched with the compiler's SQL."""
    select, klass_info = compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attnames = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, using)
    annotations = compiler.annotation_col_map.items()
    for row in compiler.results_iter(results=[rows]):
        instance = model.from_db(using, attnames, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations:
            setattr(instance, name, row[position])
        yield instance
