"""The test suite's time on SQLite, as a ratio to the suite of the commit issue 11 was filed on.

`.venv/bin/python -m bench.suite_time [--before REV] [--whole]` (about 15 minutes on 2 cores; 40 with --whole).

Issue 11 asks for the SQLite suite in at most half of its time when the issue was filed (277-306 s
on that day's machine, the browser tests not counted), with the same or more tests.  Machines
differ from one session to the next by more than that ratio (docs/suite-time.md), so the figure
is measured here as a ratio on one machine in one run: the commit before the issue (``--before``,
0471bb5) is exported into a folder of its own with a virtualenv of its own and its suite run the
way its `make test` ran it (one process); then this tree's suite the way `make test` runs it now
(`-n auto --dist loadscope`).  Both without tests/e2e (the browser tests and the link crawl), as
the issue's figure was; with ``--whole`` also both whole.  Run it on an idle machine: every figure
is wall time, and the load average at the start is printed beside the results.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "0471bb5"  # the commit before the first change of issue 11 (docs/engineering.md)
OUTSIDE_THE_BROWSER = ["--ignore=tests/e2e"]
TIMEOUT = 3 * 3600  # seconds for one suite: a hung run must not hold the machine all night


def run(command: list[str], cwd: Path, env: dict | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                            check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def prepare_before(revision: str, folder: Path, whole: bool) -> Path:
    """``revision`` exported into ``folder`` with its own virtualenv and compiled messages (and
    axe-core for its browser tests when ``whole``)."""
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    run([sys.executable, "-m", "venv", ".venv"], folder)
    run([".venv/bin/python", "-m", "pip", "install", "--quiet", "-e", ".[dev]"], folder)
    run(["make", "messages", *(["e2e-deps"] if whole else [])], folder)
    return folder / ".venv" / "bin" / "python"


def suite(python: Path, cwd: Path, extra: list[str]) -> tuple[int, float]:
    """(tests passed, seconds of wall time) of one run of the suite in ``cwd``."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}  # SQLite
    started = time.monotonic()
    output = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra], cwd, env)
    seconds = time.monotonic() - started
    passed = re.search(r"(\d+) passed", output)
    return int(passed.group(1)) if passed else 0, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--whole", action="store_true", help="also both suites whole (browser tests included)")
    arguments = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{value:.2f}' for value in os.getloadavg())}", flush=True)
    after_python = ROOT / ".venv" / "bin" / "python"
    if not after_python.exists():
        raise SystemExit("run `make test` once first: this tree's suite runs in its .venv")
    parallel = ["-n", "auto", "--dist", "loadscope"]
    with tempfile.TemporaryDirectory(prefix="unionportal-before-") as folder:
        before_python = prepare_before(arguments.before, Path(folder), arguments.whole)
        kinds = [("outside the browser", OUTSIDE_THE_BROWSER)] + ([("whole", [])] if arguments.whole else [])
        rows = []
        for kind, extra in kinds:
            before = suite(before_python, Path(folder), extra)
            after = suite(after_python, ROOT, parallel + extra)
            rows.append((kind, before, after))
            print(f"{kind}: before {before[0]} tests in {before[1]:.0f} s, "
                  f"after {after[0]} tests in {after[1]:.0f} s", flush=True)
    print(f"\n| suite on SQLite | {arguments.before} (one process) | this tree (`make test`) | after / before |")
    print("|---|---|---|---|")
    for kind, (before_tests, before_seconds), (after_tests, after_seconds) in rows:
        print(f"| {kind} | {before_tests:,} tests in {before_seconds:.0f} s | {after_tests:,} tests in "
              f"{after_seconds:.0f} s | {after_seconds / before_seconds:.2f} |")


if __name__ == "__main__":
    main()
