"""The one task every backend runs: ``run_job(job_id)`` (see ``services.execute``)."""

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    from unionportal.jobs.services import execute

    return str(execute(job_id))
