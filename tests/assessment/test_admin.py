"""The assessment in the admin: the assessor filter offers only orgs in scope, rounds cannot be
deleted, bulk deletes go through the services one by one (audited)."""

from django.urls import reverse

from assessment import services
from assessment.models import AssesseeRule, MemberEvaluation, Template
from tests.assessment.conftest import make_template, named_templates
from tests.kit import client_for
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry


def test_the_sheet_admins_assessor_filter_offers_only_orgs_in_scope(world, users):
    tree = world["tree"]
    for assessor in (tree.root, tree.a2):  # kit (outside the admin's scope) and a2 assess a1 too
        make_template(assessor, rule=AssesseeRule.NAMED, assessees=[tree.a1])
        services.open_round(actor=SYSTEM, assessor=assessor, year=2026)
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
    named_templates(tree, (2000, 2001))
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
