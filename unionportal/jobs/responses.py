"""What a download button answers once it has started a job, and a job's result as a download.

The caller has already looked its subject up through the gate; these never decide who may see
what."""

from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect

from unionportal.jobs.models import Job, JobStatus


def started(job: Job):
    """The result at once when the job is already done (an in-process backend, or a worker
    quicker than the request), otherwise the job's page, which follows its progress."""
    if job.status == JobStatus.DONE and job.result:
        with default_storage.open(job.result.name, "rb") as stream:
            content = stream.read()
        response = HttpResponse(content, content_type=job.result_type or "application/octet-stream")
        response["Content-Disposition"] = disposition(job)
        response["Content-Length"] = str(len(content))
        return response
    return redirect("jobs:detail", pk=job.pk)


def download(job: Job) -> FileResponse:
    """The job's result file, streamed from the default storage (local disk or object store)."""
    response = FileResponse(default_storage.open(job.result.name, "rb"),
                            content_type=job.result_type or "application/octet-stream")
    response["Content-Disposition"] = disposition(job)
    return response


def disposition(job: Job) -> str:
    """PDFs open in the browser, spreadsheets download; the Chinese name survives (filename*)."""
    name = job.result_name or job.result.name.rsplit("/", 1)[-1]
    fallback = job.result.name.rsplit("/", 1)[-1]
    ascii_name = "".join(c for c in fallback if c.isascii() and c.isprintable() and c not in '"\\')
    kind = "inline" if job.result_type == "application/pdf" else "attachment"
    return f"{kind}; filename=\"{ascii_name or 'download'}\"; filename*=UTF-8''{quote(name)}"
