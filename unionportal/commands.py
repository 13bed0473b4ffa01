"""What every portal management command shares: exit codes, messages and progress bars.

Exit status (interfaces.md): 0 done; 1 the input is wrong and nothing was written; 2 usage.
Errors and warnings go to standard error as ``row N: COLUMN: message`` or ``error: message``.
"""

import getpass
import hashlib
import os
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from unionportal import audit
from unionportal.actors import SYSTEM
from unionportal.import_limits import command_limits
from unionportal.tabular import FileFormatError, Report, UnknownFormatError, format_of

# Options every command has; not part of what the audit trail calls the command line.
_BASE_OPTIONS = {"verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color",
                 "skip_checks", "stdout", "stderr"}


class InputError(Exception):
    """The input (file, code or state) is wrong: exit 1, nothing written."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = messages


class UsageError(Exception):
    """Wrong usage, e.g. an unknown file extension: exit 2."""


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (e.g. in a container)
        return f"uid {os.getuid()}"


class PortalCommand(BaseCommand):
    # Who acts in a command: the portal itself (the audit trail shows 系统, and names the
    # operating-system user and the command line in each entry's comment, see open_input).
    actor = SYSTEM
    _given_options: dict = {}

    def execute(self, *args, **options):
        self._given_options = options  # for the audit trail when not run from a shell
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
    def output_path(self, path: str):
        """Yield a temporary path beside PATH; rename it onto PATH only when writing succeeded.

        A killed or failed export never leaves PATH empty or half-written, and never loses the
        file an earlier export left there.
        """
        target = Path(path)
        partial = target.with_name(f".{target.stem}.partial-{os.getpid()}{target.suffix}")
        try:
            yield str(partial)
            os.replace(partial, target)
        except OSError as exc:
            raise InputError(_("cannot write %(path)s: %(error)s")
                             % {"path": path, "error": exc.strerror}) from exc
        finally:
            partial.unlink(missing_ok=True)

    @contextmanager
    def open_input(self, path: str):
        """``(binary file, format)`` of an input file; an unknown extension is usage (exit 2),
        a missing or unreadable file is bad input (exit 1)."""

        fmt = format_of(path)
        try:
            source = open(path, "rb")  # noqa: SIM115  (closed by the with below)
        except OSError as exc:
            raise InputError(_("cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
        with source, audit.command_origin(self.origin(path, source)):
            yield source, fmt

    def input_limits(self):
        """The command line's import limits (larger than the web's; settings IMPORT_LIMITS)."""
        return command_limits()

    def origin(self, path: str, source) -> str:
        """Who ran which command on which file, for the audit entries the import writes."""
        size = os.fstat(source.fileno()).st_size
        digest = "not computed (above the import limit)"
        if size <= command_limits().max_bytes:  # a larger file is refused by the import anyway
            hasher = hashlib.sha256()
            for chunk in iter(lambda: source.read(1 << 20), b""):
                hasher.update(chunk)
            source.seek(0)
            digest = hasher.hexdigest()
        name = self.__module__.rsplit(".", 1)[-1]
        argv = sys.argv[1:] if sys.argv[1:2] == [name] else [name, *self._arguments_as_typed(name)]
        return (f"command: manage.py {shlex.join(argv)}; OS user: {_os_user()}; "
                f"file: {Path(path).name}, {size} bytes, sha256 {digest}")

    def _arguments_as_typed(self, name: str) -> list[str]:
        """The command's arguments rebuilt from its options (call_command passes no argv)."""
        positional, flags = [], []
        for action in self.create_parser("manage.py", name)._actions:
            value = self._given_options.get(action.dest)
            if action.dest in _BASE_OPTIONS or value in (None, False) or action.dest == "help":
                continue
            if not action.option_strings:
                positional.append(str(value))
            else:
                flags.append(action.option_strings[-1] if value is True else f"{action.option_strings[-1]}={value}")
        return positional + flags

    def report(self, report: Report, *, dry_run: bool, what: str) -> None:
        """Print a Report's warnings, then fail with its errors or summarise what was done."""
        for warning in report.warnings:
            self.stderr.write(str(warning))
        if report.errors:
            raise InputError(*(str(problem) for problem in report.errors))

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
