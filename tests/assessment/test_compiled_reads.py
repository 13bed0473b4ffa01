"""The assessment's reads compiled once per process (``orgs.access.fetch_scoped`` and
``compiled_rows`` → ``compiled_sql.fetch_instances``): the sheet every sheet page, PDF and
write asks (``selectors.sheet_for``) and the landing pages' queues.  For every role they return
exactly the instances the ORM's own queryset returns, in its order, with the related objects
and annotations attached, and one user's compiled text never answers for another."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from assessment import selectors
from assessment.models import Evidence, Sheet, SheetEvent, SheetStatus
from orgs.access import compiled_rows, fetch_scoped
from tests.factories import UserFactory
from tests.kit import EVERYONE, ROLES, client_for, user_of, user_with_role
from unionportal import compiled_sql

RELATED = ("org", "assessor", "round", "template", "group")


def _reference(user, year, code) -> list[Sheet]:
    return list(selectors.visible_sheets(user).filter(year=year, org__code=code)
                .select_related(*RELATED).order_by("-assessor__level", "assessor__code"))


def _fields(sheet) -> tuple:
    return (sheet.pk, sheet.version, sheet.status, sheet.org.code, sheet.assessor.code,
            sheet.round.pk, sheet.template.title, sheet.group_id)


def _every_read(user, tree):
    for org in (tree.root, tree.a, tree.a1, tree.a2, tree.b, tree.b1):
        for year in (2025, 2026):
            yield org.code, year


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_compiled_read_returns_what_the_orm_returns_for_every_role(two_assessors, role):
    tree = two_assessors["tree"]
    user = user_with_role(tree, role)
    for code, year in _every_read(user, tree):
        expected = _reference(user, year, code)
        try:
            chosen, others = selectors.sheet_for(user, year, code)
        except Http404:
            assert expected == [], (role, code, year)
            continue
        assert [_fields(s) for s in [chosen, *others]] == [_fields(s) for s in expected], (role, code, year)


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("selector", [selectors.my_sheets, selectors.review_queue, selectors.scoring_queue,
                                      selectors.visible_rounds, selectors.openable_orgs])
def test_the_compiled_queues_list_what_the_orm_lists(two_assessors, role, selector):
    tree = two_assessors["tree"]
    user = user_of(tree, role)
    # Something in every queue: a1's sheet submitted, a2's reviewed, and a reminder for a1.
    world_sheets = [two_assessors["a1"], two_assessors["a2"], two_assessors["root_sheet"]]
    Sheet.objects.filter(pk=world_sheets[0].pk).update(status=SheetStatus.SUBMITTED)
    Sheet.objects.filter(pk=world_sheets[1].pk).update(status=SheetStatus.REVIEWED)
    SheetEvent.objects.create(sheet=world_sheets[2], kind=SheetEvent.Kind.REMINDED)
    expected = list(selector(user)[:2]) + list(selector(user)[2:50])
    found = compiled_rows(selector, user, 50)
    assert [vars_of(row) for row in found] == [vars_of(row) for row in expected]
    assert compiled_rows(selector, user, 1) == expected[:1]  # a limit of its own, compiled apart


def vars_of(row) -> dict:
    """What a page reads of a row: its fields, its annotations, its related objects' fields."""
    values = {name: value for name, value in vars(row).items() if not name.startswith("_")}
    for name, related in row._state.fields_cache.items():
        values[name] = related and {k: v for k, v in vars(related).items() if not k.startswith("_")}
    return values


@pytest.mark.django_db
def test_related_objects_come_with_the_sheets_in_one_query(two_assessors):
    tree = two_assessors["tree"]
    reviewer = user_with_role(tree, "reviewer")
    with CaptureQueriesContext(connection) as queries:
        chosen, others = selectors.sheet_for(reviewer, 2026, tree.a1.code)
        printed = [(s.org.name, s.assessor.name, s.round.year, s.template.title) for s in [chosen, *others]]
    assert len(queries) == 1
    assert printed == [(s.org.name, s.assessor.name, s.round.year, s.template.title)
                       for s in _reference(reviewer, 2026, tree.a1.code)]
    assert chosen.assessor == tree.a  # the nearest assessor first


