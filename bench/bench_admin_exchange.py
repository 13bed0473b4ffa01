"""Issue 11, finding 8: the admin's django-import-export import against a raw bulk_create.

10,000 new base unions under one parent: (1) ``Org.objects.bulk_create`` (the floor: no
checks, no audit, mptt fields by hand), (2) the admin's resource (``OrgResource.import_data``,
what the confirm step runs: the exchange module's checks, bulk writer, audit and tree lock).
The web's row limit (5,000 by default) is raised for the measurement (``IMPORT_LIMITS``).
"""

import io
import time

ROWS = 10_000


def main(report):
    from django.db import transaction
    from django.test import override_settings

    from orgs.admin import OrgResource
    from orgs.models import Org, OrgKind
    from unionportal.actors import SYSTEM
    from unionportal.admin_import import ExchangeFile
    from unionportal.tabular import write_table

    root = Org.objects.create(code="bench-ie", name="导入基准总工会", kind=OrgKind.FEDERATION)

    def rows(prefix):
        return [[f"{prefix}-{i}", f"基准基层工会{prefix}{i}", root.code, "基层工会"] for i in range(ROWS)]

    # (1) raw bulk_create: the mptt columns written by hand, one INSERT batch.
    started = time.perf_counter()
    with transaction.atomic():
        Org.objects.bulk_create(
            Org(code=code, name=name, kind=OrgKind.BASE, parent=root, tree_id=root.tree_id,
                lft=0, rght=0, level=1)
            for code, name, _parent, _kind in rows("raw")
        )
        transaction.set_rollback(True)
    raw = time.perf_counter() - started
    report(f"raw bulk_create, {ROWS:,} orgs", raw, "s")

    target = io.BytesIO()
    write_table(target, "csv", ["编码", "名称", "上级编码", "类型"], rows("ie"))
    started = time.perf_counter()
    with override_settings(IMPORT_LIMITS={"web": {"max_rows": 2 * ROWS}}), transaction.atomic():
        result = OrgResource().import_data(ExchangeFile(target.getvalue(), "csv"), dry_run=False, user=SYSTEM)
        transaction.set_rollback(True)
    admin = time.perf_counter() - started
    assert result.report.ok and result.report.created == ROWS, result.report.errors[:3]
    report(f"admin import (django-import-export resource → orgs.exchange), {ROWS:,} orgs", admin, "s")
    report("admin import / raw bulk_create", admin / raw, "×")
