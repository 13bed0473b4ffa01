"""How much an import may read, checked before and while a file is parsed.

A file is refused whole (``FileFormatError``) when it is larger than ``max_bytes``, when an
xlsx archive declares more than ``max_unpacked_bytes`` of content, a member compressed more
than ``max_ratio`` times (a zip bomb), nested archives or odd members, or when the sheet has
more than ``max_rows`` rows.  Cells longer than ``max_cell_chars`` are row errors.

The web and the command line have their own limits (settings ``IMPORT_LIMITS["web"]`` and
``IMPORT_LIMITS["command"]``, each a dict overriding the defaults below); the web's message
above its limit says to split the file or import it on the command line.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
EXCEL_MAX_CELL = 32_767  # Excel's own limit on the characters in a cell


@dataclass(frozen=True)
class ImportLimits:
    where: str  # "web" or "command": which advice a refusal gives
    max_bytes: int
    max_rows: int
    max_unpacked_bytes: int
    max_cell_chars: int = EXCEL_MAX_CELL
    max_columns: int = 200
    max_ratio: int = 100  # unpacked / packed size of one xlsx member
    max_members: int = 500


DEFAULTS = {
    "web": {"max_bytes": 5 * MB, "max_rows": 5_000, "max_unpacked_bytes": 50 * MB},
    "command": {"max_bytes": 50 * MB, "max_rows": 200_000, "max_unpacked_bytes": 500 * MB},
}
# Members this small cannot hold a bomb, whatever their ratio (an empty sheet packs 50:1).
RATIO_FLOOR = MB
# An xlsx holds XML and a few media types; anything that is itself an archive is refused.
NESTED_SUFFIXES = frozenset({".zip", ".xlsx", ".xlsm", ".xlsb", ".xls", ".docx", ".pptx", ".jar",
                             ".gz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".bin", ".ole"})


def limits_for(where: str) -> ImportLimits:
    """The limits of ``where`` ("web" or "command"): the defaults, overridden by settings."""
    configured = getattr(settings, "IMPORT_LIMITS", {}).get(where, {})
    return ImportLimits(where=where, **{**DEFAULTS[where], **configured})


def web_limits() -> ImportLimits:
    return limits_for("web")


def command_limits() -> ImportLimits:
    return limits_for("command")


def _error(message: str):
    from unionportal.tabular import FileFormatError

    return FileFormatError(message)


def _advice(limits: ImportLimits) -> str:
    if limits.where == "web":
        return _("Split it into smaller files, or ask an administrator to import it on the "
                 "command line (manage.py), which takes larger files.")
    return _("Split it into smaller files, or raise IMPORT_LIMITS in the settings.")


def size_of(source) -> int | None:
    """The size in bytes of a path, an uploaded file or a seekable stream (None if unknown)."""
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    if isinstance(source, str | bytes) or hasattr(source, "__fspath__"):
        import os

        return os.stat(source).st_size
    if hasattr(source, "seek") and hasattr(source, "tell"):
        position = source.tell()
        source.seek(0, 2)
        size = source.tell()
        source.seek(position)
        return size
    return None


def check_size(source, limits: ImportLimits) -> None:
    size = size_of(source)
    if size is not None and size > limits.max_bytes:
        raise _error(_("The file is %(size).1f MB; at most %(max).1f MB can be imported here. %(advice)s")
                     % {"size": size / MB, "max": limits.max_bytes / MB, "advice": _advice(limits)})


def too_many_rows(limits: ImportLimits):
    return _error(_("The file has more than %(max)d rows; at most %(max)d can be imported here. %(advice)s")
                  % {"max": limits.max_rows, "advice": _advice(limits)})


def _too_many_members(count: int):
    return _error(_("The xlsx file holds %(count)d parts; a spreadsheet has far fewer. "
                    "Save it again from Excel or WPS as an .xlsx workbook.") % {"count": count})


def _declared_member_count(source) -> int | None:
    """The member count the zip's end record declares (None if there is none to read)."""
    if not (hasattr(source, "seek") and hasattr(source, "read")):
        return None
    source.seek(0, 2)
    size = source.tell()
    tail_size = min(size, 22 + 65_535)  # the end record and the longest comment
    source.seek(size - tail_size)
    tail = source.read(tail_size)
    source.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 12 > len(tail):
        return None
    return int.from_bytes(tail[end + 10:end + 12], "little")


def check_xlsx_archive(source, limits: ImportLimits) -> None:
    """Refuse an xlsx whose zip members would unpack too far, before openpyxl opens it.

    zipfile never unpacks a member beyond the size it declares (it fails on the CRC instead),
    so the declared sizes bound what opening the file can cost.
    """
    declared = _declared_member_count(source)
    if declared is not None and declared > limits.max_members:
        raise _too_many_members(declared)  # before zipfile reads the whole directory
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _error(_("The xlsx file cannot be opened: it is not a valid xlsx (zip) file.")) from exc
    try:
        members = archive.infolist()
    finally:
        archive.close()  # leaves ``source`` open
        if hasattr(source, "seek"):
            source.seek(0)
    if len(members) > limits.max_members:
        raise _too_many_members(len(members))
    total = 0
    for member in members:
        path = PurePosixPath(member.filename)
        if member.flag_bits & 0x1:
            raise _error(_("The xlsx file is encrypted; save it without a password."))
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _error(_("The xlsx file uses an unusual compression; save it again from Excel or WPS."))
        if path.is_absolute() or ".." in path.parts or path.suffix.lower() in NESTED_SUFFIXES:
            raise _error(_("The xlsx file contains “%(name)s”, which a spreadsheet to import must "
                           "not hold (embedded files or archives). Copy the cells into a new "
                           "workbook and save that.") % {"name": member.filename[:80]})
        total += member.file_size
        packed = max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and member.file_size / packed > limits.max_ratio:
            raise _error(_("The xlsx file unpacks to far more than it weighs (%(ratio)d times); "
                           "it is refused as a possible zip bomb.") % {"ratio": member.file_size // packed})
    if total > limits.max_unpacked_bytes:
        raise _error(_("The xlsx file unpacks to %(size)d MB; at most %(max)d MB can be imported "
                       "here. %(advice)s") % {"size": total // MB, "max": limits.max_unpacked_bytes // MB,
                                              "advice": _advice(limits)})
