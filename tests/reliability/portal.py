"""What the reliability tests share: a seeded portal with uploaded files, another portal in
a subprocess (its own database and MEDIA_ROOT), and the tables' fingerprints on either side."""

import atexit
import hashlib
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

from tests.migrated_database import template_file, template_folder
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
    _write_unnamed_files(media_root)
    return {"evidence": Evidence.objects.count(), "attachments": CaseAttachment.objects.count(),
            "minutes": Meeting.objects.exclude(minutes="").count()}


def _write_unnamed_files(media_root: Path) -> None:
    (media_root / "其他").mkdir(parents=True, exist_ok=True)
    (media_root / "其他" / "说明 文件.txt").write_text("无人引用的文件\n", encoding="utf-8")
    (media_root / "empty").write_bytes(b"")


def _uploaded_names() -> list[str]:
    from assessment.models import Evidence
    from orgs.governance.models import Meeting
    from services.models import CaseAttachment

    names = [*Evidence.objects.values_list("file", flat=True),
             *CaseAttachment.objects.values_list("file", flat=True),
             *Meeting.objects.values_list("minutes", flat=True)]
    return [name for name in names if name]


# The uploads (by storage name) and counts ``seed_portal_with_files`` left the first time in this
# process, beside its database snapshot (tests.demo_database): later calls put both back (a
# moment) instead of seeding again (seconds of CPU).  The same rows, ids and files.
_SEEDED_FILES: dict = {}


def seeded_portal_with_files(media_root: Path) -> dict[str, int]:
    """``seed_portal_with_files(media_root)`` on a flushed test database, committed; the uploads
    go to the default storage, whichever it is (MEDIA_ROOT or a bucket)."""
    from django.core.files.storage import default_storage

    from tests.demo_database import in_memory_sqlite, restore_snapshot, take_snapshot

    if _SEEDED_FILES and restore_snapshot("portal with files"):
        for name, content in _SEEDED_FILES["uploads"].items():
            saved = default_storage.save(name, ContentFile(content))
            if saved != name:
                raise AssertionError(f"the storage saved {name} as {saved}")
        _write_unnamed_files(media_root)
        return dict(_SEEDED_FILES["counts"])
    counts = seed_portal_with_files(media_root)
    if in_memory_sqlite():
        take_snapshot("portal with files")
        uploads = {}
        for name in _uploaded_names():
            with default_storage.open(name) as stored:
                uploads[name] = stored.read()
        _SEEDED_FILES.update(uploads=uploads, counts=dict(counts))
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


def _create_server_database(suffix: str, template: str | None = None) -> tuple[str, str]:
    """(name, quoted name) of a new PostgreSQL database of this process (a copy of
    ``template`` when given), made afresh."""
    name = f"{connection.settings_dict['NAME']}_{suffix}_{os.getpid()}"[:63]
    quoted = connection.ops.quote_name(name)
    copy_of = f" TEMPLATE {connection.ops.quote_name(template)}" if template else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}{copy_of}")
    return name, quoted


