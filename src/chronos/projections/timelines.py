"""Each post's tenures laid out for questions by date, and the rule that seats one holder per person."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from chronos.dates import Day
from chronos.entities import Post
from chronos.projections.answers import Seat, Tenure, held_reasons, seat_order, tenure_of, unknown_seat
from chronos.projections.policy import Policy
from chronos.projections.state import State

__all__ = ["Timeline", "in_seat_order", "post_holders", "seat_order", "take_seat", "timeline"]


@attrs.frozen
class Timeline:
    """One post's tenures sorted by earliest start, with the latest end seen so far at each.

    ``unknown`` holds the post's seats with nobody recorded in them, one
    shared `Seat` per seat, and ``late`` the same past the record's horizon,
    to fill a roster without building them again.
    """

    post: Post
    starts: list[Day]
    reach: list[Day]
    ends: list[Day]
    tenures: list[Tenure]
    unknown: tuple[Seat, ...]
    late: tuple[Seat, ...]


def timeline(state: State, post: Post, policy: Policy) -> Timeline:
    """One post's `Timeline`, kept in the state."""
    key = (post.id, policy)
    line = state.derived.timelines.get(key)
    if line is None or line.post is not post:
        tenures = sorted(
            (tenure_of(state, p, policy) for p in state.tenures_at(post.id)), key=lambda t: t.start.first
        )
        reach: list[Day] = []
        for tenure in tenures:
            reach.append(max(reach[-1], tenure.end.last) if reach else tenure.end.last)
        line = state.derived.timelines[key] = Timeline(
            post,
            [t.start.first for t in tenures],
            reach,
            [t.end.last for t in tenures],
            tenures,
            (unknown_seat(post),) * post.seats,
            (unknown_seat(post, late=True),) * post.seats,
        )
    return line


def post_holders(line: Timeline, low: Day, high: Day, last: int) -> list[Seat]:
    """Who holds the post of ``line`` on ``[low, high]``, in seat order (one seat per person, the surer).

    ``last`` is the last tenure starting by ``high`` (the caller's bisection).
    Tenures of one post mostly follow each other, so walking back from it
    stops after a step or two: the walk ends where no earlier tenure reaches
    past ``low``. Every tenure found starts by ``high`` and ends after
    ``low``, so it holds at least possibly; certainly when every reading of
    its start and end does (`holds`).
    """
    hits: list[int] = []
    index = last
    reach, ends = line.reach, line.ends
    while index >= 0 and reach[index] > low:
        if ends[index] > low:
            hits.append(index)
        index -= 1
    found: dict[str | None, Seat] = {}
    for index in reversed(hits):
        tenure = line.tenures[index]
        certain = tenure.start.last <= low and high < tenure.end.first
        seat = Seat(
            line.post,
            tenure.person,
            "certain" if certain else "possible",
            tenure,
            state="held",
            reasons=held_reasons(tenure, low, high, certain),
        )
        take_seat(found, seat)
    return in_seat_order(found)


def take_seat(found: dict[str | None, Seat], seat: Seat) -> None:
    """Seat a holder in ``found`` (by person): the first tenure found, unless a later one is surer."""
    known = found.get(seat.person)
    if known is None or (seat.certainty == "certain" and known.certainty == "possible"):
        found[seat.person] = seat


def in_seat_order(found: Mapping[str | None, Seat]) -> list[Seat]:
    """The seats of ``found`` in seat order (`seat_order`)."""
    holders = list(found.values())
    if len(holders) > 1:
        holders.sort(key=seat_order)
    return holders
