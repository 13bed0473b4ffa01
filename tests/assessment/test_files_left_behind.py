"""Evidence uploaded with a transition that fails leaves no file on disk."""

from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment import services
from assessment.models import Evidence, SheetStatus
from assessment.services import transitions

PDF = b"%PDF-1.4\n%test\n"


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _entries(sheet):
    return {u.seq: services.Entry(grade="full", docs=True, note="说明") for u in sheet.units.all()}


def test_a_submit_that_fails_after_storing_evidence_leaves_no_file(world, users, media, monkeypatch):
    sheet = world["a1"]

    def broken_submit(*args, **kwargs):
        raise RuntimeError("the database went away")

    # The submit step of the transition table breaks after the evidence is stored.
    monkeypatch.setitem(transitions.TRANSITIONS, "submit",
                        replace(transitions.TRANSITIONS["submit"], effect=broken_submit))
    with pytest.raises(RuntimeError):
        services.submit_self_assessment(
            actor=users["staff"], sheet=sheet, entries=_entries(sheet), expected_version=sheet.version,
            evidence=[("1.1", SimpleUploadedFile("会议记录.pdf", PDF, "application/pdf"))])
    assert not Evidence.objects.exists()
    assert _files(media) == []


def test_evidence_of_a_transition_that_succeeds_stays(world, users, media):
    sheet = world["a1"]
    outcome = services.submit_self_assessment(
        actor=users["staff"], sheet=sheet, entries=_entries(sheet), expected_version=sheet.version,
        evidence=[("1.1", SimpleUploadedFile("会议记录.pdf", PDF, "application/pdf"))])
    assert outcome.sheet.status == SheetStatus.SUBMITTED
    evidence = Evidence.objects.get()
    assert _files(media) == [media / evidence.file.name]
