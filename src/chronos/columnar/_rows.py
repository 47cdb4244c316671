"""Who holds which post, as rows of the tenure arrays: the holder rules of `chronos.projections` on numbers.

A holder here is ``(sure, start, row, pending)``: whether every reading of the
tenure's dates holds it on the date asked, the first day its start can be (the
seat order's key), its tenure row, and whether weighing what may already have
been known made it ``possible`` (the ``pending-report`` of
`chronos.projections.roster`). The functions mirror `post_holders`,
`take_seat` and the roster's ``_merge`` rule for rule; the property tests in
tests/test_columnar.py hold them equal to those.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from chronos.projections import Seat

__all__ = ["HELD", "UNKNOWN", "VACANT", "Held", "Rows", "holders", "merge", "order"]

Array = npt.NDArray[Any]
#: A holder: (certain before any downgrade, first start day, tenure row, downgraded as pending).
Holder = tuple[bool, int, int, bool]
#: Holders by post (roster order) and person (entity number).
Held = dict[int, dict[int, Holder]]
#: A roster as rows, one per seat: post (roster order), person (-1: nobody), certain, tenure row (-1:
#: none), state (`HELD`, `VACANT`, `UNKNOWN`).
Rows = tuple[list[int], list[int], list[bool], list[int], list[int]]
#: Seat states as numbers (`chronos.projections.SeatState`).
HELD, VACANT, UNKNOWN = 0, 1, 2


def holders(block: list[list[int]], rows: Sequence[int], lo: int, hi: int) -> Held:
    """Who holds each post on ``[lo, hi]``, from tenure rows in timeline order (post, person, s0, s1, e0, e1).

    A tenure holds when it starts by ``hi`` and possibly ends after ``lo``;
    certainly when every reading of its start and end does (`holds`). One
    seat per person, as `take_seat` gives it: the first tenure found, unless a
    later one is surer.
    """
    held: Held = {}
    for row, (post, person, s0, s1, e0, e1) in zip(rows, block, strict=True):
        if s0 <= hi and e1 > lo:
            sure = s1 <= lo and hi < e0
            here = held.get(post)
            if here is None:
                held[post] = {person: (sure, s0, row, False)}
                continue
            known = here.get(person)
            if known is None or (sure and not known[0]):
                here[person] = (sure, s0, row, False)
    return held


def merge(mine: Held, theirs: Held) -> Held:
    """Holders weighing what may already have been known (the roster's ``_merge``, on rows).

    A holder found in one of the two only, or certain in one and possible in
    the other, is pending (``possible``); one found alike in both stays as
    ``mine`` has it.
    """
    merged: Held = {}
    for post in mine.keys() | theirs.keys():
        found = dict(mine.get(post) or {})
        other = theirs.get(post) or {}
        for person, (sure, s0, row, _pending) in other.items():
            here = found.get(person)
            if here is None:
                found[person] = (sure, s0, row, True)
            elif here[0] != sure:
                found[person] = (here[0], here[1], here[2], True)
        for person, here in found.items():
            if person not in other:
                found[person] = (here[0], here[1], here[2], True)
        if found:
            merged[post] = found
    return merged


def order(*keys: Array) -> Array:
    """The order that sorts rows by ``keys`` (non-negative integers, most significant first).

    One stable argsort of the keys packed into one 64-bit integer when their
    bits fit (a lexsort of many keys costs several times more), else a lexsort.
    """
    widths = [max(int(key.max()), 1).bit_length() if len(key) else 1 for key in keys]
    if sum(widths) > 62:
        return np.lexsort(tuple(reversed(keys)))
    packed = np.zeros(len(keys[0]), np.int64)
    for key, width in zip(keys, widths, strict=True):
        packed = (packed << width) | key.astype(np.int64)
    return np.argsort(packed, kind="stable")


def rows_of_seats(
    seats: Sequence[Seat], seq_of: Mapping[int, int], number: Callable[[str, str], int]
) -> Rows:
    """`Rows` of seats `Chronology` answered (no tenure row: -1), for what the arrays do not hold.

    ``seq_of`` gives a post's place in roster order by its entity number.
    """
    states = {"held": HELD, "vacant": VACANT, "unknown": UNKNOWN}
    return (
        [seq_of[number(s.post.id, "post")] for s in seats],
        [number(s.person, "person") if s.person is not None else -1 for s in seats],
        [s.certainty == "certain" for s in seats],
        [-1] * len(seats),
        [states[s.state] for s in seats],
    )
