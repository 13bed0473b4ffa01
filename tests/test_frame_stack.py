"""``tests.frame_stack.on_a_roomy_frame_stack`` (the link crawl runs on it): what it calls
answers as called directly, and recursion that goes back and forth across hundreds of frames
below it maps no new memory (counted in page faults, which every fresh chunk of CPython's frame
stack costs; a direct call pays them wherever CPython frees its chunks at once)."""

import resource

from tests.frame_stack import on_a_roomy_frame_stack


def _down(depth: int) -> int:
    return _down(depth - 1) + 1 if depth else 0


def _back_and_forth() -> int:
    return sum(_down(depth) for _ in range(300) for depth in range(100, 700, 37))


def test_what_it_calls_answers_as_called_directly():
    assert on_a_roomy_frame_stack(lambda a, b=0: (a, b), 1, b=2) == (1, 2)
    assert on_a_roomy_frame_stack(_back_and_forth) == _back_and_forth()


def test_deep_recursion_below_it_touches_no_new_memory():
    on_a_roomy_frame_stack(_back_and_forth)  # anything allocated once for this is allocated now
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    on_a_roomy_frame_stack(_back_and_forth)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 500
