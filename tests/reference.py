"""A deliberately simple reference implementation of the roster, for the property tests.

It knows nothing of claims, policies or certainty: it filters what was known,
drops what was retracted, and replays exact-day events in date order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from chronos import Appointed, Catalogue, Died, Event, Moved, Retracted, TenureEnded
from chronos.projections import Policy, Seat, State, When, reconcile


def standing(events: Iterable[Event], known_at: dt.date | None) -> list[Event]:
    """Facts known on ``known_at`` that no retraction known by then withdrew."""
    known = [e for e in events if known_at is None or e.known.latest <= known_at]
    withdrawn = {e.target for e in known if isinstance(e, Retracted)}
    return [e for e in known if not isinstance(e, Retracted) and e.id not in withdrawn]


def holders(events: Iterable[Event], *, at: dt.date, known_at: dt.date | None = None) -> set[tuple[str, str]]:
    """The (post, person) pairs holding on ``at``: replay the facts dated on or before it."""
    facts = sorted(
        (e for e in standing(events, known_at) if e.occurred.earliest <= at),
        key=lambda e: e.occurred.earliest,
    )
    held: set[tuple[str, str]] = set()
    for event in facts:
        if isinstance(event, Appointed):
            held.add((event.post, event.person))
        elif isinstance(event, TenureEnded):
            held.discard((event.post, event.person))
        elif isinstance(event, Moved):
            held.discard((event.from_post, event.person))
            held.add((event.to_post, event.person))
        elif isinstance(event, Died):
            held = {(post, person) for post, person in held if person != event.person}
    return held


def scanned_roster(
    state: State,
    catalogue: Catalogue,
    org: str,
    *,
    at: When,
    policy: Policy | None = None,
    possibly_known: State | None = None,
) -> tuple[Seat, ...]:
    """`chronos.projections.roster` the slow way: every tenure of every post asked `Tenure.holds`.

    No timelines, no bisection, no sweep, no shared vacant seats: the
    definition the indexed rosters must match.
    """
    policy = policy or Policy()

    def held(source: State) -> dict[tuple[str, str], Seat]:
        found: dict[tuple[str, str], Seat] = {}
        for post in catalogue.posts(org):
            for period in source.tenures_at(post.id):
                tenure = reconcile(period, policy)
                certainty = tenure.holds(at)
                if certainty is None:
                    continue
                key = (post.id, tenure.person)
                known = found.get(key)
                if known is None or (known.certainty == "possible" and certainty == "certain"):
                    found[key] = Seat(post, tenure.person, certainty, tenure)
        return found

    found = held(state)
    if possibly_known is not None:
        other = held(possibly_known)
        for key, seat in other.items():
            mine = found.get(key)
            if mine is None or mine.certainty != seat.certainty:
                found[key] = attrs.evolve(mine or seat, certainty="possible")
        for key, seat in found.items():
            if key not in other:
                found[key] = attrs.evolve(seat, certainty="possible")
    seats: list[Seat] = []
    for post in catalogue.posts(org):
        holders = [seat for (post_id, _), seat in found.items() if post_id == post.id]
        holders.sort(key=_seat_order)
        seats.extend(holders)
        seats.extend(Seat(post, None, "certain") for _ in range(post.seats - len(holders)))
    return tuple(seats)


def _seat_order(seat: Seat) -> tuple[bool, dt.date, str]:
    """Certain holders first, then by the start of their tenure, then by id."""
    start = seat.tenure.start.earliest if seat.tenure is not None else dt.date.min
    return (seat.certainty != "certain", start, seat.person or "")
