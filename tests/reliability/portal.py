"""What the reliability tests share: a seeded portal with uploaded files, another portal in
a subprocess (its own database and MEDIA_ROOT), and the tables' fingerprints on either side."""

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import connection
from django.utils.module_loading import import_string

from unionportal.backup_database import table_fingerprints

ROOT = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 300  # seconds; a restore of the demo portal takes a few


def seed_portal_with_files(media_root: Path) -> dict[str, int]:
    """The source documents and demo data (sheets, cases, meetings), then uploaded files on
    them (evidence, case attachments, meeting minutes) and two files nothing names."""
    from assessment.models import Evidence, Unit
    from orgs.governance.models import Meeting
    from orgs.management.commands.seed import DEMO_STEPS, SEED_STEPS
    from services.models import Case, CaseAttachment

    for step in (*SEED_STEPS, *DEMO_STEPS):
        list(import_string(step)())
    every_byte = bytes(range(256)) * 64
    for index, unit in enumerate(Unit.objects.order_by("pk")[:6]):
        evidence = Evidence(unit=unit, name=f"证明材料{index}.pdf", content_type="application/pdf",
                            size=len(every_byte) + index)
        evidence.file.save("x.pdf", ContentFile(every_byte + bytes([index])), save=False)
        evidence.save()
    for case in Case.objects.order_by("pk")[:3]:
        attachment = CaseAttachment(case=case, name="申请书.docx", content_type="application/pdf",
                                    size=5)
        attachment.file.save("x", ContentFile(f"申请{case.pk}".encode()), save=False)
        attachment.save()
    for meeting in Meeting.objects.order_by("pk")[:2]:
        meeting.minutes_name = "会议纪要.pdf"
        meeting.minutes.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes " + uuid.uuid4().bytes),
                             save=True)
    (media_root / "其他").mkdir(parents=True, exist_ok=True)
    (media_root / "其他" / "说明 文件.txt").write_text("无人引用的文件\n", encoding="utf-8")
    (media_root / "empty").write_bytes(b"")
    return {"evidence": Evidence.objects.count(), "attachments": CaseAttachment.objects.count(),
            "minutes": Meeting.objects.exclude(minutes="").count()}


# The MEDIA_ROOT and counts ``seed_portal_with_files`` left the first time in this process, beside
# its database snapshot (tests.demo_database): later calls copy both back (a moment) instead of
# seeding again (seconds of CPU).  The same rows, ids and files.
_SEEDED_FILES: dict = {}


def seeded_portal_with_files(media_root: Path) -> dict[str, int]:
    """``seed_portal_with_files(media_root)`` on a flushed test database, committed."""
    from tests.demo_database import in_memory_sqlite, restore_snapshot, take_snapshot

    if _SEEDED_FILES and restore_snapshot("portal with files"):
        shutil.copytree(_SEEDED_FILES["media"], media_root, dirs_exist_ok=True)
        return dict(_SEEDED_FILES["counts"])
    counts = seed_portal_with_files(media_root)
    if in_memory_sqlite():
        take_snapshot("portal with files")
        folder = Path(tempfile.mkdtemp(prefix="unionportal-seeded-media-"))
        atexit.register(shutil.rmtree, folder, True)
        shutil.copytree(media_root, folder / "media")
        _SEEDED_FILES.update(media=folder / "media", counts=dict(counts))
    return counts


def media_files(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root``."""
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def database_url(name: str) -> str:
    """A DATABASE_URL for another database on the test database's PostgreSQL server."""
    settings_dict = connection.settings_dict
    auth = settings_dict["USER"] or "postgres"
    if settings_dict.get("PASSWORD"):
        auth += f":{settings_dict['PASSWORD']}"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


@contextmanager
def fresh_database(tmp_path: Path, *, suffix: str):
    """``DATABASE_URL`` of a new, empty database of the suite's vendor, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
        return
    with _server_database(suffix) as url:
        yield url


@contextmanager
def _server_database(suffix: str, template: str | None = None):
    """A new PostgreSQL database (a copy of ``template`` when given), dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_{suffix}_{os.getpid()}"[:63]
    quoted = connection.ops.quote_name(name)
    copy_of = f" TEMPLATE {connection.ops.quote_name(template)}" if template else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}{copy_of}")
    try:
        yield database_url(name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


# This test process's database with every migration applied (a SQLite file or a PostgreSQL
# database), made by one `migrate` the first time a test asks: copying it takes a moment,
# migrating a new database takes seconds of CPU.
_MIGRATED: dict[str, str] = {}


def _migrated_template() -> str:
    """The name (PostgreSQL) or path (SQLite) of this process's migrated template database."""
    if "template" in _MIGRATED:
        return _MIGRATED["template"]
    folder = Path(tempfile.mkdtemp(prefix="unionportal-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    if connection.vendor == "sqlite":
        template = str(folder / "migrated.sqlite3")
        url = f"sqlite:///{template}"
    else:
        template = f"{connection.settings_dict['NAME']}_migrated_{os.getpid()}"[:63]
        quoted = connection.ops.quote_name(template)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quoted}")
        # Dropped when the test process ends (the suite's own connection is gone by then).
        atexit.register(_drop_server_database, dict(connection.settings_dict), template)
        url = database_url(template)
    manage(portal_env(url, folder / "var"), "migrate", "--verbosity=0")
    _MIGRATED["template"] = template
    return template


def _drop_server_database(settings_dict: dict, name: str) -> None:
    import psycopg

    with psycopg.connect(host=settings_dict.get("HOST") or "127.0.0.1", port=settings_dict.get("PORT") or 5432,
                         user=settings_dict["USER"] or "postgres", password=settings_dict.get("PASSWORD") or None,
                         dbname="postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated_database(tmp_path: Path, *, suffix: str):
    """``DATABASE_URL`` of a new database as ``migrate`` leaves it, dropped afterwards: a copy
    of this process's migrated template."""
    template = _migrated_template()
    if connection.vendor == "sqlite":
        copy = tmp_path / f"{suffix}.sqlite3"
        shutil.copyfile(template, copy)
        yield f"sqlite:///{copy}"
        return
    with _server_database(suffix, template) as url:
        yield url


def portal_env(database: str, var_dir: Path, **extra) -> dict:
    """The environment of another portal process: its own database and MEDIA_ROOT."""
    from django.conf import settings

    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    # The suite's key, so that sessions made here sign in there (a portal with debug off
    # refuses the public development key: tests that share sessions set a key of their own).
    secret = settings.SECRET_KEY
    if secret.startswith("django-insecure"):
        secret = "reliability-tests-" + "k" * 50
    env.update(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=database,
               UNIONPORTAL_VAR_DIR=str(var_dir), DJANGO_SECRET_KEY=secret,
               PYTHONPATH=str(ROOT), CI="1", **extra)
    return env


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


FINGERPRINT_SCRIPT = (
    "import json; from django.db import connection; "
    "from unionportal.backup_database import table_fingerprints; "
    "print(json.dumps(table_fingerprints(connection)))"
)


def fingerprints_of(env: dict) -> dict:
    """Every table's row count and digest, as the portal in ``env`` reads its database."""
    return json.loads(shell(env, FINGERPRINT_SCRIPT))


def shell(env: dict, script: str) -> str:
    """The last line ``script`` printed in the portal of ``env`` (``manage.py shell -c``)."""
    return manage(env, "shell", "--no-imports", "-c", script).stdout.strip().splitlines()[-1]


def fingerprints_here() -> dict:
    return table_fingerprints(connection)
