"""会员评家 through its services and pages: counts and ratings (limited to the six / five
contents of seed 004), the thresholds at their boundaries, the superior's approval (never the
union itself), publication to members and rectifications, each audited with before/after."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment import services
from assessment.member_evaluation import CONTENTS_FILE, evaluation_contents
from assessment.models import EvaluationRating, MemberEvaluation, Rectification
from assessment.seeding import evaluation_contents_from_source, write_evaluation_contents
from assessment.services import RatingSpec
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

PAGE = "/assessment/unions/kit-a-1/evaluations/2026/"


def _record(org, actor=SYSTEM, members=100, participants=30, frontline=18, ratings=None, year=2026):
    evaluation, _created = services.save_member_evaluation(
        actor=actor, org=org, year=year, members=members, participants=participants,
        frontline_participants=frontline, ratings=ratings)
    return evaluation


def _audits(action):
    return list(AuditEntry.objects.filter(action=f"assessment.member_evaluation.{action}").order_by("id"))


def test_the_contents_of_seed_004_six_for_the_committee_five_for_the_leaders():
    contents = evaluation_contents()
    assert len(contents.committee) == 6 and len(contents.leaders) == 5
    assert contents.committee[0] == "健全组织体系"


def test_the_contents_are_data_written_from_seed_004_by_seeding(tmp_path):
    """Run time reads the data file; the seed step writes it from the source and is a no-op
    when it is current (so the committed file is what seed 004 says)."""
    assert evaluation_contents_from_source() == {"committee": list(evaluation_contents().committee),
                                                 "leaders": list(evaluation_contents().leaders)}
    assert write_evaluation_contents() == []  # current
    target = tmp_path / "contents.json"
    assert write_evaluation_contents(target) != []
    assert target.read_text(encoding="utf-8") == CONTENTS_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(("members", "participants", "frontline", "valid"), [
    (100, 30, 18, True),  # exactly 30 % and exactly 60 %
    (100, 29, 29, False),  # just under 30 % of members
    (1000, 300, 180, True),
    (1000, 299, 299, False),
    (100, 30, 17, False),  # just under 60 % frontline (56.7 %)
    (200, 60, 36, True),  # 30 % and 60 % again
    (200, 60, 35, False),  # 58.3 % frontline
])
def test_validity_at_the_thresholds(tree, members, participants, frontline, valid):
    evaluation = _record(tree.a1, members=members, participants=participants, frontline=frontline)
    assert evaluation.is_valid is valid
    assert MemberEvaluation.objects.get(pk=evaluation.pk).is_valid is valid


def test_recording_and_correcting_audits_before_and_after_with_the_ratings(tree, users):
    staff = users["staff"]
    evaluation = _record(tree.a1, actor=staff, ratings=[
        RatingSpec("committee", 1, 20, 8, 2), RatingSpec("chair", 5, 25, 5, 0, person="王主席"),
        RatingSpec("vice_chair", 2, 10, 10, 10, person="李副主席")])
    rows = list(evaluation.ratings.order_by("subject", "content_number"))
    assert [(r.subject, r.person, r.content_number) for r in rows] == [
        ("chair", "王主席", 5), ("committee", "", 1), ("vice_chair", "李副主席", 2)]
    assert rows[1].content == evaluation_contents().committee[0]
    assert rows[0].content == evaluation_contents().leaders[4]
    [created] = _audits("create")
    assert created.before is None and created.actor == staff and len(created.after["ratings"]) == 3
    # correct the counts and drop the vice-chair's rating: the deleted rating is in "before"
    _record(tree.a1, actor=staff, participants=40, frontline=30, ratings=[
        RatingSpec("committee", 1, 20, 8, 2), RatingSpec("chair", 5, 25, 5, 0, person="王主席")])
    [updated] = _audits("update")
    assert updated.before["participants"] == 30 and updated.after["participants"] == 40
    assert {"subject": "vice_chair", "person": "李副主席", "content_number": 2, "satisfied": 10,
            "basically_satisfied": 10, "dissatisfied": 10} in updated.before["ratings"]
    assert len(updated.after["ratings"]) == 2
    assert EvaluationRating.objects.filter(evaluation=evaluation).count() == 2
    _record(tree.a1, actor=staff, participants=40, frontline=30)  # ratings=None keeps them; nothing changed
    assert len(_audits("update")) == 1 and EvaluationRating.objects.count() == 2


@pytest.mark.parametrize("spec", [
    RatingSpec("committee", 7, 1, 0, 0),  # the committee is rated on six contents
    RatingSpec("committee", 0, 1, 0, 0),
    RatingSpec("chair", 6, 1, 0, 0, person="王主席"),  # leaders on five
    RatingSpec("vice_chair", 1, 1, 0, 0),  # a vice-chair needs a name
    RatingSpec("secretary", 1, 1, 0, 0),
    RatingSpec("committee", 1, 20, 10, 1),  # 31 votes, 30 participants
    RatingSpec("committee", 1, -1, 0, 0),
])
def test_ratings_are_limited_to_the_contents_of_the_document(tree, spec):
    with pytest.raises(ValidationError):
        _record(tree.a1, ratings=[spec])
    assert not MemberEvaluation.objects.exists()


def test_a_content_rated_twice_and_impossible_counts_are_refused(tree):
    with pytest.raises(ValidationError):
        _record(tree.a1, ratings=[RatingSpec("committee", 1, 1), RatingSpec("committee", 1, 2)])
    with pytest.raises(ValidationError):
        _record(tree.a1, members=10, participants=11, frontline=5)
    with pytest.raises(ValidationError):
        _record(tree.a1, participants=30, frontline=31)


@pytest.mark.parametrize("role", ["reviewer", "scorer", "clerk"])
def test_only_the_unions_staff_and_admins_record(tree, users, role):
    with pytest.raises(PermissionDenied):
        _record(tree.a1, actor=users[role])


def test_the_superior_records_its_approval_and_the_union_itself_may_not(tree, users):
    evaluation = _record(tree.a1, participants=20, frontline=12)  # 20 %: too few
    assert not evaluation.is_valid
    own_admin = UserFactory(username="a1-admin")
    GrantFactory(user=own_admin, role="admin", org=tree.a1)
    for actor in (users["staff"], own_admin, users["clerk"], users["scorer"]):
        with pytest.raises(PermissionDenied):
            services.record_superior_approval(actor=actor, evaluation=evaluation, note="自行批准")
    evaluation.refresh_from_db()
    assert not evaluation.superior_approval and not _audits("approve")
    with pytest.raises(ValidationError):  # the approval says how it was given
        services.record_superior_approval(actor=users["reviewer"], evaluation=evaluation, note=" ")
    services.record_superior_approval(actor=users["reviewer"], evaluation=evaluation, note="甲系统工会 2026-01-10 批复")
    evaluation.refresh_from_db()
    assert evaluation.is_valid and evaluation.approved_by == users["reviewer"] and evaluation.approved_at
    [entry] = _audits("approve")
    assert entry.before["superior_approval"] is False and entry.after["superior_approval"] is True
    services.record_superior_approval(actor=users["admin"], evaluation=evaluation, approved=False)
    evaluation.refresh_from_db()
    assert not evaluation.superior_approval and not evaluation.is_valid and evaluation.approved_by is None
    # a system union's own admin may not approve for it either: its superior is the root
    system = _record(tree.a, actor=users["admin"], participants=10, frontline=6)
    with pytest.raises(PermissionDenied):
        services.record_superior_approval(actor=users["admin"], evaluation=system, note="自行批准")


def test_publication_and_rectifications_are_recorded_with_their_outcome(tree, users):
    staff = users["staff"]
    evaluation = _record(tree.a1, actor=staff)
    with pytest.raises(ValidationError):
        services.publish_evaluation_results(actor=staff, evaluation=evaluation, published_on=dt.date(2026, 2, 1),
                                            channel=" ")
    with pytest.raises(PermissionDenied):
        services.publish_evaluation_results(actor=users["reviewer"], evaluation=evaluation,
                                            published_on=dt.date(2026, 2, 1), channel="公示栏")
    services.publish_evaluation_results(actor=staff, evaluation=evaluation, published_on=dt.date(2026, 2, 1),
                                        channel="厂务公开栏")
    evaluation.refresh_from_db()
    assert (evaluation.published_on, evaluation.publication_note) == (dt.date(2026, 2, 1), "厂务公开栏")
    [published] = _audits("publish")
    assert published.before["published_on"] is None and published.after["published_on"] == "2026-02-01"
    item = services.record_rectification(actor=staff, evaluation=evaluation, issue="文体活动偏少",
                                         measure="每季度组织一次")
    with pytest.raises(ValidationError):  # completed needs its outcome
        services.record_rectification(actor=staff, evaluation=evaluation, issue="文体活动偏少", completed=True,
                                      rectification=item)
    services.record_rectification(actor=staff, evaluation=evaluation, issue="文体活动偏少", measure="每季度组织一次",
                                  outcome="已组织运动会", completed=True, reported_on=dt.date(2026, 6, 30),
                                  rectification=item)
    item.refresh_from_db()
    assert item.completed and item.outcome == "已组织运动会"
    first, second = _audits("rectification")
    assert first.before["rectifications"] == [] and second.before["rectifications"][0]["outcome"] == ""
    assert second.after["rectifications"][0]["outcome"] == "已组织运动会"
    other = _record(tree.a2, actor=users["admin"])
    with pytest.raises(ValidationError):
        services.record_rectification(actor=users["admin"], evaluation=other, issue="x", rectification=item)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_union_records_its_evaluation_in_the_browser(tree, users):
    client = client_for(users["staff"])
    assert client.get("/assessment/unions/kit-a-1/evaluations/?year=2026")["Location"] == PAGE
    page = client.get(PAGE)
    assert page.status_code == 200 and evaluation_contents().committee[5] in page.content.decode()
    assert 'name="r-committee-7-s"' not in page.content.decode()  # six contents, no seventh
    assert 'name="r-chair-6-s"' not in page.content.decode() and 'name="r-chair-5-s"' in page.content.decode()
    data = {"basis": "members", "members": "100", "participants": "30", "frontline_participants": "18",
            "held_on": "2026-01-15", "r-committee-1-s": "20", "r-committee-1-b": "8", "r-committee-1-d": "2",
            "person-chair": "王主席", "r-chair-2-s": "30", "person-vice1": "李副主席", "r-vice1-5-d": "3"}
    response = client.post(PAGE, data)
    assert response.status_code == 302 and response["Location"] == PAGE
    evaluation = MemberEvaluation.objects.get(org=tree.a1, year=2026)
    assert evaluation.is_valid and evaluation.held_on == dt.date(2026, 1, 15)
    assert sorted(evaluation.ratings.values_list("subject", "person", "content_number", "satisfied",
                                                  "basically_satisfied", "dissatisfied")) == [
        ("chair", "王主席", 2, 30, 0, 0), ("committee", "", 1, 20, 8, 2), ("vice_chair", "李副主席", 5, 0, 0, 3)]
    # the form shows what is stored; sending it back unchanged changes nothing
    page = client.get(PAGE).content.decode()
    assert 'value="王主席"' in page and 'name="r-committee-1-s" value="20"' in page
    bad = client.post(PAGE, {**data, "person-vice1": "", "participants": "30"})
    assert bad.status_code == 400 and not _audits("update")
    response = client.post(PAGE + "publish/", {"published_on": "2026-01-25", "channel": "厂务公开栏"})
    assert response.status_code == 302
    response = client.post(PAGE + "rectifications/", {"prefix": "new", "new-issue": "帮扶信息公开不及时",
                                                      "new-measure": "每月公示"})
    assert response.status_code == 302
    item = Rectification.objects.get()
    response = client.post(PAGE + "rectifications/", {
        "prefix": f"rect{item.pk}", f"rect{item.pk}-id": item.pk, f"rect{item.pk}-issue": item.issue,
        f"rect{item.pk}-measure": item.measure, f"rect{item.pk}-outcome": "已按月公示",
        f"rect{item.pk}-completed": "on", f"rect{item.pk}-reported_on": "2026-06-30"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.completed and item.outcome == "已按月公示"
    union = client.get("/assessment/unions/kit-a-1/").content.decode()
    assert "厂务公开栏" in union and "已按月公示" in union and "有效" in union
    # the union may not record the superior's approval: 403; the page offers no such form
    assert client.post(PAGE + "approve/", {"approved": "on", "note": "自行批准"}).status_code == 403
    assert reverse("assessment:evaluation_approve", args=["kit-a-1", 2026]) not in client.get(PAGE).content.decode()


def test_the_superiors_reviewer_approves_in_the_browser(tree, users):
    _record(tree.a1, participants=20, frontline=12)
    own_admin = UserFactory(username="a1-admin")
    GrantFactory(user=own_admin, role="admin", org=tree.a1)
    assert client_for(own_admin).post(PAGE + "approve/", {"approved": "on", "note": "自行批准"}).status_code == 403
    client = client_for(users["reviewer"])
    page = client.get(PAGE)
    assert page.status_code == 200 and 'name="members"' not in page.content.decode()  # no edit form
    assert client.post(PAGE, {"members": "1"}).status_code == 403
    assert client.post(PAGE + "approve/", {"approved": "on", "note": " "}).status_code == 400
    response = client.post(PAGE + "approve/", {"approved": "on", "note": "甲系统工会 2026-01-10 批复"})
    assert response.status_code == 302
    evaluation = MemberEvaluation.objects.get()
    assert evaluation.superior_approval and evaluation.is_valid and evaluation.approved_by == users["reviewer"]
    assert client_for(users["clerk"]).get(PAGE).status_code == 403
    stranger = UserFactory(username="b-reviewer")
    GrantFactory(user=stranger, role="reviewer", org=tree.b)
    assert client_for(stranger).get(PAGE).status_code == 404
    assert client_for(stranger).post(PAGE + "approve/", {"approved": "on", "note": "x"}).status_code == 404


def test_the_admin_shows_evaluations_but_changes_them_only_through_the_services(tree, users):
    evaluation = _record(tree.a1)
    client = client_for(users["admin"])
    url = reverse("admin:assessment_memberevaluation_change", args=[evaluation.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"superior_approval": "on", "members": "100", "participants": "30",
                      "frontline_participants": "18", "year": "2026", "org": tree.a1.pk, "basis": "members"})
    evaluation.refresh_from_db()
    assert not evaluation.superior_approval
    assert client.get(reverse("admin:assessment_memberevaluation_add")).status_code == 403
