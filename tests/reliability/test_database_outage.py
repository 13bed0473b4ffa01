"""PostgreSQL goes away under a running portal and comes back (issue 9, "Faults").

gunicorn serves the portal on loopback with production's connection settings (debug off:
persistent connections, CONN_MAX_AGE 60, health checks on) and reaches PostgreSQL through a
proxy the test cuts: requests then fail cleanly (the error page, `/healthz` 503) and succeed
again once the proxy is back, with the same server and worker.
"""

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.kit import client_for, scope_tree, user_with_role
from tests.reliability.portal import ROOT, portal_env
from tests.reliability.proxy import CuttableProxy

REQUEST_TIMEOUT = 30  # seconds; a request that hangs fails the test instead of blocking it
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, cookie: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def server(tmp_path, settings):
    """(base URL, proxy, gunicorn process, its log) for the test database behind a proxy."""
    if connection.vendor != "postgresql":
        pytest.skip("the proxy stands between the portal and PostgreSQL")
    # Sessions made here are signed with the key the server uses.
    settings.SECRET_KEY = "outage-tests-" + "s" * 50
    settings_dict = connection.settings_dict
    proxy = CuttableProxy((settings_dict.get("HOST") or "127.0.0.1", int(settings_dict.get("PORT") or 5432)))
    proxy.open()
    auth = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else "")
    env = portal_env(f"postgres://{auth}@127.0.0.1:{proxy.port}/{settings_dict['NAME']}",
                     tmp_path / "var", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="127.0.0.1",
                     DJANGO_HTTPS="0")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "unionportal.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60", "--graceful-timeout", "5"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base, proxy, process, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        proxy.cut()


@pytest.fixture
def signed_in_page():
    tree = scope_tree()
    user = user_with_role(tree, "admin")
    cookie = f"sessionid={client_for(user).cookies['sessionid'].value}"
    return f"/orgs/{tree.a.code}/", tree.a.name, cookie


def assert_clean_failure(status: int, body: str) -> None:
    assert status in (500, 503)
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_fail_cleanly_while_the_database_is_gone_and_recover_without_a_restart(
        server, signed_in_page):
    base, proxy, process, log = server
    path, name, cookie = signed_in_page
    status, body = get(base + path, cookie)
    assert status == 200 and name in body

    proxy.cut()
    status, body = get(f"{base}/healthz")
    assert (status, json.loads(body)) == (503, {"status": "error", "database": "error"})
    for _ in range(3):
        assert_clean_failure(*get(base + path, cookie))
    assert process.poll() is None

    proxy.open()
    status, body = get(f"{base}/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
    status, body = get(base + path, cookie)
    assert status == 200 and name in body
    assert process.poll() is None
    assert log.read_text().count("Booting worker") == 1  # the same worker all along


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_blip_between_requests_costs_no_request(server, signed_in_page):
    """The worker's persistent connection dies while it is idle; the next request finds it
    dead before using it (CONN_HEALTH_CHECKS) and opens a new one."""
    base, proxy, process, log = server
    path, name, cookie = signed_in_page
    assert get(base + path, cookie)[0] == 200
    opened = proxy.connections

    proxy.cut()
    proxy.open()
    status, body = get(base + path, cookie)

    assert status == 200 and name in body
    assert proxy.connections == opened + 1
    assert log.read_text().count("Booting worker") == 1
