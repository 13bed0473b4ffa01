"""What the benchmarks that drive the portal share (issue 13): Django set up under bench.settings,
signed-in sessions, gunicorn started and stopped on loopback, the load average at the start and
the raw figures written to var/bench/*.json.

``bench/throughput.py`` (wrk), ``bench/load.py`` (locust, through ``bench/locustfile.py``, which
only sends the sessions made here) and ``bench/pages.py`` (in process) use it.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"


def _free_port() -> int:
    """A loopback port nothing listens on (another benchmark may be serving on the shared machine)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or _free_port())
BASE = f"http://127.0.0.1:{PORT}"
WORKERS = 2 * (os.cpu_count() or 1) + 1  # gunicorn's docs: (2 x $num_cores) + 1
FLOOR = "/bench/floor/"  # one query through the same middleware (bench/urls.py)


def setup() -> None:
    """Django under bench.settings; the server and this process sign sessions with the same
    (benchmark-only) key, so that a session made here is valid there."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "k" * 50)
    django.setup()


def load_average() -> float:
    """The 1-minute load average: recorded at the start of every run (the machine is shared)."""
    return os.getloadavg()[0]


def signed_in_client(username: str):
    """A test client signed in as ``username`` (the in-process benchmarks)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def session_keys(usernames) -> dict[str, str]:
    """username → the key of a signed-in session (the test client's login) for a real server."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    found = {}
    for user in get_user_model().objects.filter(username__in=list(usernames)):
        client = Client()
        client.force_login(user)
        found[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return found


def cookie(session_key: str) -> str:
    """The Cookie header of a session."""
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


def fetch(path: str, cookie_header: str = "") -> tuple[int, bytes]:
    """(status, body) of a GET to the server, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie_header} if cookie_header else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def start_server(log_path: Path, access_log: Path | None = None) -> subprocess.Popen:
    """gunicorn with the production configuration (unionportal/gunicorn.py) and WORKERS workers,
    under bench.settings, once it answers /healthz.  With ``access_log``, one "status method
    path" line per request (the load test counts 5xx from it, as the server saw them)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "GUNICORN_WORKERS": str(WORKERS),
           "GUNICORN_BIND": f"127.0.0.1:{PORT}"}
    logging = ["--access-logfile", "/dev/null"]
    if access_log is not None:
        logging = ["--access-logfile", str(access_log), "--access-logformat", "%(s)s %(m)s %(U)s"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # someone else's server must not be measured instead of ours
        fetch("/healthz")
        raise RuntimeError(f"something already answers on port {PORT}: set BENCH_PORT to a free one")
    with log_path.open("w") as log:  # the child keeps its own descriptor
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "python:unionportal.gunicorn", *logging,
             "unionportal.wsgi"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(240):
        time.sleep(0.5)
        if server.poll() is not None:
            break
        try:
            if fetch("/healthz")[0] == 200:
                time.sleep(3)  # every worker warms its PDF renderer after it starts
                return server
        except OSError:
            continue
    stop_server(server)
    raise RuntimeError(f"gunicorn did not start; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def settle(limit: float = 60.0) -> float:
    """Waits until the server has worked off what a load generator left in its queue (requests
    it stopped waiting for still occupy the workers), so that the next figure starts clean:
    until WORKERS health checks at once all answer within half a second.  The seconds waited."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        while time.perf_counter() - started < limit:
            began = time.perf_counter()
            list(pool.map(lambda _n: fetch("/healthz"), range(WORKERS)))
            if time.perf_counter() - began < 0.5:
                break
    return time.perf_counter() - started


@contextlib.contextmanager
def serving(name: str, access_log: Path | None = None):
    """gunicorn running for the ``with`` block (its log: var/bench/gunicorn-NAME.log)."""
    server = start_server(OUT / f"gunicorn-{name}.log", access_log)
    try:
        yield server
    finally:
        stop_server(server)


def write_json(name: str, summary: dict) -> Path:
    """var/bench/NAME-<time>.json: the raw figures of a run."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return out
