"""The pages of the throughput benchmark measured in one process: CPU ms, wall ms and queries per
request, beside the floor's (bench/urls.py), through Django's test client and the whole
middleware stack.  CPU time hardly depends on what else the machine runs, so this is the
figure to profile against when the machine is shared; ``bench/throughput.py`` gives req/s.

    BENCH_DATABASE_URL=postgres://…/up_bench .venv/bin/python -m bench.pages [repeat] [label-substring]
    … -m bench.pages 20 board --profile    (pyinstrument of the matching pages, to var/bench/)
"""

import statistics
import sys
import time

from bench.session import FLOOR, OUT, ROOT, load_average, setup, signed_in_client, write_json


def measure_page(client, path, repeat) -> dict:
    """Median CPU and wall milliseconds of ``repeat`` GETs, and the queries of one."""
    from django.db import connection

    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    seen = []
    with connection.execute_wrapper(lambda execute, *args: seen.append(1) or execute(*args)):
        client.get(path)
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        client.get(path)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return {"cpu_ms": statistics.median(cpu), "wall_ms": statistics.median(wall), "queries": len(seen)}


def measure(repeat=20, only="", profile=False) -> dict:
    from bench.throughput import pages

    load = load_average()
    plan = [row for row in pages() if only in row[0]]
    clients = {}
    floor = measure_page(signed_in_client("staff0000"), FLOOR, repeat * 2)
    print(f"floor: {floor['cpu_ms']:.2f} ms CPU, {floor['wall_ms']:.2f} ms wall, {floor['queries']} queries "
          f"(load {load:.2f} at the start)", flush=True)
    rows = []
    for label, username, path, goal in plan:
        if username not in clients:
            clients[username] = signed_in_client(username)
        client = clients[username]
        row = {"label": label, "path": path, "goal": goal, **measure_page(client, path, repeat)}
        row["cpu_ratio"] = floor["cpu_ms"] / row["cpu_ms"] if row["cpu_ms"] else 0
        rows.append(row)
        print(f"{label}: {row['cpu_ms']:.1f} ms CPU, {row['wall_ms']:.1f} ms wall, {row['queries']} queries, "
              f"floor/page {row['cpu_ratio'] * 100:.1f} %", flush=True)
        if profile:
            _profile(client, path, label)
    return {"floor": floor, "rows": rows, "repeat": repeat, "load_at_start": load, "load_at_end": load_average()}


def _profile(client, path, label):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(10):
        client.get(path)
    profiler.stop()
    out = OUT / f"profile-{''.join(c if c.isalnum() else '-' for c in label)[:40]}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, show_all=False))
    print(f"  profile: {out.relative_to(ROOT)}")


def table(result: dict) -> str:
    floor = result["floor"]
    lines = [f"Floor in process: {floor['cpu_ms']:.2f} ms CPU, {floor['wall_ms']:.2f} ms wall, "
             f"{floor['queries']} queries; load average {result['load_at_start']:.2f} at the start.", "",
             "| page | CPU ms | wall ms | queries | floor CPU ÷ page CPU | goal |", "|---|---|---|---|---|---|"]
    for row in result["rows"]:
        lines.append(f"| {row['label']} | {row['cpu_ms']:.1f} | {row['wall_ms']:.1f} | {row['queries']} | "
                     f"{row['cpu_ratio'] * 100:.1f} % | ≥ {row['goal'] * 100:.0f} % |")
    return "\n".join(lines)


def main(argv):
    setup()
    args = [a for a in argv if not a.startswith("--")]
    result = measure(int(args[0]) if args else 20, args[1] if len(args) > 1 else "", "--profile" in argv)
    out = write_json("pages", result)
    print()
    print(table(result))
    print(f"\n(raw figures: {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
