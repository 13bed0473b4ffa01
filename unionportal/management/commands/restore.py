from django.utils.translation import gettext as _

from unionportal.backup import BackupError, is_archive_name, restore_backup
from unionportal.commands import InputError, PortalCommand, UsageError


class Command(PortalCommand):
    help = ("Restore a `backup` archive into an empty database (no tables, or migrated with no "
            "data) and the storage; every table and file is checked against the archive.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to read (.tar.gz)")

    def handle(self, *args, path, **options):
        if not is_archive_name(path):
            raise UsageError(_("%(path)s: a backup is a .tar.gz file") % {"path": path})
        try:
            summary = restore_backup(path)
        except BackupError as exc:
            raise InputError(str(exc)) from exc
        for missing in summary.missing:
            self.stderr.write("warning: " + _("%(record)s was already missing when the backup was made")
                              % {"record": missing})
        self.stdout.write(_("%(tables)d tables (%(rows)d rows) and %(files)d files restored from "
                            "%(path)s; every checksum matches.")
                          % {"tables": summary.tables, "rows": summary.rows, "files": summary.files,
                             "path": path})
