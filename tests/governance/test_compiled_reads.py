"""The governance reads compiled once per process and day (``selectors._Orgs.read`` →
``compiled_sql.fetch_values``) answer exactly what the same querysets built through the ORM with
the real values answer: every rule's check of every union of the demo, one union at a time (its
page) and per subtree (the dashboard), on several days and after the day changes back; a union's
records (``union_records``, ``compiled_sql.fetch_instances``) likewise; and ``fetch_values`` itself
converts, binds and refuses as ``fetch_instances`` does."""

import datetime as dt

import pytest
from django.db.models import Count, Max, Q
from django.utils import timezone

from orgs.governance import selectors
from orgs.governance.models import (
    AttendeeKind,
    CommitteeTerm,
    Congress,
    CongressSession,
    Consultation,
    Expense,
    Meeting,
)
from orgs.models import Org
from tests.demo_database import demo_database_fixture
from unionportal import compiled_sql

demo_database = demo_database_fixture()


class _ThroughTheOrm(selectors._Orgs):
    """The reads as they were: each queryset built and compiled by the ORM with the real values."""

    def read(self, what, today, build):
        return list(build())


def _one(org):
    return _ThroughTheOrm("orm-org", lambda field: Q(**{field: org}), {})


def _subtree(root):
    return _ThroughTheOrm("orm-subtree", lambda field: Q(**{f"{field}__tree_id": root.tree_id,
                                                            f"{field}__lft__gte": root.lft,
                                                            f"{field}__rght__lte": root.rght}), {})


def _days():
    today = timezone.localdate()
    # Another quarter, another year (another number of look-back quarters), and back to today.
    return [today, today + dt.timedelta(days=95), today - dt.timedelta(days=400), today]


@pytest.mark.django_db
def test_every_unions_checks_compiled_are_the_orms_on_every_day(demo_database):
    orgs = list(Org.objects.all())
    assert Meeting.objects.exists()
    for day in _days():
        for org in orgs:
            assert (selectors._checks_for(selectors.one_org(org), [org], day)
                    == selectors._checks_for(_one(org), [org], day)), (org.code, day)
            assert (selectors.committee_members_not_serving(selectors.one_org(org), day)
                    == selectors.committee_members_not_serving(_one(org), day)), (org.code, day)


@pytest.mark.django_db
def test_every_subtrees_checks_compiled_are_the_orms_on_every_day(demo_database):
    orgs = list(Org.objects.all())
    roots = [org for org in orgs if not org.is_leaf_node()]
    assert roots
    for day in _days():
        for root in roots:
            below = [org for org in orgs if org.tree_id == root.tree_id and root.lft <= org.lft <= root.rght]
            assert (selectors._checks_for(selectors.subtree_of(root), below, day)
                    == selectors._checks_for(_subtree(root), below, day)), (root.code, day)


def _records_through_the_orm(org) -> dict:
    """``union_records`` as it was, every queryset built by the ORM."""
    return {
        "meetings": list(Meeting.objects.filter(org=org).select_related("voided_by")[:40]),
        "congresses": list(Congress.objects.filter(org=org).select_related("org")
                           .prefetch_related("delegates", "committees__members")),
        "sessions": list(CongressSession.objects.filter(congress__org=org).select_related("congress", "voided_by")
                         .prefetch_related("motions")
                         .annotate(present=Count("attendees", filter=Q(attendees__kind=AttendeeKind.DELEGATE)),
                                   non_voting=Count("attendees", filter=~Q(attendees__kind=AttendeeKind.DELEGATE)))
                         .order_by("-date", "-id")[:20]),
        "consultations": list(Consultation.objects.filter(org=org)
                              .select_related("approved_by__session", "voided_by")[:10]),
        "terms": list(CommitteeTerm.objects.filter(org=org).select_related("voided_by")[:10]),
        "expenses": list(Expense.objects.filter(org=org).select_related("voided_by")[:50]),
    }


def _shown(records: dict) -> dict:
    """Each record as the page reads it: its fields and annotations, the rows read with it
    (select_related) and the rows prefetched for it, each in turn with theirs."""
    return {name: [_loaded(record) for record in rows] for name, rows in records.items()}


def _loaded(record, depth=3) -> tuple | None:
    """(A prefetched row points back to its parent: three levels cover the page's reads.)"""
    if record is None or depth == 0:
        return None
    fields = {key: value for key, value in vars(record).items() if not key.startswith("_")}
    related = {name: _loaded(other, depth - 1) for name, other in record._state.fields_cache.items()}
    prefetched = {name: [_loaded(item, depth - 1) for item in items]
                  for name, items in getattr(record, "_prefetched_objects_cache", {}).items()}
    return fields, related, prefetched


@pytest.mark.django_db
def test_every_unions_records_compiled_are_the_orms(demo_database):
    kinds = set()
    for org in Org.objects.all():
        compiled = selectors.union_records(org)
        assert compiled.pop("officers") == selectors.founding_officers(org)
        expected = _shown(_records_through_the_orm(org))
        assert _shown(compiled) == expected, org.code
        kinds |= {name for name, rows in compiled.items() if rows}
    assert kinds == set(_records_through_the_orm(Org.objects.first()))  # the demo records every kind


@pytest.mark.django_db
def test_fetch_values_converts_binds_and_refuses_as_fetch_instances_does(demo_database):
    def build():
        return (Meeting.objects.filter(org_id=compiled_sql.ORG).values("org_id", "kind")
                .annotate(last=Max("date"), n=Count("id")).order_by("kind"))

    for org in Org.objects.filter(meetings__isnull=False).distinct():
        expected = list(Meeting.objects.filter(org_id=org.pk).values("org_id", "kind")
                        .annotate(last=Max("date"), n=Count("id")).order_by("kind"))
        found = compiled_sql.fetch_values(("test.meetings",), build, org=org.pk)
        assert found == expected and isinstance(found[0]["last"], dt.date)
    with pytest.raises(ValueError):  # not a values() queryset
        compiled_sql.fetch_values(("test.instances",), lambda: Meeting.objects.filter(org_id=compiled_sql.ORG))
    with pytest.raises(ValueError):  # no placeholder: it would answer every caller alike
        compiled_sql.fetch_values(("test.none",), lambda: Meeting.objects.filter(org_id=1).values("kind"))


@pytest.mark.django_db
def test_a_new_day_compiles_anew_and_keeps_one_text_per_key(demo_database):
    org = Org.objects.filter(meetings__isnull=False).first()
    seen = []

    def build(day):
        seen.append(day)
        return Meeting.objects.filter(org_id=compiled_sql.ORG, date__lte=day).values("kind").annotate(n=Count("id"))

    first, second = dt.date(2026, 6, 15), dt.date(2020, 1, 1)
    for day in (first, first, second, first):
        found = compiled_sql.fetch_values(("test.day",), lambda day=day: build(day), day=day, org=org.pk)
        expected = list(Meeting.objects.filter(org_id=org.pk, date__lte=day).values("kind").annotate(n=Count("id")))
        assert sorted(found, key=str) == sorted(expected, key=str)
    assert seen == [first, second, first]  # compiled again only when the day changed
    assert len([key for key in compiled_sql._values_compilers if key[0] == "test.day"]) == 1
