"""The admin's import button, built once: upload a file, see what it will change, confirm.

A ModelAdmin mixes in ``AdminImportMixin`` and says how to run its exchange module's import
(``run_import``): the same function the ``import_*`` command calls, with the signed-in user
as the actor (rows outside the orgs they manage are row errors) and the web's size limits.

1. Upload: the file is kept aside under a random token (bound to the user) and imported as a
   dry run: the preview shows created / updated / unchanged and every problem as 第 N 行.
2. Confirm: the kept file is imported for real, all or nothing, each write audited with the
   user; the file is then deleted.  A file with problems offers no confirm.
"""

import re
import tempfile
import time
import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.admin_site import manages_anything
from unionportal.import_limits import check_size, web_limits
from unionportal.tabular import FileFormatError, format_of

PENDING_MAX_AGE_SECONDS = 24 * 3600  # a preview nobody confirmed is forgotten after a day
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))


def _pending_dir() -> Path:
    directory = Path(tempfile.gettempdir()) / "unionportal-import-previews"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def _forget_old_previews(directory: Path) -> None:
    cutoff = time.time() - PENDING_MAX_AGE_SECONDS
    for old in directory.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def _keep(upload, user, fmt: str) -> str:
    directory = _pending_dir()
    _forget_old_previews(directory)
    token = uuid.uuid4().hex
    with open(directory / f"{user.pk}-{token}.{fmt}", "wb") as kept:
        for chunk in upload.chunks():
            kept.write(chunk)
    return token


def _kept(user, token: str, fmt: str) -> Path:
    """The file kept for ``token``; only its uploader finds it."""
    if not _TOKEN.match(token or "") or fmt not in ("csv", "xlsx"):
        raise Http404
    kept = _pending_dir() / f"{user.pk}-{token}.{fmt}"
    if not kept.exists():
        raise Http404
    return kept


class AdminImportMixin:
    """Adds ``import/`` (admin:<app>_<model>_import) to a ModelAdmin."""

    import_columns: list = []  # tabular Columns, listed on the page
    import_title = gettext_lazy("Import")
    import_help = ""  # what a row does, one sentence
    import_template = "admin/import.html"

    def run_import(self, source, fmt: str, *, actor, dry_run: bool):
        """The exchange module's import; returns its tabular ``Report``."""
        raise NotImplementedError

    def has_import_permission(self, request) -> bool:
        return manages_anything(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [path("import/", self.admin_site.admin_view(self.import_view), name=name)] + super().get_urls()

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        report = token = fmt = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                fmt = format_of(upload.name)
                check_size(upload, web_limits())  # before reading it
                token = _keep(upload, request.user, fmt)
                with open(_kept(request.user, token, fmt), "rb") as source:
                    report = self.run_import(source, fmt, actor=request.user, dry_run=True)
            except FileFormatError as exc:
                form.add_error("file", str(exc))
            if token is not None and (report is None or not report.ok):  # nothing to confirm
                _kept(request.user, token, fmt).unlink(missing_ok=True)
                token = None
        return self._page(request, form=form, report=report, token=token, fmt=fmt,
                          filename=request.FILES["file"].name if report is not None else "")

    def _confirm(self, request):
        fmt = request.POST.get("format", "")
        kept = _kept(request.user, request.POST.get("token", ""), fmt)
        try:
            with open(kept, "rb") as source:
                report = self.run_import(source, fmt, actor=request.user, dry_run=False)
        finally:
            kept.unlink(missing_ok=True)
        if not report.ok:  # the data changed since the preview: nothing was written
            return self._page(request, form=ImportUploadForm(), report=report, token=None, fmt=fmt,
                              filename=request.POST.get("filename", ""))
        self.message_user(
            request,
            _("Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % vars(report),
            messages.SUCCESS,
        )
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def _page(self, request, **context):
        context = {
            **self.admin_site.each_context(request),
            **context,
            "opts": self.opts,
            "title": self.import_title,
            "columns": self.import_columns,
            "import_help": self.import_help,
        }
        return TemplateResponse(request, self.import_template, context)
