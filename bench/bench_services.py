"""Services at scale: 50,000 cases across 1,000 base unions; the work queue and a case page.

Targets (issue 5): each answers in at most 200 ms in a constant number of queries.
"""

import datetime as dt
import random

CASES = 50_000
SYSTEMS = 10
BASES_PER_SYSTEM = 100


def build():
    from django.utils import timezone

    from fixtures.hedong_catalogue import parse_hedong
    from orgs.models import Grant, Org
    from orgs.services import create_user
    from services.models import Case, CaseAction, CaseStatus
    from services.routing import route
    from services.seeding import SERVICE_TYPES, define_service_type
    from unionportal.actors import SYSTEM
    from unionportal.tree import tree_write_lock

    fed = Org.objects.create(code="bz", name="基准市总工会", kind="federation")
    with tree_write_lock(Org):
        systems = [Org.objects.create(code=f"bz-s{i}", name=f"基准系统工会{i}", kind="system", parent=fed)
                   for i in range(SYSTEMS)]
        bases = [Org.objects.create(code=f"bz-s{i}-b{j}", name=f"基准基层工会{i}-{j}", kind="base",
                                    parent=system)
                 for i, system in enumerate(systems) for j in range(BASES_PER_SYSTEM)]
    Org.objects.rebuild()
    bases = list(Org.objects.filter(kind="base").order_by("lft"))
    catalogue = parse_hedong()
    types = [define_service_type(owner=fed, spec=spec, catalogue=catalogue)[0] for spec in SERVICE_TYPES]
    steps = {t.pk: list(t.steps.all()) for t in types}
    ancestors = {b.pk: list(b.get_ancestors()) for b in bases}
    reviewer = create_user(actor=SYSTEM, username="bench-reviewer", password="bench-pw-12345")
    handler = create_user(actor=SYSTEM, username="bench-handler", password="bench-pw-12345")
    Grant.objects.create(user=reviewer, role="reviewer", org=systems[0])
    Grant.objects.create(user=handler, role="reviewer", org=fed)
    rng = random.Random(5)
    now = timezone.now()
    cases, plans = [], []
    for n in range(CASES):
        base = bases[n % len(bases)]
        service_type = types[n % len(types)]
        type_steps = steps[service_type.pk]
        position = rng.randrange(len(type_steps))
        step = type_steps[position]
        status = rng.choice([CaseStatus.IN_PROGRESS] * 3 + [CaseStatus.COMPLETED])
        submitted = now - dt.timedelta(days=rng.randrange(400), minutes=n)
        cases.append(Case(
            service_type=service_type, applicant=base, title=f"基准申请{n}", member_name="某",
            status=status, current_step=step, current_org=route(step.actor, base, ancestors[base.pk]),
            awaiting_applicant=step.applicant_fills, submitted_at=submitted,
            due_at=submitted + dt.timedelta(days=10) if step.deadline_days else None,
        ))
        plans.append(type_steps[: position + 1])
    Case.objects.bulk_create(cases, batch_size=2000)
    actions = []
    for case, done in zip(cases, plans):
        for step in done[:4]:
            actions.append(CaseAction(case=case, step=step, step_position=step.position,
                                      step_name=step.name, org=case.applicant, kind="pass",
                                      actor_name="基准", created_at=case.submitted_at))
    CaseAction.objects.bulk_create(actions, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum keeps them in service
        cursor.execute("ANALYZE")
    return reviewer, handler, cases


def count_queries(function) -> int:
    """Queries one call runs (an execute wrapper: the request cycle resets connection.queries)."""
    from django.db import connection

    seen = []
    with connection.execute_wrapper(lambda execute, *args: seen.append(1) or execute(*args)):
        function()
    return len(seen)


def main(report):
    from django.test import Client

    from bench.run import timed

    reviewer, handler, cases = build()
    busiest = max(cases[:500], key=lambda c: c.current_step.position)
    for label, user in (("system-union reviewer", reviewer), ("federation handler", handler)):
        client = Client()
        client.force_login(user)

        def queue(client=client):
            response = client.get("/services/")
            assert response.status_code == 200

        queue()
        queries = count_queries(queue)
        report(f"services: work queue, {label} (50,000 cases)", timed(queue, repeat=7), "ms", "≤ 200 ms")
        report(f"services: work queue queries, {label}", queries, "queries", "constant")

        def case_page(client=client):
            response = client.get(f"/services/cases/{busiest.pk}/")
            assert response.status_code == 200

        case_page()
        queries = count_queries(case_page)
        report(f"services: case page, {label}", timed(case_page, repeat=7), "ms", "≤ 200 ms")
        report(f"services: case page queries, {label}", queries, "queries", "constant")
