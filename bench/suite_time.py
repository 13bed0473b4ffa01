"""The test suite's time on SQLite, as a ratio to the suite of the commit issue 11 was filed on.

`.venv/bin/python -m bench.suite_time [--before REV] [--repeat N] [--whole]` (about 12 minutes a
pair on 2 cores; a whole pair about 25).

Issue 11 asks for the SQLite suite in at most half of its time when the issue was filed (277-306 s
on that day's machine, the browser tests not counted), with the same or more tests.  Machines
differ from one session to the next by up to 1.6x, most of the factor asked for
(docs/suite-time.md), so the figure is measured here as a ratio on one machine: the commit before
the issue (``--before``, 0471bb5) is exported into a folder of its own with a virtualenv of its own
and its suite run the way its `make test` ran it (one process); this tree's suite the way `make
test` runs it now (`-n auto --dist loadscope`, on every core).  Both without tests/e2e (the browser
tests and the link crawl), as the issue's figure was; with ``--whole`` also both whole.

Fair to both sides: both trees' modules are compiled before the first run and their bytecode kept
in one folder (this tree's tests/conftest.py keeps it so where PYTHONDONTWRITEBYTECODE is set; the
older tree had no such step and would compile every module on every run); the pairs alternate
which side runs first; each run's load average, wall time and CPU time are printed, and the ratio
reported is the median of the pairs'.  Run it on an idle machine.
"""

import argparse
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "0471bb5"  # the commit before the first change of issue 11 (docs/engineering.md)
OUTSIDE_THE_BROWSER = ["--ignore=tests/e2e"]
TIMEOUT = 3 * 3600  # seconds for one step: a hung run must not hold the machine all night
SUMMARY = re.compile(r"\b(\d+) passed\b[^\n]* in [\d.]+s")  # pytest's last line: "5913 passed, 5 skipped in 212.27s"


def run(command: list[str], cwd: Path, env: dict | None = None, check: bool = True) -> str:
    """``command``'s output; its whole process group is killed if it outlives TIMEOUT (the
    suite's workers and servers with it)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise SystemExit(f"{' '.join(command)} ran longer than {TIMEOUT} s in {cwd}: stopped") from None
    if check and process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{out[-3000:]}\n{err[-3000:]}")
    return out


def environment(pycache: Path) -> dict:
    """This environment on SQLite, bytecode kept in ``pycache`` (for both trees alike)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE")}
    return {**env, "PYTHONPYCACHEPREFIX": str(pycache)}


def prepare(python: Path, tree: Path, env: dict, whole: bool) -> str:
    """``tree`` ready to run its suite: its messages compiled (and axe-core installed for its
    browser tests when ``whole``), every module of it and of its virtualenv compiled. Returns
    the versions of Python, Django and pytest it runs."""
    run(["make", "messages", *(["e2e-deps"] if whole else [])], tree)
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tree).strip()
    # (Not checked: a library may ship a file that does not compile, which no test imports.)
    run([str(python), "-m", "compileall", "-q", "-j", "0", "-x", r"/node_modules/|/\.venv/", str(tree)], tree, env, False)
    run([str(python), "-m", "compileall", "-q", "-j", "0", site], tree, env, False)
    return run([str(python), "-c", "import sys, django, pytest; "
                "print(sys.version.split()[0], django.__version__, pytest.__version__)"], tree).strip()


def export(revision: str, folder: Path) -> Path:
    """``revision`` exported into ``folder`` with a virtualenv of its own; its Python."""
    if subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd=ROOT,
                      capture_output=True).returncode != 0:
        raise SystemExit(f"--before {revision}: names no commit of this repository")
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    run([sys.executable, "-m", "venv", ".venv"], folder)
    run([".venv/bin/python", "-m", "pip", "install", "--quiet", "-e", ".[dev]"], folder)
    return folder / ".venv" / "bin" / "python"


def suite(python: Path, tree: Path, env: dict, extra: list[str]) -> tuple[int, float, float]:
    """(tests passed, seconds of wall time, seconds of CPU) of one run of the suite in ``tree``.
    (-p no:cacheprovider: neither tree gets a .pytest_cache, nor reads one from an earlier run.)"""
    print(f"  {tree}: load {os.getloadavg()[0]:.2f}", end="", flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    output = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra], tree, env)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    summaries = SUMMARY.findall(output)
    if not summaries:
        raise SystemExit(f"no summary line with tests passed in {tree}:\n{output[-2000:]}")
    passed = int(summaries[-1])
    print(f", {passed} tests in {seconds:.0f} s (CPU {cpu:.0f} s)", flush=True)
    return passed, seconds, cpu


def pairs(text: str) -> int:
    """``--repeat``: a whole number of pairs, at least one (a median needs a ratio)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of pairs (1 or more)")
    return int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--repeat", type=pairs, default=2, help="pairs of runs, alternating which runs first")
    parser.add_argument("--whole", action="store_true", help="also both suites whole (browser tests included)")
    arguments = parser.parse_args()
    after_python = ROOT / ".venv" / "bin" / "python"
    if not after_python.exists():
        raise SystemExit("run `make test` once first: this tree's suite runs in its .venv")
    run(["make", "fonts"], ROOT)
    with tempfile.TemporaryDirectory(prefix="unionportal-before-") as folder:
        env = environment(Path(folder) / "pycache")
        before_tree = Path(folder) / "tree"
        before_tree.mkdir()
        before_python = export(arguments.before, before_tree)
        sides = {"before": (before_python, before_tree, []), "after": (after_python, ROOT, ["-n", "auto", "--dist", "loadscope"])}
        # Which tree "after" was (a table copied into the docs says what it measured).
        after_revision = run(["git", "describe", "--always", "--dirty"], ROOT).strip()
        for name, (python, tree, _options) in sides.items():
            print(f"{name}: {tree} — Python, Django, pytest {prepare(python, tree, env, arguments.whole)}", flush=True)
        kinds = [("outside the browser", OUTSIDE_THE_BROWSER)] + ([("whole", [])] if arguments.whole else [])
        rows = []
        for kind, extra in kinds:
            runs = {"before": [], "after": []}
            for pair in range(arguments.repeat):
                print(f"{kind}, pair {pair + 1}:", flush=True)
                for name in (("before", "after") if pair % 2 == 0 else ("after", "before")):
                    python, tree, options = sides[name]
                    runs[name].append(suite(python, tree, env, options + extra))
            rows.append((kind, runs))
    print(f"\n| suite on SQLite | {arguments.before} (one process) | this tree, {after_revision} (`make test`) | "
          "after / before, each pair | median |")
    print("|---|---|---|---|---|")
    for kind, runs in rows:
        ratios = [after[1] / before[1] for before, after in zip(runs["before"], runs["after"], strict=True)]
        cells = [f"{runs[name][0][0]:,} tests in {', '.join(f'{r[1]:.0f}' for r in runs[name])} s "
                 f"(CPU {', '.join(f'{r[2]:.0f}' for r in runs[name])} s)" for name in ("before", "after")]
        print(f"| {kind} | {cells[0]} | {cells[1]} | {', '.join(f'{r:.2f}' for r in ratios)} | "
              f"{statistics.median(ratios):.2f} |")


if __name__ == "__main__":
    main()
