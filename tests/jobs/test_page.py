"""/jobs/<id>/ and its download: scoped like the job's subject, the same 404 outside as for
no job at all; progress as a <progress> element; a job a person started is theirs."""

import re

import pytest
from django.core.files.base import ContentFile

from tests.jobs.conftest import make_job
from tests.kit import client_for, user_with_role
from unionportal.jobs.models import JobStatus

pytestmark = pytest.mark.django_db

MISSING = 987654321


def _plain(response, pk) -> str:
    """The body without what differs by request alone: the path asked and the csrf token."""
    body = response.content.decode().replace(f"/jobs/{pk}/", "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_the_page_shows_what_who_and_progress(tree, users):
    job = make_job(tree.a, user=users["scorer"], status=JobStatus.RUNNING, done=3, total=10)
    response = client_for(users["scorer"]).get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "测试任务" in page and "甲系统工会" in page and "kit-scorer" in page
    assert '<progress id="job-progress" max="10" value="3">30%</progress>' in page
    assert "3 of 10 steps done" in page or "已完成 3 / 10 步" in page
    # Running: the status section asks to be refreshed, by the static script (no inline script).
    assert f'data-job-refresh="/jobs/{job.pk}/"' in page
    assert "js/jobs.js" in page and "<script>" not in page


def test_outside_the_scope_is_the_same_404_as_no_job(tree, users):
    outside = make_job(tree.b, user=None, status=JobStatus.DONE, total=1, done=1)
    client = client_for(users["scorer"])
    hidden = client.get(f"/jobs/{outside.pk}/")
    missing = client.get(f"/jobs/{MISSING}/")
    assert hidden.status_code == missing.status_code == 404
    assert _plain(hidden, outside.pk) == _plain(missing, MISSING)
    for url in (f"/jobs/{outside.pk}/download/", f"/jobs/{MISSING}/download/"):
        assert client.get(url).status_code == 404


def test_a_job_someone_started_is_theirs_a_system_job_is_everyones_in_scope(tree, users):
    mine = make_job(tree.a1, user=users["scorer"], status=JobStatus.QUEUED)
    system = make_job(tree.a1, user=None, status=JobStatus.QUEUED)
    clerk = client_for(users["clerk"])
    assert clerk.get(f"/jobs/{mine.pk}/").status_code == 404
    assert clerk.get(f"/jobs/{system.pk}/").status_code == 200
    staff = client_for(users["staff"])  # staff of a1: sees a1's system job
    assert staff.get(f"/jobs/{system.pk}/").status_code == 200
    other_staff = client_for(user_with_role(tree, "staff", username="kit-other-staff"))
    assert other_staff.get(f"/jobs/{mine.pk}/").status_code == 404
    admin = client_for(users["admin"])
    assert admin.get(f"/jobs/{mine.pk}/").status_code == 404


def test_the_result_downloads_through_the_gate_and_the_error_is_shown(tree, users):
    client = client_for(users["scorer"])
    job = make_job(tree.a, user=users["scorer"], status=JobStatus.DONE, done=2, total=2,
                   result_name="2026-甲-结果.csv", result_type="text/csv")
    job.result.save("jobs/test/result.csv", ContentFile("序号,得分\n1,95\n".encode()), save=True)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'href="/jobs/{job.pk}/download/"' in page and "data-job-refresh" not in page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == "序号,得分\n1,95\n"
    assert "filename*=UTF-8''2026-%E7%94%B2" in download["Content-Disposition"]
    assert download["Cache-Control"].startswith("private")

    failed = make_job(tree.a, user=users["scorer"], status=JobStatus.FAILED, error="打印内容过多，请分开打印。")
    page = client.get(f"/jobs/{failed.pk}/").content.decode()
    assert "打印内容过多，请分开打印。" in page and 'role="alert"' in page
    assert client.get(f"/jobs/{failed.pk}/download/").status_code == 404


def test_signed_out_goes_to_the_sign_in_page(tree, users, client):
    job = make_job(tree.a, user=None)
    response = client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
