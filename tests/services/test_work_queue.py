"""The work queue: overdue cases first, and its counts on the queue and the home page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from orgs.models import Org
from services.models import Case
from tests.kit import client_for
from tests.services.conftest import card_case
from unionportal.page_cache import mark_written

pytestmark = pytest.mark.django_db


def test_work_queue_lists_overdue_cases_first_and_counts_them(flow):
    _tree, _types, _staff_a1, _staff_a, reviewer, _handler = flow
    now = timezone.now()
    fresh = card_case(flow, title="刚到的申请")
    later = card_case(flow, title="下周到期的申请")
    overdue = card_case(flow, title="已逾期的申请")
    very_overdue = card_case(flow, title="逾期更久的申请")
    Case.objects.filter(pk=fresh.pk).update(due_at=now + dt.timedelta(days=2))
    Case.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(days=7))
    Case.objects.filter(pk=overdue.pk).update(due_at=now - dt.timedelta(days=1))
    Case.objects.filter(pk=very_overdue.pk).update(due_at=now - dt.timedelta(days=5))
    client = client_for(reviewer)

    response = client.get("/services/")
    assert response.context["counts"] == {"waiting": 4, "overdue": 2}
    body = response.content.decode()
    links = re.findall(r'href="/services/cases/(\d+)/"', body[body.index('id="queue"'):])
    assert links == [str(case.pk) for case in (very_overdue, overdue, fresh, later)]
    assert body.index("逾期更久的申请") < body.index("已逾期的申请") < body.index("刚到的申请") < body.index("下周到期的申请")
    assert body.count('class="overdue"') == 2

    home = client.get("/").content.decode()
    counts = home[home.index('class="counts"'):]
    counts = counts[:counts.index("</ul>")]
    assert "<strong>4</strong>" in counts and "<strong>2</strong>" in counts


def test_a_case_row_is_rendered_once_and_shows_every_later_change(flow, rendered_fragments):
    _tree, _types, _staff_a1, _staff_a, reviewer, _handler = flow
    case = card_case(flow, title="第一次的标题")
    client = client_for(reviewer)
    assert "第一次的标题" in client.get("/services/").content.decode()
    assert rendered_fragments.count("services/_case_row.html") == 1
    assert "第一次的标题" in client.get("/services/").content.decode()
    assert rendered_fragments.count("services/_case_row.html") == 1  # from the store

    Case.objects.filter(pk=case.pk).update(title="改过的标题")
    mark_written(["orgs", "services"])  # raw updates: what an audited write marks
    body = client.get("/services/").content.decode()
    assert "改过的标题" in body and "第一次的标题" not in body
    Org.objects.filter(pk=case.applicant_id).update(name="改名的基层工会")
    mark_written(["orgs", "services"])  # raw updates: what an audited write marks
    assert "改名的基层工会" in client.get("/services/").content.decode()

    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    mark_written(["orgs", "services"])  # raw updates: what an audited write marks
    assert client.get("/services/").content.decode().count('class="overdue"') == 1
    client.cookies["django_language"] = "en"
    english = client.get("/services/").content.decode()
    assert "overdue" in english and "逾期" not in english[english.index("<tbody>"):]
