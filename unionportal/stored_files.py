"""Uploaded files that follow their transaction: a file stored inside a service's atomic
block that then fails is removed again, so a refused transition leaves nothing on disk.

    with transaction.atomic(), removed_on_failure():
        ...
        evidence.file.save(name, upload, save=False)
        stored(evidence.file)            # deleted again if the block raises

A file whose record is rolled back later by an outer transaction is an orphan that
``manage.py remove_orphan_files`` finds and removes.
"""

import contextvars
from contextlib import contextmanager

_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("stored_files_written", default=None)


def stored(field_file) -> None:
    """Note a file just written, so the enclosing ``removed_on_failure`` can delete it."""
    written = _written.get()
    if written is not None and field_file.name:
        written.append((field_file.storage, field_file.name))


@contextmanager
def removed_on_failure():
    """Delete the files noted inside the block when the block raises (its transaction rolls
    back); an inner block that succeeds hands its files to the outer one."""
    outer = _written.get()
    written: list = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(written)
