"""Case attachments of a transition that fails leave no file; ``remove_orphan_files`` removes
files no record points to and keeps the referenced ones."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from services import cases
from services.models import CaseAttachment
from tests.commands import run_command
from tests.services.test_engine import apply

PDF = b"%PDF-1.4 minimal"


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_pass_on_that_fails_after_storing_its_attachment_leaves_no_file(world, settings, monkeypatch):
    case = apply(world)
    before = _files(settings.MEDIA_ROOT)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("the audit table is locked")

    monkeypatch.setattr(cases, "_audit", broken_audit)
    with pytest.raises(RuntimeError):
        cases.pass_on(actor=world.reviewer, case=case, step_id=case.current_step_id, files=[_pdf()])
    assert not CaseAttachment.objects.filter(action__step_position=3).exists()
    assert _files(settings.MEDIA_ROOT) == before


def test_a_submit_that_fails_leaves_no_attachment_on_disk(world, settings, monkeypatch):
    monkeypatch.setattr(cases, "_audit", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        apply(world, files=[_pdf()])
    assert _files(settings.MEDIA_ROOT) == []


def _age(path, hours=2):
    old = time.time() - hours * 3600
    os.utime(path, (old, old))


def test_the_command_removes_an_orphan_and_keeps_referenced_files(world, settings):
    case = apply(world, files=[_pdf()])
    kept = settings.MEDIA_ROOT / case.attachments.get().file.name
    orphan = settings.MEDIA_ROOT / "services" / "cases" / "999" / "left-behind"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x" * 1234)
    fresh = settings.MEDIA_ROOT / "evidence" / "1" / "uploading.pdf"  # may not be committed yet
    fresh.parent.mkdir(parents=True)
    fresh.write_bytes(PDF)
    for path in (kept, orphan):
        _age(path)

    with translation.override("zh-hans"):  # the summary is read in Chinese, whatever ran before
        code, out, err = run_command("remove_orphan_files", "--dry-run")
    assert code == 0, err
    assert "services/cases/999/left-behind\t1234" in out and "1 个" in out and orphan.exists()

    with translation.override("zh-hans"):
        code, out, err = run_command("remove_orphan_files")
    assert code == 0, err
    assert "services/cases/999/left-behind\t1234" in out and "1234" in out
    assert not orphan.exists() and kept.exists() and fresh.exists()
    assert str(kept.relative_to(settings.MEDIA_ROOT)) not in out
