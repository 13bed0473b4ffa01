"""Fixtures of the job tests: the assessment kit (rounds of A and B) and a media folder of
their own, so results written by jobs land in the test's temporary folder."""

import pytest

from tests.assessment.conftest import tree, users, world  # noqa: F401  (fixtures)
from unionportal.jobs.models import Job


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_job(org, *, user=None, status="queued", done=0, total=0, **extra) -> Job:
    """A job row as a view or a pre-render would record it (not run)."""
    return Job.objects.create(kind="assessment.round_pdf", title="测试任务", subject_org=org,
                              started_by=user, by_system=user is None, status=status, done=done,
                              total=total, **extra)