@contextmanager
def _server_database(suffix: str, template: str | None = None):
    """A new PostgreSQL database (a copy of ``template`` when given), dropped afterwards."""
    name, quoted = _create_server_database(suffix, template)
    try:
        yield database_url(name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


# The template databases, each made the first time a test asks: "migrated" by `migrate`,
# "seeded" a copy of it after `seed`.  Copying one takes a moment; migrating a new database
# takes seconds of CPU (7 s measured), seeding a second.  On SQLite the migrated one is the
# file every test database copies (tests/migrated_database.py) and the seeded one a file of the
# run that serves every pytest-xdist worker; on PostgreSQL each test process makes its own.
_TEMPLATES: dict[str, str] = {}
# (--run-syncdb: as a test database is made, should an app ever have models but no migrations.)
TEMPLATE_COMMANDS = {"migrated": ("migrate", "--run-syncdb", "--verbosity=0"), "seeded": ("seed",)}


def _template(kind: str, tmp_path: Path) -> str:
    """The path (SQLite) or name (PostgreSQL) of the ``kind`` template database."""
    if kind not in _TEMPLATES:
        if connection.vendor == "sqlite":
            _TEMPLATES[kind] = _sqlite_template(kind, tmp_path)
        else:
            _TEMPLATES[kind] = _server_template(kind, tmp_path)
    return _TEMPLATES[kind]


def _sqlite_template(kind: str, tmp_path: Path) -> str:
    """The migrated template is the one the test databases copy (tests/migrated_database.py).
    The seeded one is made from it: under pytest-xdist in the run's base
    temporary folder (``tmp_path`` is BASE/gwN/test0; pytest removes old runs' folders), the
    first worker to ask making it while the others wait; otherwise in a folder of this
    process's."""
    if kind == "migrated":
        return str(migrated_template())
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path.parents[1] / "unionportal-templates"
        folder.mkdir(exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="unionportal-templates-"))
        atexit.register(shutil.rmtree, folder, True)

    def seed(making: Path) -> None:
        shutil.copyfile(_template("migrated", tmp_path), making)
        manage(portal_env(f"sqlite:///{making}", folder / "var"), *TEMPLATE_COMMANDS[kind])

    return str(template_file(kind, seed, folder))


def migrated_template() -> Path:
    """The migrated SQLite template the test databases copy (tests/migrated_database.py); made
    by a `manage.py migrate` here if no test database has made it."""
    def migrate(making: Path) -> None:
        manage(portal_env(f"sqlite:///{making}", making.parent / "var"), *TEMPLATE_COMMANDS["migrated"])

    return template_file("migrated", migrate, template_folder())


def _server_template(kind: str, tmp_path: Path) -> str:
    source = _template("migrated", tmp_path) if kind == "seeded" else None
    template, _quoted = _create_server_database(kind, source)
    # Dropped when the test process ends (the suite's own connection is gone by then).
    atexit.register(_drop_server_database, dict(connection.settings_dict), template)
    folder = Path(tempfile.mkdtemp(prefix=f"unionportal-{kind}-"))
    atexit.register(shutil.rmtree, folder, True)
    manage(portal_env(database_url(template), folder / "var"), *TEMPLATE_COMMANDS[kind])
    return template


def _drop_server_database(settings_dict: dict, name: str) -> None:
    import psycopg

    with psycopg.connect(host=settings_dict.get("HOST") or "127.0.0.1", port=settings_dict.get("PORT") or 5432,
                         user=settings_dict["USER"] or "postgres", password=settings_dict.get("PASSWORD") or None,
                         dbname="postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated_database(tmp_path: Path, *, suffix: str, seeded: bool = False):
    """``DATABASE_URL`` of a new database as ``migrate`` leaves it (then ``seed`` when
    ``seeded``), dropped afterwards: a copy of the template (``_template``)."""
    template = _template("seeded" if seeded else "migrated", tmp_path)
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


def fingerprints_of(env: dict) -> dict:
    """Every table's row count and digest in the database of the portal in ``env``."""
    with portal_database(env) as other:
        return table_fingerprints(other)


@contextmanager
def portal_database(env: dict):
    """A connection of this process to the database of the portal in ``env`` (its
    DATABASE_URL), closed afterwards.  It reads what a new portal process would, without the
    second of CPU a `manage.py shell` takes to start.  Registered under an alias of its own
    while open (Django's introspection looks it up)."""
    import dj_database_url
    from django.db import connections
    from django.db.utils import load_backend

    parsed = dj_database_url.parse(env["DATABASE_URL"])
    settings_dict = {**connection.settings_dict, "OPTIONS": {}, "CONN_MAX_AGE": 0,
                     **{key: parsed[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")}}
    alias = f"portal-{uuid.uuid4().hex[:12]}"
    other = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias=alias)
    connections[alias] = other
    try:
        yield other
    finally:
        other.close()
        del connections[alias]


def shell(env: dict, script: str) -> str:
    """The last line ``script`` printed in the portal of ``env`` (``manage.py shell -c``)."""
    return manage(env, "shell", "--no-imports", "-c", script).stdout.strip().splitlines()[-1]


def fingerprints_here() -> dict:
    return table_fingerprints(connection)
