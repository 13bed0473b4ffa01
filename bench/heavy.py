"""The heavy paths of issue 13 on the city of ``bench/generate.py``; every write is rolled back.

- ``budget``: the model-worker budget and the fund summary pages of the federation (10,000
  workers), through the test client (goal ≤ 300 ms);
- ``open_round``: ``open_round`` for 5,000 sheets × 20 units, the commit's deferred key checks
  included (goal ≤ 5 s, or a background job with progress: the page uses one from 1,000 orgs);
- ``round_pdf[:N]``: the round's combined PDF of N sheets (default 500; goal ≤ 2 min), with the
  renderer's one-page floor measured beside it;
- ``memory[:N]``: peak RSS growth over N uncached sheet renders in a fresh process (default
  1,000; goal < 50 MB);
- ``imports[:N]``: ``import_orgs``, ``import_model_workers`` and ``import_duties`` of N rows
  from xlsx (default 10,000; goal ≤ 10 s and ≤ 5× raw ``bulk_create`` of the same rows,
  measured beside them).

    BENCH_DATABASE_URL=postgres://…/up_bench .venv/bin/python -m bench.heavy budget open_round round_pdf:500 …
"""

import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from bench.generate import CITY, CURRENT

ROOT = Path(__file__).resolve().parent.parent


class _Rollback(Exception):
    pass


def rolled_back(function):
    """``function()`` inside a transaction that is rolled back; its result."""
    from django.db import transaction

    box = {}
    try:
        with transaction.atomic():
            box["result"] = function()
            raise _Rollback
    except _Rollback:
        return box["result"]


def seconds(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def budget(report):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="fedadmin"))
    for label, path in (("model-worker budget page, 10,000 workers", f"/services/org/{CITY}/budget/{CURRENT}/"),
                        ("fund summary page", f"/services/org/{CITY}/funds/"),
                        ("model-worker register page", f"/services/org/{CITY}/model-workers/")):
        assert client.get(path).status_code == 200, path
        samples = [seconds(lambda path=path: client.get(path)) * 1000 for _ in range(5)]
        report(label, statistics.median(samples), "ms", "≤ 300 ms")


def _open_round(report):
    from django.db import connection

    from assessment import services
    from bench.generate import _system
    from orgs.models import Org

    fed = Org.objects.get(code=CITY)

    def run():
        started = time.perf_counter()
        opened = services.open_round(actor=_system(), assessor=fed, year=CURRENT + 1)
        returned = time.perf_counter()
        # The foreign keys are checked at commit (deferred), which the rollback skips: fire the
        # checks here, so that the figure is what a committed opening costs.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return returned - started, time.perf_counter() - started, opened.sheets_created

    inside, elapsed, created = rolled_back(run)
    # Over OPEN_IN_JOB_FROM orgs the page opens the round in a background job with progress
    # (open_round_in_steps): this is the work of that job, not a request's.
    report(f"open_round: {created:,} sheets × 20 units, with the commit's key checks", elapsed * 1000, "ms",
           "≤ 5,000 ms, or in a job with progress")
    report("open_round: of which before the commit's key checks", inside * 1000, "ms", "—")


def _one_page_floor() -> float:
    from unionportal import pdf as renderer

    html = "<!doctype html><html lang='zh'><body><h1>基准</h1><p>一页。</p></body></html>"
    renderer.html_to_pdf(html)
    return statistics.median(seconds(lambda: renderer.html_to_pdf(html)) for _ in range(5))


