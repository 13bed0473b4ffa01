"""Assessment at scale: 5,000 base-union sheets of 20 graded units in one round.

Targets (issue 4): the progress board and the ranking in at most 300 ms each with a constant
number of queries; saving a graded unit in at most 100 ms; one sheet's PDF in at most 1 s.
"""

import datetime as dt
import random
import time
from decimal import Decimal

from bench.run import timed

SYSTEMS = 20
BASE_UNITS = 5000
D = Decimal


def _build_tree():
    """A federation, 20 system unions and 5,000 base unions, nested sets computed directly."""
    from orgs.models import Org

    per_system = BASE_UNITS // SYSTEMS
    tree_id = (Org.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
    root = Org(code="bench", name="基准市总工会", kind="federation", tree_id=tree_id, level=0, lft=1,
               rght=2 + 2 * (SYSTEMS + BASE_UNITS))
    Org.objects.bulk_create([root])
    root = Org.objects.get(code="bench")
    systems, bases, cursor = [], [], 2
    for s in range(SYSTEMS):
        left = cursor
        cursor += 1
        children = []
        for b in range(per_system):
            children.append(Org(code=f"bench-{s}-{b}", name=f"基准{s}系统第{b}基层工会", kind="base",
                                tree_id=tree_id, level=2, lft=cursor, rght=cursor + 1))
            cursor += 2
        systems.append(Org(code=f"bench-{s}", name=f"基准{s}系统工会", kind="system", parent=root,
                           tree_id=tree_id, level=1, lft=left, rght=cursor))
        cursor += 1
        bases.append(children)
    Org.objects.bulk_create(systems)
    by_code = {o.code: o for o in Org.objects.filter(code__in=[s.code for s in systems])}
    for system, children in zip(systems, bases, strict=True):
        for child in children:
            child.parent = by_code[system.code]
    Org.objects.bulk_create([c for children in bases for c in children], batch_size=2000)
    return root


def _template(root):
    from assessment import services
    from assessment.models import AssesseeRule
    from unionportal.actors import SYSTEM

    indicators = []
    for n, weight in enumerate((20, 25, 25, 30), start=1):
        points = [D(weight) / 5] * 5
        indicators.append(services.IndicatorSpec(
            number=str(n), name=f"指标{n}", weight=D(weight), section="职能工作目标",
            content="\n".join(f"{i}、第{i}项工作（{p}分）" for i, p in enumerate(points, 1)),
            rule_text="全面完成得满分，基本完成得70%分；资料不全扣20%的分",
            items=[services.ItemSpec(str(i), f"第{i}项工作（{p}分）", p) for i, p in enumerate(points, 1)]))
    return services.save_template(actor=SYSTEM, assessor=root, year=2026, title="2026年度基层工会工作考核细则",
                                  indicators=indicators, rule=AssesseeRule.KIND, kind="base")[0]


def _score_most_sheets(round_):
    """Data generation: 80 % of the sheets get final totals directly (not the code under test)."""
    from assessment.models import Sheet, SheetStatus

    rng = random.Random(4)
    sheets = list(Sheet.objects.filter(round=round_).only("pk"))
    statuses = [SheetStatus.FINAL] * 8 + [SheetStatus.SUBMITTED, SheetStatus.DRAFT]
    for sheet in sheets:
        sheet.status = rng.choice(statuses)
        if sheet.status == SheetStatus.FINAL:
            scores = [D(rng.randint(60, 100 * w)) / 100 for w in (20, 25, 25, 30)]
            sheet.final_total = sum(scores, D(0))
            sheet.self_total = sheet.final_total
            sheet.indicator_scores = [{"number": str(n), "name": f"指标{n}", "weight": str(w), "self": str(s),
                                       "final": str(s), "scaled": False}
                                      for n, (w, s) in enumerate(zip((20, 25, 25, 30), scores, strict=True), 1)]
    Sheet.objects.bulk_update(sheets, ["status", "final_total", "self_total", "indicator_scores"], batch_size=2000)


def main(report):
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from assessment import services
    from assessment.models import Grade, Sheet
    from assessment.pdf import render_sheet_pdf
    from orgs.models import Grant
    from unionportal.actors import SYSTEM

    started = time.perf_counter()
    root = _build_tree()
    _template(root)
    start = time.perf_counter()
    opened = services.open_round(actor=SYSTEM, assessor=root, year=2026, deadline=dt.date(2026, 1, 31))
    report("open a round: 5,000 sheets × 20 units", (time.perf_counter() - start) * 1000, "ms", "—")
    assert opened.sheets_created == BASE_UNITS
    _score_most_sheets(opened.round)
    print(f"data built in {time.perf_counter() - started:.1f} s", flush=True)

    user = get_user_model().objects.create_user("bench-scorer", password="bench-pass-2026")
    Grant.objects.create(user=user, role="scorer", org=root)
    client = Client()
    client.force_login(user)
    for label, url in (("progress board", "/assessment/rounds/bench/2026/"),
                       ("ranking and charts", "/assessment/rounds/bench/2026/ranking/")):
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)  # read now: the next request resets the log
        report(f"{label} page, 5,000 sheets", timed(lambda url=url: client.get(url)), "ms", "≤ 300 ms")
        report(f"{label} page, queries", queries, "queries", "constant")

    staff = get_user_model().objects.create_user("bench-staff", password="bench-pass-2026")
    draft = Sheet.objects.filter(round=opened.round, status="draft").select_related("org").first()
    Grant.objects.create(user=staff, role="staff", org=draft.org)
    seqs = list(draft.units.values_list("seq", flat=True))
    grades = iter(Grade.values * 100)

    def save_one_unit():
        seq = random.choice(seqs)
        services.save_self_assessment(actor=staff, sheet=draft,
                                      entries={seq: services.Entry(grade=next(grades), docs=True, note="说明")})

    report("save one graded unit (service, audited)", timed(save_one_unit, repeat=20), "ms", "≤ 100 ms")

    staff_client = Client()
    staff_client.force_login(staff)
    url = f"/assessment/2026/{draft.org.code}/"
    report("sheet page for the staff", timed(lambda: staff_client.get(url)), "ms", "—")

    sheet = Sheet.objects.filter(round=opened.round, status="final").select_related("org", "template").first()
    render_sheet_pdf(sheet)  # warm fonts and stylesheet once per process

    def fresh_pdf():
        caches["pdf"].clear()
        render_sheet_pdf(sheet)

    report("one sheet PDF (20 units, uncached)", timed(fresh_pdf, repeat=3), "ms", "≤ 1000 ms")
    report("one sheet PDF (cached)", timed(lambda: render_sheet_pdf(sheet)), "ms", "—")
