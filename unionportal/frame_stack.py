"""Running a request (or any deep call) on a roomy stretch of CPython's frame stack.

CPython (3.11) keeps Python frames on a stack of 16 KB chunks and frees a chunk as soon as the
frame that began it returns.  Rendering a page's templates recurses back and forth across a
chunk's end hundreds of times: each crossing maps a chunk (mmap), touches its memory afresh
(page faults) and unmaps it on the way back (munmap).  Measured on the link crawl: about 325 of
each a page, a sixth of the portal's CPU spent in the kernel; a governance dashboard of 50
unions cost 45 ms of CPU instead of 19.

A frame that declares a large value stack is given a chunk of its own, sized to fit it, and
every frame called from it fits in the rest of that chunk: no chunk is mapped or freed below it.
Nothing is ever pushed on that declared stack (its memory is never touched), and what is called,
and how, is unchanged.
"""


def caller_with_room(slots: int):
    """A function ``call(function, *args, **kwargs)`` whose frame declares ``slots`` value-stack
    slots (8 bytes each): CPython gives it a chunk of the next power of two above them, and about
    as much again is left below it for what it calls."""
    def call(function, *args, **kwargs):
        return function(*args, **kwargs)

    call.__code__ = call.__code__.replace(co_stacksize=slots)
    return call


# A 256 KB frame in a chunk of 512 KB: a page's deepest rendering uses a fraction of the rest.
on_a_roomy_frame_stack = caller_with_room(1 << 15)


class RoomyFrameStackMiddleware:
    """The rest of the middleware and the view on a roomy stretch of the frame stack: one chunk
    mapped a request instead of hundreds (the first middleware, so everything else runs on it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return on_a_roomy_frame_stack(self.get_response, request)
