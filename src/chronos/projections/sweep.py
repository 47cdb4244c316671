"""Every holder of every post on a date in one pass: the sweep behind `rosters`."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable

from chronos.dates import Day
from chronos.entities import Catalogue, Post
from chronos.projections.answers import Seat, held_reasons
from chronos.projections.policy import Policy
from chronos.projections.state import State
from chronos.projections.timelines import Timeline, in_seat_order, take_seat, timeline

__all__ = ["Sweep", "posts_of", "sweep"]


class Sweep:
    """Every tenure sorted by earliest start, with checkpoints, to find all holders on a date at once.

    A checkpoint at day T keeps the tenures alive at T (started by T, ending
    after T). The tenures overlapping ``[low, high]`` are then those alive at
    the last checkpoint T <= low that still reach past ``low``, plus those
    starting in ``(T, high]``: one short scan, never the whole log.

    The days are kept as day numbers (`Day` is an int) in typed arrays of
    64-bit integers (``q``: day numbers of long years pass 32 bits): on a large
    log the scan then reads a few contiguous arrays instead of following
    pointers from each tenure to its dates, scattered over the heap.
    """

    #: Checkpoints per sweep, so memory stays a small multiple of the tenures alive at once.
    CHECKPOINTS = 64

    def __init__(self, lines: Iterable[Timeline]):
        pairs = sorted(
            ((t.start.first, t, line.post) for line in lines for t in line.tenures), key=lambda x: x[0]
        )
        self.tenures = [t for _s, t, _p in pairs]
        self.posts = [p for _s, _t, p in pairs]
        self.post_ids = [p.id for p in self.posts]
        self.persons = [t.person for t in self.tenures]
        self.starts = array("q", (start for start, _t, _p in pairs))
        self.ends = array("q", (t.end.last for t in self.tenures))
        # What makes a holder certain: started by every reading, ending after every reading.
        self.surely_started = array("q", (t.start.last for t in self.tenures))
        #: The reasons of a certain holder of each tenure, built once.
        self.dated = [held_reasons(t, Day.min, Day.min, True) for t in self.tenures]
        self.surely_ending = array("q", (t.end.first for t in self.tenures))
        step = max(1, len(pairs) // self.CHECKPOINTS)
        self.marks = array("q")
        self.alive: list[array[int]] = []
        self.after: list[int] = []
        alive = array("q")
        position = 0
        for index in range(0, len(pairs), step):
            mark = self.starts[index]
            end = bisect.bisect_right(self.starts, mark)
            alive = array("q", (i for i in (*alive, *range(position, end)) if self.ends[i] > mark))
            position = end
            self.marks.append(mark)
            self.alive.append(alive)
            self.after.append(end)

    def holders(self, low: Day, high: Day) -> dict[str, list[Seat]]:
        """Who holds which post on ``[low, high]``: seats by post id, in seat order."""
        lo, hi = int(low), int(high)
        which = bisect.bisect_right(self.marks, lo) - 1
        first, alive = (self.after[which], self.alive[which]) if which >= 0 else (0, array("q"))
        ends = self.ends
        hits = [i for i in alive if ends[i] > lo]
        hits += [i for i in range(first, bisect.bisect_right(self.starts, hi)) if ends[i] > lo]
        started, ending = self.surely_started, self.surely_ending
        tenures, posts, post_ids, persons, dated = (
            self.tenures,
            self.posts,
            self.post_ids,
            self.persons,
            self.dated,
        )
        found: dict[str, dict[str | None, Seat]] = {}
        for index in hits:
            # Ascending index keeps each post's tenures in timeline order, as `post_holders` sees them.
            tenure = tenures[index]
            if started[index] <= lo and hi < ending[index]:
                seat = Seat(posts[index], persons[index], "certain", tenure, "held", dated[index])
            else:
                why = held_reasons(tenure, low, high, False)
                seat = Seat(posts[index], persons[index], "possible", tenure, "held", why)
            here = found.get(post_ids[index])
            if here is None:
                found[post_ids[index]] = {seat.person: seat}
            else:
                take_seat(here, seat)
        return {post: in_seat_order(here) for post, here in found.items()}


def sweep(state: State, catalogue: Catalogue, policy: Policy) -> Sweep:
    """The `Sweep` over every tenure of the catalogue's posts, kept in the state."""
    found = state.derived.sweeps.get(policy)
    if found is None or found[0] is not catalogue:
        lines = (timeline(state, p, policy) for p in posts_of(state, catalogue))
        found = state.derived.sweeps[policy] = (catalogue, Sweep(lines))
    return found[1]


def posts_of(state: State, catalogue: Catalogue) -> list[Post]:
    """The catalogue's posts that have tenures in ``state``."""
    posts = []
    for post_id in state.by_post:
        post = catalogue.get(post_id)
        if isinstance(post, Post):
            posts.append(post)
    return posts
