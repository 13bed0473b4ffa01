import datetime as dt

from django.utils.translation import gettext as _

from unionportal.commands import PortalCommand, UsageError
from unionportal.orphan_files import DEFAULT_MIN_AGE, find_orphans, remove_orphans


class Command(PortalCommand):
    help = ("Find files under the media storage (MEDIA_ROOT) that no record points to and remove "
            "them, printing each path and its size. Files younger than --min-age-minutes are kept: "
            "their upload may not have committed yet.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the files, remove nothing")
        parser.add_argument("--min-age-minutes", type=int,
                            default=int(DEFAULT_MIN_AGE.total_seconds() // 60),
                            help="keep files younger than this (default: %(default)s)")

    def handle(self, *args, dry_run=False, min_age_minutes=60, **options):
        if min_age_minutes < 0:
            raise UsageError(_("--min-age-minutes cannot be negative."))
        orphans = find_orphans(min_age=dt.timedelta(minutes=min_age_minutes))
        if not dry_run:
            remove_orphans(orphans)
        for orphan in orphans:
            self.stdout.write(f"{orphan.name}\t{orphan.size}")
        summary = _("%(count)d files no record points to, %(bytes)d bytes: %(done)s.") % {
            "count": len(orphans), "bytes": sum(orphan.size for orphan in orphans),
            "done": _("dry run, nothing removed") if dry_run else _("they are removed")}
        self.stdout.write(summary)
