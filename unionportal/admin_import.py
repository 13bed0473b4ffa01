"""The admin's import and export buttons, through django-import-export, on the exchange modules.

A ModelAdmin mixes in ``ExchangeAdminMixin`` and names an ``ExchangeResource`` whose
``run_import`` is the exchange module's import (the function the ``import_*`` command calls)
and whose ``export_rows`` is its export. django-import-export draws the pages and keeps the
flow (upload → preview → confirm); the rules stay the exchange module's, in one place:
Chinese headers, the web's size limits, all or nothing, each write audited with the signed-in
user (rows outside the orgs they manage are row errors), the tree lock, formula escaping.
The resource never goes through the library's per-row path: its ``import_data`` hands the
whole file to the exchange module's bulk writer, so the admin is as fast as the command.

1. Upload (``import/``): the file is kept in the default storage under ``imports/pending/``
   (``PendingFileStorage``, the library's tmp storage: var/media or the object store, never
   the app server's disk) and imported as a dry run: the preview shows created / updated /
   unchanged and every problem as 第 N 行. A file with problems offers no confirm.
2. Confirm (``process_import/``): the kept file, named by a token signed for its uploader, is
   imported for real and deleted. Another user's token, an old one or a used one is a 404.
   A file above the request's size (``ADMIN_IMPORT_REQUEST_ROWS`` rows or
   ``ADMIN_IMPORT_REQUEST_BYTES``; the token carries what the preview found) is imported by a
   background job instead, and the confirm answers with the job's page
   (``unionportal/admin_import_jobs.py``).
3. Export (``export/``): the changelist as filtered (so only rows in the user's scope), in
   the import's own columns, formula-like text escaped.
"""

import datetime as dt
import io
from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import Format
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from import_export.results import Result, RowResult
from import_export.tmp_storages import MediaStorage

from unionportal import admin_import_jobs
from unionportal.backup import PENDING_IMPORTS_PREFIX
from unionportal.import_limits import check_size, web_limits
from unionportal.tabular import CONTENT_TYPES, FileFormatError, Report, format_of, write_table

PENDING_MAX_AGE_SECONDS = 24 * 3600  # a preview nobody confirmed is forgotten after a day
PENDING_PREFIX = PENDING_IMPORTS_PREFIX  # transient: neither backed up nor taken for an orphan


def _forget_old_previews() -> None:
    cutoff = timezone.now() - dt.timedelta(seconds=PENDING_MAX_AGE_SECONDS)
    try:
        _directories, names = default_storage.listdir(PENDING_PREFIX)
    except FileNotFoundError:
        return
    for name in names:
        if default_storage.get_modified_time(PENDING_PREFIX + name) < cutoff:
            default_storage.delete(PENDING_PREFIX + name)


class PendingFileStorage(MediaStorage):
    """``IMPORT_EXPORT_TMP_STORAGE_CLASS``: the file between preview and confirm, in the default
    storage (shared by every app server), under ``imports/pending/``."""

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "MEDIA_FOLDER": PENDING_PREFIX.rstrip("/")})

    def save(self, data):
        _forget_old_previews()
        super().save(data)

    def exists(self) -> bool:
        return bool(self.name) and self._storage.exists(self.get_full_path())


# Files: the exchange modules read and write them (headers, encodings, limits, escaping).

class ExchangeFile:
    """An uploaded file as django-import-export passes it on: the bytes, unread, and the format."""

    def __init__(self, data: bytes, fmt: str):
        self.data, self.fmt = data, fmt

    def __bool__(self) -> bool:
        return bool(self.data)


class ExchangeTable:
    """What an export writes: the exchange module's headers and rows."""

    def __init__(self, headers, rows, title: str = ""):
        self.headers, self.rows, self.title = headers, rows, title


class _ExchangeFormat(Format):
    fmt = ""

    def __init__(self, encoding=None):
        self.encoding = encoding  # unused: the exchange reader detects the encoding

    def get_title(self):
        return self.fmt

    def create_dataset(self, in_stream):
        return ExchangeFile(bytes(in_stream), self.fmt)

    def export_data(self, dataset, **kwargs):
        target = io.BytesIO()
        write_table(target, self.fmt, dataset.headers, dataset.rows, title=dataset.title)
        return target.getvalue()

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return self.fmt

    def get_content_type(self):
        return CONTENT_TYPES[self.fmt]

    def can_import(self):
        return True

    def can_export(self):
        return True


class XLSXFile(_ExchangeFormat):
    fmt = "xlsx"


class CSVFile(_ExchangeFormat):
    fmt = "csv"


FORMATS = [XLSXFile, CSVFile]


class ExchangeResult(Result):
    """The exchange module's ``Report`` in the library's result: counts for the success message."""

    def __init__(self, report: Report):
        super().__init__()
        self.report = report
        self.totals[RowResult.IMPORT_TYPE_NEW] = report.created
        self.totals[RowResult.IMPORT_TYPE_UPDATE] = report.updated
        self.totals[RowResult.IMPORT_TYPE_SKIP] = report.unchanged

    def has_errors(self):
        return not self.report.ok

    def has_validation_errors(self):
        return False


