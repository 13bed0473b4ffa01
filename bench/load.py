"""A season's load (issue 13): locust, headless and bounded, against gunicorn on the city's data,
then counted from the database and the audit trail.

Makes a session per account (staff, reviewers, scorers, clerks of ``bench/generate.py``),
starts gunicorn as ``bench/throughput.py`` does, runs ``bench/locustfile.py`` with USERS users
for SECONDS, and checks afterwards:

- every save that got a success answer (302) is in the audit trail exactly once (its unique
  note marker appears in the "after" of exactly one ``assessment.sheet.self_assess`` entry),
  and the last one of each unit is what the unit holds;
- every submit answered with success is applied, none twice (one SUBMITTED event and
  ``submissions`` 1 per submitted sheet, double clicks included);
- no 5xx, counted from the server's own access log; p95 per request kind from locust's
  statistics, beside the floor's (wrk, before and after, on the same server).

A run shorter than the deadline week's pace allows (12 saves 20 s apart, then the submit)
quickens the staff (BENCH_SAVE_EVERY, BENCH_SAVES_BEFORE_SUBMIT; set either to override), so
that every run also submits.

    BENCH_DATABASE_URL=postgres://…/up_bench .venv/bin/python -m bench.load [seconds] [users]

Writes change the data (the staff's sheets get submitted): regenerate the city before the next
run (``bench/generate.py``).
"""

import collections
import contextlib
import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bench.session import (
    BASE,
    FLOOR,
    OUT,
    ROOT,
    cookie,
    load_average,
    serving,
    session_keys,
    setup,
    stop_server,
    write_json,
)

SAVE_EVERY, SAVES_BEFORE_SUBMIT = 20.0, 12  # the deadline week's pace (bench/locustfile.py)


def plan() -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from assessment.models import Sheet
    from duties.models import CatalogueVersion
    from orgs.models import Grant

    accounts = collections.defaultdict(list)
    users = get_user_model().objects.filter(username__regex=r"^(staff|reviewer|scorer|clerk)\d+$")
    grants = {g.user_id: g for g in Grant.objects.filter(user__in=users).select_related("org")}
    drafts = set(Sheet.objects.filter(year=2026, status="draft").values_list("org_id", flat=True))
    usable = [u for u in users.order_by("username") if not u.username.startswith("staff")
              or grants[u.pk].org_id in drafts]  # staff whose sheet is still a draft
    keys = session_keys(u.username for u in usable)
    for user in usable:
        role = re.match(r"[a-z]+", user.username).group(0)
        entry = {"username": user.username, "session": keys[user.username]}
        if role == "staff":
            entry["sheet"] = f"/assessment/2026/{grants[user.pk].org.code}/"
        accounts[role].append(entry)
    if not accounts["staff"]:
        raise RuntimeError("no staff sheet is left in draft: regenerate the city (bench/generate.py)")
    finals = Sheet.objects.filter(year=2026, status="final").select_related("org").order_by("org__lft")[:200]
    catalogues = CatalogueVersion.objects.filter(status="published").select_related("catalogue__org")[:20]
    return {"cookie_name": settings.SESSION_COOKIE_NAME, "accounts": accounts,
            "board": "/assessment/rounds/city/2026/",
            "final_sheets": [f"/assessment/2026/{s.org.code}" for s in finals],
            "catalogues": [f"/duties/{c.catalogue.org.code}" for c in catalogues]}


def prerender(planned: dict) -> dict:
    """The PDFs production already holds when the week starts: each final sheet's and each
    published catalogue's PDF is rendered by a job when it is finalised or published
    (``UNIONPORTAL_PRERENDER_PDFS``, assessment/jobs.py and duties/jobs.py), but the generator
    writes them in bulk, past those jobs.  The same job functions render the ones the clerks
    will ask for into the PDF cache (a cached one costs a lookup).  BENCH_COLD_PDFS=1 skips
    this: every first download then renders in the request (a cache lost at a deploy)."""
    import time
    from types import SimpleNamespace

    from assessment.models import Sheet
    from duties.models import CatalogueVersion
    from unionportal.jobs.registry import kind_of

    if os.environ.get("BENCH_COLD_PDFS") == "1":
        return {"skipped": True}
    progress = SimpleNamespace(set_total=lambda n: None, advance=lambda n=1: None, note=lambda text: None)
    codes = {path.rsplit("/", 1)[1] for path in planned["final_sheets"]}
    sheets = Sheet.objects.filter(year=2026, status="final", org__code__in=codes).values_list("pk", flat=True)
    orgs = {path.rsplit("/", 1)[1] for path in planned["catalogues"]}
    versions = CatalogueVersion.objects.filter(status="published", catalogue__org__code__in=orgs).values_list(
        "pk", flat=True)
    started = time.perf_counter()
    for pk in sheets:
        kind_of("assessment.sheet_pdf").run(SimpleNamespace(params={"sheet": pk}), progress)
    for pk in versions:
        kind_of("duties.catalogue_pdf").run(SimpleNamespace(params={"version": pk}), progress)
    return {"sheets": len(sheets), "catalogues": len(versions), "seconds": round(time.perf_counter() - started, 1)}


