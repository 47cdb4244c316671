"""Seats as the object engine shows them, from holder rows: the rules are `chronos.projections.seating`'s.

The arrays find who holds what (`chronos.columnar._rows`); everything else a
roster shows, held, vacant or unknown, with reasons, nothing certain past the
record's horizon, no seats before an organisation's founding or after its
dissolution, comes from `Seating` itself. `SeatRules` builds that `Seating`
for a knowledge date by folding only the events that bear on it
(`EventIndex.for_seats`, kept by position in the projection) with the object
engine's `project`; `seats` then applies it as `roster` does (`Seating.settle`,
`Seating.empty_seats`, `unknown_seat`), and `rows` gives the same answer as
numbers without building a `Seat`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from chronos.dates import Day
from chronos.entities import Catalogue
from chronos.events import Event
from chronos.projections import Policy, Seat, project
from chronos.projections.answers import downgrade, held_reasons, seat_order, unknown_seat
from chronos.projections.seating import Seating

if TYPE_CHECKING:
    from chronos.columnar.engine import Columnar

from chronos.columnar._rows import HELD, UNKNOWN, VACANT, Held, Holder, Rows

__all__ = ["Rules", "SeatRules", "rows", "seat_layout", "seats"]

_STATES = {"held": HELD, "vacant": VACANT, "unknown": UNKNOWN}


class Rules:
    """One `Seating` (for one knowledge date) and which posts need more than the plain rules."""

    def __init__(self, seating: Seating, engine: Columnar):
        self.seating = seating
        #: True when no founding, dissolution, vacancy or declaration stands: only the horizon matters.
        self.plain = not (seating.lives or seating.state.vacancies or seating.state.declared)
        self._engine = engine
        self._special: frozenset[int] | None = None

    def late(self, hi: int) -> bool:
        """True when ``hi`` lies past the record's horizon."""
        return self.seating.late(Day(hi))

    @property
    def special(self) -> frozenset[int]:
        """The posts (roster order) whose seats the evidence or an organisation's life may change."""
        if self._special is None:
            if self.plain:
                self._special = frozenset()
            else:
                seating, engine = self.seating, self._engine
                self._special = frozenset(
                    k
                    for k in range(engine.n_posts)
                    if seating.evidence(engine.post_id(k)) or seating.lived(engine.post_id(k))
                )
        return self._special

    def empties(self, post: int, free: int, lo: int, hi: int) -> list[Seat] | None:
        """The empty seats of a special post (`Seating.empty_seats`), None when the plain rule gives them."""
        if post not in self.special:
            return None
        post_id = self._engine.post_id(post)
        low, high = Day(lo), Day(hi)
        seating = self.seating
        if seating.evidence(post_id) or seating.existence(post_id, low, high)[0] != "certain":
            return seating.empty_seats(self._engine.post(post), free, low, high)
        return None


class SeatRules:
    """`Rules` for any knowledge date, each folded once from the events that bear on seats (kept a few)."""

    KEEP = 8

    def __init__(
        self,
        engine: Columnar,
        events: Callable[[], list[Event]],
        catalogue: Callable[[], Catalogue],
        policy: Policy,
        latest: int,
        *,
        empty: bool,
    ):
        self._engine = engine
        self._events = events
        self._catalogue = catalogue
        self._policy = policy
        self._latest = latest
        self._empty = empty
        self._kept: dict[int | None, Rules] = {}

    def at(self, day: int | None) -> Rules:
        """The rules as known on ``day`` (None: everything in the log)."""
        if day is not None and day >= self._latest:
            day = None
        found = self._kept.get(day)
        if found is None:
            horizon = Day(self._latest if day is None else min(day, self._latest))
            # No event bears on seats: the catalogue is not needed, and is not parsed for it.
            catalogue = Catalogue() if self._empty else self._catalogue()
            events = [] if self._empty else self._events()
            known = None if day is None else Day(day)
            state = project(events, catalogue, known_at=known, horizon=horizon)
            found = Rules(Seating(state, catalogue, self._policy), self._engine)
            if len(self._kept) >= self.KEEP:
                self._kept.pop(next(iter(self._kept)))
            self._kept[day] = found
        return found


def seats(engine: Columnar, first: int, stop: int, held: Held, lo: int, hi: int, rules: Rules) -> list[Seat]:
    """The seats of the posts ``first`` to ``stop`` (roster order), as `roster` assembles them."""
    low, high = Day(lo), Day(hi)
    by_post: dict[str, list[Seat]] = {}
    for k in range(first, stop):
        found = held.get(k)
        if not found:
            continue
        post = engine.post(k)
        here: list[Seat] = []
        for person, (sure, _s0, row, pending) in found.items():
            tenure = engine.tenure(row)
            seat = Seat(
                post,
                engine.entity_id(person),
                "certain" if sure else "possible",
                tenure,
                state="held",
                reasons=held_reasons(tenure, low, high, sure),
            )
            here.append(downgrade(seat, "pending-report") if pending else seat)
        here.sort(key=seat_order)
        by_post[post.id] = here
    settled = rules.seating.settle(by_post, low, high)
    late = rules.late(hi)
    out: list[Seat] = []
    for k in range(first, stop):
        post = engine.post(k)
        holders = settled.get(post.id, ())
        out += holders
        free = post.seats - len(holders)
        empty = rules.empties(k, free, lo, hi)
        if empty is not None:
            out += empty
        elif free > 0:
            out += [unknown_seat(post, late=late)] * free
    return out


