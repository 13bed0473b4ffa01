"""Query counts of the list pages, pinned at two sizes of the benchmark city (bench/generate.py):
the small profile (500 base unions, 2,500 sheets, 5,000 cases, 30,000 meetings …) and a tenth
of it.  A page whose count grows with the data fails here; timings live in bench/ only."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client

from bench.generate import generate

# (label, user, path): every page that lists many rows, as its reader sees it.
PAGES = [
    ("landing page, staff", "staff0000", "/"),
    ("landing page, federation scorer", "scorer00", "/"),
    ("union tree", "fedadmin", "/orgs/"),
    ("federation's org page", "fedadmin", "/orgs/city/"),
    ("governance page of a base union", "fedadmin", "/orgs/{base}/governance/"),
    ("governance dashboard of the federation", "fedadmin", "/orgs/city/governance/dashboard/"),
    ("assessment queues, system-union reviewer", "reviewer00", "/assessment/"),
    ("assessment queues, federation scorer", "scorer00", "/assessment/"),
    ("progress board of the round", "scorer00", "/assessment/rounds/city/2026/"),
    ("ranking of the round", "scorer00", "/assessment/rounds/city/2026/ranking/"),
    ("service work queue, federation", "fedreviewer", "/services/"),
    ("case list, federation", "fedreviewer", "/services/cases/"),
    ("model-worker register", "fedadmin", "/services/org/city/model-workers/"),
    ("duty catalogues index", "clerk00", "/duties/"),
    ("a duty catalogue", "clerk00", "/duties/city-s00/"),
]


class _Rollback(Exception):
    pass


def _counts() -> dict[str, int]:
    from orgs.models import Org

    base = Org.objects.filter(kind="base").order_by("lft").values_list("code", flat=True).first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in={p[1] for p in PAGES})}
    counts = {}
    for label, username, path in PAGES:
        client = Client()
        client.force_login(users[username])
        path = path.format(base=base)
        assert client.get(path).status_code == 200, label  # warms per-process caches too
        seen = []

        def counted(execute, *args, seen=seen):
            seen.append(1)
            return execute(*args)

        with connection.execute_wrapper(counted):
            response = client.get(path)
        assert response.status_code == 200, label
        counts[label] = len(seen)
    return counts


def _counts_at(scale: float) -> dict[str, int]:
    try:
        with transaction.atomic():
            generate("small", scale=scale, log=lambda _line: None)
            counts = _counts()
            raise _Rollback
    except _Rollback:
        return counts


@pytest.mark.django_db
def test_list_pages_run_the_same_queries_at_a_tenth_and_at_the_small_profile():
    tenth = _counts_at(0.1)
    full = _counts_at(1.0)
    grown = {label: (tenth[label], full[label]) for label in tenth if tenth[label] != full[label]}
    assert not grown, f"query counts that grow with the data (1/10 → small profile): {grown}"
