"""An org moving to another system union during the year: the open round's board and ranking
follow the move (the sheet's history and the audit trail say so); a final sheet keeps the
grouping it was finalised with."""

from assessment import selectors, services
from assessment.models import AssesseeRule, SheetEvent, SheetStatus
from orgs import services as org_services
from orgs.models import OrgKind
from tests.assessment.conftest import grade_all, make_template
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry


def _city_round(tree):
    """The root assesses every base union; the board groups them by system union."""
    make_template(tree.root, rule=AssesseeRule.KIND, kind=OrgKind.BASE)
    return services.open_round(actor=SYSTEM, assessor=tree.root, year=2026).round




def _groups(round_):
    return {group.code: group.total for group in selectors.board(round_, round_.sheets.all()).groups}


def test_the_open_round_follows_the_move_and_records_it(db):
    tree = scope_tree()
    admin = user_with_role(tree, "admin")
    admin.is_superuser = True
    admin.save()
    round_ = _city_round(tree)
    sheet = round_.sheets.get(org=tree.a1)
    assert sheet.group == tree.a and _groups(round_) == {"kit-a": 2, "kit-b": 1}

    org_services.move_org(actor=admin, org=tree.a1, new_parent=tree.b)

    sheet.refresh_from_db()
    assert sheet.group == tree.b and _groups(round_) == {"kit-a": 1, "kit-b": 2}
    event = sheet.events.get(kind=SheetEvent.Kind.REGROUPED)
    assert event.actor == admin and event.comment == "甲系统工会 → 乙系统工会"
    entry = AuditEntry.objects.get(action="assessment.sheet.regroup", object_id=str(sheet.pk))
    assert (entry.actor, entry.before, entry.after) == (admin, {"group": "kit-a"}, {"group": "kit-b"})
    assert round_.sheets.get(org=tree.a2).group == tree.a  # the rest of the old group stays


def test_the_ranking_follows_the_move_and_the_sheet_page_shows_it(db):
    tree = scope_tree()
    round_ = _city_round(tree)
    scorer = UserFactory(username="city-scorer")
    GrantFactory(user=scorer, role="scorer", org=tree.root)
    for sheet in round_.sheets.all():
        grade_all(sheet)
        services.apply_transition(name="submit", actor=SYSTEM, sheet=sheet)
        services.apply_transition(name="pass", actor=SYSTEM, sheet=sheet)
        services.apply_transition(name="score", actor=SYSTEM, sheet=sheet)
    org_services.move_org(actor=SYSTEM, org=tree.a1, new_parent=tree.b)
    ranking = selectors.ranking(round_, round_.sheets.all())
    assert {row.code: row.group_code for row in ranking.rows}["kit-a-1"] == "kit-b"
    page = client_for(scorer).get("/assessment/2026/kit-a-1/?assessor=kit")
    assert page.status_code == 200 and "甲系统工会 → 乙系统工会" in page.content.decode()


def test_a_final_sheet_keeps_the_grouping_it_was_finalised_with(db):
    tree = scope_tree()
    round_ = _city_round(tree)
    final = round_.sheets.get(org=tree.a1)
    grade_all(final)
    services.apply_transition(name="submit", actor=SYSTEM, sheet=final)
    services.apply_transition(name="pass", actor=SYSTEM, sheet=final)
    services.apply_transition(name="finalise", actor=SYSTEM, sheet=final)
    final.refresh_from_db()
    assert final.status == SheetStatus.FINAL

    org_services.move_org(actor=SYSTEM, org=tree.a, new_parent=tree.b)  # a1, a2 now under B too

    final.refresh_from_db()
    assert final.group == tree.a and not final.events.filter(kind=SheetEvent.Kind.REGROUPED).exists()
    assert round_.sheets.get(org=tree.a2).group == tree.b  # open: follows the move to B
