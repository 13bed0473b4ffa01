"""What every portal management command shares: exit codes, messages and progress bars.

Exit status (interfaces.md): 0 done; 1 the input is wrong and nothing was written; 2 usage.
Errors and warnings go to standard error as ``row N: COLUMN: message`` or ``error: message``.
"""

import os
import sys
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from unionportal.tabular import FileFormatError, Report, UnknownFormatError, format_of


class InputError(Exception):
    """The input (file, code or state) is wrong: exit 1, nothing written."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = messages


class UsageError(Exception):
    """Wrong usage, e.g. an unknown file extension: exit 2."""


class PortalCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except UsageError as exc:
            self.stderr.write(f"error: {exc}")
            raise SystemExit(2) from exc
        except FileFormatError as exc:
            # An unknown extension is usage; an unreadable or incomplete file is input.
            self.stderr.write(f"error: {exc}")
            raise SystemExit(2 if isinstance(exc, UnknownFormatError) else 1) from exc
        except InputError as exc:
            for message in exc.messages:
                self.stderr.write(message if message.startswith(("row ", "error:", "warning:"))
                                  else f"error: {message}")
            raise SystemExit(1) from exc
        except CommandError as exc:
            self.stderr.write(f"error: {exc}")
            raise SystemExit(exc.returncode) from exc

    @contextmanager
    def open_input(self, path: str):
        """``(binary file, format)`` of an input file; an unknown extension is usage (exit 2),
        a missing or unreadable file is bad input (exit 1)."""
        from django.utils.translation import gettext as _

        fmt = format_of(path)
        try:
            source = open(path, "rb")  # noqa: SIM115  (closed by the with below)
        except OSError as exc:
            raise InputError(_("cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
        with source:
            yield source, fmt

    def report(self, report: Report, *, dry_run: bool, what: str) -> None:
        """Print a Report's warnings, then fail with its errors or summarise what was done."""
        for warning in report.warnings:
            self.stderr.write(str(warning))
        if report.errors:
            raise InputError(*(str(problem) for problem in report.errors))
        from django.utils.translation import gettext as _

        summary = _("%(what)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "what": what,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if dry_run:
            summary = _("Dry run, nothing written. ") + summary
        self.stdout.write(summary)


def progress(iterable, **kwargs):
    """A progress bar on a terminal; silent in CI and when output is redirected."""
    disabled = bool(os.environ.get("CI")) or not sys.stderr.isatty()
    return tqdm(iterable, disable=disabled, file=sys.stderr, leave=False, **kwargs)