class ExchangeResource(resources.Resource):
    """A resource that is an exchange module: its columns, its import, its export."""

    columns: list = []  # tabular Columns, listed on the import page
    title = ""  # the exported sheet's name

    def run_import(self, source, fmt: str, *, actor, dry_run: bool) -> Report:
        raise NotImplementedError

    def export_rows(self, queryset):
        """(headers, rows) of the export file."""
        raise NotImplementedError

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        # The whole file to the bulk writer, as the signed-in user: it validates every row,
        # then applies all of it in one transaction (rolled back on a dry run) or nothing.
        try:
            report = self.run_import(io.BytesIO(dataset.data), dataset.fmt, actor=kwargs["user"], dry_run=dry_run)
        except FileFormatError as exc:  # the whole file is unusable (too many rows, a zip bomb…)
            report = Report()
            report.error(None, None, str(exc))
        return ExchangeResult(report)

    def export(self, queryset=None, **kwargs):
        headers, rows = self.export_rows(queryset)
        return ExchangeTable(headers, rows, str(self.title))

    @classmethod
    def get_display_name(cls):
        return str(cls.title) or cls.__name__

    def get_user_visible_fields(self):
        return [SimpleNamespace(column_name=column.zh) for column in self.columns]


# Forms: the format follows the file's extension; the confirm token is signed for its uploader.

class ExchangeImportForm(ImportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats
        self.fields["import_file"].label = gettext_lazy("File (.xlsx or .csv)")
        self.fields["format"].required = False
        self.fields["format"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        upload = data.get("import_file")
        if upload is not None:
            try:
                fmt = format_of(upload.name)
                check_size(upload, web_limits())  # before reading it
            except FileFormatError as exc:
                self.add_error("import_file", str(exc))
                return data
            data["format"] = str([f.fmt for f in self.formats].index(fmt))
        return data


def _signer(user) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"unionportal.admin_import:{user.pk}")


class ExchangeConfirmForm(ConfirmImportForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_import_file_name(self):
        try:
            token = _signer(self.user).unsign_object(self.cleaned_data["import_file_name"],
                                                    max_age=PENDING_MAX_AGE_SECONDS)
            name, self.rows, self.size = token["name"], int(token["rows"]), int(token["size"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise forms.ValidationError("not yours") from None
        if not PendingFileStorage(name=name).exists():
            raise forms.ValidationError("gone")
        return name


class ExchangeAdminMixin(ImportExportMixin):
    """``import/``, ``process_import/`` and ``export/`` on a ModelAdmin, for its ``resource_classes``."""

    import_formats = export_formats = FORMATS
    import_form_class = ExchangeImportForm
    confirm_form_class = ExchangeConfirmForm
    export_form_class = ExportForm
    import_template_name = "admin/import.html"
    tmp_storage_class = PendingFileStorage
    skip_admin_log = True  # every write is in the portal's own audit trail, with its user
    import_help = ""  # what a row does, one sentence

    def has_import_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def get_context_data(self, **kwargs):
        return {"columns": self.resource_classes[0].columns, "import_help": self.import_help}

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "user": request.user}

    def import_job_org(self, request):
        """The org a background import is filed under (its page is scoped by it); None: the
        confirm stays in the request, within the request's size limit."""
        return None

    def import_action(self, request, **kwargs):
        if request.method == "POST" and request.FILES and not request.POST:
            # Only the file (a script, or a client without the page's hidden fields): the
            # library takes an empty form for no submission at all.
            request.POST = request.POST.copy()
            request.POST["format"] = ""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", {})
        result = context.get("result")
        if result is not None and result.has_errors():
            self._forget_upload(context.get("form"))
        elif context.get("confirm_form") is not None:
            # The token names the kept file for its uploader, with the size the preview found:
            # the confirm decides from it whether the import runs here or as a job.
            upload = context["form"].cleaned_data["import_file"]
            initial = context["confirm_form"].initial
            initial["import_file_name"] = _signer(request.user).sign_object(
                {"name": initial["import_file_name"], "rows": result.report.rows, "size": upload.size})
        return response

    def _forget_upload(self, form) -> None:
        """A file with problems offers no confirm: its kept copy goes at once."""
        upload = form.cleaned_data.get("import_file") if form is not None else None
        name = getattr(upload, "tmp_storage_name", None)
        if name:
            PendingFileStorage(name=name).remove()

    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        confirm = self.create_confirm_form(request)
        if not confirm.is_valid():
            raise Http404  # someone else's preview, an old one, or one already imported
        if admin_import_jobs.too_big_for_request(confirm.rows, confirm.size):
            return self._import_in_background(request, confirm)
        return super().process_import(request, **kwargs)

    def _import_in_background(self, request, confirm):
        """Too big to import while the admin waits: a job, and its page (or a refusal when
        there is no org to file the job under)."""
        data = confirm.cleaned_data
        subject_org = self.import_job_org(request)
        if subject_org is None:
            PendingFileStorage(name=data["import_file_name"]).remove()  # nothing will take it
            messages.error(request, admin_import_jobs.refusal(confirm.rows, confirm.size))
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        fmt = self.get_import_formats()[int(data["format"])].fmt
        job = admin_import_jobs.start_import_job(
            user=request.user, resource_class=self.get_import_resource_classes(request)[0],
            pending_name=data["import_file_name"], fmt=fmt, rows=confirm.rows,
            original_name=data.get("original_file_name") or "", subject_org=subject_org,
            back_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        return redirect("jobs:detail", pk=job.pk)

    def process_result(self, result, request):
        if not result.report.ok:  # the data changed since the preview: nothing was written
            context = {**self.admin_site.each_context(request), **self.get_context_data(),
                       "title": _("Import"), "opts": self.opts, "result": result,
                       "form": self.import_form_class(self.get_import_formats(),
                                                      self.get_import_resource_classes(request))}
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        messages.success(
            request,
            _("Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % vars(result.report),
        )

    def get_export_filename(self, request, queryset, file_format):
        return f"{self.opts.model_name}.{file_format.get_extension()}"