def round_pdf(report, count=500):
    from assessment.models import Round, Sheet
    from assessment.pdf import render_round_pdf

    round_ = Round.objects.get(assessor__code=CITY, year=CURRENT - 1)
    sheets = (Sheet.objects.filter(round=round_).select_related("org", "template", "assessor")
              .order_by("org__lft")[:count])
    floor = _one_page_floor()
    report("one-page PDF (the renderer's floor)", floor * 1000, "ms", "—")
    from django.conf import settings
    from django.core.cache import caches

    from unionportal.pdf_bounds import budgets as pdf_budgets

    caches["pdf"].clear()  # the benchmark's own PDF cache (bench/settings.py): a repeat run is uncached too
    box = {}
    with pdf_budgets(max_text_chars=settings.JOBS_PDF_MAX_TEXT_CHARS,  # as the background job renders it
                     render_seconds=settings.JOBS_PDF_RENDER_SECONDS):
        cpu_before = _cpu_seconds()
        elapsed = seconds(lambda: box.setdefault("pdf", render_round_pdf(round_, sheets)))
        cpu = _cpu_seconds() - cpu_before
        cached = seconds(lambda: render_round_pdf(round_, sheets))
    report(f"round PDF of {count} sheets (uncached)", elapsed * 1000, "ms", "≤ 120,000 ms")
    # CPU of this process and of the layout's worker processes: the figure a loaded machine
    # disturbs least (wall time there is mostly waiting for a core).
    report(f"round PDF of {count} sheets: CPU, all processes", cpu * 1000, "ms", "—")
    report(f"round PDF of {count} sheets ÷ one-page floor", elapsed / floor, "×", "—")
    report(f"round PDF of {count} sheets ÷ {count} one-page floors", elapsed / floor / count, "×", "—")
    report(f"round PDF of {count} sheets: file size", len(box["pdf"]) / 2**20, "MB", "—")
    report(f"round PDF of {count} sheets, again (cached)", cached * 1000, "ms", "—")
    report("peak RSS of this process after the round PDF",
           resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB", "—")
    report("peak RSS of the largest child process (the layout pool's workers, if any)",
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "MB", "—")


def _cpu_seconds() -> float:
    """CPU time of this process and of its ended children (the layout's pool)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def memory(report, count=1000):
    """``memory_here`` in a fresh process: a peak reached earlier in this one (a round PDF
    before it) would hide the growth."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        rows = Path(folder) / "rows.json"
        subprocess.run([sys.executable, "-m", "bench.heavy", f"memory_here:{count}"], check=True, cwd=ROOT,
                       env={**os.environ, "BENCH_HEAVY_ROWS": str(rows)}, stdout=subprocess.DEVNULL)
        for row in json.loads(rows.read_text()):
            report(*row)


def memory_here(report, count=1000):
    import itertools

    from assessment.models import Sheet
    from assessment.pdf import sheet_context
    from unionportal import pdf as renderer

    available = list(Sheet.objects.filter(year=CURRENT - 1).select_related("org", "template", "assessor")
                     .order_by("org__lft")[:count])
    sheets = list(itertools.islice(itertools.cycle(available), count))  # a smaller city's sheets, again
    renderer.warm_up()
    html = renderer.render_html("assessment/pdf/sheet.html", {"doc": sheet_context(sheets[0]), "sheet": sheets[0],
                                                              "title": "", "version_label": ""})
    renderer.html_to_pdf(html)
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    for sheet in sheets:  # uncached: HTML rendered and laid out every time
        doc = sheet_context(sheet)
        renderer.html_to_pdf(renderer.render_html("assessment/pdf/sheet.html", {
            "doc": doc, "sheet": sheet, "title": doc["title"], "version_label": ""}))
        # A worker renders a sheet and lets it go. This list would otherwise keep every sheet's
        # prefetched units (about 60 KB a sheet, 60 MB over 1,000): the benchmark's memory,
        # which the first runs counted as the renderer's growth.
        sheet._prefetched_objects_cache.pop("units", None)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start
    report(f"peak RSS growth over {len(sheets)} sheet renders", grown, "MB", "< 50 MB")
    report("one sheet render (mean over the run)", (time.perf_counter() - started) * 1000 / len(sheets), "ms", "—")


def _xlsx(headers, rows) -> bytes:
    """An xlsx as Excel, WPS and the portal's own exports write it: with its <dimension> (a
    write-only openpyxl file has none, and openpyxl then reads such a sheet twice to size it)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def imports(report, count=10_000):
    """The three imports of N rows from xlsx, each beside a raw ``bulk_create`` of its rows."""
    _import_orgs(report, count)
    _import_workers(report, count)
    _import_duties(report, count)


def _import_orgs(report, count):
    from bench.generate import _system
    from orgs.exchange import import_orgs
    from orgs.models import Org
    from unionportal.import_limits import command_limits
    from unionportal.tree import rebuild_tree

    fed = Org.objects.get(code=CITY)
    parents = list(Org.objects.filter(parent=fed).order_by("lft").values_list("code", "pk"))
    org_rows = [[f"imp-{n:05d}", f"导入基层工会{n}", parents[n % len(parents)][0], "基层工会", "", "35", "50"]
                for n in range(count)]
    payload = _xlsx(["编码", "名称", "上级编码", "类型", "简称", "会员数", "职工数"], org_rows)

    def raw_orgs():
        Org.objects.bulk_create([Org(code=r[0], name=r[1], kind="base", parent_id=parents[n % len(parents)][1],
                                     members=35, workers=50, tree_id=fed.tree_id, lft=0, rght=0, level=2)
                                 for n, r in enumerate(org_rows)], batch_size=2000)
        rebuild_tree(Org, fed.tree_id)

    def imported_orgs():
        result = import_orgs(io.BytesIO(payload), "xlsx", actor=_system(), limits=command_limits())
        assert result.ok, result.errors[:3]

    _compare(report, f"import_orgs, {count:,} base unions from xlsx", imported_orgs, raw_orgs)


def _import_workers(report, count):
    from bench.generate import _system
    from orgs.models import Org
    from services.exchange import import_model_workers
    from services.models import ModelWorker
    from unionportal.import_limits import command_limits

    fed = Org.objects.get(code=CITY)
    bases = list(Org.objects.filter(kind="base", tree_id=fed.tree_id).values_list("code", "pk")[:count])
    worker_rows = [[f"导入劳模{n}", f"{n % 10000:04d}", bases[n % len(bases)][0], "市级", str(1 + n % 3),
                    str(1990 + n % 30), "是" if n % 2 else "否", "是"] for n in range(count)]
    payload_workers = _xlsx(["姓名", "身份证号后四位", "工作单位编码", "级别", "获评次数", "首次获评年度", "是否退休",
                             "是否健在"], worker_rows)

    def raw_workers():
        ModelWorker.objects.bulk_create([
            ModelWorker(name=r[0], id_tail=r[1], org_id=bases[n % len(bases)][1], level="city", honours=int(r[4]),
                        first_year=int(r[5]), retired=r[6] == "是", alive=True)
            for n, r in enumerate(worker_rows)], batch_size=2000)

    def imported_workers():
        result = import_model_workers(io.BytesIO(payload_workers), "xlsx", actor=_system(), limits=command_limits())
        assert result.ok, result.errors[:3]

    _compare(report, f"import_model_workers, {count:,} rows from xlsx", imported_workers, raw_workers)


DUTY_HEADERS = ["单位编码", "主要职责", "序号", "名称", "法定依据", "实施机构", "职责边界", "运行流程", "运行要件",
                "责任事项", "监督方式"]


def _duty_rows(codes, count):
    """``count`` duty items spread over the orgs ``codes``: 10 main duties and 5 departments each."""
    per_org = -(-count // len(codes))
    rows = []
    for n in range(count):
        code, k = codes[n // per_org], n % per_org
        rows.append([code, f"主要职责{k % 10 + 1}", f"{k % 10 + 1}.{k // 10 + 1}", f"职责事项{k}",
                     "《中华人民共和国工会法》", f"部门{k % 5 + 1}", f"负责事项{k}的组织实施", "受理→审核→办结",
                     "申请表、证明材料", "组织实施；监督检查", "群众监督"])
    return rows


def _import_duties(report, count):
    from bench.generate import _system
    from duties.exchange import import_duties
    from duties.models import Catalogue, CatalogueVersion, Department, DutyItem, MainDuty
    from orgs.models import Org
    from unionportal.import_limits import command_limits

    fed = Org.objects.get(code=CITY)
    orgs = list(Org.objects.filter(parent=fed).order_by("lft"))
    rows = _duty_rows([org.code for org in orgs], count)
    payload = _xlsx(DUTY_HEADERS, rows)

    def raw_duties():
        catalogues = {c.org_id: c for c in Catalogue.objects.filter(org__in=orgs)}
        catalogues.update({c.org_id: c for c in Catalogue.objects.bulk_create(
            [Catalogue(org=org, title=f"{org.name}职责清单") for org in orgs if org.pk not in catalogues])})
        versions = {c.org_id: v for c, v in zip(catalogues.values(), CatalogueVersion.objects.bulk_create(
            [CatalogueVersion(catalogue=c, number=10_000, status="superseded", title=c.title)
             for c in catalogues.values()]), strict=True)}
        by_code = {org.code: versions[org.pk] for org in orgs}
        keys = list(dict.fromkeys((r[0], r[1]) for r in rows))
        main = dict(zip(keys, MainDuty.objects.bulk_create(
            [MainDuty(version=by_code[code], name=name, position=i) for i, (code, name) in enumerate(keys)]),
            strict=True))
        depts = list(dict.fromkeys((r[0], r[5]) for r in rows))
        dept = dict(zip(depts, Department.objects.bulk_create(
            [Department(version=by_code[code], name=name, position=i) for i, (code, name) in enumerate(depts)]),
            strict=True))
        DutyItem.objects.bulk_create([
            DutyItem(version=by_code[r[0]], main_duty=main[(r[0], r[1])], number=r[2], name=r[3],
                     legal_basis=[r[4]], department=dept[(r[0], r[5])], boundary=r[6], workflow_text=r[7],
                     documents=r[8].split("、"), responsibilities=r[9].split("；"), position=n)
            for n, r in enumerate(rows)], batch_size=2000)

    def imported_duties():
        result = import_duties(io.BytesIO(payload), "xlsx", actor=_system(), limits=command_limits())
        assert result.report.ok, result.report.errors[:3]

    _compare(report, f"import_duties, {count:,} duty items of {len(orgs)} unions from xlsx", imported_duties,
             raw_duties)


def _compare(report, label, imported, raw):
    raw_s = rolled_back(lambda: seconds(raw))
    import_s = rolled_back(lambda: seconds(imported))
    report(label, import_s * 1000, "ms", "≤ 10,000 ms")
    report(f"{label}: raw bulk_create of the same rows", raw_s * 1000, "ms", "—")
    report(f"{label}: ratio to raw bulk_create", import_s / raw_s, "×", "≤ 5×")


STEPS = {"budget": budget, "open_round": _open_round, "round_pdf": round_pdf, "memory": memory, "imports": imports,
         "memory_here": memory_here}


def main(argv):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    rows = []

    def report(label, value, unit, target=""):
        rows.append((label, value, unit, target))
        print(f"{label}: {value:,.1f} {unit} (goal {target})", flush=True)

    load = os.getloadavg()[0]
    print(f"load average at the start: {load:.2f}")
    for arg in argv or ["budget", "open_round", "round_pdf", "memory", "imports"]:
        name, _sep, count = arg.partition(":")
        STEPS[name](report, *([int(count)] if count else []))
    print("\n| measurement | result | goal |\n|---|---|---|")
    for label, value, unit, target in rows:
        print(f"| {label} | {value:,.1f} {unit} | {target} |")
    if os.environ.get("BENCH_HEAVY_ROWS"):  # a step run in a fresh process (``memory``) hands its rows back
        import json

        Path(os.environ["BENCH_HEAVY_ROWS"]).write_text(json.dumps(rows))
    else:  # the raw figures, as bench/throughput.py and bench/load.py keep theirs
        from bench.session import write_json

        out = write_json("heavy", {"load_at_start": load, "load_at_end": os.getloadavg()[0], "steps": argv,
                                   "rows": [dict(zip(("label", "value", "unit", "goal"), row, strict=True))
                                            for row in rows]})
        print(f"\n(raw figures: {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main(sys.argv[1:])
