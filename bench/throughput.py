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

from bench.session import (
    BASE,
    FLOOR,
    ROOT,
    WORKERS,
    cookie,
    fetch,
    load_average,
    serving,
    session_keys,
    settle,
    setup,
    write_json,
)

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
GOAL_PAGE, GOAL_PDF = 0.25, 0.50


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


def wrk(path, cookie, seconds) -> dict:
    settle()
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
               "-s", str(ROOT / "bench" / "wrk_report.lua"), BASE + path]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            env={**os.environ, "BENCH_COOKIE": cookie}).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(seconds: int, only: str = "", report=None) -> list[dict]:
    """Runs the floor, the pages and the floor again; returns one row per measurement."""
    plan = pages()
    if only:
        plan = [row for row in plan if only in row[0]]
    keys = session_keys({username for _label, username, _path, _goal in plan} | {"staff0000"})
    sessions = {username: cookie(key) for username, key in keys.items()}
    load = load_average()
    rows = []
    with serving("throughput"):
        for label, username, path, _goal in plan:  # fill the caches (PDFs) and check each answers 200
            status, _body = fetch(path, sessions[username])
            if status != 200:
                raise RuntimeError(f"{label}: {path} answered {status} for {username}")
        floor_cookie = sessions["staff0000"]
        floors = [wrk(FLOOR, floor_cookie, seconds)]
        print(f"floor: {floors[0]['rps']:.0f} req/s (load {load:.2f} at the start)", flush=True)
        for label, username, path, goal in plan:
            # Again just before: the PDF cache is a shared file cache that other runs may cull.
            fetch(path, sessions[username])
            result = wrk(path, sessions[username], seconds)
            rows.append({"label": label, "path": path, "user": username, "goal": goal, **result})
            print(f"{label}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.0f} ms, "
                  f"p95 {result['p95_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
                  f"non-2xx {result['non_2xx']}, {result['rps'] / floors[0]['rps'] * 100:.1f} % of the floor",
                  flush=True)
        floors.append(wrk(FLOOR, floor_cookie, seconds))
        print(f"floor again: {floors[-1]['rps']:.0f} req/s", flush=True)
    floor = sum(f["rps"] for f in floors) / len(floors)
    for row in rows:
        row["ratio"] = row["rps"] / floor
    summary = {"floor_rps": floor, "floors": floors, "load_at_start": load, "load_at_end": load_average(),
               "workers": WORKERS, "connections": CONNECTIONS, "seconds": seconds, "rows": rows}
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
    setup()
    seconds = int(argv[0]) if argv else 10
    summary = measure(seconds, argv[1] if len(argv) > 1 else "")[0]
    out = write_json("throughput", summary)
    print()
    print(table(summary))
    print(f"\n(raw figures: {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
