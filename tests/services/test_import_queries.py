"""The model-worker and duty imports look their work units up in bulk: the number of queries
does not grow with the number of orgs a file names (issue 13: 10,000 rows over 5,000 orgs)."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duties.exchange import import_duties
from orgs.exchange import resolve_references
from orgs.models import Org
from services.exchange import import_model_workers
from services.models import ModelWorker
from tests.factories import OrgFactory
from unionportal.actors import SYSTEM

HEADER = "姓名,身份证号后四位,工作单位编码,级别,获评次数,首次获评年度,是否退休,是否健在\n"


@pytest.fixture
def units(db):
    root = OrgFactory(code="q", name="查询市总工会", kind="federation")
    return [OrgFactory(code=f"q-{n}", name=f"查询{n}厂工会", parent=root) for n in range(8)]


def _workers_file(units) -> io.BytesIO:
    lines = [f"劳模{n},{n:04d},{unit.code},市级,1,2001,否,是\n" for n, unit in enumerate(units)]
    return io.BytesIO((HEADER + "".join(lines)).encode())


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries.captured_queries)


def test_model_workers_of_more_orgs_cost_no_more_queries(units):
    import_model_workers(_workers_file(units[:1]), "csv", actor=SYSTEM, dry_run=True)  # caches warmed
    few = _queries(lambda: import_model_workers(_workers_file(units[:2]), "csv", actor=SYSTEM, dry_run=True))
    many = _queries(lambda: import_model_workers(_workers_file(units), "csv", actor=SYSTEM, dry_run=True))
    assert few == many
    report = import_model_workers(_workers_file(units), "csv", actor=SYSTEM)
    assert report.ok and report.created == 8 and ModelWorker.objects.count() == 8


def test_duty_rows_of_more_orgs_are_checked_with_no_more_queries(units):
    def check(count):
        text = "单位编码,序号,名称\n" + "".join(f"{unit.code},1,事项\n" for unit in units[:count])
        # An error in every file (a row without 名称) stops it after the checks: no writes.
        text += f"{units[0].code},2,\n"
        result = import_duties(io.BytesIO(text.encode()), "csv", actor=SYSTEM, dry_run=True)
        assert not result.report.ok

    assert _queries(lambda: check(2)) == _queries(lambda: check(8))


def test_references_resolve_as_one_by_one_would(units):
    Org.objects.filter(pk=units[1].pk).update(short_name="简称一")
    references = ["q-0", " q-2 ", "查询3厂工会", "简称一", "没有这个", "", "q-0"]
    resolved = resolve_references(Org.objects.all(), references)
    for reference in {r.strip() for r in references} - {""}:
        assert resolved[reference] == list(Org.objects.resolve(reference)[:2]), reference
    assert "" not in resolved