@pytest.mark.django_db
def test_one_users_compiled_read_never_answers_for_another(two_assessors):
    tree = two_assessors["tree"]
    inside, outsider = user_with_role(tree, "reviewer"), UserFactory(username="kit-nobody")
    assert selectors.sheet_for(inside, 2026, tree.a2.code)[0].org == tree.a2
    with pytest.raises(Http404):  # the same compiled text, bound to the other user's id
        selectors.sheet_for(outsider, 2026, tree.a2.code)
    superuser = UserFactory(username="kit-super", is_superuser=True)
    assert selectors.sheet_for(superuser, 2026, tree.b1.code)[0].org == tree.b1
    with pytest.raises(Http404):
        selectors.sheet_for(AnonymousUser(), 2026, tree.b1.code)


@pytest.mark.django_db
def test_what_cannot_be_compiled_is_refused(two_assessors):
    tree = two_assessors["tree"]
    user = user_with_role(tree, "admin")

    def prefetching(gate_user):
        return selectors.visible_sheets(gate_user).filter(year=compiled_sql.YEAR).prefetch_related("units")

    with pytest.raises(ValueError, match="plain querysets"):
        fetch_scoped(("test.prefetching",), prefetching, user, year=2026)
    with pytest.raises(ValueError, match="no place for"):  # a value the query has no placeholder for
        compiled_sql.bind((compiled_sql.USER,), user=1, code="kit-a-1")


@pytest.mark.django_db
def test_numbers_no_row_can_hold_find_nothing_instead_of_failing(two_assessors):
    """A year or id typed into a URL beyond what the database stores is a 404, as through the ORM."""
    tree = two_assessors["tree"]
    client = client_for(user_with_role(tree, "reviewer"))
    for url in (f"/assessment/{10**30}/{tree.a1.code}/", f"/assessment/{2**63}/{tree.a1.code}.pdf",
                f"/assessment/99999/{tree.a1.code}/", f"/services/cases/{2**63}/", f"/services/cases/{10**40}/"):
        assert client.get(url).status_code == 404, url


def _prepared_statements() -> dict[str, int]:
    """This connection's prepared statements: {statement text: generic plans run}."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_the_sheet_read_is_prepared_on_postgresql_and_its_generic_plan_answers_as_the_orm(two_assessors, settings):
    """Past five calls PostgreSQL runs a prepared statement's generic plan, blind to the values
    bound: every role's reads of every org and year still return what the ORM returns, each is
    still one logged query, and with UNIONPORTAL_DB_PREPARED=0 nothing is prepared."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (SQLite plans each statement itself)")
    tree = two_assessors["tree"]
    users = [user_with_role(tree, role) for role in ROLES]
    with connection.cursor() as cursor:  # the generic plan from the first call, not after five
        cursor.execute("SET plan_cache_mode = force_generic_plan")
    for _twice in range(2):
        for role, user in zip(ROLES, users):
            for code, year in _every_read(user, tree):
                expected = [_fields(s) for s in _reference(user, year, code)]
                with CaptureQueriesContext(connection) as queries:
                    try:
                        chosen, others = selectors.sheet_for(user, year, code)
                        found = [_fields(s) for s in [chosen, *others]]
                    except Http404:
                        found = []
                assert found == expected and len(queries) == 1, (role, code, year)
                assert '"assessment_sheet"' in queries[0]["sql"]  # in the query log (with $1 for the values)
    generic = [runs for text, runs in _prepared_statements().items() if '"assessment_sheet"' in text]
    assert generic and max(generic) > 0  # prepared, and its generic plan ran
    with connection.cursor() as cursor:
        cursor.execute("RESET plan_cache_mode")
        cursor.execute("DEALLOCATE ALL")  # psycopg forgets its names with them
    settings.PREPARED_KEY_READS = False
    selectors.sheet_for(users[-1], 2026, tree.a1.code)
    assert not [text for text in _prepared_statements() if '"assessment_sheet"' in text]


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVERYONE)
def test_the_compiled_round_read_returns_what_the_orm_returns_for_every_role(two_assessors, role):
    """``selectors.round_for`` (every round page: board, ranking, PDFs) against the ORM's
    ``visible_rounds``: the same round or a 404, for each assessor and year."""
    tree = two_assessors["tree"]
    user = user_of(tree, role)
    seen = 0
    for code, year in _every_read(user, tree):
        expected = list(selectors.visible_rounds(user).filter(assessor__code=code, year=year))
        try:
            found = selectors.round_for(user, code, year)
        except Http404:
            assert expected == [], (role, code, year)
            continue
        seen += 1
        assert (found.pk, found.assessor.code, found.year) == (expected[0].pk, expected[0].assessor.code,
                                                                expected[0].year), (role, code, year)
    assert seen or role in ("nobody", "staff")


