"""Regressions of the assessment code review: round pages scoped sheet by sheet, 403 rather
than "already taken" for roles without the right, the review step in one transaction, sheet
ids on the board validated, constant queries on the index, open-round page and round PDF,
and the admin's assessor filter, round deletion and bulk deletes."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import AssesseeRule, MemberEvaluation, SheetEvent, SheetStatus, Template
from tests.assessment.conftest import grade_all, make_template
from tests.factories import GrantFactory, OrgFactory, UserFactory
from tests.kit import assert_hidden, client_for
from unionportal.models import AuditEntry

ROUND = "/assessment/rounds/kit-a/2026"


def _final(sheet, grade="full"):
    grade_all(sheet, grade=grade)
    services.submit_sheet(actor=None, sheet=sheet)
    services.pass_review(actor=None, sheet=sheet)
    services.finalise_sheet(actor=None, sheet=sheet)
    sheet.refresh_from_db()
    return sheet


def _submitted(sheet, actor=None):
    grade_all(sheet, actor=actor)
    services.submit_sheet(actor=actor, sheet=sheet)
    sheet.refresh_from_db()
    return sheet


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _already_taken(response):
    return response.status_code == 302 and [m.level_tag for m in get_messages(response.wsgi_request)] == ["info"]


# --- 2: the round's pages show only the sheets the user may see ----------------------------


def test_staff_of_the_assessor_do_not_see_the_assessees_results(world):
    _final(world["a1"])
    _final(world["a2"], grade="basic")
    staff_a = UserFactory(username="staff-of-a")
    GrantFactory(user=staff_a, role="staff", org=world["tree"].a)
    client = client_for(staff_a)
    for url in (f"{ROUND}/", f"{ROUND}/ranking/", f"{ROUND}/results.csv", f"{ROUND}/results.xlsx",
                f"{ROUND}.pdf"):
        assert_hidden(client, url)
    assert client.post(f"{ROUND}/", {}).status_code == 404
    index = client.get("/assessment/").content.decode()
    assert "甲二基层工会" not in index and f"{ROUND}/" not in index
    template = client.get(f"/assessment/templates/{world['a1'].template_id}/")
    assert template.status_code == 200  # the assessor's own template, without other orgs' names
    assert "甲一基层工会" not in template.content.decode() and "甲二基层工会" not in template.content.decode()
    union = client.get("/assessment/unions/kit-a/").content.decode()
    assert f"{ROUND}/" not in union


def test_a_user_seeing_part_of_a_round_sees_only_those_sheets(world):
    tree = world["tree"]
    _final(world["a1"])
    _final(world["a2"], grade="basic")
    user = UserFactory(username="partial")
    GrantFactory(user=user, role="staff", org=tree.a)  # sees the assessor…
    GrantFactory(user=user, role="clerk", org=tree.a1)  # …and a1 only
    client = client_for(user)
    ranking = client.get(f"{ROUND}/ranking/")
    assert ranking.status_code == 200
    assert "甲一基层工会" in ranking.content.decode() and "甲二基层工会" not in ranking.content.decode()
    assert [row.code for row in ranking.context["ranking"].rows] == ["kit-a-1"]
    results = client.get(f"{ROUND}/results.csv").content.decode("utf-8-sig")
    assert "甲一基层工会" in results and "甲二基层工会" not in results
    board = client.get(f"{ROUND}/").context["board"]
    assert board.totals.total == 1
    template = client.get(f"/assessment/templates/{world['a1'].template_id}/").content.decode()
    assert "甲一基层工会" in template and "甲二基层工会" not in template


# --- 5: 403, not "already taken", for roles without the right ------------------------------


def test_already_taken_only_for_users_whose_role_may_take_the_step(world, users):
    sheet = _submitted(world["a1"])
    services.pass_review(actor=users["reviewer"], sheet=sheet)
    url = "/assessment/2026/kit-a-1/review/"
    # the reviewer's double click on "pass on": already taken
    assert _already_taken(client_for(users["reviewer"]).post(url, {"version": 1, "action": "pass"}))
    # the reviewer may not score or finalise; the clerk may do nothing here
    for role, action in (("reviewer", "score"), ("reviewer", "finalise"), ("clerk", "pass"),
                         ("clerk", "finalise"), ("admin", "score")):
        assert client_for(users[role]).post(url, {"version": 1, "action": action}).status_code == 403, (role, action)
    services.finalise_sheet(actor=users["scorer"], sheet=sheet)
    assert _already_taken(client_for(users["scorer"]).post(url, {"version": 1, "action": "finalise"}))
    for role in ("reviewer", "clerk", "staff"):
        assert client_for(users[role]).post(url, {"version": 1, "action": "finalise"}).status_code == 403, role


# --- 8: the review and its step in one transaction -----------------------------------------


def test_a_failed_return_saves_nothing_and_the_form_can_be_sent_again(world, users):
    sheet = _submitted(world["a1"], actor=users["staff"])
    version = sheet.version
    unit = sheet.units.get(seq="2")
    audits = AuditEntry.objects.count()
    client = client_for(users["reviewer"])
    data = {"version": version, "action": "return", f"rgrade-{unit.pk}": "basic", f"rnote-{unit.pk}": "材料不全"}
    response = client.post("/assessment/2026/kit-a-1/review/", data)
    assert response.status_code == 400
    assert "材料不全" in response.content.decode()  # the input is kept
    sheet.refresh_from_db()
    unit.refresh_from_db()
    assert (sheet.version, sheet.status, unit.review_grade, unit.review_note) == (
        version, SheetStatus.SUBMITTED, "", "")
    assert AuditEntry.objects.count() == audits
    response = client.post("/assessment/2026/kit-a-1/review/", {**data, "reason": "请补充材料"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    unit.refresh_from_db()
    assert sheet.status == SheetStatus.RETURNED and unit.review_grade == "basic"
    assert set(AuditEntry.objects.filter(object_id=str(sheet.pk)).values_list("action", flat=True)) >= {
        "assessment.sheet.review", "assessment.sheet.return"}


def test_review_step_is_one_transaction_with_the_service_checks(world, users):
    sheet = _submitted(world["a1"])
    with pytest.raises(services.ValidationError):
        services.review_step(actor=users["reviewer"], sheet=sheet, step="return",
                             entries={"2": services.Entry(grade="none", docs=True)})
    sheet.refresh_from_db()
    assert sheet.units.get(seq="2").review_grade == "" and sheet.status == SheetStatus.SUBMITTED
    with pytest.raises(services.ValidationError):
        services.review_step(actor=users["reviewer"], sheet=sheet, step="jump", entries={})
    with pytest.raises(services.PermissionDenied):
        services.review_step(actor=users["scorer"], sheet=sheet, step="pass", entries={})
    outcome = services.review_step(actor=users["reviewer"], sheet=sheet, step="pass", expected_version=sheet.version,
                                   entries={"2": services.Entry(grade="basic", docs=True)})
    assert outcome.taken and outcome.saved and outcome.sheet.status == SheetStatus.REVIEWED
    again = services.review_step(actor=users["reviewer"], sheet=sheet, step="pass", expected_version=sheet.version,
                                 entries={})
    assert not again.taken and again.sheet.version == outcome.sheet.version


# --- 10: sheet ids on the progress board ---------------------------------------------------


def test_bad_sheet_ids_on_the_board_get_a_clear_message(world, users):
    import datetime as dt

    world["round_a"].deadline = dt.date(2020, 1, 1)
    world["round_a"].save()
    client = client_for(users["scorer"])
    reminders = SheetEvent.objects.filter(kind=SheetEvent.Kind.REMINDED)
    response = client.post(f"{ROUND}/", {"sheet": ["x"], "message": "请提交"})
    assert response.status_code == 400
    assert any("“x”" in m for m in _messages(response))
    response = client.post(f"{ROUND}/", {"sheet": [str(world["b1"].pk)], "message": "请提交"})  # another round's
    assert response.status_code == 400
    assert not reminders.exists()
    response = client.post(f"{ROUND}/", {"sheet": [str(world["a2"].pk)], "message": "请提交"})
    assert response.status_code == 302
    assert list(reminders.values_list("sheet_id", flat=True)) == [world["a2"].pk]


# --- 13, 14: constant query counts ---------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _named_templates(tree, years):
    for year in years:
        make_template(tree.a, year=year, rule=AssesseeRule.NAMED, assessees=[tree.a1, tree.a2])


def test_index_and_open_round_page_queries_do_not_grow_with_templates(tree, users):
    client = client_for(users["admin"])
    _named_templates(tree, range(2000, 2002))
    few = (_count(client, "/assessment/"), _count(client, "/assessment/rounds/kit-a/open/"))
    _named_templates(tree, range(2002, 2012))
    assert Template.objects.count() == 12
    many = (_count(client, "/assessment/"), _count(client, "/assessment/rounds/kit-a/open/"))
    assert few == many
    page = client.get("/assessment/").content.decode()
    assert "甲一基层工会、甲二基层工会" in page


def test_round_pdf_queries_do_not_grow_with_sheets(tree, users):
    make_template(tree.a)
    services.open_round(actor=None, assessor=tree.a, year=2026)
    client = client_for(users["scorer"])
    few = _count(client, f"{ROUND}.pdf")
    for n in range(4):
        OrgFactory(code=f"kit-a-x{n}", parent=tree.a)
    services.open_round(actor=None, assessor=tree.a, year=2026)
    assert tree.a.assessment_rounds.get().sheets.count() == 6
    assert _count(client, f"{ROUND}.pdf") == few


# --- 15 and the admin's deletes --------------------------------------------------------------


def test_the_sheet_admins_assessor_filter_offers_only_orgs_in_scope(world, users):
    tree = world["tree"]
    for assessor in (tree.root, tree.a2):  # kit (outside the admin's scope) and a2 assess a1 too
        make_template(assessor, rule=AssesseeRule.NAMED, assessees=[tree.a1])
        services.open_round(actor=None, assessor=assessor, year=2026)
    response = client_for(users["admin"]).get(reverse("admin:assessment_sheet_changelist"))
    assert response.status_code == 200
    spec = next(s for s in response.context["cl"].filter_specs if s.field_path == "assessor")
    assert {pk for pk, _name in spec.lookup_choices} == {tree.a.pk, tree.a2.pk}
    response = client_for(users["admin"]).get(reverse("admin:assessment_template_changelist"))
    spec = next(s for s in response.context["cl"].filter_specs if s.field_path == "assessor")
    assert {pk for pk, _name in spec.lookup_choices} == {tree.a.pk, tree.a2.pk}


def test_rounds_cannot_be_deleted_in_the_admin(world, users):
    client = client_for(users["admin"])
    url = reverse("admin:assessment_round_delete", args=[world["round_a"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert world["round_a"].__class__.objects.filter(pk=world["round_a"].pk).exists()


def test_bulk_deletes_in_the_admin_are_audited_one_by_one(tree, users):
    _named_templates(tree, (2000, 2001))
    MemberEvaluation.objects.create(org=tree.a1, year=2025, members=100, participants=90, frontline_participants=80)
    MemberEvaluation.objects.create(org=tree.a2, year=2025, members=100, participants=90, frontline_participants=80)
    client = client_for(users["admin"])
    for model, action in ((Template, "assessment.template.delete"),
                          (MemberEvaluation, "assessment.member_evaluation.delete")):
        ids = list(model.objects.values_list("pk", flat=True))
        response = client.post(reverse(f"admin:assessment_{model._meta.model_name}_changelist"),
                               {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
        assert response.status_code == 302, model
        assert not model.objects.exists()
        audited = AuditEntry.objects.filter(action=action).values_list("object_id", flat=True)
        assert sorted(audited) == sorted(str(pk) for pk in ids)
