"""A job that makes no file says what it did: the lines its run noted, on its page once done,
in the job's language, within ``SUMMARY_MAX_CHARS``.  Opening a large round (a job) tells what
opening a small one (the request's messages) tells: each template copied, the sheets made."""

import pytest
from django.utils import translation
from django.utils.html import escape

from assessment import services as assessment_services
from assessment.models import Round, Template
from tests.assessment.conftest import make_template
from tests.kit import client_for, user_with_role
from unionportal.jobs import services
from unionportal.jobs.models import SUMMARY_MAX_CHARS, Job, JobStatus
from unionportal.jobs.registry import KINDS, JobKind

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def large_rounds(monkeypatch):
    """Every round counts as large (opened in a job), in steps of one assessee."""
    monkeypatch.setattr("assessment.views.rounds.OPEN_IN_JOB_FROM", 1)
    monkeypatch.setattr("assessment.services.rounds.STEP", 1)


def test_the_open_round_jobs_page_shows_the_templates_copied_and_the_sheets_made(tree, large_rounds):
    make_template(tree.a, year=2025)  # copied to 2026 by the opening, as the request would say
    admin = user_with_role(tree, "admin")
    client = client_for(admin)
    response = client.post("/assessment/rounds/kit-a/open/", {"year": "2026", "deadline": "2026-12-31"})
    job = Job.objects.get(kind="assessment.open_round")
    assert job.status == JobStatus.DONE and response["Location"] == f"/jobs/{job.pk}/"
    copy = Template.objects.get(assessor=tree.a, year=2026)
    assert job.language == "zh-hans"  # the language the request was made in
    with translation.override(job.language):  # the words the request's messages would show
        expected = [assessment_services.copied_template_line(copy),
                    translation.gettext("Round %(year)d opened: %(n)d new sheet(s).") % {"year": 2026, "n": 2}]
    assert expected[0].startswith("已将 2025 年度模板") and expected[1] == "2026 年度考核已开启：新建考核表 2 份。"
    assert job.summary_lines == expected
    assert Round.objects.get(assessor=tree.a, year=2026).sheets.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "<ul><li>" + "</li><li>".join(escape(line) for line in expected) + "</li></ul>" in page, page


def test_the_summary_is_written_in_the_jobs_language(tree, settings):
    settings.TASKS = DUMMY  # queued in Chinese, run below by a worker whose language is English
    make_template(tree.a, year=2025)
    admin = user_with_role(tree, "admin")
    job = Job.objects.create(kind="assessment.open_round", title="开启", subject_org=tree.a, started_by=admin,
                             language="en", params={"assessor": tree.a.pk, "year": 2026, "deadline": None})
    with translation.override("zh-hans"):
        assert services.execute(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.summary_lines[-1] == "Round 2026 opened: 2 new sheet(s)."
    assert job.summary_lines[0].startswith("Copied the 2025 template")


def test_the_summary_is_bounded_and_says_how_many_lines_were_left_out():
    lines = [f"第 {n} 行：" + "字" * 95 for n in range(1, 501)]
    with translation.override("en"):
        text = services.summary_text(lines)
    kept = text.splitlines()
    assert len(text) <= SUMMARY_MAX_CHARS
    assert kept[:-1] == lines[:len(kept) - 1] and len(kept) > 10
    assert kept[-1] == f"… and {500 - (len(kept) - 1)} more lines."
    one = services.summary_text(["长" * 10_000])
    assert len(one) == services.SUMMARY_LINE_MAX_CHARS and one.endswith("…")
    assert services.summary_text(["a", "b"]) == "a\nb"  # short summaries are kept whole


def test_a_run_that_notes_too_much_stores_a_bounded_summary(tree, monkeypatch, settings):
    settings.TASKS = DUMMY

    def chatty(job, progress):
        progress.set_total(1)
        for n in range(1000):
            progress.note(f"line {n}\n\n  second half {n}  ")  # each text line is a line
        return None

    monkeypatch.setitem(KINDS, "tests.chatty", JobKind("tests.chatty", "chatty", chatty))
    job = services.start_job(actor=user_with_role(tree, "admin"), kind="tests.chatty", subject_org=tree.a,
                             title="t")
    assert services.execute(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert 0 < len(job.summary) <= SUMMARY_MAX_CHARS
    job.full_clean()  # within the field's own limit
    assert job.summary_lines[:3] == ["line 0", "second half 0", "line 1"]


def test_a_superseded_claim_writes_no_summary(tree, settings):
    settings.TASKS = DUMMY
    job = Job.objects.create(kind="assessment.open_round", title="t", subject_org=tree.a)
    stale = services.claim(job.pk)
    Job.objects.filter(pk=job.pk).update(attempts=2)  # reaped and claimed by another worker
    assert services.finish(stale, None, summary="from the dead worker") is False
    job.refresh_from_db()
    assert job.summary == "" and job.status == JobStatus.RUNNING


def test_a_retried_opening_still_lists_what_the_dead_workers_attempt_did(tree, large_rounds, settings, monkeypatch):
    """The first attempt copies the template and opens one sheet, then its worker dies; the
    retry opens the rest. The page lists the copy and both attempts' sheets, as one run would."""
    settings.TASKS = DUMMY
    make_template(tree.a, year=2025)
    admin = user_with_role(tree, "admin")
    job = Job.objects.create(kind="assessment.open_round", title="开启", subject_org=tree.a, started_by=admin,
                             language="en", params={"assessor": tree.a.pk, "year": 2026, "deadline": None})
    real_open_round = assessment_services.rounds.open_round
    calls = []

    def dies_on_the_second_step(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("the worker was killed")
        return real_open_round(**kwargs)

    monkeypatch.setattr("assessment.services.rounds.open_round", dies_on_the_second_step)
    with pytest.raises(SystemExit):
        services.execute(job.pk)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)  # what the reaper does
    monkeypatch.setattr("assessment.services.rounds.open_round", real_open_round)
    assert services.execute(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.attempts == 2
    assert job.summary_lines[0].startswith("Copied the 2025 template")
    assert job.summary_lines[-1] == "Round 2026 opened: 2 new sheet(s)."
    assert len(job.summary_lines) == 2
    assert Round.objects.get(assessor=tree.a, year=2026).sheets.count() == 2
