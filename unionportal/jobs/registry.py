"""Job kinds: each app declares its own in ``<app>/jobs.py`` with ``@job_kind``."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Output:
    """What a job hands back: a file to download (``name`` may be Chinese)."""

    content: bytes
    name: str
    content_type: str
    ascii_name: str = ""  # for the stored file and clients that ignore filename*


@dataclass(frozen=True)
class JobKind:
    key: str
    label: object  # a lazy translation
    run: Callable  # run(job, progress) -> Output | None; progress.note(line) for the page's summary


KINDS: dict[str, JobKind] = {}


def job_kind(key: str, *, label):
    """Register ``run(job, progress)`` as the job kind ``key`` (such as "assessment.round_pdf").

    ``run`` returns an ``Output`` (a file to download) or None, and may ``progress.note()`` a
    few lines saying what it did: a job without a file tells its starter the outcome that way,
    as the in-request path would with messages."""

    def register(run):
        KINDS[key] = JobKind(key, label, run)
        return run

    return register


def kind_of(key: str) -> JobKind:
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(f"unknown job kind {key!r}") from None
