"""Issue 9, finding 3 and hostile inputs: what refusing a zip bomb and parsing a large file cost.

- a 200 MB-unpacked xlsx zip bomb refused (web and command limits): time and peak memory;
- 100,000 rows read from csv and from xlsx (command limits, read-only streaming): time and
  peak memory (tracemalloc: Python allocations);
- the hostile-input property tests with the long profile (HYPOTHESIS_PROFILE=bench), when run
  as ``bench/run.py imports_hostile`` (slow: minutes).
"""

import csv
import io
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from openpyxl import Workbook

from orgs.exchange import COLUMNS, import_orgs
from orgs.models import Org
from tests.unionportal.importfiles import zip_bomb
from unionportal.actors import SYSTEM
from unionportal.import_limits import command_limits, web_limits
from unionportal.tabular import FileFormatError, read_table

ROWS = 100_000
ROOT = Path(__file__).resolve().parent.parent


def measured(function):
    """(seconds, peak MB of Python allocations) of ``function()`` (tracemalloc: slow, so for
    small work only)."""
    tracemalloc.start()
    started = time.perf_counter()
    function()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1024 / 1024


def measured_in_child(function):
    """(seconds, growth of the peak resident set in MB) of ``function()`` in a forked process."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, report through the pipe, leave
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        os.write(write_end, f"{elapsed} {grown / 1024}".encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as result:
        text = result.read()
    os.waitpid(pid, 0)
    elapsed, grown = text.split()
    return float(elapsed), float(grown)


def org_rows():
    yield ["编码", "名称", "上级编码", "类型", "简称", "会员数", "职工数"]
    for n in range(ROWS):
        yield [f"bz-{n:06d}", f"基准第{n}基层工会", "bz", "基层工会", "", str(n % 500), str(n % 900)]


def large_files():
    text = io.StringIO(newline="")
    csv.writer(text).writerows(org_rows())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in org_rows():
        sheet.append(row)
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    return text.getvalue().encode("utf-8"), xlsx.getvalue()


def main(report):
    bomb = zip_bomb(["编码", "名称", "上级编码", "类型"], unpacked_mb=200)
    report(f"zip bomb: packed size ({200} MB unpacked)", len(bomb) / 1024, "KB")
    for limits in (web_limits(), command_limits()):
        def refuse(limits=limits):
            try:
                read_table(io.BytesIO(bomb), "xlsx", COLUMNS, limits=limits)
            except FileFormatError:
                return
            raise AssertionError("the bomb was read")

        seconds, peak = measured(refuse)
        report(f"zip bomb refused ({limits.where} limits): time", seconds * 1000, "ms")
        report(f"zip bomb refused ({limits.where} limits): peak memory", peak, "MB")
    csv_data, xlsx_data = large_files()
    for fmt, data in (("csv", csv_data), ("xlsx", xlsx_data)):
        report(f"{ROWS:,}-row {fmt}: file size", len(data) / 1024 / 1024, "MB")
        seconds, grown = measured_in_child(lambda fmt=fmt, data=data: read_table(
            io.BytesIO(data), fmt, COLUMNS, limits=command_limits()))
        report(f"{ROWS:,}-row {fmt} parsed (read_table): time", seconds, "s")
        report(f"{ROWS:,}-row {fmt} parsed (read_table): peak memory growth (RSS)", grown, "MB")
    web_rows = web_limits().max_rows
    root = Org.objects.create(code="bz", name="基准市总工会", kind="federation")
    text = "\n".join(",".join(row[:4]) for row in list(org_rows())[:web_rows + 1]).encode()
    started = time.perf_counter()
    result = import_orgs(io.BytesIO(text), "csv", actor=SYSTEM, limits=web_limits())
    assert result.ok and result.created == web_rows, result.errors[:3]
    report(f"import_orgs of {web_rows:,} new unions (the web's row limit), csv",
           time.perf_counter() - started, "s", "well inside the 60 s worker timeout")
    assert Org.objects.filter(parent=root).count() == web_rows
    if os.environ.get("BENCH_HOSTILE"):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/unionportal/test_hostile_inputs.py"],
            cwd=ROOT, env={**os.environ, "HYPOTHESIS_PROFILE": "bench",
                           "DJANGO_SETTINGS_MODULE": "tests.settings"},
            capture_output=True, text=True, check=False)
        report("hostile inputs, 1,000 examples per parser and strategy: time",
               time.perf_counter() - started, "s", "passes" if result.returncode == 0 else "FAILED")
