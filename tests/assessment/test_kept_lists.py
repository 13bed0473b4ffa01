"""What the landing page and the queues keep per scope (page_cache.until_written through
UserScope.until_written): shared by users with the same grants, never by others, and read again
after a write, so that a user's own write shows on their next page."""

import pytest
from django.test import RequestFactory

from assessment import services
from assessment.templatetags.assessment import assessment_work
from orgs.selectors import user_scope
from tests.assessment.conftest import grade_all
from tests.kit import client_for, user_with_role

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _work(user):
    return assessment_work({"request": _request(user)})["work"]


def test_the_landing_page_counts_are_shared_by_the_same_grants_only(world, django_assert_num_queries):
    tree = world["tree"]
    clerk, colleague = user_with_role(tree, "clerk"), user_with_role(tree, "clerk", username="kit-clerk-2")
    staff = user_with_role(tree, "staff")  # granted on a1 only
    assert _work(clerk)["readable"] == 2
    with django_assert_num_queries(1):  # the colleague's grants only: the counts are shared
        assert _work(colleague)["readable"] == 2
    assert _work(staff)["readable"] == 1  # other grants: counted for them, not shared
    assert user_scope(_request(clerk)).signature() == user_scope(_request(colleague)).signature()
    assert user_scope(_request(clerk)).signature() != user_scope(_request(staff)).signature()


def test_a_write_shows_on_the_next_page(world, users):
    reviewer = client_for(users["reviewer"])
    assert "status-submitted" not in reviewer.get("/assessment/").content.decode()
    sheet = world["a1"]
    grade_all(sheet, actor=users["staff"])
    sheet.refresh_from_db()
    entries = {u.seq: services.Entry(grade="full", docs=True, note="说明") for u in sheet.units.all()}
    services.submit_self_assessment(actor=users["staff"], sheet=sheet, entries=entries,
                                    expected_version=sheet.version)
    assert "status-submitted" in reviewer.get("/assessment/").content.decode()  # kept list read again
    staff = client_for(users["staff"])
    assert staff.get("/").status_code == 200


def test_the_kept_assessment_page_is_per_language_and_holds_nothing_of_the_reader(world, users):
    reviewer = client_for(users["reviewer"])
    chinese = reviewer.get("/assessment/").content.decode()
    assert "年度考核" in chinese
    reviewer.cookies["django_language"] = "en"
    english = reviewer.get("/assessment/").content.decode()
    assert "Annual assessment" in english and "年度考核" not in english[english.index("<main"):]
    colleague = client_for(user_with_role(world["tree"], "reviewer", username="kit-reviewer-2"))
    shared = colleague.get("/assessment/").content.decode()  # the same grants: the kept body
    body = shared[shared.index("<h1>"):shared.index("</main>")]
    assert body == chinese[chinese.index("<h1>"):chinese.index("</main>")]
    assert "kit-reviewer-2" in shared and "kit-reviewer-2" not in body  # the header is theirs
