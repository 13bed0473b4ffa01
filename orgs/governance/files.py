"""Minutes attachments: checked by type (extension and content) and size, stored under
MEDIA_ROOT outside the web root, and served only through the scoping gate (views.minutes_file)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# extension -> (content type, the bytes the file starts with)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}


def check_upload(upload) -> None:
    """Refuse anything but a PDF, PNG, JPEG or Word (.docx) file of at most 10 MB."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED:
        raise ValidationError(
            _("Minutes must be a PDF, PNG, JPEG or Word (.docx) file."), code="file_type"
        )
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="file_size")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(ALLOWED[suffix][1]):
        raise ValidationError(
            _("The file's content is not what its name says (%(suffix)s).") % {"suffix": suffix},
            code="file_type",
        )


def content_type(name: str) -> str:
    return ALLOWED.get(Path(name).suffix.lower(), ("application/octet-stream",))[0]