class _Columns:
    """`Rows` being built, one seat at a time or a run of like seats at once: the one place rows are made."""

    __slots__ = ("certain", "persons", "posts", "states", "tenures")

    def __init__(self) -> None:
        self.posts: list[int] = []
        self.persons: list[int] = []
        self.certain: list[bool] = []
        self.tenures: list[int] = []
        self.states: list[int] = []

    def held(self, post: int, holders: list[tuple[bool, int, int, int]]) -> None:
        """A post's holders, as `_holders` orders them."""
        for sure, _s0, row, person in holders:
            self.posts.append(post)
            self.persons.append(person)
            self.certain.append(sure)
            self.tenures.append(row)
            self.states.append(HELD)

    def empty(self, post: int, count: int, state: int = UNKNOWN, certain: bool = False) -> None:
        """``count`` seats of ``post`` that nobody holds."""
        self.posts += [post] * count
        self.persons += [-1] * count
        self.certain += [certain] * count
        self.tenures += [-1] * count
        self.states += [state] * count

    def rows(self) -> Rows:
        return self.posts, self.persons, self.certain, self.tenures, self.states


def rows(engine: Columnar, first: int, stop: int, held: Held, lo: int, hi: int, rules: Rules) -> Rows:
    """`seats` as `Rows`: the same seats in the same order, as numbers."""
    late = rules.late(hi)
    rank = engine.rank
    if rules.plain:
        return _plain_rows(engine, held, first, stop, late, rank)
    counts = engine.seat_counts(first, stop)
    out = _Columns()
    lives = bool(rules.seating.lives)
    low, high = Day(lo), Day(hi)
    for k in range(first, stop):
        found = held.get(k)
        count = 0
        exists = "certain"
        if lives and k in rules.special:
            exists = rules.seating.existence(engine.post_id(k), low, high)[0] or ""
        if found and exists:
            holders = _holders(found, late or exists != "certain", rank)
            out.held(k, holders)
            count = len(holders)
        free = counts[k - first] - count
        empty = rules.empties(k, free, lo, hi)
        if empty is not None:
            for seat in empty:
                out.empty(k, 1, _STATES[seat.state], seat.certainty == "certain")
        elif free > 0:
            out.empty(k, free)
    return out.rows()


def _plain_rows(engine: Columnar, held: Held, first: int, stop: int, late: bool, rank: Any) -> Rows:
    """`rows` when no founding, dissolution, vacancy or declaration stands: holders, then unknown seats.

    Every empty seat is unknown (possible), and past the horizon no holder is certain. The
    seats are laid out as unknown at once (`Columnar.seat_layout`), then the held ones filled
    in, the last post first so that a post holding more than its seats can grow in place.
    """
    seat_post, seat_start = seat_layout(engine)
    starts: list[int] = seat_start[first : stop + 1].tolist()
    a = starts[0]
    posts: list[int] = seat_post[a : starts[-1]].tolist()
    total = len(posts)
    persons, certain, tenures, states = [-1] * total, [False] * total, [-1] * total, [UNKNOWN] * total
    for k in sorted(held, reverse=True):
        at, seats = starts[k - first] - a, starts[k - first + 1] - starts[k - first]
        holders = _holders(held[k], late, rank)
        if len(holders) > seats:  # a post holds more than its seats: everyone is shown
            more = len(holders) - seats
            end = at + seats
            posts[end:end] = [k] * more
            persons[end:end], certain[end:end] = [-1] * more, [False] * more
            tenures[end:end], states[end:end] = [-1] * more, [UNKNOWN] * more
        for i, (sure, _s0, row, person) in enumerate(holders, start=at):
            persons[i], certain[i], tenures[i], states[i] = person, sure, row, HELD
    return posts, persons, certain, tenures, states


def seat_layout(engine: Columnar) -> tuple[Any, Any]:
    """Every seat's post in roster order, and where each post's seats start (made on first use, kept)."""
    if engine.seat_layout is None:
        counts = np.asarray(engine.post_seats, np.int64)
        starts = np.concatenate(([0], np.cumsum(counts)))
        engine.seat_layout = (np.repeat(np.arange(len(counts)), counts), starts)
    return engine.seat_layout


def _holders(found: dict[int, Holder], lowered: bool, rank: Any) -> list[tuple[bool, int, int, int]]:
    """A post's holders as (certain, start, tenure row, person), in roster order (certain first).

    A holder is certain when the tenure is, its knowledge is not pending and nothing ``lowered``
    it (past the horizon, or an organisation that possibly did not exist). Ties of certainty
    and start go by id (its rank), looked up only when there are ties.
    """
    holders = [
        (sure and not pending and not lowered, s0, row, person)
        for person, (sure, s0, row, pending) in found.items()
    ]
    if len(holders) > 1:
        holders.sort(key=_by_certainty_and_start)
        keys = [(h[0], h[1]) for h in holders]
        if len(set(keys)) < len(keys):
            holders.sort(key=lambda h: (not h[0], h[1], int(rank[h[3]])))
    return holders


def _by_certainty_and_start(holder: tuple[bool, int, int, int]) -> tuple[bool, int]:
    return not holder[0], holder[1]
