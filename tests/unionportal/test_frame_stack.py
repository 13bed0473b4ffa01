"""``unionportal.frame_stack``: what is called on a roomy stretch of the frame stack answers as
called directly, recursion back and forth across hundreds of frames below it maps no new memory
(counted in page faults, which every fresh chunk of CPython's frame stack costs; called directly,
the same recursion pays thousands of them where CPython frees its chunks at once), and every
request runs on it (the first middleware)."""

import resource

from django.conf import settings
from django.test import Client

from unionportal import frame_stack
from unionportal.frame_stack import (
    RoomyFrameStackMiddleware,
    caller_with_room,
    on_a_roomy_frame_stack,
)


def _down(depth: int) -> int:
    return _down(depth - 1) + 1 if depth else 0


def _back_and_forth() -> int:
    return sum(_down(depth) for _ in range(300) for depth in range(100, 700, 37))


def _faults(call) -> int:
    call(_back_and_forth)  # anything allocated once for it is allocated now
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    call(_back_and_forth)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_what_it_calls_answers_as_called_directly():
    assert on_a_roomy_frame_stack(lambda a, b=0: (a, b), 1, b=2) == (1, 2)
    assert on_a_roomy_frame_stack(_back_and_forth) == _back_and_forth()
    assert caller_with_room(1 << 17)(on_a_roomy_frame_stack, _back_and_forth) == _back_and_forth()


def test_deep_recursion_below_it_touches_no_new_memory():
    assert _faults(on_a_roomy_frame_stack) < 500
    # The crawl's 1 MB frame leaves room for a request's own roomy frame below it.
    assert _faults(lambda function: caller_with_room(1 << 17)(on_a_roomy_frame_stack, function)) < 500


def test_every_request_runs_on_it(monkeypatch):
    assert settings.MIDDLEWARE[0] == f"{frame_stack.__name__}.{RoomyFrameStackMiddleware.__name__}"
    called = []
    monkeypatch.setattr(frame_stack, "on_a_roomy_frame_stack",
                        lambda function, request: called.append(request.path) or function(request))
    assert Client().get("/accounts/login/").status_code == 200
    assert called == ["/accounts/login/"]
