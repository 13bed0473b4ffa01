"""Run a management command that stops at a chosen point and touches MARKER, so that a test
can kill it there with SIGKILL (issue 9, "Faults").

    python killable.py MARKER write  import_orgs big.csv     # frozen after its first write
    python killable.py MARKER commit import_orgs big.csv     # frozen just before it commits
    python killable.py MARKER pdf    export_duties zz x.pdf  # as WeasyPrint starts a render

The two database points freeze the command (it waits to be killed), so the kill lands there
and nowhere else, however the command batches its writes.
"""

import sys
import time
from pathlib import Path

WRITES = ("INSERT", "UPDATE", "DELETE")


def main(marker: str, trigger: str, *argv: str) -> None:
    import django

    django.setup()
    if trigger in ("write", "commit"):
        _freeze_at(Path(marker), trigger)
    elif trigger == "pdf":
        _touch_on_render(Path(marker))
    else:
        raise SystemExit(f"unknown trigger {trigger}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *argv])


def _freeze(marker: Path) -> None:
    marker.touch()
    time.sleep(3600)


def _freeze_at(marker: Path, point: str) -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.signals import connection_created

    writes = 0

    def counting(execute, sql, params, many, context):
        nonlocal writes
        result = execute(sql, params, many, context)
        if sql.lstrip()[:6].upper() in WRITES:
            writes += 1
            if point == "write":
                _freeze(marker)
        return result

    def install(sender, connection, **kwargs):
        connection.execute_wrappers.append(counting)

    connection_created.connect(install, weak=False)
    original_commit = BaseDatabaseWrapper._commit

    def commit(self):
        if point == "commit" and writes:
            _freeze(marker)
        return original_commit(self)

    BaseDatabaseWrapper._commit = commit


def _touch_on_render(marker: Path) -> None:
    import weasyprint

    # Every PDF the portal makes is laid out by HTML.render (write_pdf calls it too).
    original = weasyprint.HTML.render

    def render(self, *args, **kwargs):
        marker.touch()
        return original(self, *args, **kwargs)

    weasyprint.HTML.render = render


if __name__ == "__main__":
    main(*sys.argv[1:])
