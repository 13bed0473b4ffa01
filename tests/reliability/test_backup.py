"""`backup PATH` / `restore PATH`: the whole portal out to one archive and back into an empty
database (issue 9, "Backup and restore").  The restore runs in another portal process with
its own database and MEDIA_ROOT, as it would on a new machine; on PostgreSQL that database is
created for the test and dropped afterwards."""

import io
import json
import tarfile

import pytest

from tests.commands import run_command
from tests.reliability.portal import (
    fingerprints_here,
    fingerprints_of,
    fresh_database,
    manage,
    media_files,
    migrated_database,
    portal_env,
    seeded_portal_with_files,
    shell,
)


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    counts = seeded_portal_with_files(settings.MEDIA_ROOT)
    return settings.MEDIA_ROOT, counts


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_migrated_database_brings_back_every_record_and_file(seeded, tmp_path):
    media_root, counts = seeded
    assert counts == {"evidence": 6, "attachments": 3, "minutes": 2}
    archive = tmp_path / "portal.tar.gz"
    status, out, err = run_command("backup", str(archive))
    assert (status, err) == (0, ""), err
    before, files_before = fingerprints_here(), media_files(media_root)
    assert before["assessment_sheet"]["rows"] and before["services_case"]["rows"]
    assert len(files_before) == 6 + 3 + 2 + 2

    with migrated_database(tmp_path, suffix="restored") as url:
        env = portal_env(url, tmp_path / "restored")
        result = manage(env, "restore", str(archive))
        assert result.stderr == ""
        after = fingerprints_of(env)
        # Every table, every row, every value; every file with its content.
        assert after == before
        assert media_files(tmp_path / "restored" / "media") == files_before
        # The restored portal goes on: new rows get new keys (sequences came along).
        created = shell(env, "from django.contrib.auth.models import User; "
                             "print(User.objects.create(username='after-restore').pk)")
        assert int(created) > before["auth_user"]["rows"]


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_a_database_without_tables_then_migrate_works(seeded, tmp_path):
    """Also: a stored file of the same name stops the restore when its content differs, and
    does not when it is the same (a restore killed after writing files can run again)."""
    media_root, _counts = seeded
    archive = tmp_path / "portal.tar.gz"
    assert run_command("backup", str(archive))[0] == 0
    before, files_before = fingerprints_here(), media_files(media_root)
    name = next(name for name in files_before if name.startswith("evidence/"))
    already = tmp_path / "bare" / "media" / name
    already.parent.mkdir(parents=True)
    with fresh_database(tmp_path, suffix="bare") as url:
        env = portal_env(url, tmp_path / "bare")
        already.write_bytes(b"another file")
        refused = manage(env, "restore", str(archive), check=False)
        assert refused.returncode == 1 and name in refused.stderr
        assert list(media_files(tmp_path / "bare" / "media")) == [name]

        already.write_bytes((media_root / name).read_bytes())
        manage(env, "restore", str(archive))
        manage(env, "migrate", "--verbosity=0")
        assert fingerprints_of(env) == before
        assert media_files(tmp_path / "bare" / "media") == files_before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_data_and_writes_nothing(seeded, tmp_path):
    media_root, _counts = seeded
    archive = tmp_path / "portal.tar.gz"
    assert run_command("backup", str(archive))[0] == 0
    (media_root / "其他" / "说明 文件.txt").unlink()
    before, files_before = fingerprints_here(), media_files(media_root)

    status, out, err = run_command("restore", str(archive))

    assert status == 1 and err.startswith("error: ") and "assessment_evidence" in err
    assert fingerprints_here() == before
    assert media_files(media_root) == files_before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_whose_file_does_not_match_its_checksum(seeded, tmp_path):
    archive, tampered = tmp_path / "portal.tar.gz", tmp_path / "tampered.tar.gz"
    assert run_command("backup", str(archive))[0] == 0
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("media/evidence/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(member, io.BytesIO(data))
    with fresh_database(tmp_path, suffix="tampered") as url:
        env = portal_env(url, tmp_path / "tampered")
        result = manage(env, "restore", str(tampered), check=False)
        assert result.returncode == 1
        assert "media/evidence/" in result.stderr and result.stderr.startswith("error: ")
        assert not (tmp_path / "tampered" / "media").exists()


@pytest.mark.django_db
def test_restore_refuses_an_archive_member_outside_the_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "evil.tar.gz"
    payload = b"owned"
    manifest = {"format": "unionportal-backup", "version": 1,
                "database": {"file": "database.sqlite3", "sha256": "0", "size": 0},
                "files": [{"path": "../../evil.txt", "size": len(payload), "sha256": "0"}]}
    with tarfile.open(archive, "w:gz") as target:
        for name, data in (("media/../../evil.txt", payload),
                           ("manifest.json", json.dumps(manifest).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))

    status, _out, err = run_command("restore", str(archive))

    assert status == 1 and "evil.txt" in err
    assert not (tmp_path / "evil.txt").exists() and not settings.MEDIA_ROOT.exists()


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_an_archive_is_a_tar_gz(command, tmp_path):
    status, _out, err = run_command(command, str(tmp_path / "portal.zip"))
    assert status == 2 and err.startswith("error: ")


@pytest.mark.django_db
def test_restore_of_a_file_that_is_not_an_archive_is_bad_input(tmp_path):
    path = tmp_path / "portal.tar.gz"
    path.write_bytes(b"not a backup")
    status, _out, err = run_command("restore", str(path))
    assert status == 1 and err.startswith("error: ")


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_not_written_into_the_storage_it_copies(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    status, _out, err = run_command("backup", str(settings.MEDIA_ROOT / "portal.tar.gz"))
    assert status == 1 and err.startswith("error: ")
    assert list(settings.MEDIA_ROOT.iterdir()) == []
