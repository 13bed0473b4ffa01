"""A season's load (issue 13): locust, headless and bounded, against gunicorn on the city's data,
then counted from the database and the audit trail.

Makes a session per account (staff, reviewers, scorers, clerks of ``bench/generate.py``),
starts gunicorn as ``bench/throughput.py`` does, runs ``bench/locustfile.py`` with USERS users
for SECONDS, and checks afterwards:

- every save that got a success answer (302) is in the audit trail exactly once (its unique
  note marker appears in the "after" of exactly one ``assessment.sheet.self_assess`` entry);
- no sheet was submitted twice (one SUBMITTED event and ``submissions`` 1 per submitted sheet,
  double clicks included);
- no 5xx; p95 per request kind from locust's statistics.

    BENCH_DATABASE_URL=postgres://…/up_bench .venv/bin/python -m bench.load [seconds] [users]

Writes change the data (the staff's sheets get submitted): regenerate the city before the next
run (``bench/generate.py``).
"""

import collections
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"


def plan() -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from assessment.models import Sheet
    from duties.models import CatalogueVersion
    from orgs.models import Grant

    def session(user):
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    accounts = collections.defaultdict(list)
    users = get_user_model().objects.filter(username__regex=r"^(staff|reviewer|scorer|clerk)\d+$")
    grants = {g.user_id: g for g in Grant.objects.filter(user__in=users).select_related("org")}
    drafts = set(Sheet.objects.filter(year=2026, status="draft").values_list("org_id", flat=True))
    for user in users.order_by("username"):
        role = re.match(r"[a-z]+", user.username).group(0)
        entry = {"username": user.username, "session": session(user)}
        if role == "staff":
            if grants[user.pk].org_id not in drafts:
                continue
            entry["sheet"] = f"/assessment/2026/{grants[user.pk].org.code}/"
        accounts[role].append(entry)
    finals = Sheet.objects.filter(year=2026, status="final").select_related("org").order_by("org__lft")[:200]
    catalogues = CatalogueVersion.objects.filter(status="published").select_related("catalogue__org")[:20]
    return {"cookie_name": settings.SESSION_COOKIE_NAME, "accounts": accounts,
            "board": "/assessment/rounds/city/2026/",
            "final_sheets": [f"/assessment/2026/{s.org.code}" for s in finals],
            "catalogues": [f"/duties/{c.catalogue.org.code}" for c in catalogues]}


def verify(results: dict, started) -> dict:
    """What the database and the audit trail say about the writes locust saw succeed."""
    from assessment.models import Sheet, SheetEvent
    from unionportal.models import AuditEntry

    found = collections.Counter()
    entries = AuditEntry.objects.filter(action="assessment.sheet.self_assess", created_at__gte=started)
    for after in entries.values_list("after", flat=True).iterator():
        found.update(set(re.findall(r"lc:staff\d+:\d+", json.dumps(after, ensure_ascii=False))))
    saves = results["saves"]
    lost = [m for m in saves if found[m] == 0]
    doubled = [m for m in saves if found[m] > 1]
    submitted = Sheet.objects.filter(year=2026, org__grants__user__username__in=results["submits"])
    events = collections.Counter(SheetEvent.objects.filter(
        sheet__in=submitted, kind=SheetEvent.Kind.SUBMITTED, at__gte=started).values_list("sheet_id", flat=True))
    twice = [pk for pk, n in events.items() if n > 1]
    wrong_count = list(submitted.exclude(submissions=1).values_list("pk", flat=True))
    return {"saves_answered_ok": len(saves), "saves_in_audit": sum(1 for m in saves if found[m] == 1),
            "saves_lost": len(lost), "saves_doubled": len(doubled), "submits_answered_ok": len(results["submits"]),
            "double_clicked_submits": len(results["double_submits"]),
            "sheets_submitted": len(events), "submits_applied_twice": len(twice) + len(wrong_count)}


def stats(prefix: Path) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            rows.append({"name": row["Name"], "requests": int(row["Request Count"]),
                         "failures": int(row["Failure Count"]), "p50": row["50%"], "p95": row["95%"],
                         "p99": row["99%"], "rps": float(row["Requests/s"])})
    return rows


def server_errors(prefix: Path) -> int:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return 0
    with open(path, encoding="utf-8") as stream:
        return sum(int(row["Occurrences"]) for row in csv.DictReader(stream) if row["Error"].strip("'\"").startswith("5"))


def run(seconds: int, users: int) -> dict:
    from django.utils import timezone

    from bench.throughput import BASE, start_server, stop_server

    OUT.mkdir(parents=True, exist_ok=True)
    plan_path, results_path, prefix = OUT / "load-plan.json", OUT / "load-results.json", OUT / "load"
    plan_path.write_text(json.dumps(plan()))
    load = os.getloadavg()[0]
    server = start_server(OUT / "gunicorn-load.log")
    started = timezone.now()
    try:
        command = [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                   "-u", str(users), "-r", str(max(1, users // 20)), "-t", f"{seconds}s", "--host", BASE,
                   "--csv", str(prefix), "--only-summary", "--stop-timeout", "30"]
        env = {**os.environ, "BENCH_LOAD_PLAN": str(plan_path), "BENCH_LOAD_RESULTS": str(results_path)}
        subprocess.run(command, env=env, cwd=ROOT, check=False, timeout=seconds + 300)
    finally:
        stop_server(server)
    results = json.loads(results_path.read_text())
    return {"load_at_start": load, "seconds": seconds, "users": users, "command": " ".join(command[1:]),
            "checks": verify(results, started), "server_errors": server_errors(prefix), "stats": stats(prefix)}


def table(summary: dict) -> str:
    checks = summary["checks"]
    lines = [f"{summary['users']} users for {summary['seconds']} s, load average {summary['load_at_start']:.2f} "
             f"at the start. Writes: {checks}; 5xx answers: {summary['server_errors']}.", "",
             "| request kind | requests | failures | req/s | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|---|"]
    for row in summary["stats"]:
        lines.append(f"| {row['name']} | {row['requests']} | {row['failures']} | {row['rps']:.2f} | {row['p50']} | "
                     f"{row['p95']} | {row['p99']} |")
    return "\n".join(lines)


def main(argv):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "k" * 50)
    django.setup()
    summary = run(int(argv[0]) if argv else 600, int(argv[1]) if len(argv) > 1 else 200)
    (OUT / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(summary, indent=1))
    print()
    print(table(summary))


if __name__ == "__main__":
    main(sys.argv[1:])
