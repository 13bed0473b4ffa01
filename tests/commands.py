"""Running management commands in tests the way a shell would see them."""

import io
from unittest import mock

from django.core.management import call_command


def run_command(*args, stdin: str | None = None) -> tuple[int, str, str]:
    """``(exit status, stdout, stderr)`` of ``manage.py *args`` (PortalCommand exits via SystemExit)."""
    out, err = io.StringIO(), io.StringIO()
    patch = mock.patch("sys.stdin", io.StringIO(stdin)) if stdin is not None else mock.MagicMock()
    with patch:
        try:
            call_command(*args, stdout=out, stderr=err)
        except SystemExit as exc:
            return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()