def pace(seconds: int, users: int) -> dict[str, str]:
    """The staff's pace: the deadline week's, unless the run is too short for a staff member
    started last to save SAVES_BEFORE_SUBMIT times and submit within ~70 % of what is left."""
    ramp = users / spawn_rate(users)
    room = max(10.0, (seconds - ramp) * 0.7)
    saves = SAVES_BEFORE_SUBMIT if room >= SAVES_BEFORE_SUBMIT * SAVE_EVERY else max(3, min(
        SAVES_BEFORE_SUBMIT, int(room // SAVE_EVERY)))
    every = min(SAVE_EVERY, max(2.0, room / (saves + 1)))
    return {"BENCH_SAVE_EVERY": os.environ.get("BENCH_SAVE_EVERY", f"{every:.1f}"),
            "BENCH_SAVES_BEFORE_SUBMIT": os.environ.get("BENCH_SAVES_BEFORE_SUBMIT", str(saves)),
            # however slow the server, the staff who saved submit in the run's last 40 %
            "BENCH_SUBMIT_BY": os.environ.get("BENCH_SUBMIT_BY", f"{seconds * 0.6:.0f}")}


def spawn_rate(users: int) -> int:
    return max(1, users // 20)


def _saves_in_audit(saves, started) -> tuple[int, int, int]:
    """(in the audit once, lost, doubled) of the markers of the saves answered with success."""
    from unionportal.models import AuditEntry

    found = collections.Counter()
    entries = AuditEntry.objects.filter(action="assessment.sheet.self_assess", created_at__gte=started)
    for after in entries.values_list("after", flat=True).iterator():
        found.update(set(re.findall(r"lc:staff\d+:\d+", json.dumps(after, ensure_ascii=False))))
    markers = [marker for marker, _unit in saves]
    return (sum(1 for m in markers if found[m] == 1), sum(1 for m in markers if found[m] == 0),
            sum(1 for m in markers if found[m] > 1))


def _units_hold_last_saves(saves) -> int:
    """How many units do not hold the note of the last save of them answered with success."""
    from assessment.models import Unit

    last = {}
    for marker, unit in saves:  # a unit is one simulated user's; its marker ends with the save's count
        unit = int(unit)
        if unit not in last or int(marker.rsplit(":", 1)[1]) > int(last[unit].rsplit(":", 1)[1]):
            last[unit] = marker
    held = dict(Unit.objects.filter(pk__in=list(last)).values_list("pk", "self_note"))
    return sum(1 for unit, marker in last.items() if held.get(unit) != marker)


def verify(results: dict, started) -> dict:
    """What the database and the audit trail say about the writes locust saw succeed."""
    from assessment.models import Sheet, SheetEvent

    saves = results["saves"]
    once, lost, doubled = _saves_in_audit(saves, started)
    submitted = Sheet.objects.filter(year=2026, org__grants__user__username__in=results["submits"])
    events = collections.Counter(SheetEvent.objects.filter(
        sheet__in=submitted, kind=SheetEvent.Kind.SUBMITTED, at__gte=started).values_list("sheet_id", flat=True))
    twice = [pk for pk, n in events.items() if n > 1]
    wrong_count = list(submitted.exclude(submissions=1).values_list("pk", flat=True))
    return {"saves_answered_ok": len(saves), "saves_in_audit_once": once, "saves_lost": lost,
            "saves_doubled": doubled, "units_not_holding_last_save": _units_hold_last_saves(saves),
            "submits_answered_ok": len(results["submits"]), "double_clicked_submits": len(results["double_submits"]),
            "sheets_submitted": len(events), "submits_lost": len(results["submits"]) - len(events),
            "submits_applied_twice": len(twice) + len(wrong_count)}


def stats(prefix: Path) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            rows.append({"name": row["Name"], "requests": int(row["Request Count"]),
                         "failures": int(row["Failure Count"]), "p50": row["50%"], "p95": row["95%"],
                         "p99": row["99%"], "rps": float(row["Requests/s"])})
    return rows


def server_errors(access_log: Path) -> dict:
    """5xx answers as the server logged them ("status method path" lines), by path."""
    errors = collections.Counter()
    with open(access_log, encoding="utf-8", errors="replace") as stream:
        for line in stream:
            status, _method, path = (line.split(" ", 2) + ["", ""])[:3]
            if status.startswith("5"):
                errors[re.sub(r"\d+", "N", path.strip())] += 1
    return dict(errors)


def _floor(cookie_header: str, seconds: int) -> dict:
    from bench.throughput import wrk

    return wrk(FLOOR, cookie_header, seconds)


@contextlib.contextmanager
def job_worker():
    """``manage.py work`` under bench.settings for the ``with`` block, as production runs one
    beside its app servers (the round's results of 5,000 sheets are a job)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    with (OUT / "load-worker.log").open("w") as log:
        worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "work"], cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        yield worker
    finally:
        stop_server(worker)


def run(seconds: int, users: int) -> dict:
    from django.utils import timezone

    OUT.mkdir(parents=True, exist_ok=True)
    plan_path, results_path, prefix = OUT / "load-plan.json", OUT / "load-results.json", OUT / "load"
    access_log = OUT / "load-access.log"
    planned = plan()
    plan_path.write_text(json.dumps(planned))
    results_path.unlink(missing_ok=True)
    # gunicorn appends to its access log: an earlier run's lines would be counted as this run's.
    access_log.unlink(missing_ok=True)
    staff_pace = pace(seconds, users)
    floor_cookie = cookie(planned["accounts"]["staff"][0]["session"])
    prerendered = prerender(planned)
    print(f"pre-rendered PDFs (as the finalise and publish jobs would have): {prerendered}", flush=True)
    load = load_average()
    command = [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(spawn_rate(users)), "-t", f"{seconds}s", "--host", BASE,
               "--csv", str(prefix), "--only-summary", "--stop-timeout", "30"]
    os.environ["BENCH_JOBS"] = "worker"  # the server queues jobs; one worker beside it runs them
    with serving("load", access_log), job_worker():
        floors = [_floor(floor_cookie, 5)]
        print(f"floor before: {floors[0]['rps']:.0f} req/s, p95 {floors[0]['p95_ms']:.0f} ms "
              f"(load {load:.2f} at the start); staff pace {staff_pace}", flush=True)
        started = timezone.now()
        env = {**os.environ, **staff_pace, "BENCH_LOAD_PLAN": str(plan_path), "BENCH_LOAD_RESULTS": str(results_path)}
        subprocess.run(command, env=env, cwd=ROOT, check=False, timeout=seconds + 300)
        floors.append(_floor(floor_cookie, 5))
    if not results_path.exists():
        raise RuntimeError("locust wrote no results; see its output above")
    results = json.loads(results_path.read_text())
    return {"load_at_start": load, "load_at_end": load_average(), "seconds": seconds, "users": users,
            "staff_pace": staff_pace, "prerendered": prerendered, "command": " ".join(command[1:]), "floors": floors,
            "checks": verify(results, started), "server_errors": server_errors(access_log), "stats": stats(prefix)}


def table(summary: dict) -> str:
    checks, floors = summary["checks"], summary["floors"]
    errors = sum(summary["server_errors"].values())
    problems = [name for name in ("saves_lost", "saves_doubled", "units_not_holding_last_save", "submits_lost",
                                  "submits_applied_twice") if checks[name]]
    problems += ["5xx answers"] * bool(errors) + ["no submit was made"] * (not checks["sheets_submitted"])
    slow = [row["name"] for row in summary["stats"] if row["name"] != "Aggregated" and _p95(row) > 500]
    lines = [f"{summary['users']} users for {summary['seconds']} s, load average {summary['load_at_start']:.2f} "
             f"at the start; staff pace {summary['staff_pace']}.",
             f"Floor (wrk, 5 s, same server): {floors[0]['rps']:.0f} req/s before (p95 {floors[0]['p95_ms']:.0f} ms), "
             f"{floors[-1]['rps']:.0f} after (p95 {floors[-1]['p95_ms']:.0f} ms).",
             f"Writes, from the database: {checks}.",
             f"5xx answers in the server's log: {errors} {summary['server_errors'] or ''}.",
             f"Writes and errors: {'no error, no lost or doubled write' if not problems else 'FAILED: ' + ', '.join(problems)}.",
             f"p95 ≤ 500 ms: {'every kind' if not slow else 'not met by ' + ', '.join(slow)}.",
             "", "| request kind | requests | failures | req/s | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|---|"]
    for row in summary["stats"]:
        lines.append(f"| {row['name']} | {row['requests']} | {row['failures']} | {row['rps']:.2f} | {row['p50']} | "
                     f"{row['p95']} | {row['p99']} |")
    lines.append(f"| floor (wrk, before / after) | | | {floors[0]['rps']:.0f} / {floors[-1]['rps']:.0f} | "
                 f"{floors[0]['p50_ms']:.0f} / {floors[-1]['p50_ms']:.0f} | "
                 f"{floors[0]['p95_ms']:.0f} / {floors[-1]['p95_ms']:.0f} | "
                 f"{floors[0]['p99_ms']:.0f} / {floors[-1]['p99_ms']:.0f} |")
    return "\n".join(lines)


def _p95(row) -> float:
    try:
        return float(row["p95"])
    except ValueError:  # "N/A" of a kind without requests
        return 0.0


def main(argv):
    setup()
    summary = run(int(argv[0]) if argv else 600, int(argv[1]) if len(argv) > 1 else 200)
    out = write_json("load", summary)
    print()
    print(table(summary))
    print(f"\n(raw figures: {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
