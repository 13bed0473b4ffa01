"""The whole portal in one archive, and back (``manage.py backup PATH`` / ``restore PATH``).

The archive is a ``.tar.gz`` holding

- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite);
- ``media/<name>``: every file of the default storage (evidence, attachments, minutes), read
  through Django's storage API, so the same archive comes from ``var/media`` or from an
  S3-compatible object store and goes back into either (``generated/``, rendered PDFs that
  are made again on demand, and ``imports/pending/``, import previews, are left out);
- ``manifest.json`` (last): format version, database vendor and tool, the applied
  migrations, every table's row count and content digest, every file's size and sha256.

A backup copies the database first, in one snapshot, then the files, so every file the
copied rows name is in the archive (a file uploaded meanwhile may be too, unreferenced).
The archive is written next to PATH and renamed into place: PATH is whole or untouched.

A restore checks everything before it writes anything: the archive's checksums, that the
target database is the same vendor and empty (no tables, or migrated to the archive's state
with no data), and that no file of the same name with other content is in the storage.
Then it writes the files, replaces the database (one transaction; on failure the files it
wrote are removed again) and verifies every table and file against the manifest.
"""

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from unionportal import backup_database as database
from unionportal.backup_database import DatabaseBackupError
from unionportal.dependencies import STORAGE_ERRORS

