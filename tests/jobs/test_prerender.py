"""PDFs rendered in the background: a published catalogue and a finalised sheet are in the PDF
cache before anyone asks (the first download renders nothing), and a subtree's catalogue PDF
not yet cached becomes a job while a cached one is served at once."""

import pytest

from assessment import services as assessment
from tests.assessment.conftest import grade_all
from tests.duties.helpers import plain_catalogue
from tests.kit import client_for
from tests.pdftext import pdf_text
from unionportal import pdf
from unionportal.actors import SYSTEM
from unionportal.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def prerendering(settings):
    settings.UNIONPORTAL_PRERENDER_PDFS = True


def no_layout(monkeypatch):
    """From here on, laying out a PDF fails: what is served must come from the cache."""
    def refuse(html):
        raise AssertionError("rendered again instead of served from the PDF cache")
    monkeypatch.setattr(pdf, "html_to_pdf", refuse)


def _final(sheet):
    grade_all(sheet)
    for step in ("submit", "pass", "finalise"):
        assessment.apply_transition(name=step, actor=SYSTEM, sheet=sheet)


def test_a_published_catalogue_is_rendered_before_its_first_download(
        tree, users, prerendering, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        plain_catalogue(tree.a1, title="甲一基层工会工作职责（预先打印）")
    job = Job.objects.get(kind="duties.catalogue_pdf")
    assert (job.status, job.by_system, job.subject_org) == (JobStatus.DONE, True, tree.a1)
    no_layout(monkeypatch)
    response = client_for(users["staff"]).get("/duties/kit-a-1.pdf")
    assert response.status_code == 200
    assert "预先打印" in pdf_text(response.content)


def test_a_finalised_sheet_is_rendered_before_its_first_download(
        world, users, prerendering, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        _final(world["a1"])
    assert Job.objects.get(kind="assessment.sheet_pdf").status == JobStatus.DONE
    no_layout(monkeypatch)
    response = client_for(users["staff"]).get("/assessment/2026/kit-a-1.pdf")
    assert response.status_code == 200 and "甲一基层工会" in pdf_text(response.content)


def test_pre_rendering_is_off_when_switched_off(tree, django_capture_on_commit_callbacks, settings):
    settings.UNIONPORTAL_PRERENDER_PDFS = False
    with django_capture_on_commit_callbacks(execute=True):
        plain_catalogue(tree.a1)
    assert not Job.objects.exists()


def test_a_subtree_pdf_not_yet_cached_is_a_job_then_served_from_the_cache(tree, users, monkeypatch):
    plain_catalogue(tree.a1, title="甲一目录")
    plain_catalogue(tree.a2, title="甲二目录")
    client = client_for(users["reviewer"])
    first = client.get("/duties/kit-a.pdf?subtree=1")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    job = Job.objects.get()
    assert (job.kind, job.status, job.subject_org, job.started_by) == (
        "duties.subtree_pdf", JobStatus.DONE, tree.a, users["reviewer"])
    assert (job.done, job.total) == (2, 2)
    no_layout(monkeypatch)
    second = client.get("/duties/kit-a.pdf?subtree=1")
    assert second.content == first.content and Job.objects.count() == 1
    assert "filename*=UTF-8''" in second["Content-Disposition"]
