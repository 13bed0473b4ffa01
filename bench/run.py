"""Run the benchmarks: `make bench` or `.venv/bin/python bench/run.py [name ...]`.

Each `bench/bench_<name>.py` has `main(report)`; it builds its own data on the scratch
database (bench/settings.py, migrated fresh each run) and calls `report(label, value, unit,
target)` per measurement.  Results print as a Markdown table to paste into
docs/benchmarks.md.  Never run by the test suite.
"""

import importlib
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def timed(function, repeat: int = 5) -> float:
    """Median wall time of ``function`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(names: list[str]) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):  # WAL mode leaves these beside the file
            Path(f"{connection.settings_dict['NAME']}{suffix}").unlink(missing_ok=True)
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    rows = []

    def report(label, value, unit, target=""):
        rows.append((label, value, unit, target))
        print(f"{label}: {value:.1f} {unit} (target {target})", flush=True)

    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    for name in modules:
        if names and name.removeprefix("bench_") not in names:
            continue
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main(report)
    print()
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, database {connection.vendor}")
    print("| measurement | result | target |")
    print("|---|---|---|")
    for label, value, unit, target in rows:
        print(f"| {label} | {value:.1f} {unit} | {target} |")


if __name__ == "__main__":
    main(sys.argv[1:])
