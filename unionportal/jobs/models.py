"""One background job as people see it (``/jobs/<id>/``); the queue's own rows are the backend's."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionportal.text_limits import NOTE

# What a job says it did, shown on its page once done ("Round 2026 opened: 1,204 new sheets."):
# short lines in the job's language, bounded like any note (see ``services.summary_text``).
SUMMARY_MAX_CHARS = NOTE

class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class Job(models.Model):
    """A piece of long work: a round's PDF, a subtree catalogue, a pre-rendered print.

    Scoped like its subject: ``subject_org`` is the org whose data it works on (the gate in
    ``orgs/access.py`` decides who sees the job).  ``started_by`` is empty when the portal
    started it itself (``by_system``).  ``attempts`` counts claims by a worker; a retry of a
    finished job changes nothing."""

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    subject_org = models.ForeignKey("orgs.Org", verbose_name=_("organisation"), on_delete=models.CASCADE,
                                    related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True,
                                   blank=True, on_delete=models.CASCADE, related_name="+")
    by_system = models.BooleanField(_("started by the system"), default=False)
    language = models.CharField(max_length=10, default="zh-hans")
    back_url = models.CharField(max_length=300, blank=True)  # the page the job was started from
    # A queued job of the same key is not queued again (pre-rendering after a bulk import).
    dedupe_key = models.CharField(max_length=100, blank=True, db_index=True)

    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices,
                              default=JobStatus.QUEUED, db_index=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(max_length=64, blank=True)

    result = models.FileField(_("result file"), upload_to="jobs/", max_length=300, blank=True)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("error"), max_length=2000, blank=True)
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX_CHARS, blank=True)  # one line each

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat")]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def summary_lines(self) -> list[str]:
        return [line for line in self.summary.splitlines() if line.strip()]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0
