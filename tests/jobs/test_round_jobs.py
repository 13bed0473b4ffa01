"""A round's PDF and results as background jobs: end to end with the immediate backend, the
page of a job still in the queue, a retry that writes nothing twice, and dead workers reaped."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.kit import client_for
from tests.pdftext import pdf_bookmarks
from unionportal.jobs import services
from unionportal.jobs.models import Job, JobStatus
from unionportal.jobs.tasks import run_job

pytestmark = pytest.mark.django_db

ROUND = "/assessment/rounds/kit-a/2026"
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _read(name: str) -> bytes:
    with default_storage.open(name) as stored:
        return stored.read()


def test_the_round_pdf_is_a_job_that_keeps_its_result(world, users):
    client = client_for(users["scorer"])
    response = client.get(f"{ROUND}.pdf")  # the job ran at once: its result is served directly
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert pdf_bookmarks(response.content) == ["甲一基层工会", "甲二基层工会"]
    job = Job.objects.get()
    assert (job.kind, job.status, job.subject_org, job.started_by) == (
        "assessment.round_pdf", JobStatus.DONE, world["tree"].a, users["scorer"])
    assert (job.done, job.total, job.attempts) == (3, 3, 1)  # two sheets, then the layout
    assert job.result.name == f"jobs/{job.pk}/2026-kit-a-sheets.pdf"
    assert job.result_name == "2026-kit-a-考核细则汇编.pdf"
    with default_storage.open(job.result.name) as stored:
        assert stored.read() == response.content
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/download/" in page and f'href="{ROUND}/"' in page  # back to the board
    download = client.get(f"/jobs/{job.pk}/download/")
    assert b"".join(download.streaming_content) == response.content


def test_a_queued_job_sends_the_user_to_its_page(world, users, settings):
    settings.TASKS = DUMMY  # a queue nobody works on yet
    client = client_for(users["scorer"])
    response = client.get(f"{ROUND}/results.xlsx")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert job.status == JobStatus.QUEUED and "data-job-refresh" in page
    assert "甲系统工会" in page and "xlsx" in page
    # A second click while it waits finds the same job; another format is another job.
    assert client.get(f"{ROUND}/results.xlsx")["Location"] == f"/jobs/{job.pk}/"
    assert client.get(f"{ROUND}/results.csv")["Location"] != f"/jobs/{job.pk}/"
    assert Job.objects.count() == 2
    # A worker picks it up later: the result is then on the page.
    assert services.execute(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.result_name == "2026-kit-a-results.xlsx" and job.result.size > 0
    assert "data-job-refresh" not in client.get(f"/jobs/{job.pk}/").content.decode()


def test_a_retried_job_writes_nothing_twice(world, users, settings):
    settings.TASKS = DUMMY
    client_for(users["scorer"]).get(f"{ROUND}.pdf")
    job = Job.objects.get()
    assert services.execute(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    first = (job.result.name, job.finished_at, job.attempts, _read(job.result.name))
    # The same task delivered again, and enqueued again: nothing runs, nothing is written.
    assert services.execute(job.pk) == "skipped"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert run_job.enqueue(job.pk).return_value == "skipped"
    job.refresh_from_db()
    assert (job.result.name, job.finished_at, job.attempts, _read(job.result.name)) == first
    assert default_storage.listdir(f"jobs/{job.pk}")[1] == [job.result.name.rsplit("/", 1)[1]]


def test_a_superseded_claim_keeps_nothing(world, users, settings):
    settings.TASKS = DUMMY
    client_for(users["scorer"]).get(f"{ROUND}.pdf")
    job = Job.objects.get()
    stale = services.claim(job.pk)  # a worker that will be taken for dead
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert services.reap()["requeued"] == 1
    assert services.execute(job.pk) == JobStatus.DONE  # the second attempt finishes
    job.refresh_from_db()
    done = (job.result.name, job.finished_at)
    assert services.finish(stale, None) is False  # the first worker comes back: nothing changes
    job.refresh_from_db()
    assert (job.result.name, job.finished_at, job.attempts) == (*done, 2)


def test_a_dead_workers_job_runs_again_then_fails_in_plain_words(world, users):
    job = Job.objects.create(kind="assessment.round_pdf", title="t", subject_org=world["tree"].a,
                             started_by=users["scorer"], params={"round": world["round_a"].pk},
                             status=JobStatus.RUNNING, attempts=1,
                             heartbeat_at=timezone.now() - dt.timedelta(minutes=30))
    fresh = Job.objects.create(kind="assessment.round_pdf", title="t", subject_org=world["tree"].a,
                               status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now())
    # Queued again and (the immediate backend) run at once; a job with a recent heartbeat stays.
    assert services.reap() == {"requeued": 1, "failed": 0, "removed": 0}
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (job.status, job.attempts, bool(job.result)) == (JobStatus.DONE, 2, True)
    assert fresh.status == JobStatus.RUNNING

    Job.objects.filter(pk=fresh.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=30), attempts=2)
    assert services.reap()["failed"] == 1
    fresh.refresh_from_db()
    assert fresh.status == JobStatus.FAILED and fresh.finished_at is not None
    assert "2" in fresh.error and fresh.error.strip()

    # A week later, finished jobs and their files are removed.
    later = timezone.now() + dt.timedelta(days=8)
    name = job.result.name
    assert services.reap(now=later)["removed"] == 2
    assert not Job.objects.exists() and not default_storage.exists(name)


def test_a_job_whose_round_is_out_of_sight_fails_in_plain_words(world, users, settings):
    settings.TASKS = DUMMY
    client_for(users["scorer"]).get(f"{ROUND}.pdf")
    job = Job.objects.get()
    users["scorer"].grants.all().delete()  # the grant is revoked before a worker runs the job
    assert services.execute(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error and not job.result and "Traceback" not in job.error
