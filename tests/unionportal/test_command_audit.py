"""Issue 9, finding 10 (commands): an import from the command line is audited with the
operating-system user, the command line and the file (name, size, sha256)."""

import getpass
import hashlib
import io
import shlex

import pytest

from orgs.exchange import import_orgs
from services.models import ModelWorker
from tests.commands import run_command
from tests.kit import scope_tree
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_command_import_names_the_os_user_the_command_line_and_the_file(tmp_path):
    scope_tree()
    path = tmp_path / "新组织.csv"
    content = "编码,名称,上级编码,类型\nkit-n1,新一工会,kit-a,基层工会\nkit-n2,新二工会,kit-a,基层工会\n"
    path.write_bytes(content.encode("utf-8"))
    data = path.read_bytes()
    code, _out, err = run_command("import_orgs", str(path))
    assert code == 0, err
    entries = AuditEntry.objects.filter(action="org.create", object_repr__startswith="新")
    assert entries.count() == 2
    for entry in entries:
        assert entry.actor is None
        assert f"OS user: {getpass.getuser()}" in entry.comment
        assert f"command: manage.py import_orgs {shlex.quote(str(path))};" in entry.comment
        assert f"file: 新组织.csv, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}" in entry.comment


def test_flags_are_part_of_the_recorded_command_line(tmp_path):
    tree = scope_tree()
    path = tmp_path / "workers.csv"
    path.write_text("姓名,工作单位编码,级别,获评次数,首次获评年度,是否退休\n张三,kit-a-1,市级,1,2010,否\n",
                    encoding="utf-8")
    assert run_command("import_model_workers", str(path))[0] == 0
    entry = AuditEntry.objects.get(action="model_workers.import")
    assert f"command: manage.py import_model_workers {path};" in entry.comment
    assert ModelWorker.objects.filter(org=tree.a1).count() == 1


def test_outside_a_command_nothing_is_added_to_the_comment():
    scope_tree()
    content = "编码,名称,上级编码,类型\nkit-n3,新三工会,kit-a,基层工会\n".encode()
    assert import_orgs(io.BytesIO(content), "csv", actor=SYSTEM).ok
    assert AuditEntry.objects.get(action="org.create", object_repr="新三工会").comment == ""
