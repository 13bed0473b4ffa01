"""The exchange-file helpers every import shares."""

import pytest

from orgs.models import Org
from unionportal.tabular import Report, import_transaction, parse_yes_no


@pytest.mark.parametrize(("text", "value"), [
    ("是", True), (" YES ", True), ("√", True), ("否", False), ("no", False), ("0", False),
    ("", None), ("也许", None),
])
def test_yes_no_cells(text, value):
    assert parse_yes_no(text) is value


@pytest.mark.django_db
@pytest.mark.parametrize(("dry_run", "fail", "kept"), [(False, False, True), (True, False, False), (False, True, False)])
def test_an_import_transaction_keeps_its_writes_only_when_real_and_clean(dry_run, fail, kept):
    report = Report()
    with import_transaction(report, dry_run=dry_run):
        Org.objects.create(code="tx", name="事务", kind="federation")
        if fail:
            report.error(None, None, "broken")
    assert Org.objects.filter(code="tx").exists() is kept
