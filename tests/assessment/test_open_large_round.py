"""Opening a round in steps (a large round, in a background job): the same sheets, units and
events as one opening, each step audited as the user who asked, progress between steps."""

import pytest
from django.urls import reverse

from assessment import services
from assessment.models import Round, SheetEvent, SheetStatus
from assessment.services.rounds import open_round_in_steps
from tests.assessment.conftest import make_template
from tests.kit import client_for, user_with_role
from unionportal.actors import SYSTEM
from unionportal.jobs.models import Job, JobStatus
from unionportal.models import AuditEntry


def _shape(round_):
    """Everything a new sheet starts with, per assessee (units by their template's numbers: each
    year has its own copy of the template)."""
    return {sheet.org_id: [sheet.status, sheet.version, sheet.submissions, sheet.group_id, sheet.template_id,
                           sheet.indicator_scores, sheet.self_total,
                           [(u.seq, u.position, u.points, u.indicator.number, u.item.number if u.item else None,
                             u.self_grade, u.self_note, u.self_docs, u.self_score, u.returned)
                            for u in sheet.units.select_related("indicator", "item").order_by("position")],
                           list(sheet.events.values_list("kind", "comment"))]
            for sheet in round_.sheets.all()}


def test_a_limited_opening_leaves_the_rest_for_the_next(tree):
    make_template(tree.a)
    first = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026, limit=1)
    assert (first.sheets_created, first.remaining) == (1, 1)
    assert list(first.round.sheets.values_list("org", flat=True)) == [tree.a1.pk]  # tree order
    second = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026, limit=1)
    assert (second.sheets_created, second.remaining, second.created_round) == (1, 0, False)
    assert services.open_round(actor=SYSTEM, assessor=tree.a, year=2026).sheets_created == 0


def test_opening_in_steps_makes_what_one_opening_makes(tree):
    make_template(tree.a, year=2025)  # copied to 2026 and 2027 by the openings
    whole = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026, deadline=None)
    steps = []
    stepped = open_round_in_steps(actor=SYSTEM, assessor=tree.a, year=2027, step=1,
                                  on_step=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 2), (2, 2)]
    assert (stepped.sheets_created, stepped.remaining, stepped.created_round) == (2, 0, True)
    assert [t.year for t in stepped.templates_copied] == [2027]
    one, other = _shape(whole.round), _shape(stepped.round)
    for shape in (one, other):
        for values in shape.values():
            del values[4]  # each year has its own copy of the template
    assert one == other and len(one) == 2
    assert all(s.status == SheetStatus.DRAFT for s in stepped.round.sheets.all())


def test_a_large_round_opens_in_a_job_audited_as_the_user_who_asked(tree, monkeypatch):
    make_template(tree.a)
    admin = user_with_role(tree, "admin")
    monkeypatch.setattr("assessment.views.rounds.OPEN_IN_JOB_FROM", 1)
    monkeypatch.setattr("assessment.services.rounds.STEP", 1)
    response = client_for(admin).post("/assessment/rounds/kit-a/open/", {"year": "2026", "deadline": "2026-12-31"})
    job = Job.objects.get(kind="assessment.open_round")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.DONE and job.started_by == admin and (job.done, job.total) == (2, 2)
    assert client_for(admin).get(response["Location"]).status_code == 200  # the job's page
    round_ = Round.objects.get(assessor=tree.a, year=2026)
    assert str(round_.deadline) == "2026-12-31" and round_.sheets.count() == 2
    assert SheetEvent.objects.filter(sheet__round=round_, kind=SheetEvent.Kind.OPENED).count() == 2
    entries = AuditEntry.objects.filter(action="assessment.round.open")
    assert [(e.actor, e.after["sheets_created"]) for e in entries.order_by("pk")] == [(admin, 1), (admin, 1)]


@pytest.mark.parametrize("role", ["reviewer", "staff"])
def test_the_job_is_not_started_for_whom_may_not_open_the_round(tree, monkeypatch, role):
    make_template(tree.a)
    monkeypatch.setattr("assessment.views.rounds.OPEN_IN_JOB_FROM", 1)
    response = client_for(user_with_role(tree, role)).post("/assessment/rounds/kit-a/open/", {"year": "2026"})
    assert response.status_code in (403, 404)
    assert not Job.objects.exists() and not Round.objects.exists()
