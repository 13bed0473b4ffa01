"""The shared upload check: extension and first bytes must agree; size is bounded."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from unionportal.uploads import PDF_IMAGES_WORD, check_upload, check_uploads, content_type_of

PDF = b"%PDF-1.7\n" + b"0" * 100


def test_a_real_pdf_is_accepted_with_its_content_type():
    assert check_upload(SimpleUploadedFile("材料.pdf", PDF)) == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content", "limits", "code"),
    [
        ("run.exe", b"MZ" + b"0" * 100, {}, "file_type"),
        ("fake.pdf", b"MZ" + b"0" * 100, {}, "file_type"),  # renamed executable
        ("sheet.xlsx", b"PK\x03\x04" + b"0" * 10, {"allowed": PDF_IMAGES_WORD}, "file_type"),
        ("big.pdf", PDF + b"0" * (2 * 1024 * 1024), {"max_bytes": 1024 * 1024}, "file_size"),
        ("empty.pdf", b"", {}, "file_size"),
    ],
)
def test_bad_uploads_are_refused_with_the_file_named(name, content, limits, code):
    with pytest.raises(ValidationError) as exc:
        check_upload(SimpleUploadedFile(name, content), **limits)
    assert exc.value.code == code and name in exc.value.messages[0]


def test_too_many_files_at_once():
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(3)]
    assert len(check_uploads(files[:2], max_files=2)) == 2
    with pytest.raises(ValidationError):
        check_uploads(files, max_files=2)


def test_content_type_of_unknown_names_is_generic():
    assert content_type_of("a.PNG") == "image/png"
    assert content_type_of("a.bin") == "application/octet-stream"
