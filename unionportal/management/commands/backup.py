from django.utils.translation import gettext as _

from unionportal.backup import BackupError, create_backup, is_archive_name
from unionportal.commands import InputError, PortalCommand, UsageError


class Command(PortalCommand):
    help = ("Copy the whole portal (database and uploaded files) into one .tar.gz archive; "
            "`restore` puts it back.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write (.tar.gz)")

    def handle(self, *args, path, **options):
        if not is_archive_name(path):
            raise UsageError(_("%(path)s: a backup is a .tar.gz file") % {"path": path})
        try:
            summary = create_backup(path)
        except BackupError as exc:
            raise InputError(str(exc)) from exc
        for missing in summary.missing:
            self.stderr.write("warning: " + _("%(record)s is missing from the storage; "
                                             "the backup does not have it either") % {"record": missing})
        self.stdout.write(_("%(tables)d tables (%(rows)d rows) and %(files)d files (%(bytes)s bytes) "
                            "written to %(path)s.")
                          % {"tables": summary.tables, "rows": summary.rows, "files": summary.files,
                             "bytes": f"{summary.bytes:,}", "path": path})
