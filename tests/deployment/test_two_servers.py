"""Two app servers that share only PostgreSQL, Redis and the object store (issue 12): two
gunicorn instances on two loopback ports, each with its own working folder and var/ folder.
Evidence uploaded through one downloads through the other; a PDF rendered by one is served
from the shared cache by the other (which is set up so that it cannot render that PDF itself);
a job started on one is finished by a worker (a third process) and seen on the other."""

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.factories import UserFactory
from tests.kit import scope_tree, user_with_role
from tests.reliability.portal import ROOT, database_url, portal_env
from tests.storage.servers import (
    bucket_keys,
    free_port,
    moto_server,
    new_bucket,
    redis_server,
    s3_environment,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
START_TIMEOUT = 90  # seconds for a server to answer /healthz
REQUEST_TIMEOUT = 60
WORKER_TIMEOUT = 240
PDF = b"%PDF-1.4\n%uploaded through server A\n" + os.urandom(4096)


@contextmanager
def gunicorn(env: dict, workdir: Path, name: str):
    """``http://127.0.0.1:PORT`` of a gunicorn started in ``workdir``; killed on the way out."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / f"{name}.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "unionportal.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120", "--graceful-timeout", "5"],
            cwd=workdir, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server {name} did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def session_for(user) -> requests.Session:
    """A browser signed in as ``user``: the session row is in the shared database."""
    client = Client()
    client.force_login(user)
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return browser


def csrf_token(browser, url: str) -> str:
    page = browser.get(url, timeout=REQUEST_TIMEOUT)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def world(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the app servers share PostgreSQL")
    settings.SECRET_KEY = "two-servers-test-" + "k" * 50  # the servers sign with it too
    from assessment import services
    from tests.assessment.conftest import make_template

    tree = scope_tree()
    make_template(tree.a)
    opener = UserFactory(username="opener", is_superuser=True)
    round_a = services.open_round(actor=opener, assessor=tree.a, year=2026).round
    users = {role: user_with_role(tree, role) for role in ("staff", "reviewer")}
    return tree, users, round_a.sheets.get(org=tree.a1)


@dataclass
class Cluster:
    a: str  # base URL of server A
    b: str  # base URL of server B (renders no PDF itself)
    endpoint: str
    bucket: str
    env_for: object  # name -> the environment of a process of this deployment


@pytest.fixture
def cluster(world, tmp_path, settings):
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis_server(tmp_path))
        endpoint = stack.enter_context(moto_server(tmp_path))
        bucket = new_bucket(endpoint)

        def env_for(name, **extra):
            env = portal_env(database_url(connection.settings_dict["NAME"]), tmp_path / name / "var",
                             DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_HTTPS="0",
                             REDIS_URL=redis_url, **s3_environment(endpoint, bucket), **extra)
            env.update(DJANGO_SECRET_KEY=settings.SECRET_KEY,
                       DJANGO_SETTINGS_MODULE="tests.deployment.settings")
            return env

        a = stack.enter_context(gunicorn(env_for("a"), tmp_path / "a", "a"))
        # Server B cannot render any PDF itself (a budget of one character): every PDF it
        # serves comes from the shared cache.
        b = stack.enter_context(gunicorn(env_for("b", UNIONPORTAL_PDF_MAX_TEXT_CHARS="1"),
                                         tmp_path / "b", "b"))
        yield Cluster(a, b, endpoint, bucket, env_for)


def test_two_app_servers_share_files_pdfs_and_jobs(world, cluster, tmp_path):
    tree, users, sheet = world
    for base in (cluster.a, cluster.b):
        health = requests.get(f"{base}/healthz", timeout=REQUEST_TIMEOUT).json()
        assert health == {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok", "jobs": "ok"}
    staff = session_for(users["staff"])
    evidence_uploaded_through_a_downloads_through_b(cluster, staff, tree, sheet, tmp_path)
    pdf_rendered_by_a_is_served_by_b_from_the_cache(cluster, staff, tree)
    job_started_on_a_is_finished_by_a_worker_and_seen_on_b(cluster, session_for(users["reviewer"]),
                                                           tree, tmp_path)


def evidence_uploaded_through_a_downloads_through_b(cluster, staff, tree, sheet, tmp_path):
    a, b = cluster.a, cluster.b
    fill = f"/assessment/2026/{tree.a1.code}/fill/"
    unit = sheet.units.get(seq="2")
    response = staff.post(f"{a}{fill}", allow_redirects=False, timeout=REQUEST_TIMEOUT,
                          headers={"Referer": f"{a}{fill}"},
                          data={"csrfmiddlewaretoken": csrf_token(staff, f"{a}{fill[:-5]}"),
                                "version": sheet.version, "action": "save"},
                          files={f"evidence-{unit.pk}": ("会议记录.pdf", PDF, "application/pdf")})
    assert response.status_code == 302, response.text[:2000]
    evidence = unit.evidence.get()
    assert bucket_keys(cluster.endpoint, cluster.bucket) == {evidence.file.name: PDF}
    assert [path for name in ("a", "b") for path in (tmp_path / name / "var").rglob("*.pdf")] == []
    downloaded = staff.get(f"{b}/assessment/evidence/{evidence.pk}/", timeout=REQUEST_TIMEOUT)
    assert downloaded.status_code == 200 and downloaded.content == PDF


def pdf_rendered_by_a_is_served_by_b_from_the_cache(cluster, staff, tree):
    sheet_pdf = f"/assessment/2026/{tree.a1.code}.pdf"
    assert staff.get(f"{cluster.b}{sheet_pdf}", timeout=REQUEST_TIMEOUT).status_code == 413  # not cached
    rendered = staff.get(f"{cluster.a}{sheet_pdf}", timeout=REQUEST_TIMEOUT)
    assert rendered.status_code == 200 and rendered.content.startswith(b"%PDF")
    served = staff.get(f"{cluster.b}{sheet_pdf}", timeout=REQUEST_TIMEOUT)
    assert served.status_code == 200 and served.content == rendered.content


def job_started_on_a_is_finished_by_a_worker_and_seen_on_b(cluster, reviewer, tree, tmp_path):
    from unionportal.jobs.models import Job

    started = reviewer.get(f"{cluster.a}/assessment/rounds/{tree.a.code}/2026.pdf",
                           allow_redirects=False, timeout=REQUEST_TIMEOUT)
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job_path = re.search(r"/jobs/\d+/", started.headers["Location"]).group(0)
    assert reviewer.get(f"{cluster.b}{job_path}download/", timeout=REQUEST_TIMEOUT).status_code == 404
    worker_dir = tmp_path / "worker"
    worker_dir.mkdir()
    worker = subprocess.run([sys.executable, str(ROOT / "manage.py"), "work", "--until-idle"],
                            cwd=worker_dir, env=cluster.env_for("worker"), capture_output=True,
                            text=True, timeout=WORKER_TIMEOUT, check=False)
    assert worker.returncode == 0, worker.stderr
    page = reviewer.get(f"{cluster.b}{job_path}", timeout=REQUEST_TIMEOUT)
    assert page.status_code == 200 and f"{job_path}download/" in page.text
    result = reviewer.get(f"{cluster.b}{job_path}download/", timeout=REQUEST_TIMEOUT)
    assert result.status_code == 200 and result.content.startswith(b"%PDF")
    job = Job.objects.get(pk=int(job_path.strip("/").rsplit("/", 1)[-1]))
    assert bucket_keys(cluster.endpoint, cluster.bucket)[job.result.name] == result.content
