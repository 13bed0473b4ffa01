"""Starting, running, finishing and reaping jobs.

A job runs at most once to completion: a worker claims it (queued → running) under a row
lock, and its result is written only while that claim holds.  A retried or duplicated task
finds the job running or finished and does nothing.  A job whose worker died (no heartbeat
for ``JOBS_STALE_SECONDS``) is queued again, at most ``JOBS_MAX_ATTEMPTS`` claims in all, and
then marked failed: never "running" for ever.  A running job's thread beats for it during a
long step, for ``JOBS_MAX_RUN_SECONDS`` at most, so a job hung in one step is reaped too.
"""

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db import connections as db_connections
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionportal.actors import is_system, user_or_none
from unionportal.jobs.models import FINISHED, SUMMARY_MAX_CHARS, Job, JobStatus
from unionportal.jobs.registry import Output, kind_of
from unionportal.pdf_bounds import PdfRefused
from unionportal.pdf_bounds import budgets as pdf_budgets

logger = logging.getLogger(__name__)

PROGRESS_WRITE_SECONDS = 1.0  # progress is written at most this often (and at the end)
SUMMARY_LINE_MAX_CHARS = 300  # a longer noted line is cut: a summary is a few short lines


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "JOBS_STALE_SECONDS", 600))


def max_attempts() -> int:
    return int(getattr(settings, "JOBS_MAX_ATTEMPTS", 2))


# --- starting ------------------------------------------------------------------------------


def start_job(*, actor, kind: str, subject_org, title: str, params: dict | None = None,
              back_url: str = "", dedupe_key: str = "") -> Job:
    """Record a job and queue it.  Call outside a transaction (a view, an on-commit hook).

    ``actor`` is the user who asked, or ``SYSTEM``.  With ``dedupe_key``, a job of that key
    still waiting in the queue is returned instead of a second one."""
    kind_of(kind)  # an unknown kind is a programming error, raised here, not in a worker
    if dedupe_key:
        waiting = Job.objects.filter(dedupe_key=dedupe_key, status=JobStatus.QUEUED).first()
        if waiting is not None:
            return waiting
    job = Job.objects.create(
        kind=kind, title=str(title)[:200], params=params or {}, subject_org=subject_org,
        started_by=user_or_none(actor), by_system=is_system(actor),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        back_url=back_url[:300], dedupe_key=dedupe_key[:100])
    enqueue(job)
    job.refresh_from_db()
    return job


def _backend_runs_in_process() -> bool:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend)


def enqueue(job: Job) -> None:
    """Hand the job to the configured backend.  A queue in another process must not see the
    job before its row is committed; an in-process backend runs it at once."""
    from unionportal.jobs.tasks import run_job

    def send():
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(task_id=str(result.id)[:64])

    if connection.in_atomic_block and not _backend_runs_in_process():
        transaction.on_commit(send)
    else:
        send()


# --- running -------------------------------------------------------------------------------


@dataclass
class Progress:
    """Handed to a job kind's ``run``: ``set_total(n)`` then ``advance()`` per step.  Each write
    is also the job's heartbeat; writes are spaced by ``PROGRESS_WRITE_SECONDS``.

    ``note(text)`` adds a line to the summary the job's page shows once it is done (what was
    made, how many).  The run already speaks the job's language (``execute``), so a line built
    with ``gettext`` is in the language of the person who started it.  Lines are kept here and
    written with the result, under the claim: a superseded run leaves none."""

    job: Job
    notes: list[str] = field(default_factory=list)
    _written_at: float = field(default_factory=time.monotonic)

    def note(self, text) -> None:
        self.notes.extend(line.strip() for line in str(text).splitlines() if line.strip())

    def set_total(self, total: int) -> None:
        self.job.total = max(0, int(total))
        self._write(force=True)

    def advance(self, steps: int = 1) -> None:
        self.job.done = min(self.job.done + steps, self.job.total or self.job.done + steps)
        self._write()

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < PROGRESS_WRITE_SECONDS:
            return
        self._written_at = now
        Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING, attempts=self.job.attempts).update(
            done=self.job.done, total=self.job.total, heartbeat_at=timezone.now())


