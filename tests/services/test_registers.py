"""The registers on the landing page (services.registers.registers_of): per top org of the
user, the model workers, fund records (with the latest year) and mutual-aid rounds below it
that the user may see, in one query, and nothing outside the user's scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.selectors import top_orgs
from services.models import FundRecord, ModelWorker, MutualAidRound
from services.registers import registers_of
from tests.factories import GrantFactory, UserFactory


def worker(org, name):
    return ModelWorker.objects.create(name=name, org=org, level="city", honours=1, first_year=2016)


@pytest.fixture
def registers(world):
    worker(world.base, "甲")
    worker(world.street_base, "乙")
    worker(world.direct, "丙")
    FundRecord.objects.create(org=world.system, year=2024, payroll=1000)
    FundRecord.objects.create(org=world.base, year=2025, payroll=1000)
    MutualAidRound.objects.create(org=world.street, year=2025, name="一日捐")
    return world


def figures(user):
    return [(e.org.code, e.model_workers, e.fund_records, e.latest_fund_year, e.mutual_aid_rounds)
            for e in registers_of(user)]


def test_the_federation_counts_its_whole_subtree(registers):
    assert figures(registers.admin) == [("fed", 3, 2, 2025, 1)]


def test_a_system_reviewer_counts_only_below_the_system_union(registers):
    assert figures(registers.reviewer) == [("fed-sys", 1, 2, 2025, 0)]


def test_staff_count_only_their_own_union(registers):
    assert figures(registers.staff) == [("fed-sys-a", 1, 1, 2025, 0)]


def test_staff_of_a_system_union_do_not_count_the_unions_below_it(registers):
    # Their top org's subtree holds the base union's worker and fund record; they see neither.
    assert figures(registers.system_staff) == [("fed-sys", 0, 1, 2024, 0)]


def test_a_union_without_registers_is_left_out(registers):
    ModelWorker.objects.filter(org=registers.street_base).delete()
    assert figures(registers.street_staff) == []


def test_two_top_orgs_are_counted_apart(registers):
    user = UserFactory(username="two-tops")
    GrantFactory(user=user, role="reviewer", org=registers.system)
    GrantFactory(user=user, role="reviewer", org=registers.street)
    assert figures(user) == [("fed-sys", 1, 2, 2025, 0), ("fed-st", 1, 0, None, 1)]


def test_a_superuser_counts_every_tree(registers):
    assert figures(UserFactory(username="root", is_superuser=True)) == [("fed", 3, 2, 2025, 1)]


def test_a_write_shows_at_once(registers):
    worker(registers.base, "丁")
    FundRecord.objects.create(org=registers.base, year=2026, payroll=1000)
    assert figures(registers.reviewer) == [("fed-sys", 2, 3, 2026, 0)]


def test_one_query_when_the_top_orgs_are_known(registers):
    tops = top_orgs(registers.admin)
    with CaptureQueriesContext(connection) as queries:
        registers_of(registers.admin, tops)
    assert len(queries) == 1
