"""A command killed (SIGKILL) in the middle of its work leaves the database as it was
(issue 9, "Faults"): an org import killed after its first write and again just before it
commits, a PDF export killed while WeasyPrint lays it out.  Each runs in its own portal process on a database of the suite's
vendor (a new SQLite file, or a new PostgreSQL database dropped afterwards)."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.portal import (
    ROOT,
    fingerprints_of,
    manage,
    migrated_database,
    portal_database,
    portal_env,
)

KILLABLE = Path(__file__).with_name("killable.py")
IMPORT_ROWS = 1500
WAIT = 240  # seconds for the command to reach the point it is killed at


@pytest.fixture
def portal(tmp_path):
    # A copy of a database `seed` loaded once in this process (a second of CPU less a test).
    with migrated_database(tmp_path, suffix="killed", seeded=True) as url:
        yield portal_env(url, tmp_path / "var")


def run_until(env: dict, marker: Path, trigger: str, *argv: str) -> subprocess.Popen:
    """Start ``manage.py *argv`` and return once it has reached ``trigger``, still running."""
    process = subprocess.Popen([sys.executable, str(KILLABLE), str(marker), trigger, *argv],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + WAIT
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if not marker.exists() or process.poll() is not None:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"{argv[0]} did not reach {trigger} (exit {process.returncode}):\n{err.decode()}")
    return process


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def integrity(env: dict) -> str:
    with portal_database(env) as other, other.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check" if other.vendor == "sqlite" else "SELECT 1")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_while_it_writes_leaves_the_database_unchanged(portal, tmp_path):
    big = tmp_path / "orgs.csv"
    lines = ["编码,名称,上级编码,类型"] + [f"kill-{i},压测第{i}基层工会,zz,基层工会"
                                          for i in range(IMPORT_ROWS)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = fingerprints_of(portal)

    # Killed after its first write, then once every row is written but not yet committed.
    for point in ("write", "commit"):
        process = run_until(portal, tmp_path / point, point, "import_orgs", str(big))
        kill(process)
        assert fingerprints_of(portal) == before, f"killed at {point}"
        assert integrity(portal) in ("ok", "1")

    # The same import left alone writes every row: the kills above did land mid-way.
    manage(portal, "import_orgs", str(big))
    after = fingerprints_of(portal)
    assert after["orgs_org"]["rows"] == before["orgs_org"]["rows"] + IMPORT_ROWS


@pytest.mark.django_db(transaction=True)
def test_a_pdf_export_killed_while_it_renders_leaves_the_database_unchanged(portal, tmp_path):
    before = fingerprints_of(portal)
    target = tmp_path / "catalogue.pdf"

    process = run_until(portal, tmp_path / "rendering", "pdf", "export_duties", "zz", str(target),
                        "--subtree")
    kill(process)

    assert fingerprints_of(portal) == before
    assert integrity(portal) in ("ok", "1")
    # Left alone, the same export finishes and writes a PDF.
    manage(portal, "export_duties", "zz", str(target), "--subtree")
    assert target.read_bytes().startswith(b"%PDF-")
