"""Files under the media storage that no record points to (孤立文件): an upload whose
transaction rolled back after the file was written, or a record deleted by hand.

A file younger than ``min_age`` is left alone: its record may belong to a transaction that
has not committed yet.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from unionportal.backup import referenced_files, storage_files

DEFAULT_MIN_AGE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class OrphanFile:
    name: str  # relative to MEDIA_ROOT, with ``/`` separators
    size: int


def find_orphans(*, min_age: dt.timedelta = DEFAULT_MIN_AGE, storage=None) -> list[OrphanFile]:
    storage = storage or default_storage
    referenced = {name for _record, name in referenced_files()}
    cutoff = timezone.now() - min_age
    orphans = []
    for name in storage_files(storage):
        if name in referenced or storage.get_modified_time(name) > cutoff:
            continue
        orphans.append(OrphanFile(name, storage.size(name)))
    return orphans


def remove_orphans(orphans: list[OrphanFile], *, storage=None) -> None:
    storage = storage or default_storage
    referenced = {name for _record, name in referenced_files()}  # again: a record may be new
    for orphan in orphans:
        if orphan.name not in referenced:
            storage.delete(orphan.name)
