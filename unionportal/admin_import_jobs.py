"""A confirmed admin import too big for the request, as a background job (``unionportal/jobs``).

The preview (the dry run) stays in the request, within the web's limits; its confirm goes
into a job when the file has more than ``ADMIN_IMPORT_REQUEST_ROWS`` rows or
``ADMIN_IMPORT_REQUEST_BYTES`` bytes.  The job runs the same exchange import as the request
would (all or nothing, audited with the user who confirmed, the tree lock) and the job's
page shows the counts or every problem as 第 N 行：列：….

Applied at most once: the rows of every job of the file are locked for the whole import, and
the mark that the file was applied (``params["applied"]``) is written in the import's own
transaction.  A retried or reaped job finds the mark and writes nothing; one that died before
committing left nothing behind and imports again; a confirm sent twice gets the same job.
"""

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.jobs.models import Job
from unionportal.jobs.registry import job_kind
from unionportal.jobs.services import fail, start_job
from unionportal.tabular import FileFormatError, Report

ADMIN_IMPORT = "unionportal.admin_import"
SHOWN_PROBLEMS = 30  # the job's page lists this many problems, then says how many more


def request_rows() -> int:
    return int(getattr(settings, "ADMIN_IMPORT_REQUEST_ROWS", 300))


def request_bytes() -> int:
    return int(getattr(settings, "ADMIN_IMPORT_REQUEST_BYTES", 1024 * 1024))


def too_big_for_request(rows: int, size: int) -> bool:
    return rows > request_rows() or size > request_bytes()


def refusal(rows: int, size: int) -> str:
    """Why a confirm cannot run in the request when no job can take it."""
    return _("The file has %(rows)d rows (%(kb)d KB); at most %(max_rows)d rows and %(max_kb)d KB "
             "are imported while you wait, and a larger file needs an organisation you manage to "
             "run as a background job. Split it into smaller files, or ask an administrator to "
             "import it on the command line (manage.py).") % {
        "rows": rows, "kb": size // 1024, "max_rows": request_rows(), "max_kb": request_bytes() // 1024}


def start_import_job(*, user, resource_class, pending_name: str, fmt: str, rows: int,
                     original_name: str, subject_org, back_url: str) -> Job:
    """Queue the import of the kept file ``pending_name`` as ``user``."""
    earlier = Job.objects.filter(kind=ADMIN_IMPORT, params__file=pending_name).first()
    if earlier is not None:  # the confirm sent twice: the same job, not a second import
        return earlier
    resource_path = f"{resource_class.__module__}.{resource_class.__qualname__}"
    title = _("Import of %(file)s (%(rows)d rows): %(what)s") % {
        "file": original_name[:80], "rows": rows, "what": resource_class.get_display_name()}
    return start_job(actor=user, kind=ADMIN_IMPORT, subject_org=subject_org, title=title,
                     params={"resource": resource_path, "file": pending_name, "format": fmt,
                             "rows": rows},
                     back_url=back_url, dedupe_key=f"{ADMIN_IMPORT}:{pending_name}")


def problems_text(report: Report) -> str:
    """Every problem on its own line (the page keeps the line breaks), in the job's language."""
    problems = report.errors
    lines = [problem.ui_text for problem in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(_("… and %(count)d more problems.") % {"count": len(problems) - SHOWN_PROBLEMS})
    head = _("Nothing was imported. Problems in the file: %(count)d.") % {"count": len(problems)}
    return "\n".join([head, *lines])


def summary_text(report: Report) -> str:
    return _("Rows imported: %(rows)d (%(created)d created, %(updated)d updated, %(unchanged)d "
             "unchanged).") % vars(report)


def _pending(name: str):
    from unionportal.admin_import import PendingFileStorage

    return PendingFileStorage(name=name)


def _import(job: Job, resource, user) -> Report:
    pending = _pending(job.params["file"])
    if not pending.exists():  # forgotten after a day, or removed by hand
        report = Report()
        report.error(None, None, _("The uploaded file is gone (a file waits at most a day). Upload it again."))
        return report
    try:
        return resource.run_import(io.BytesIO(pending.read()), job.params["format"], actor=user, dry_run=False)
    except FileFormatError as exc:  # the file changed its mind since the preview (limits…)
        report = Report()
        report.error(None, None, str(exc))
        return report


@job_kind(ADMIN_IMPORT, label=gettext_lazy("A spreadsheet import"))
def run_admin_import(job: Job, progress) -> None:
    if not job.started_by_id or not job.started_by.is_active:
        raise PermissionDenied  # an import acts as the person who confirmed it, no one else
    resource = import_string(job.params["resource"])()
    progress.set_total(int(job.params.get("rows") or 1))
    with transaction.atomic():
        # Every job of this file, locked in one order: a second job of the same file (a confirm
        # sent twice at once) waits here for the first and then finds it applied.
        same_file = list(Job.objects.select_for_update().filter(
            kind=ADMIN_IMPORT, params__file=job.params["file"]).order_by("pk"))
        locked = next(other for other in same_file if other.pk == job.pk)
        if any(other.params.get("applied") for other in same_file):  # an earlier claim or job
            progress.note(locked.params["summary"] if locked.params.get("applied")
                          else _("This file had already been imported; nothing was imported again."))
            return None
        report = _import(job, resource, job.started_by)
        if report.ok:  # the counts go with the mark: a retry after a dead worker still shows them
            locked.params = {**locked.params, "applied": True, "summary": summary_text(report)}
            locked.save(update_fields=["params"])
            progress.note(locked.params["summary"])
    _pending(job.params["file"]).remove()  # applied, or refused: a new upload starts afresh
    if not report.ok:
        fail(job, problems_text(report))  # the page shows the problems; nothing was written
    return None
