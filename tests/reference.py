"""A deliberately simple reference implementation of the roster, for the property tests.

It knows nothing of claims, policies or certainty: it filters what was known,
drops what was retracted, and replays exact-day events in date order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from chronos import Appointed, Died, Event, Moved, Retracted, TenureEnded


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
