"""The page of a background job (``/jobs/<id>/``) and its result, scoped like the job's subject.

A job is seen by those who may see its subject org (the gate, ``orgs/access.py``); a job a
person started is theirs alone (it holds what their scope showed them), one the portal
started itself (a pre-rendered PDF) is seen by everyone who sees its org.  Anything else -
outside the scope, someone else's job, no such job - is the same 404."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from orgs.access import Action, scope_queryset
from unionportal.jobs import responses
from unionportal.jobs.models import Job, JobStatus
from unionportal.jobs.registry import KINDS


def visible_jobs(user):
    jobs = scope_queryset(Job.objects.all(), user, Action.VIEW, org_field="subject_org")
    if not user.is_superuser:
        jobs = jobs.filter(Q(started_by_id=user.pk) | Q(by_system=True))
    return jobs


def _job_or_404(user, pk: int) -> Job:
    job = visible_jobs(user).select_related("subject_org", "started_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
def job_detail(request, pk):
    job = _job_or_404(request.user, pk)
    kind = KINDS.get(job.kind)
    return render(request, "jobs/job.html", {
        "job": job, "kind_label": kind.label if kind else job.kind,
        "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "has_result": job.status == JobStatus.DONE and bool(job.result),
    })


@login_required
def job_download(request, pk):
    job = _job_or_404(request.user, pk)
    if job.status != JobStatus.DONE or not job.result:
        raise Http404
    return responses.download(job)