@pytest.mark.django_db
def test_a_sheets_units_files_and_history_read_compiled_as_through_the_orm(two_assessors):
    """The sheet page's reads by the sheet's key (``selectors.sheet_units``, ``sheet_history``):
    the ORM's rows in its order, each unit's files in upload order, on PostgreSQL with the
    generic plan too, and one sheet's rows never another's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
    sheets = list(Sheet.objects.order_by("pk"))
    assert len(sheets) > 1
    for index, sheet in enumerate(sheets):  # files on some units, uploaded out of unit order
        for unit in reversed(list(sheet.units.order_by("position"))[: index + 1]):
            Evidence.objects.create(unit=unit, file=f"evidence/{unit.pk}.pdf", name=f"{unit.pk}.pdf",
                                    content_type="application/pdf", size=unit.pk)
        SheetEvent.objects.create(sheet=sheet, kind=SheetEvent.Kind.REMINDED, comment=f"#{index}")
    for _twice in range(2):
        for sheet in sheets:
            units = selectors.sheet_units(sheet)
            expected = list(sheet.units.select_related("indicator", "item").order_by("position"))
            assert [(u.pk, u.indicator.number, u.item_id and u.item.pk) for u in units] == \
                [(u.pk, u.indicator.number, u.item_id and u.item.pk) for u in expected]
            assert {u.pk: [f.pk for f in u.files] for u in units} == \
                {u.pk: list(u.evidence.order_by("uploaded_at", "pk").values_list("pk", flat=True)) for u in expected}
            assert [e.pk for e in selectors.sheet_history(sheet)] == \
                list(sheet.events.order_by("-at", "-id").values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE ALL")


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVERYONE)
def test_a_unions_page_reads_compiled_as_through_the_orm_for_every_role(two_assessors, role):
    """``selectors.union_page_reads`` (a union's page): its sheets, its 会员评家 with their
    ratings and rectifications, and the rounds it assesses that the user sees, as the ORM reads them."""
    from assessment.models import EvaluationRating, MemberEvaluation

    tree = two_assessors["tree"]
    user = user_of(tree, role)
    for year in (2025, 2026):
        evaluation = MemberEvaluation.objects.create(org=tree.a1, year=year, members=10, participants=9,
                                                     frontline_participants=5)
        EvaluationRating.objects.create(evaluation=evaluation, subject="chair", person="张", content_number=1,
                                        content="工作作风", satisfied=year - 2020)
    seen = 0
    for org in (tree.root, tree.a, tree.a1, tree.a2, tree.b, tree.b1):
        sheets, evaluations, rounds = selectors.union_page_reads(user, org)
        assert [vars_of(s) for s in sheets] == [vars_of(s) for s in org.assessment_sheets.select_related(
            "assessor", "round").order_by("-year", "assessor__lft")]
        expected = list(MemberEvaluation.objects.filter(org=org).prefetch_related("ratings", "rectifications")
                        .order_by("-year"))
        assert [(vars_of(e), [vars_of(r) for r in e.ratings.all()], list(e.rectifications.all()))
                for e in evaluations] == [(vars_of(e), [vars_of(r) for r in e.ratings.all()],
                                           list(e.rectifications.all())) for e in expected]
        assert [vars_of(r) for r in rounds] == [vars_of(r) for r in selectors.visible_rounds(user).filter(
            assessor=org).order_by("-year")], (role, org.code)
        seen += len(sheets) + len(evaluations) + len(rounds)
    assert seen > 3
