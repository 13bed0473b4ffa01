"""An admin import above the request's size goes into a background job: the confirm answers
with the job's page, the job (run at once in tests) applies the file once, with the user in the
audit trail; a retried or reaped job writes nothing twice; problems found when applying show
on the job's page as 第 N 行：列：…; without an org to file the job under, the confirm is refused
in plain words and nothing is written."""

import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from orgs.admin import OrgAdmin
from orgs.models import Org
from services.models import ModelWorker
from tests.kit import client_for, user_with_role
from tests.orgs.test_admin_imports import ORGS_CSV, WORKERS_CSV, _confirm_data, _upload
from unionportal import admin_import_jobs
from unionportal.admin_import import PendingFileStorage
from unionportal.jobs import services
from unionportal.jobs.models import Job, JobStatus
from unionportal.models import AuditEntry

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
WORKERS = "services_modelworker"


@pytest.fixture(autouse=True)
def _small_request(settings, tmp_path):
    settings.ADMIN_IMPORT_REQUEST_ROWS = 1  # the two-row register is "large" here
    settings.MEDIA_ROOT = tmp_path / "media"


def _confirm(client, site, text):
    preview = _upload(client, site, text).content.decode()
    assert "确认导入" in preview, preview
    return client.post(reverse(f"admin:{site}_process_import"), _confirm_data(preview))


def _workers_audited(user) -> int:
    return AuditEntry.objects.filter(actor=user, action="model_workers.import").count()


def test_a_large_import_runs_as_a_job_and_applies_once(tree, admin_user):
    client = client_for(admin_user)
    response = _confirm(client, WORKERS, WORKERS_CSV.format(org="kit-a-1"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.DONE and job.started_by == admin_user and job.subject_org == tree.a
    assert job.params["applied"] is True and job.params["rows"] == 2
    assert sorted(ModelWorker.objects.values_list("name", flat=True)) == sorted(["张三", "李四"])
    assert _workers_audited(admin_user) == 1
    assert not PendingFileStorage(name=job.params["file"]).exists()
    page = client.get(response["Location"]).content.decode()
    assert job.summary == job.params["summary"] and "2" in job.summary
    assert f"<p>{escape(job.summary)}</p>" in page, page
    # The page is the starter's alone: another admin of the same org gets the same 404.
    other = user_with_role(tree, "admin", username="kit-admin-2")
    assert client_for(other).get(response["Location"]).status_code == 404


def test_a_small_import_stays_in_the_request(settings, admin_user):
    settings.ADMIN_IMPORT_REQUEST_ROWS = 300
    response = _confirm(client_for(admin_user), WORKERS, WORKERS_CSV.format(org="kit-a-1"))
    assert response["Location"] == reverse(f"admin:{WORKERS}_changelist")
    assert not Job.objects.exists() and ModelWorker.objects.count() == 2


def test_a_file_over_the_requests_bytes_goes_to_a_job_too(settings, admin_user):
    settings.ADMIN_IMPORT_REQUEST_ROWS = 300
    settings.ADMIN_IMPORT_REQUEST_BYTES = 50
    _confirm(client_for(admin_user), WORKERS, WORKERS_CSV.format(org="kit-a-1"))
    assert Job.objects.get().status == JobStatus.DONE and ModelWorker.objects.count() == 2


def test_a_retried_or_reaped_job_writes_nothing_twice(settings, admin_user):
    settings.TASKS = DUMMY  # queued, run by hand below
    _confirm(client_for(admin_user), WORKERS, WORKERS_CSV.format(org="kit-a-1"))
    job = Job.objects.get()
    assert ModelWorker.objects.count() == 0 and job.status == JobStatus.QUEUED
    assert services.execute(job.pk) == JobStatus.DONE
    written = (ModelWorker.objects.count(), AuditEntry.objects.count())
    assert written[0] == 2
    assert services.execute(job.pk) == "skipped"  # the same task delivered again
    # A worker that died after committing: the job is queued again and claimed once more.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    assert services.execute(job.pk) == JobStatus.DONE
    assert (ModelWorker.objects.count(), AuditEntry.objects.count()) == written
    job.refresh_from_db()
    assert job.summary == job.params["summary"]  # the counts of the import that was applied


def test_a_confirm_sent_twice_is_one_job(settings, admin_user):
    settings.TASKS = DUMMY
    client = client_for(admin_user)
    preview = _upload(client, WORKERS, WORKERS_CSV.format(org="kit-a-1")).content.decode()
    url = reverse(f"admin:{WORKERS}_process_import")
    first, second = (client.post(url, _confirm_data(preview)) for _ in range(2))
    job = Job.objects.get()
    assert first["Location"] == second["Location"] == reverse("jobs:detail", args=[job.pk])
    assert services.execute(job.pk) == JobStatus.DONE and ModelWorker.objects.count() == 2
    assert client.post(url, _confirm_data(preview)).status_code == 404  # the file is used up


def test_problems_found_when_applying_show_on_the_jobs_page(settings, tree, admin_user):
    settings.TASKS = DUMMY
    settings.ADMIN_IMPORT_REQUEST_ROWS = 0
    client = client_for(admin_user)
    response = _confirm(client, "orgs_org", ORGS_CSV)
    # Meanwhile someone names another union under kit-a the same: the file no longer fits.
    Org.objects.create(code="kit-a-8", name="甲九基层工会", kind="base", parent=tree.a)
    audits = AuditEntry.objects.count()
    job = Job.objects.get()
    assert services.execute(job.pk) == "superseded"  # the job itself recorded its failure
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not Org.objects.filter(code="kit-a-9").exists() and AuditEntry.objects.count() == audits
    page = client.get(response["Location"]).content.decode()
    assert re.search(r"第 2 行：名称：[^<]*甲九基层工会", page), page
    assert escape(job.error.splitlines()[0]) in page


def test_without_an_org_to_file_the_job_under_the_confirm_is_refused(monkeypatch, admin_user):
    monkeypatch.setattr(OrgAdmin, "import_job_org", lambda self, request: None)
    client = client_for(admin_user)
    text = ORGS_CSV + "kit-a-10,甲十基层工会,kit-a,基层工会\n"
    preview = _upload(client, "orgs_org", text).content.decode()
    token = _confirm_data(preview)
    confirm_name = signing.TimestampSigner(salt=f"unionportal.admin_import:{admin_user.pk}").unsign_object(
        token["import_file_name"])["name"]
    response = client.post(reverse("admin:orgs_org_process_import"), token)
    assert response.status_code == 302 and response["Location"] == reverse("admin:orgs_org_import")
    page = client.get(response["Location"]).content.decode()
    with translation.override("zh-hans"):
        assert escape(admin_import_jobs.refusal(2, len(text.encode()))) in page, page
    assert not Job.objects.exists()
    assert not Org.objects.filter(code__in=["kit-a-9", "kit-a-10"]).exists()
    assert not PendingFileStorage(name=confirm_name).exists()
