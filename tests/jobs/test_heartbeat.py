"""A running job's heartbeat (unionportal.jobs.services.heartbeat): one long step is not taken
for a dead worker, and a job hung past JOBS_MAX_RUN_SECONDS is reaped though its worker lives."""

import pytest

from tests.kit import user_with_role
from unionportal.jobs import services
from unionportal.jobs.models import JobStatus
from unionportal.jobs.registry import KINDS, JobKind

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _one_long_step(seen: list):
    def run(job, progress):
        import time

        time.sleep(1.6)  # no progress written: only the heartbeat speaks for the job
        seen.append(services.reap())
        return None

    return run


@pytest.mark.django_db(transaction=True)
def test_a_long_step_keeps_its_job_alive_and_the_heartbeat_stops_with_it(tree, settings, monkeypatch):
    """One step longer than JOBS_STALE_SECONDS without a progress write (one big PDF laid out)
    is not taken for a dead worker: a reap meanwhile, as another worker's ``work`` runs it,
    leaves the job running, and the job finishes on its first claim."""
    import threading

    settings.TASKS = DUMMY
    settings.JOBS_STALE_SECONDS = 0.8
    seen = []
    monkeypatch.setitem(KINDS, "tests.long_step", JobKind("tests.long_step", "long", _one_long_step(seen)))
    job = services.start_job(actor=user_with_role(tree, "admin"), kind="tests.long_step", subject_org=tree.a,
                             title="t")
    assert services.execute(job.pk) == JobStatus.DONE
    assert seen[0]["requeued"] == seen[0]["failed"] == 0
    job.refresh_from_db()
    assert job.attempts == 1
    assert not [thread for thread in threading.enumerate() if thread.name.endswith("-heartbeat")]


@pytest.mark.django_db(transaction=True)
def test_a_job_hung_past_its_longest_run_is_reaped_though_its_worker_lives(tree, settings, monkeypatch):
    settings.TASKS = DUMMY
    settings.JOBS_STALE_SECONDS = 0.8
    settings.JOBS_MAX_RUN_SECONDS = 0.3  # the thread stops beating long before the step ends
    seen = []
    monkeypatch.setitem(KINDS, "tests.long_step", JobKind("tests.long_step", "long", _one_long_step(seen)))
    job = services.start_job(actor=user_with_role(tree, "admin"), kind="tests.long_step", subject_org=tree.a,
                             title="t")
    assert services.execute(job.pk) == "superseded"  # queued again by the reap: its result is not kept
    assert seen[0]["requeued"] == 1
