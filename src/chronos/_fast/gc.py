"""Pausing the garbage collector while a log is built into objects that stay alive."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["HAND_OVER", "paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that stay alive.

    A fold allocates a few objects per event and frees almost none; the
    collector would rescan the growing heap again and again for nothing
    (a third of the time on a large log).

    When it resumes, what was built meanwhile counts as old (moved to the oldest
    generation by `gc.freeze` and `gc.unfreeze`), so that the first young
    collections do not scan, one generation after the other, the million objects
    just built to last (a tenth of the time of opening a log); the next full
    collection scans them as it would have. This is skipped when the process
    keeps objects frozen itself (before a fork, say, or after
    `Chronology.prepare`), since `gc.unfreeze` would thaw them too, and after
    small builds (fewer than `HAND_OVER` objects, such as the projection of
    one question's events): the freeze count is found by walking every frozen
    object, far dearer than a few young collections.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] >= HAND_OVER and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


#: How many objects a paused build must leave for `paused_gc` to hand them to the oldest generation.
HAND_OVER = 50_000
