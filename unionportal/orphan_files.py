"""Files under the media storage that no record points to (孤立文件): an upload whose
transaction rolled back after the file was written, or a record deleted by hand.

A file younger than ``min_age`` is left alone: its record may belong to a transaction that
has not committed yet. Rendered PDFs kept for the cache (``generated/pdf/``, no record names
them) count as orphans once the PDF cache has forgotten them (``PDF_CACHE_SECONDS``), admin
import previews (``imports/pending/``) after a day.
Everything goes through Django's storage API: ``var/media`` and an object store alike.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from unionportal.backup import (
    GENERATED_PREFIX,
    PENDING_IMPORTS_PREFIX,
    referenced_files,
    storage_files,
)
from unionportal.shared_stores import PDF_CACHE_SECONDS

# Files no record names by design, and how long each is kept.
TRANSIENT_KEPT = {GENERATED_PREFIX: dt.timedelta(seconds=PDF_CACHE_SECONDS),
                  PENDING_IMPORTS_PREFIX: dt.timedelta(days=1)}

DEFAULT_MIN_AGE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class OrphanFile:
    name: str  # relative to MEDIA_ROOT, with ``/`` separators
    size: int


def find_orphans(*, min_age: dt.timedelta = DEFAULT_MIN_AGE, storage=None) -> list[OrphanFile]:
    storage = storage or default_storage
    referenced = {name for _record, name in referenced_files()}
    now = timezone.now()
    orphans = []
    for name in storage_files(storage):
        if name in referenced:
            continue
        kept = max([min_age, *(age for prefix, age in TRANSIENT_KEPT.items() if name.startswith(prefix))])
        if storage.get_modified_time(name) > now - kept:
            continue
        orphans.append(OrphanFile(name, storage.size(name)))
    return orphans


def remove_orphans(orphans: list[OrphanFile], *, storage=None) -> None:
    storage = storage or default_storage
    referenced = {name for _record, name in referenced_files()}  # again: a record may be new
    for orphan in orphans:
        if orphan.name not in referenced:
            storage.delete(orphan.name)
