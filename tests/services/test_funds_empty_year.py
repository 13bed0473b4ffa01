"""A year without fund records says so once and links to the years that have records; it
shows no collection figures (issue 10, defect 9: "暂无经费记录" beside "已收缴 100%")."""

import re

from django.contrib.auth import get_user_model

from services import funds
from tests.factories import OrgFactory
from unionportal.actors import SYSTEM


def test_an_empty_year_says_so_once_and_links_to_the_years_with_records(db, client):
    fed = OrgFactory(code="fz", name="某市总工会", kind="federation")
    union = OrgFactory(code="fz-a", name="甲工会", parent=fed)
    funds.record_funds(actor=SYSTEM, org=union, year=2024, payroll=1_000_000, received=8_000)
    funds.record_funds(actor=SYSTEM, org=union, year=2025, payroll=1_000_000, received=8_000)
    client.force_login(get_user_model().objects.create_superuser("root", password="x-pw-12345"))

    page = client.get("/services/org/fz/funds/2026/").content.decode()

    text = re.sub(r"<[^>]+>", " ", page)
    assert text.count("暂无") + text.count("No funds") == 1
    assert "已收缴" not in text and "100%" not in text and "progressbar" not in page
    assert 'href="/services/org/fz/funds/2025/"' in page and 'href="/services/org/fz/funds/2024/"' in page


def test_a_year_with_records_shows_its_collection(db, client):
    fed = OrgFactory(code="fz", name="某市总工会", kind="federation")
    union = OrgFactory(code="fz-a", name="甲工会", parent=fed)
    funds.record_funds(actor=SYSTEM, org=union, year=2025, payroll=1_000_000, received=8_000)
    client.force_login(get_user_model().objects.create_superuser("root", password="x-pw-12345"))
    page = client.get("/services/org/fz/funds/2025/").content.decode()
    assert "progressbar" in page and "暂无" not in page
