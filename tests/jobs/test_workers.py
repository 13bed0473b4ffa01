"""The real workers: ``manage.py work --until-idle`` on the database queue (django-tasks-db) and
on Redis (django-tasks-rq, RQ), each running a round's PDF job to the end, plus a job whose
worker died, reaped by ``work`` on start and run again."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.kit import client_for
from unionportal.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db(transaction=True)

ROUND = "/assessment/rounds/kit-a/2026"


def _queued_round_pdf(users) -> Job:
    response = client_for(users["scorer"]).get(f"{ROUND}.pdf")
    job = Job.objects.filter(kind="assessment.round_pdf").latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.QUEUED and job.task_id
    return job


def _dead_worker_job(world) -> Job:
    """A job a worker claimed and then died on: running, its heartbeat long gone."""
    return Job.objects.create(kind="assessment.round_results", title="t", subject_org=world["tree"].a,
                              params={"round": world["round_a"].pk, "fmt": "csv"}, by_system=True,
                              status=JobStatus.RUNNING, attempts=1,
                              heartbeat_at=timezone.now() - dt.timedelta(hours=1))


def _assert_done(*jobs: Job) -> None:
    for job in jobs:
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        assert job.result and job.done == job.total


def test_the_database_worker_runs_the_queue_until_idle(world, users, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    lost = _queued_round_pdf(users)  # its queue row is lost (deleted by hand) an hour ago
    DBTaskResult.objects.filter(id=lost.task_id).delete()
    Job.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=1),
                                          dedupe_key="")
    job = _queued_round_pdf(users)
    dead = _dead_worker_job(world)
    assert DBTaskResult.objects.ready().count() == 1
    call_command("work", "--until-idle", verbosity=0)
    _assert_done(job, dead, lost)
    assert dead.attempts == 2
    assert not DBTaskResult.objects.ready().exists()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    call_command("work", "--until-idle", verbosity=0)  # an empty queue: returns at once


@pytest.fixture
def redis_queue(settings, redis_url):
    """The RQ backend on the test run's own Redis (tests/conftest.py), emptied before and after."""
    import redis

    connection = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    connection.flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}}
    yield connection
    connection.flushdb()
    connection.close()


def test_the_rq_worker_runs_the_queue_until_idle(world, users, redis_queue):
    import django_rq

    job = _queued_round_pdf(users)
    dead = _dead_worker_job(world)
    assert django_rq.get_queue("default").count == 1
    call_command("work", "--until-idle", verbosity=0)
    _assert_done(job, dead)
    assert django_rq.get_queue("default").count == 0
    assert django_rq.get_queue("default").finished_job_registry.count == 2
