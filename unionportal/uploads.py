"""Checking uploaded files (evidence, attachments, minutes) before they are stored.

A file is accepted by its extension *and* by its first bytes, so a renamed executable is not
taken for a PDF; its size is bounded.  Stored files go through the default storage (var/media
outside the web root, or a private bucket of the object store: settings STORAGES) and are
served only by views that pass the scoping gate, streamed from ``FieldFile.open()`` — never a
path on the server's disk and never a public URL.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats
_ZIP = b"PK\x03\x04"  # the Office Open XML and OpenDocument formats
# extension -> (content type, the bytes a real file of that type starts with)
FILE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".doc": ("application/msword", (_OLE,)),
    ".xls": ("application/vnd.ms-excel", (_OLE,)),
    ".ppt": ("application/vnd.ms-powerpoint", (_OLE,)),
    ".wps": ("application/vnd.ms-works", (_OLE,)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (_ZIP,)),
    ".odt": ("application/vnd.oasis.opendocument.text", (_ZIP,)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (_ZIP,)),
}
DOCUMENTS = tuple(FILE_TYPES)  # PDF, images and office files
PDF_IMAGES_WORD = (".pdf", ".png", ".jpg", ".jpeg", ".docx")


def check_upload(upload, *, allowed=DOCUMENTS, max_bytes: int = 10 * MB) -> str:
    """The content type to store for ``upload``; ValidationError naming the file otherwise."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise ValidationError(
            _("%(name)s: only these file types are accepted: %(types)s.")
            % {"name": name, "types": " ".join(allowed)},
            code="file_type",
        )
    if upload.size > max_bytes:
        raise ValidationError(_("%(name)s is larger than %(max)d MB.") % {"name": name, "max": max_bytes // MB},
                              code="file_size")
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="file_size")
    content_type, signatures = FILE_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(_("%(name)s is not really a %(suffix)s file.") % {"name": name, "suffix": suffix},
                              code="file_type")
    return content_type


def check_uploads(uploads, *, max_files: int, **limits) -> list[tuple[object, str]]:
    """``(upload, content type)`` for each of several files, or ValidationError."""
    uploads = list(uploads or ())
    if len(uploads) > max_files:
        raise ValidationError(_("At most %(count)d files at a time.") % {"count": max_files})
    return [(upload, check_upload(upload, **limits)) for upload in uploads]


def content_type_of(name: str) -> str:
    return FILE_TYPES.get(Path(name).suffix.lower(), ("application/octet-stream",))[0]
