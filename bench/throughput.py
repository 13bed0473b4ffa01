"""Throughput against the floor (issue 13): gunicorn on loopback, wrk bounded in time.

Needs the city of ``bench/generate.py`` in the database BENCH_DATABASE_URL names.  Starts
gunicorn with the production configuration (unionportal/gunicorn.py) and the worker count
gunicorn's documentation recommends, (2 × cores) + 1, under bench.settings (whose URLs add
the floor: one query through the same middleware, bench/urls.py).  Each page is loaded by wrk
for SECONDS with CONNECTIONS connections, signed in as the role it is for (sessions made with
the test client, sent as a cookie); the floor is measured first and last, and every page is
reported as a ratio to the floor's mean.

    BENCH_DATABASE_URL=postgres://…/up_bench .venv/bin/python -m bench.throughput [seconds] [label-substring]
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8199"))
BASE = f"http://127.0.0.1:{PORT}"
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = 2 * (os.cpu_count() or 1) + 1  # gunicorn's docs: (2 x $num_cores) + 1
GOAL_PAGE, GOAL_PDF = 0.25, 0.50


def cookies(usernames) -> dict[str, str]:
    """A signed-in session per user (the test client's login), as a Cookie header."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    found = {}
    for user in get_user_model().objects.filter(username__in=usernames):
        client = Client()
        client.force_login(user)
        found[user.username] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return found


def pages() -> list[tuple[str, str, str, float]]:
    """(label, username, path, goal ratio) of every page measured."""
    from assessment.models import Sheet
    from duties.models import CatalogueVersion
    from orgs.models import Grant
    from services.models import Case

    staff_org = Grant.objects.get(user__username="staff0000").org
    final = Sheet.objects.filter(year=2026, status="final").select_related("org").order_by("org__lft").first()
    case = (Case.objects.filter(pk__in=Case.objects.order_by("pk").values("pk")[:500])
            .order_by("-current_step__position", "pk").first())
    catalogue = CatalogueVersion.objects.filter(status="published").select_related("catalogue__org").first()
    duty_org = catalogue.catalogue.org.code
    return [
        ("landing page, staff", "staff0000", "/", GOAL_PAGE),
        ("landing page, reviewer (system union)", "reviewer00", "/", GOAL_PAGE),
        ("landing page, scorer (federation)", "scorer00", "/", GOAL_PAGE),
        ("landing page, clerk (federation)", "clerk00", "/", GOAL_PAGE),
        ("landing page, admin (federation)", "fedadmin", "/", GOAL_PAGE),
        ("staff's sheet page (20 units, form)", "staff0000", f"/assessment/2026/{staff_org.code}/", GOAL_PAGE),
        ("reviewer's assessment queue", "reviewer00", "/assessment/", GOAL_PAGE),
        ("federation handler's service queue", "fedreviewer", "/services/", GOAL_PAGE),
        ("progress board, 5,000-sheet round", "scorer00", "/assessment/rounds/city/2026/", GOAL_PAGE),
        ("ranking, 5,000-sheet round", "scorer00", "/assessment/rounds/city/2026/ranking/", GOAL_PAGE),
        ("federation's org page", "fedadmin", "/orgs/city/", GOAL_PAGE),
        ("case page", "fedreviewer", f"/services/cases/{case.pk}/", GOAL_PAGE),
        ("catalogue page", "clerk00", f"/duties/{duty_org}/", GOAL_PAGE),
        ("cached sheet PDF download", "clerk00", f"/assessment/2026/{final.org.code}.pdf", GOAL_PDF),
        ("cached catalogue PDF download", "clerk00", f"/duties/{duty_org}.pdf", GOAL_PDF),
    ]


def fetch(path, cookie) -> tuple[int, bytes]:
    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def wrk(path, cookie, seconds) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
               "-s", str(ROOT / "bench" / "wrk_report.lua"), BASE + path]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            env={**os.environ, "BENCH_COOKIE": cookie}).stdout
    return json.loads(output.strip().splitlines()[-1])


