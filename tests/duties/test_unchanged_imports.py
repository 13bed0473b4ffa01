"""Importing a duty catalogue identical to the published version creates no new version:
the command says "unchanged" for that org and exits 0; a changed catalogue still gets one."""

from duties.models import CatalogueVersion
from tests.commands import run_command
from tests.duties.helpers import card_catalogue, plain_catalogue
from tests.factories import OrgFactory
from unionportal.models import AuditEntry


def _versions(org):
    return CatalogueVersion.objects.filter(catalogue__org=org).count()


def test_reimporting_the_exported_catalogue_is_unchanged(db, tmp_path):
    org = OrgFactory(code="imp", name="导入测试工会")
    card_catalogue(org)
    path = tmp_path / "imp.xlsx"
    assert run_command("export_duties", "imp", str(path))[0] == 0
    versions, audits = _versions(org), AuditEntry.objects.count()
    code, out, err = run_command("import_duties", str(path))
    assert code == 0, err
    assert "imp：未变更（与已发布的第 1 版相同）。" in out
    assert "未变 1 个" in out
    assert _versions(org) == versions and AuditEntry.objects.count() == audits


def test_only_the_changed_org_gets_a_new_version(db, tmp_path):
    parent = OrgFactory(code="par", name="上级工会")
    same = OrgFactory(code="same", name="甲工会", parent=parent)
    changed = OrgFactory(code="chg", name="乙工会", parent=parent)
    plain_catalogue(same)
    plain_catalogue(changed, texts=["乙工会的职责"])
    path = tmp_path / "both.csv"
    assert run_command("export_duties", "par", str(path), "--subtree")[0] == 0
    path.write_text(path.read_text(encoding="utf-8-sig").replace("乙工会的职责", "乙工会的新职责"),
                    encoding="utf-8")
    code, out, err = run_command("import_duties", str(path))
    assert code == 0, err
    assert "same：未变更" in out and "chg：" in out and "修改 1" in out
    assert (_versions(same), _versions(changed)) == (1, 2)


def test_a_draft_import_of_the_same_content_still_makes_a_draft(db, tmp_path):
    org = OrgFactory(code="imp", name="导入测试工会")
    plain_catalogue(org)
    path = tmp_path / "imp.csv"
    assert run_command("export_duties", "imp", str(path))[0] == 0
    code, _out, err = run_command("import_duties", str(path), "--draft")
    assert code == 0, err
    assert CatalogueVersion.objects.filter(catalogue__org=org, status="draft").exists()
