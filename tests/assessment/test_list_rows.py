"""The lists of sheets (templates/assessment/_sheet_rows.html) take their rows from
unionportal.fragment_store: a row rendered once is reused, yet every later write and "overdue"
as of today show on the next request."""

import datetime as dt

import pytest
from django.utils import timezone

from assessment import services
from assessment.models import Sheet, SheetStatus
from orgs.models import Org
from tests.assessment.conftest import make_template
from tests.kit import client_for, user_with_role
from unionportal.actors import SYSTEM
from unionportal.page_cache import mark_written

pytestmark = pytest.mark.django_db


def written():
    """These writes bypass the services (raw updates): mark what an audited write marks, so
    the lists kept per scope (page_cache.until_written) are read again."""
    mark_written(["orgs", "assessment"])


def test_a_sheet_row_follows_its_sheet_its_org_and_the_deadline(tree, rendered_fragments):
    make_template(tree.a)
    round_ = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026).round
    Sheet.objects.filter(round=round_, org=tree.a1).update(status=SheetStatus.SUBMITTED)
    client = client_for(user_with_role(tree, "reviewer"))
    page = client.get("/assessment/").content.decode()
    assert tree.a1.name in page
    rows = rendered_fragments.count("assessment/_sheet_row.html")
    assert rows >= 2  # a1 waiting for review, a2 among the other sheets
    client.get("/assessment/")
    assert rendered_fragments.count("assessment/_sheet_row.html") == rows  # every row from the store

    Org.objects.filter(pk=tree.a1.pk).update(name="甲一改名")
    written()
    assert "甲一改名" in client.get("/assessment/").content.decode()
    Sheet.objects.filter(round=round_, org=tree.a1).update(status=SheetStatus.REVIEWED)
    written()
    page = client.get("/assessment/").content.decode()
    assert "status-reviewed" in page and "status-submitted" not in page

    staff = client_for(user_with_role(tree, "staff"))  # fills a1: its deadline and "overdue"
    round_.deadline = timezone.localdate() + dt.timedelta(days=3)
    round_.save()
    Sheet.objects.filter(round=round_, org=tree.a1).update(status=SheetStatus.DRAFT)
    written()
    page = staff.get("/assessment/").content.decode()
    assert round_.deadline.isoformat() in page and "badge overdue" not in page
    round_.deadline = timezone.localdate() - dt.timedelta(days=1)
    round_.save()
    written()
    assert "badge overdue" in staff.get("/assessment/").content.decode()