FORMAT = "unionportal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
GENERATED_PREFIX = "generated/"  # rendered PDFs kept for the cache: made again on demand
PENDING_IMPORTS_PREFIX = "imports/pending/"  # admin import previews awaiting confirmation
TRANSIENT_PREFIXES = (GENERATED_PREFIX, PENDING_IMPORTS_PREFIX)  # never backed up
EXTENSIONS = (".tar.gz", ".tgz")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot be done; nothing was written.  The message says why."""


@dataclass
class Summary:
    tables: int
    rows: int
    files: int
    bytes: int
    missing: list[str]  # files the database names that the storage does not have


def is_archive_name(path: str) -> bool:
    return str(path).lower().endswith(EXTENSIONS)


def sha256_of(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# Files --------------------------------------------------------------------------------------

def storage_files(storage=None, prefix: str = "") -> list[str]:
    """Every file name in the storage, sorted, with ``/`` separators."""
    storage = storage or default_storage
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:  # no MEDIA_ROOT yet: nothing uploaded
        return []
    names = [f"{prefix}{name}" for name in files]
    for directory in directories:
        names += storage_files(storage, f"{prefix}{directory}/")
    return sorted(names)


def referenced_files() -> list[tuple[str, str]]:
    """``(record, file name)`` for every FileField value in the database."""
    from django.apps import apps
    from django.db.models import FileField

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                for pk, name in (model._base_manager.exclude(**{field.name: ""})
                                 .exclude(**{f"{field.name}__isnull": True})
                                 .values_list("pk", field.name)):
                    found.append((f"{model._meta.label_lower} {pk}", name))
    return found


class _HashingReader:
    """Reads a file for tarfile while hashing what it hands over."""

    def __init__(self, stream):
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, size=-1):
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


# Backup -------------------------------------------------------------------------------------

def create_backup(path: str, *, using: str = DEFAULT_DB_ALIAS) -> Summary:
    target = Path(path)
    if not target.parent.is_dir():
        raise BackupError(_("the folder %(folder)s does not exist") % {"folder": target.parent})
    if isinstance(default_storage, FileSystemStorage) and target.resolve().is_relative_to(
            Path(settings.MEDIA_ROOT).resolve()):
        # The archive would copy itself while it is being written.
        raise BackupError(_("write the backup outside MEDIA_ROOT (%(media)s)")
                          % {"media": settings.MEDIA_ROOT})
    connection = connections[using]
    try:
        database.check_vendor(connection)
    except DatabaseBackupError as exc:
        raise BackupError(str(exc)) from exc
    dump_name = database.DUMP_FILES[connection.vendor]
    partial = None
    try:
        with tempfile.TemporaryDirectory(prefix="unionportal-backup-") as work:
            dump_path = Path(work) / dump_name
            section = database.dump(connection, dump_path)
            with open(dump_path, "rb") as stream:
                section["sha256"], section["size"] = sha256_of(stream)
            section["file"] = dump_name
            stored = storage_files()  # one listing (an object store answers it in pages)
            listed = set(stored)
            missing = [f"{record}: {name}" for record, name in referenced_files()
                       if name not in listed]
            handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            with os.fdopen(handle, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                archive.add(dump_path, arcname=dump_name, filter=_private)
                files = _add_media(archive, stored)
                manifest = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "database": section,
                    "files": files,
                    "missing_files": missing,
                }
                _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False,
                                                         indent=1).encode())
            os.replace(partial, target)
            partial = None
    except DatabaseBackupError as exc:
        raise BackupError(str(exc)) from exc
    except STORAGE_ERRORS as exc:
        raise BackupError(storage_down(exc)) from exc
    except OSError as exc:
        raise BackupError(_("cannot write %(path)s: %(error)s") % {"path": target, "error": exc.strerror or exc}) from exc
    finally:
        if partial is not None and os.path.exists(partial):
            os.unlink(partial)
    tables = section["tables"]
    return Summary(tables=len(tables), rows=sum(t["rows"] for t in tables.values()),
                   files=len(files), bytes=sum(f["size"] for f in files), missing=missing)


def _add_media(archive: tarfile.TarFile, names: list[str]) -> list[dict]:
    files = []
    for name in names:
        if name.startswith(TRANSIENT_PREFIXES):
            continue
        try:
            size = default_storage.size(name)
            stream = default_storage.open(name, "rb")
        except FileNotFoundError:  # deleted since we listed it: not part of this backup
            continue
        with stream:
            info = tarfile.TarInfo(MEDIA_PREFIX + name)
            info.size, info.mode = size, 0o600
            info.mtime = int(dt.datetime.now().timestamp())
            reader = _HashingReader(stream)
            archive.addfile(info, reader)
            if reader.size != size:
                raise BackupError(_("%(name)s changed while it was being copied; try again") % {"name": name})
        files.append({"path": name, "size": size, "sha256": reader.digest.hexdigest()})
    return files


# Restore ------------------------------------------------------------------------------------

def _safe_media_name(member: str) -> str | None:
    """The storage name of an archive member under media/, or None if it is not a plain
    relative path (an absolute path, ``..`` or a backslash is never written)."""
    if not member.startswith(MEDIA_PREFIX):
        return None
    name = member[len(MEDIA_PREFIX):]
    parts = PurePosixPath(name).parts
    if not name or "\\" in name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return None
    return name


def read_archive(path: str, work: Path) -> tuple[dict, Path, dict[str, Path]]:
    """Unpack into ``work`` and check every checksum: ``(manifest, dump, {name: file})``."""
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115  (closed by the with below)
    except FileNotFoundError as exc:
        raise BackupError(_("%(path)s does not exist") % {"path": path}) from exc
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(_("%(path)s is not a portal backup (%(error)s)") % {"path": path, "error": exc}) from exc
    unpacked: dict[str, tuple[Path, str, int]] = {}
    manifest = None
    try:
        with archive:
            for index, member in enumerate(archive):
                if not member.isfile():
                    raise BackupError(_("%(path)s: %(name)s is not a plain file") % {"path": path, "name": member.name})
                stream = archive.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(stream.read().decode())
                    continue
                local = work / f"{index:08d}"
                with open(local, "wb") as out:
                    reader = _HashingReader(stream)
                    while chunk := reader.read(CHUNK):
                        out.write(chunk)
                unpacked[member.name] = (local, reader.digest.hexdigest(), reader.size)
    except (OSError, tarfile.TarError, EOFError, ValueError) as exc:
        raise BackupError(_("%(path)s is damaged (%(error)s)") % {"path": path, "error": exc}) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s is not a portal backup (no manifest)") % {"path": path})
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(_("%(path)s has backup format %(found)s; this portal reads format %(known)s")
                          % {"path": path, "found": manifest.get("version"), "known": FORMAT_VERSION})
    try:
        return _check_members(path, manifest, unpacked)
    except (KeyError, TypeError, AttributeError) as exc:
        raise BackupError(_("%(path)s has a damaged manifest (%(error)r)") % {"path": path, "error": exc}) from exc


def _check_members(path: str, manifest: dict, unpacked: dict) -> tuple[dict, Path, dict[str, Path]]:
    expected = {manifest["database"]["file"]: manifest["database"]}
    for entry in manifest["files"]:
        if _safe_media_name(MEDIA_PREFIX + entry["path"]) is None:
            raise BackupError(_("%(path)s: unsafe file name %(name)r") % {"path": path, "name": entry["path"]})
        expected[MEDIA_PREFIX + entry["path"]] = entry
    for name, entry in expected.items():
        if name not in unpacked:
            raise BackupError(_("%(path)s: %(name)s is missing") % {"path": path, "name": name})
        _local, digest, size = unpacked[name]
        if (digest, size) != (entry["sha256"], entry["size"]):
            raise BackupError(_("%(path)s: %(name)s does not match its checksum") % {"path": path, "name": name})
    extra = sorted(set(unpacked) - set(expected))
    if extra:
        raise BackupError(_("%(path)s: %(name)s is not in the manifest") % {"path": path, "name": extra[0]})
    files = {entry["path"]: unpacked[MEDIA_PREFIX + entry["path"]][0] for entry in manifest["files"]}
    return manifest, unpacked[manifest["database"]["file"]][0], files


def check_target(manifest: dict, connection) -> None:
    """Refuse a database of another vendor, with data, or migrated to another state."""
    section = manifest["database"]
    if section["vendor"] != connection.vendor:
        raise BackupError(_("the archive holds a %(archived)s database; this portal uses %(here)s")
                          % {"archived": section["vendor"], "here": connection.vendor})
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True)
             .disk_migrations}
    unknown = sorted(set(section["migrations"]) - known)
    if unknown:
        raise BackupError(_("the archive comes from a newer portal (migrations %(names)s are unknown "
                            "here); upgrade the portal first") % {"names": ", ".join(unknown[:5])})
    if not database.has_tables(connection):
        return
    with_data = database.tables_with_data(connection)
    if with_data:
        raise BackupError(_("the database is not empty (%(count)d tables hold data: %(tables)s); "
                            "restore into a new database")
                          % {"count": len(with_data), "tables": ", ".join(with_data[:5])})
    state = database.migration_state(connection)
    if state != section["migrations"]:
        differs = sorted(set(state) ^ set(section["migrations"]))
        raise BackupError(_("the database is migrated to another state than the archive (%(names)s "
                            "differ); restore into a new, empty database (no tables), then run "
                            "migrate") % {"names": ", ".join(differs[:3])})


def _check_files(files: dict[str, Path]) -> list[str]:
    """The names to write; a different file of the same name already stored is refused."""
    to_write = []
    for name, local in files.items():
        if not default_storage.exists(name):
            to_write.append(name)
            continue
        with default_storage.open(name, "rb") as stored, open(local, "rb") as archived:
            if sha256_of(stored)[0] != sha256_of(archived)[0]:
                raise BackupError(_("the storage already holds another file named %(name)s") % {"name": name})
    return to_write


def storage_down(exc) -> str:
    return _("the file store does not answer (%(error)s); try again when it does") % {
        "error": type(exc).__name__}


def restore_backup(path: str, *, using: str = DEFAULT_DB_ALIAS) -> Summary:
    try:
        return _restore(path, connections[using])
    except STORAGE_ERRORS as exc:
        raise BackupError(storage_down(exc)) from exc


def _restore(path: str, connection) -> Summary:
    with tempfile.TemporaryDirectory(prefix="unionportal-restore-") as work:
        manifest, dump_path, files = read_archive(path, Path(work))
        check_target(manifest, connection)
        to_write = _check_files(files)
        written = []
        try:
            for name in to_write:
                with open(files[name], "rb") as stream:
                    stored = default_storage.save(name, File(stream, name=name))
                written.append(stored)
                if stored != name:
                    raise BackupError(_("the storage renamed %(name)s to %(stored)s") % {"name": name, "stored": stored})
            database.load(connection, dump_path)
        except BaseException as exc:
            for name in written:
                default_storage.delete(name)
            if isinstance(exc, DatabaseBackupError | OSError):
                raise BackupError(str(exc)) from exc
            raise
    _verify(manifest, connection)
    tables = manifest["database"]["tables"]
    return Summary(tables=len(tables), rows=sum(t["rows"] for t in tables.values()),
                   files=len(files), bytes=sum(f["size"] for f in manifest["files"]),
                   missing=manifest.get("missing_files", []))


def _verify(manifest: dict, connection) -> None:
    restored = database.table_fingerprints(connection)
    for table, expected in manifest["database"]["tables"].items():
        found = restored.get(table)
        if found is None:
            raise BackupError(_("restored, but table %(table)s is missing") % {"table": table})
        if found != expected:
            raise BackupError(_("restored, but table %(table)s differs from the archive (%(found)d rows, "
                                "%(expected)d expected)")
                              % {"table": table, "found": found["rows"], "expected": expected["rows"]})
    for entry in manifest["files"]:
        with default_storage.open(entry["path"], "rb") as stream:
            if sha256_of(stream) != (entry["sha256"], entry["size"]):
                raise BackupError(_("restored, but %(name)s differs from the archive") % {"name": entry["path"]})