def longest_run() -> float:
    """Seconds a job's heartbeat thread beats for at most: past that, only its own progress
    keeps it alive, so a job hung in one step is reaped (``JOBS_MAX_RUN_SECONDS``)."""
    return float(getattr(settings, "JOBS_MAX_RUN_SECONDS", 3600))


@contextmanager
def heartbeat(job: Job):
    """While the block runs, a thread marks the job alive every quarter of ``stale_after()``
    (not more often than every quarter second, and for ``longest_run()`` at most): a single step longer than
    ``stale_after()`` (one big PDF laid out within its render budget) is not taken for a dead
    worker and run a second time.  Only this claim's row is touched."""
    interval = max(0.25, stale_after().total_seconds() / 4)
    stopped = threading.Event()

    def beat():
        beats_until = time.monotonic() + longest_run()
        try:
            while not stopped.wait(interval) and time.monotonic() < beats_until:
                try:
                    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
                        heartbeat_at=timezone.now())
                except DatabaseError:  # a missed beat is tried again next time; the job goes on
                    logger.warning("heartbeat of job %s not written", job.pk, exc_info=True)
        finally:
            db_connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join(timeout=10)


def claim(job_id: int) -> Job | None:
    """Queued → running, under a row lock; None when the job is gone, running or finished."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            return None
        now = timezone.now()
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.done = 0
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "done"])
    return job


def execute(job_id: int) -> str:
    """The body of the task: claim, run the kind, keep its result or its error in plain words."""
    job = claim(job_id)
    if job is None:
        return "skipped"
    with translation.override(job.language or settings.LANGUAGE_CODE), pdf_budgets(
            max_text_chars=getattr(settings, "JOBS_PDF_MAX_TEXT_CHARS", 1_000_000),
            render_seconds=getattr(settings, "JOBS_PDF_RENDER_SECONDS", 900)):
        progress = Progress(job)
        try:
            with heartbeat(job):
                output = kind_of(job.kind).run(job, progress)
        except Exception as exc:  # every failure becomes words on the job's page
            fail(job, error_text(exc))
            if not isinstance(exc, PdfRefused | Http404 | ObjectDoesNotExist | PermissionDenied):
                logger.exception("job %s (%s) failed", job.pk, job.kind)
            return JobStatus.FAILED
        summary = summary_text(progress.notes)  # its closing line, too, in the job's language
    return JobStatus.DONE if finish(job, output, summary=summary) else "superseded"


def summary_text(lines: list[str]) -> str:
    """The noted lines, one a line, within ``SUMMARY_MAX_CHARS``: each line cut to
    ``SUMMARY_LINE_MAX_CHARS``, whole lines kept in order while they fit, then one line saying
    how many were left out (a round copying hundreds of templates still fits)."""
    lines = [line if len(line) <= SUMMARY_LINE_MAX_CHARS else line[:SUMMARY_LINE_MAX_CHARS - 1] + "…"
             for line in lines]
    text = "\n".join(lines)
    if len(text) <= SUMMARY_MAX_CHARS:
        return text
    room = SUMMARY_MAX_CHARS - SUMMARY_LINE_MAX_CHARS  # what the closing line may need, at most
    kept, used = [], 0
    for line in lines:
        if used + len(line) + 1 > room:
            break
        kept.append(line)
        used += len(line) + 1
    kept.append(_("… and %(count)d more lines.") % {"count": len(lines) - len(kept)})
    return "\n".join(kept)[:SUMMARY_MAX_CHARS]


def error_text(exc: Exception) -> str:
    if isinstance(exc, PdfRefused):
        return str(exc.message)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return _("What this job works on no longer exists, or you may no longer see it.")
    if isinstance(exc, PermissionDenied):
        return _("You may no longer do this.")
    return _("The job failed unexpectedly. Try again later; if it fails again, tell your administrator.")


def _result_name(job: Job, output: Output) -> str:
    extension = output.name.rsplit(".", 1)[-1] if "." in output.name else "bin"
    ascii_name = "".join(c for c in output.ascii_name if c.isascii() and (c.isalnum() or c in "-_."))
    return f"jobs/{job.pk}/{ascii_name or 'result.' + extension}"


def finish(job: Job, output: Output | None, *, summary: str = "") -> bool:
    """Done, with the result keyed by the job's id and the run's summary; False (nothing
    written) when this claim no longer holds: the job was reaped and claimed again, or
    finished meanwhile."""
    with transaction.atomic():
        current = Job.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or current.status != JobStatus.RUNNING or current.attempts != job.attempts:
            return False
        fields = ["status", "finished_at", "heartbeat_at", "done", "total", "summary"]
        current.summary = summary[:SUMMARY_MAX_CHARS]
        if output is not None:
            name = _result_name(current, output)
            if default_storage.exists(name):  # an earlier claim wrote it before it died
                default_storage.delete(name)
            current.result.name = default_storage.save(name, ContentFile(output.content))
            current.result_name = output.name[:200]
            current.result_type = output.content_type[:100]
            fields += ["result", "result_name", "result_type"]
        current.status = JobStatus.DONE
        current.finished_at = current.heartbeat_at = timezone.now()
        current.total = max(current.total, job.total, 1)
        current.done = current.total
        current.save(update_fields=fields)
    return True


def fail(job: Job, error: str) -> None:
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
        status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now())


# --- reaping -------------------------------------------------------------------------------


def reap(*, now=None) -> dict[str, int]:
    """Jobs whose worker died: queued again while attempts remain, failed after that.  Also
    removes finished jobs (and their files) older than ``JOBS_KEEP_DAYS``."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "removed": 0}
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - stale_after())
    for job_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=job_id, status=JobStatus.RUNNING,
                                                        heartbeat_at__lt=now - stale_after()).first()
            if job is None:
                continue
            if job.attempts < max_attempts():
                job.status = JobStatus.QUEUED
                job.save(update_fields=["status"])
                counts["requeued"] += 1
            else:
                with translation.override(job.language or settings.LANGUAGE_CODE):
                    job.error = _("The worker running this job stopped %(n)d times; the job was "
                                  "given up. Start it again.") % {"n": job.attempts}
                job.status = JobStatus.FAILED
                job.finished_at = now
                job.save(update_fields=["status", "error", "finished_at"])
                counts["failed"] += 1
        if job is not None and job.status == JobStatus.QUEUED:
            enqueue(job)
    counts["requeued"] += requeue_lost(now=now)
    counts["removed"] = prune(now=now)
    return counts


def _task_exists(task_id: str) -> bool:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.exceptions import TaskResultDoesNotExist

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not task_id or not backend.supports_get_result:
        return True  # nothing to ask: assume the queue still holds it
    try:
        backend.get_result(task_id)
    except TaskResultDoesNotExist:
        return False
    return True


def requeue_lost(*, now=None) -> int:
    """Jobs queued long ago whose task the queue no longer knows (Redis emptied, a queue row
    deleted): queued again, so that no job waits for ever."""
    now = now or timezone.now()
    waiting = Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - stale_after())
    lost = [job for job in waiting.order_by("pk")[:500] if not _task_exists(job.task_id)]
    for job in lost:
        enqueue(job)
    return len(lost)


def prune(*, now=None) -> int:
    now = now or timezone.now()
    keep = timedelta(days=getattr(settings, "JOBS_KEEP_DAYS", 7))
    old = Job.objects.filter(status__in=FINISHED, finished_at__lt=now - keep)
    removed = 0
    for job in old.iterator():
        if job.result:
            default_storage.delete(job.result.name)
        job.delete()
        removed += 1
    return removed
