"""import_templates with an actor: another tree's orgs read as orgs that do not exist."""

import io

import pytest

from assessment.exchange import import_templates
from tests.kit import scope_tree, user_with_role
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db

HEADER = "考核单位编码,年度,序号,考核指标,权重,被考核单位编码\n"


@pytest.fixture
def admin():
    return user_with_role(scope_tree(), "admin")


def errors(actor, assessor: str, assessees: str = "") -> list[str]:
    text = HEADER + f"{assessor},2030,1,指标,100,{assessees}\n"
    report = import_templates(io.BytesIO(text.encode()), "csv", actor=actor, dry_run=True)
    return [str(problem).replace(assessor, "<ref>").replace(assessees or "\0", "<ref>")
            for problem in report.errors]


@pytest.mark.parametrize("outside, unknown", [("kit-b", "kit-none"), ("乙系统工会", "无此系统工会")])
def test_an_assessor_of_another_tree_reads_like_one_that_does_not_exist(admin, outside, unknown):
    assert errors(admin, outside) and errors(admin, outside) == errors(admin, unknown)
    assert errors(admin, "kit-a") == []


def test_an_assessee_of_another_tree_reads_like_one_that_does_not_exist(admin):
    assert errors(admin, "kit-a", "kit-b-1") == errors(admin, "kit-a", "kit-none") != []
    assert errors(admin, "kit-a", "kit-a-1") == []


def test_commands_still_resolve_every_org(db):
    scope_tree()
    assert errors(SYSTEM, "kit-b") == []  # commands act as the system
