"""What the assessment's views share: a refused service call shown as a banner."""

from django.contrib import messages

from unionportal.concurrency import Outcome, run_on_form


def attempt(request, call) -> Outcome:
    """Run one service call; what it refuses (invalid 400, changed meanwhile 409) becomes a
    banner above the page, the form keeps what the user typed."""
    outcome = run_on_form(None, call)
    if not outcome.ok:
        messages.error(request, " ".join(outcome.messages))
    return outcome