def start_server(log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "GUNICORN_WORKERS": str(WORKERS),
           "GUNICORN_BIND": f"127.0.0.1:{PORT}"}
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "python:unionportal.gunicorn",
         "--access-logfile", "/dev/null", "unionportal.wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(240):
        time.sleep(0.5)
        try:
            if fetch("/healthz", "")[0] == 200:
                time.sleep(3)  # every worker warms its PDF renderer after it starts
                return server
        except OSError:
            continue
    server.terminate()
    raise RuntimeError(f"gunicorn did not start; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def measure(seconds: int, only: str = "", report=None) -> list[dict]:
    """Runs the floor, the pages and the floor again; returns one row per measurement."""
    plan = pages()
    if only:
        plan = [row for row in plan if only in row[0]]
    sessions = cookies({username for _label, username, _path, _goal in plan} | {"staff0000"})
    log_path = ROOT / "var" / "bench" / "gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    server = start_server(log_path)
    rows = []
    try:
        for label, username, path, _goal in plan:  # fill the caches (PDFs) and check each answers 200
            status, body = fetch(path, sessions[username])
            if status != 200:
                raise RuntimeError(f"{label}: {path} answered {status} for {username}")
        floor_cookie = sessions["staff0000"]
        floors = [wrk("/bench/floor/", floor_cookie, seconds)]
        print(f"floor: {floors[0]['rps']:.0f} req/s (load {load:.2f} at the start)", flush=True)
        for label, username, path, goal in plan:
            result = wrk(path, sessions[username], seconds)
            rows.append({"label": label, "path": path, "user": username, "goal": goal, **result})
            print(f"{label}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.0f} ms, "
                  f"p95 {result['p95_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
                  f"non-2xx {result['non_2xx']}", flush=True)
        floors.append(wrk("/bench/floor/", floor_cookie, seconds))
    finally:
        stop_server(server)
    floor = sum(f["rps"] for f in floors) / len(floors)
    for row in rows:
        row["ratio"] = row["rps"] / floor
    summary = {"floor_rps": floor, "floors": floors, "load_at_start": load, "workers": WORKERS,
               "connections": CONNECTIONS, "seconds": seconds, "rows": rows}
    if report is not None:
        report(summary)
    return [summary]


def table(summary: dict) -> str:
    lines = [f"Floor (one query through the same middleware, signed in): {summary['floor_rps']:.0f} req/s "
             f"(first {summary['floors'][0]['rps']:.0f}, last {summary['floors'][-1]['rps']:.0f}); "
             f"gunicorn {summary['workers']} workers, wrk {summary['connections']} connections, "
             f"{summary['seconds']} s each; load average {summary['load_at_start']:.2f} at the start.",
             "",
             "| page | req/s | p50 ms | p95 ms | p99 ms | ratio to floor | goal |",
             "|---|---|---|---|---|---|---|"]
    for row in summary["rows"]:
        mark = "" if row["ratio"] >= row["goal"] else " ✗"
        errors = f" ({row['non_2xx']} non-2xx)" if row["non_2xx"] else ""
        lines.append(f"| {row['label']}{errors} | {row['rps']:.1f} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | "
                     f"{row['p99_ms']:.0f} | {row['ratio'] * 100:.1f} %{mark} | ≥ {row['goal'] * 100:.0f} % |")
    return "\n".join(lines)


def main(argv):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    # The server and this process sign sessions with the same key (a benchmark-only one).
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "k" * 50)
    django.setup()
    seconds = int(argv[0]) if argv else 10
    summary = measure(seconds, argv[1] if len(argv) > 1 else "")[0]
    out = ROOT / "var" / "bench" / f"throughput-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(summary, indent=1))
    print()
    print(table(summary))
    print(f"\n(raw figures: {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
