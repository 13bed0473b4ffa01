"""Checking uploaded files before they are attached to a case: type, size and content."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_SIZE = 10 * 1024 * 1024  # 10 MB
MAX_FILES = 10
# Extension -> (content type, the first bytes a real file of that type starts with).
ALLOWED = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}


def check_upload(upload) -> str:
    """The content type to store for ``upload``; ValidationError if it is not acceptable."""
    name = Path(upload.name or "").name
    extension = Path(name).suffix.lower().lstrip(".")
    if extension not in ALLOWED:
        raise ValidationError(
            _("%(name)s: only PDF, images (PNG, JPEG) and Office files (doc, docx, xls, xlsx) "
              "may be attached.") % {"name": name}
        )
    if upload.size > MAX_SIZE:
        raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": name})
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    content_type, signatures = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("%(name)s is not a real .%(ext)s file.") % {"name": name, "ext": extension}
        )
    return content_type


def check_uploads(uploads) -> list[tuple[object, str]]:
    uploads = list(uploads or ())
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("At most %(count)d files per action.") % {"count": MAX_FILES})
    return [(upload, check_upload(upload)) for upload in uploads]
