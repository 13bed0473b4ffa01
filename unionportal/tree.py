"""The abstract tree model and the lock that serialises writes to it.

django-mptt keeps lft/rght/level/tree_id in every row and leaves locking to the caller: two
inserts or moves that interleave corrupt those fields.  Every tree write therefore runs inside
``tree_write_lock()``: a transaction-scoped PostgreSQL advisory lock (on SQLite the IMMEDIATE
transaction mode set in settings already serialises writers).
"""

import contextvars
import zlib
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel

from unionportal import page_cache


def _lock_key(model) -> int:
    # A stable 32-bit key per table, so different trees do not wait for each other.
    return zlib.crc32(model._meta.db_table.encode())


# The tree locks held by the code running now: inside one, a nested lock (an import's row,
# Org.save inside create_org) opens no savepoint of its own, so an import of N rows is one
# transaction, not N savepoints.
_held_locks = contextvars.ContextVar("tree_locks_held", default=frozenset())


@contextmanager
def tree_write_lock(model):
    """Hold the tree lock of ``model`` for the rest of the surrounding transaction."""
    using = router.db_for_write(model)
    key = (using, _lock_key(model))
    held = _held_locks.get()
    if key in held and transaction.get_connection(using).in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key[1]])
        token = _held_locks.set(held | {key})
        # Whatever kept a count or a scope of the tree (page_cache.until_written) reads it again,
        # however the tree was written (a service, an import's bulk path, a rebuild).
        page_cache.written_by_transaction([model._meta.app_label])
        try:
            yield
        finally:
            _held_locks.reset(token)


def rebuild_tree(model, tree_id: int) -> int:
    """Recompute one tree's nested-set fields from its parent links; returns rows changed.

    mptt's own rebuild writes every row with one giant CASE per batch, which is quadratic on
    SQLite; here siblings keep their order (by lft, then id), the values are computed in
    Python, and only the rows that change are written, with one prepared statement.
    """
    manager = model._default_manager
    rows = list(manager.filter(tree_id=tree_id).order_by().values_list("pk", "parent_id", "lft", "rght", "level"))
    if not rows:
        return 0
    ids = {row[0] for row in rows}
    children: dict = {}
    roots = []
    for pk, parent_id, _lft, _rght, _level in sorted(rows, key=lambda row: (row[2] or 0, row[0])):
        if parent_id is None or parent_id not in ids:
            roots.append(pk)
        else:
            children.setdefault(parent_id, []).append(pk)
    if len(roots) != 1:
        raise RuntimeError(f"tree {tree_id} has {len(roots)} roots; rebuild all trees instead")
    computed: dict = {}
    counter = 1
    stack = [(roots[0], 0, False)]
    while stack:
        pk, level, closing = stack.pop()
        if closing:
            computed[pk][1] = counter
            counter += 1
            continue
        computed[pk] = [counter, None, level]
        counter += 1
        stack.append((pk, level, True))
        for child in reversed(children.get(pk, [])):
            stack.append((child, level + 1, False))
    changes = [
        (lft, rght, level, pk)
        for pk, _parent, old_lft, old_rght, old_level in rows
        for lft, rght, level in [computed[pk]]
        if (lft, rght, level) != (old_lft, old_rght, old_level)
    ]
    if changes:
        _write_positions(connections[router.db_for_write(model)], model, changes)
    return len(changes)


POSITIONS_PER_STATEMENT = 10_000


def _write_positions(connection, model, changes: list[tuple]) -> None:
    """Write (lft, rght, level, pk) rows. On PostgreSQL one UPDATE per 10,000 rows from arrays:
    a bulk import renumbers most of a city's tree, and one statement per row took seconds."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(f"UPDATE {table} SET lft = %s, rght = %s, level = %s WHERE id = %s", changes)
            return
        for start in range(0, len(changes), POSITIONS_PER_STATEMENT):
            chunk = changes[start:start + POSITIONS_PER_STATEMENT]
            columns = [list(column) for column in zip(*chunk, strict=True)]
            cursor.execute(
                f"UPDATE {table} AS node SET lft = moved.lft, rght = moved.rght, level = moved.level "
                "FROM unnest(%s::integer[], %s::integer[], %s::integer[], %s::bigint[]) "
                "AS moved (lft, rght, level, id) WHERE node.id = moved.id",
                columns,
            )


class TreeNode(MPTTModel):
    """A tree node whose name is unique among its siblings and whose writes are serialised."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="%(app_label)s_%(class)s_name_unique_among_siblings",
                violation_error_message=_(
                    "Another organisation with this name already exists under the same parent."
                ),
            ),
            # NULL parents never collide in a plain unique constraint, so roots get their own.
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="%(app_label)s_%(class)s_root_name_unique",
                violation_error_message=_("Another top-level organisation has this name."),
            ),
        ]

    class MPTTMeta:
        parent_attr = "parent"

    def clean(self):
        super().clean()
        self._check_not_own_ancestor()

    def _check_not_own_ancestor(self):
        if self.pk is None or self.parent_id is None:
            return
        parent = type(self)._default_manager.filter(pk=self.parent_id).first()
        if parent is None:
            return
        if parent.pk == self.pk or parent.is_descendant_of(self):
            raise ValidationError(
                {"parent": _("An organisation cannot be placed under itself or its own subtree.")}
            )

    def save(self, *args, **kwargs):
        with tree_write_lock(type(self)):
            if self.parent_id is not None and self.parent is not None:
                # The in-memory parent may be stale once we hold the lock; mptt reads its bounds.
                self.parent.refresh_from_db(fields=["lft", "rght", "tree_id", "level"])
            super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        with tree_write_lock(type(self)):
            return super().delete(*args, **kwargs)

    delete.alters_data = True
