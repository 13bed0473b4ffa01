"""`backup` / `restore` with the files on an object store: the archive is the same whichever
storage it came from, and it goes back into either — a bucket into a new bucket, a bucket
into var/media, and var/media into a bucket (a portal moving to more than one server)."""

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
)
from tests.storage.servers import bucket_keys, new_bucket, s3_environment


@pytest.mark.django_db(transaction=True)
def test_a_bucket_goes_into_a_new_bucket_into_var_media_and_back_into_a_bucket(s3, tmp_path):
    endpoint, bucket = s3
    counts = seeded_portal_with_files(tmp_path / "unused-media")  # its uploads go to the bucket
    assert counts == {"evidence": 6, "attachments": 3, "minutes": 2}
    files_before = bucket_keys(endpoint, bucket)
    assert len(files_before) == 6 + 3 + 2
    archive = tmp_path / "portal.tar.gz"
    status, _out, err = run_command("backup", str(archive))
    assert (status, err) == (0, ""), err
    before = fingerprints_here()

    target = new_bucket(endpoint)
    with migrated_database(tmp_path, suffix="s3restored") as url:
        env = portal_env(url, tmp_path / "restored", **s3_environment(endpoint, target))
        assert manage(env, "restore", str(archive)).stderr == ""
        assert fingerprints_of(env) == before
    assert bucket_keys(endpoint, target) == files_before
    assert not (tmp_path / "restored" / "media").exists()  # nothing on the server's disk

    with fresh_database(tmp_path, suffix="tolocal") as url:
        env = portal_env(url, tmp_path / "local")
        for name in ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"):
            env.pop(name, None)
        manage(env, "restore", str(archive))
        assert fingerprints_of(env) == before
        local = tmp_path / "local" / "media"
        assert {name: (local / name).read_bytes() for name in media_files(local)} == files_before
        # And from there into another bucket: a one-server portal moving to object storage.
        second = tmp_path / "from-local.tar.gz"
        manage(env, "backup", str(second))
    third = new_bucket(endpoint)
    with fresh_database(tmp_path, suffix="tobucket") as url:
        env = portal_env(url, tmp_path / "again", **s3_environment(endpoint, third))
        manage(env, "restore", str(second))
        manage(env, "migrate", "--verbosity=0")
        assert fingerprints_of(env) == before
    assert bucket_keys(endpoint, third) == files_before


@pytest.mark.django_db
def test_backup_refuses_cleanly_when_the_object_store_is_down(settings, tmp_path):
    from unionportal.shared_stores import default_storage_setting

    settings.STORAGES = {**settings.STORAGES, "default": default_storage_setting(
        s3_environment("http://127.0.0.1:1", "unionportal-down"))}
    status, _out, err = run_command("backup", str(tmp_path / "portal.tar.gz"))
    assert status == 1 and err.startswith("error: ") and "Traceback" not in err
    assert not (tmp_path / "portal.tar.gz").exists()
