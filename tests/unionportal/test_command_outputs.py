"""An export command replaces its output file only once the whole file is written."""

from unittest import mock

import pytest

from orgs.models import Org
from tests.commands import run_command


@pytest.mark.django_db
def test_a_failed_export_keeps_the_earlier_file_and_leaves_no_partial(tmp_path):
    Org.objects.create(code="fed", name="测试总工会", kind="federation")
    target = tmp_path / "orgs.csv"
    assert run_command("export_orgs", str(target))[0] == 0
    earlier = target.read_bytes()
    assert "测试总工会".encode() in earlier

    def fail_half_way(path, fmt, queryset):
        with open(path, "wb") as partial:
            partial.write(b"half")
        raise OSError(28, "No space left on device")

    with mock.patch("orgs.management.commands.export_orgs.export_orgs", fail_half_way):
        code, _out, err = run_command("export_orgs", str(target))
    assert code == 1 and "No space left on device" in err
    assert target.read_bytes() == earlier
    assert sorted(path.name for path in tmp_path.iterdir()) == ["orgs.csv"]


@pytest.mark.django_db
def test_an_export_to_a_new_path_writes_it_whole(tmp_path):
    Org.objects.create(code="fed", name="测试总工会", kind="federation")
    target = tmp_path / "orgs.xlsx"
    assert run_command("export_orgs", str(target))[0] == 0
    assert target.read_bytes()[:2] == b"PK"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["orgs.xlsx"]
