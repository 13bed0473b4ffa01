"""Issue 2: the tree pages and the admin stay fast with thousands of base unions.

Builds a federation with 12 system unions and 5,000 base unions (nested-set fields computed
directly, as a rebuild would), then measures the org page, the admin changelist, the
scoping gate and an org import of 1,000 rows.
"""

import io
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from bench.run import timed
from orgs.access import scope_orgs
from orgs.exchange import import_orgs
from orgs.integrity import tree_faults
from orgs.models import Grant, Org
from unionportal.actors import SYSTEM

SYSTEMS = 12
BASE_UNIONS = 5_000


def build_tree() -> Org:
    tree_id = (Org.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
    per_system = BASE_UNIONS // SYSTEMS + 1
    root = Org(code="bz", name="基准市总工会", kind="federation", tree_id=tree_id, level=0, lft=1)
    rows, position, made = [], 2, 0
    systems = []
    for s in range(SYSTEMS):
        system = Org(code=f"bz-{s}", name=f"基准系统工会{s}", kind="system", tree_id=tree_id, level=1,
                     lft=position)
        position += 1
        children = []
        for b in range(per_system):
            if made == BASE_UNIONS:
                break
            children.append(Org(code=f"bz-{s}-{b}", name=f"基准基层工会{s}-{b}", kind="base",
                                tree_id=tree_id, level=2, lft=position, rght=position + 1))
            position += 2
            made += 1
        system.rght = position
        position += 1
        systems.append((system, children))
    root.rght = position
    Org.objects.bulk_create([root])
    root = Org.objects.get(code="bz")
    for system, _children in systems:
        system.parent = root
    Org.objects.bulk_create([system for system, _children in systems])
    by_code = {org.code: org for org in Org.objects.filter(code__in=[s.code for s, _c in systems])}
    for system, children in systems:
        for child in children:
            child.parent = by_code[system.code]
        rows.extend(children)
    Org.objects.bulk_create(rows, batch_size=1000)
    return root


def user(username, role, org):
    account = get_user_model().objects.create_user(username, password="bench-pass-1")
    Grant.objects.create(user=account, role=role, org=org)
    return account


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return len(context.captured_queries)


def main(report):
    start = time.perf_counter()
    root = build_tree()
    assert tree_faults() == [], "benchmark tree is inconsistent"
    report("build 5,012 orgs (bulk)", (time.perf_counter() - start) * 1000, "ms")
    admin = user("bench-admin", "admin", root)
    reviewer = user("bench-reviewer", "reviewer", Org.objects.get(code="bz-3"))
    client = Client()
    client.force_login(admin)

    url = f"/orgs/{root.code}/"
    client.get(url)
    report("org page /orgs/bz/ (5,000 base unions)", timed(lambda: client.get(url)), "ms", "constant queries")
    report("org page queries", queries(client, url), "queries", "same as with 10")
    url = "/admin/orgs/org/"
    client.get(url)
    report("admin org changelist (page 1 of 51)", timed(lambda: client.get(url)), "ms", "fast with thousands")
    report("admin changelist queries", queries(client, url), "queries")
    url = "/admin/orgs/org/?q=基层工会3-"
    report("admin changelist search", timed(lambda: client.get(url)), "ms")
    report("scoping gate: reviewer's visible orgs (list)",
           timed(lambda: list(scope_orgs(Org.objects.all(), reviewer).values_list("id", flat=True))), "ms",
           "one query")
    report("check_tree over 5,012 orgs", timed(tree_faults, repeat=3), "ms")

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编码", "名称", "上级编码", "类型", "会员数"])
    for index in range(1000):
        sheet.append([f"bi-{index}", f"导入基层工会{index}", f"bz-{index % SYSTEMS}", "基层工会", "35"])
    payload = io.BytesIO()
    workbook.save(payload)
    start = time.perf_counter()
    payload.seek(0)
    result = import_orgs(payload, "xlsx", actor=SYSTEM)
    assert result.ok and result.created == 1000, result.errors[:3]
    report("import_orgs: 1,000 new base unions from xlsx", (time.perf_counter() - start) * 1000, "ms")
    assert tree_faults() == []
