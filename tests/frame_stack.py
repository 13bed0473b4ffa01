"""Calling a function from a frame that leaves it a roomy stretch of CPython's frame stack.

CPython (3.11) keeps Python frames on a stack of 16 KB chunks and frees a chunk as soon as the
frame that began it returns.  Code that recurses back and forth across a chunk's end — Django's
template rendering does, hundreds of times a page — maps and unmaps a chunk at each crossing,
and touches its memory afresh: the link crawl made about 325 mmap/munmap pairs a page, and
spent a sixth of its CPU in the kernel doing so.

``on_a_roomy_frame_stack`` declares a large, unused value stack, so CPython gives its frame a
chunk of 2 MB of its own; every frame called from it fits in the MB left after it, and no chunk
is mapped or freed below it.  Nothing is ever pushed on that stack (the unused part of the
mapping is never touched), and what the function called does is unchanged.
"""

ROOMY_STACK_SLOTS = 1 << 17  # 8 bytes each: a 1 MB frame, in a chunk of 2 MB


def on_a_roomy_frame_stack(function, *args, **kwargs):
    """``function(*args, **kwargs)``, with a MB of CPython's frame stack free below it."""
    return function(*args, **kwargs)


on_a_roomy_frame_stack.__code__ = on_a_roomy_frame_stack.__code__.replace(co_stacksize=ROOMY_STACK_SLOTS)
