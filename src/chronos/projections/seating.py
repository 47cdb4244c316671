"""What a roster shows besides who held each seat: the organisation's life, vacancies, the record's horizon.

- Before an organisation's founding, and after its dissolution, it has no
  seats, and neither have its units: a post holds nobody before its
  organisation exists. Where the founding or dissolution date leaves it open,
  whatever the roster shows there is at most ``possible``.
- A seat that no holder fills is ``vacant`` only where the record says so: a
  source's own roster with the seat empty (on that roster's date), or a
  `DeclaredComplete` of the post or of an organisation above it (over its
  period). Anywhere else it is ``unknown``: nothing recorded is not nothing
  happened.
- Past the record's horizon (`State.horizon`: the knowledge date asked, or the
  last day anything in the log became known) every answer is a forecast, and
  nothing is ``certain``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from chronos.dates import Day
from chronos.entities import Catalogue, Post
from chronos.events import DeclaredComplete, Event
from chronos.projections.answers import (
    Certainty,
    Seat,
    When,
    downgrade,
    reasons,
    seat_order,
    span,
    unknown_seat,
)
from chronos.projections.policy import OPEN_END, Policy, Resolved
from chronos.projections.state import State

__all__ = ["NOT_FOUNDED", "Evidence", "Life", "Seating", "evidence_of", "existence", "seating"]

#: The founding of an organisation nobody dated: as far as the record goes, it always existed.
NOT_FOUNDED = Resolved(Day.min, Day.min, None, ())


@attrs.frozen
class Life:
    """An organisation's founding and dissolution, reconciled by a policy."""

    founded: Resolved
    dissolved: Resolved


@attrs.frozen
class Evidence:
    """One claim that seats of a post were empty, and the days it covers (inclusive).

    ``sure_*`` bound the days it certainly covers (none when ``sure_from >
    sure_to``), ``maybe_*`` those it may cover. ``count`` is how many seats it
    says were empty (None: every seat no recorded holder fills).
    """

    event: Event
    code: str
    sure_from: Day
    sure_to: Day
    maybe_from: Day
    maybe_to: Day
    count: int | None


def evidence_of(state: State, catalogue: Catalogue, post: str) -> tuple[Evidence, ...]:
    """Every vacancy claim about ``post`` and every declaration covering it, in event order."""
    found: list[Evidence] = []
    counts: dict[str, tuple[Event, int]] = {}
    for claim in state.vacancies.get(post, ()):
        event, count = counts.get(claim.event.id, (claim.event, 0))
        counts[claim.event.id] = (event, count + 1)
    for event, count in counts.values():
        date = event.occurred
        exact = date.first == date.last
        found.append(
            Evidence(
                event,
                "vacancy-reported",
                date.first if exact else Day.max,
                date.last if exact else Day.min,
                date.first,
                date.last,
                count,
            )
        )
    for subject in (post, *catalogue.above(post)):
        for declared in state.declared.get(subject, ()):
            found.append(_declared(declared))
    found.sort(key=lambda e: (e.maybe_from, e.maybe_to, e.event.id))
    return tuple(found)


def _declared(event: DeclaredComplete) -> Evidence:
    until = event.until
    return Evidence(
        event,
        "declared-complete",
        event.occurred.last,
        until.first if until is not None else Day.max,
        event.occurred.first,
        until.last if until is not None else Day.max,
        None,
    )


class Seating:
    """The evidence about seats in one state, for one policy: lives of organisations, vacancies, horizon."""

    def __init__(self, state: State, catalogue: Catalogue, policy: Policy):
        self.state = state
        self.catalogue = catalogue
        self.horizon = state.horizon
        self.lives: dict[str, Life] = {}
        for org in state.founded.keys() | state.dissolved.keys():
            self.lives[org] = Life(
                policy.resolve(state.founded.get(org, ()), empty=NOT_FOUNDED),
                policy.resolve(state.dissolved.get(org, ()), empty=OPEN_END),
            )
        self._evidence: dict[str, tuple[Evidence, ...]] = {}
        #: Whether an organisation above a post has a recorded life, by post.
        self._lived: dict[str, bool] = {}
        #: Existence on a span, by (organisation, first day, last day): a roster asks once per unit.
        self._exists: dict[tuple[str, Day, Day], tuple[Certainty | None, tuple[str, ...]]] = {}

    def late(self, high: Day) -> bool:
        """True when ``high`` lies past the record's horizon."""
        return self.horizon is not None and high > self.horizon

    def evidence(self, post: str) -> tuple[Evidence, ...]:
        """The vacancy claims and declarations bearing on ``post`` (remembered)."""
        found = self._evidence.get(post)
        if found is None:
            found = self._evidence[post] = evidence_of(self.state, self.catalogue, post)
        return found

    def lived(self, post: str) -> bool:
        """True when an organisation above ``post`` has a recorded founding or dissolution (remembered)."""
        found = self._lived.get(post)
        if found is None:
            found = self._lived[post] = any(org in self.lives for org in self.catalogue.above(post))
        return found

    def existence(self, post: str, low: Day, high: Day) -> tuple[Certainty | None, tuple[str, ...]]:
        """Whether ``post``'s organisation and those above it exist on ``[low, high]``, and why not surely."""
        if not self.lives:
            return "certain", ()
        chain = self.catalogue.above(post)
        if not chain:
            return "certain", ()
        key = (chain[0], low, high)
        found = self._exists.get(key)
        if found is None:
            if len(self._exists) > 4096:
                self._exists.clear()
            found = self._exists[key] = self._existence(chain, low, high)
        return found

    def _existence(
        self, chain: tuple[str, ...], low: Day, high: Day
    ) -> tuple[Certainty | None, tuple[str, ...]]:
        certainty: Certainty = "certain"
        why: list[str] = []
        for org in chain:
            life = self.lives.get(org)
            if life is None:
                continue
            founded, dissolved = life.founded, life.dissolved
            if founded.first > high or dissolved.last <= low:
                return None, ()
            if founded.last > low or dissolved.first <= high:
                certainty = "possible"
                if founded.last > low:
                    why.append("before-founding")
                if dissolved.first <= high:
                    why.append("after-dissolution")
        return certainty, reasons(why)

    def settle(self, held: Mapping[str, Sequence[Seat]], low: Day, high: Day) -> dict[str, list[Seat]]:
        """The holders in ``held`` (by post) whose organisation exists; none certain past the horizon."""
        late = self.late(high)
        if not late and not self.lives:
            return held if isinstance(held, dict) else {k: list(v) for k, v in held.items()}
        out: dict[str, list[Seat]] = {}
        for post, seats in held.items():
            changed = list(seats)
            if self.lives:
                exists, why = self.existence(post, low, high)
                if exists is None:
                    continue
                if exists == "possible":
                    changed = [downgrade(s, *why) for s in changed]
            if late:
                changed = [downgrade(s, "after-record") for s in changed]
            if len(changed) > 1:
                changed.sort(key=seat_order)
            out[post] = changed
        return out

    def empty_seats(self, post: Post, count: int, low: Day, high: Day) -> list[Seat]:
        """The ``count`` empty seats of ``post`` on ``[low, high]``: vacant where the record says so.

        Unknown elsewhere; none when the post's organisation did not exist.
        """
        exists, why = self.existence(post.id, low, high)
        if exists is None or count <= 0:
            return []
        sure: list[Evidence] = []
        maybe: list[Evidence] = []
        for found in self.evidence(post.id):
            if found.sure_from <= low and high <= found.sure_to:
                sure.append(found)
            elif found.maybe_from <= high and low <= found.maybe_to:
                maybe.append(found)
        certain_empty = min(count, _most(sure, count))
        possible_empty = min(count, _most(sure + maybe, count)) - certain_empty
        extra = [*why, "after-record"] if self.late(high) else list(why)
        seats: list[Seat] = []
        if certain_empty:
            seat = _vacant(post, sure, "certain", ())
            seats += [downgrade(seat, *extra) if extra else seat] * certain_empty
        if possible_empty:
            seat = _vacant(post, maybe, "possible", ("imprecise-vacancy",))
            seats += [downgrade(seat, *extra) if extra else seat] * possible_empty
        unknown = count - certain_empty - possible_empty
        if unknown:
            seat = unknown_seat(post, late=self.late(high))
            seats += [downgrade(seat, *why) if why else seat] * unknown
        return seats


def _most(found: Sequence[Evidence], count: int) -> int:
    """How many seats the evidence says were empty: all of them for a declaration, else the largest count."""
    return max((count if e.count is None else e.count for e in found), default=0)


def _vacant(post: Post, found: Sequence[Evidence], certainty: Certainty, more: tuple[str, ...]) -> Seat:
    events = tuple(dict.fromkeys(e.event for e in found))
    return Seat(
        post,
        None,
        certainty,
        state="vacant",
        reasons=reasons((*(e.code for e in found), *more)),
        evidence=events,
    )


def seating(state: State, catalogue: Catalogue, policy: Policy) -> Seating:
    """The `Seating` of a state for a policy, kept in the state for this catalogue."""
    found = state.derived.seatings.get(policy)
    if found is None or found.catalogue is not catalogue:
        found = state.derived.seatings[policy] = Seating(state, catalogue, policy)
    return found


def existence(
    state: State, catalogue: Catalogue, org_id: str, at: When, policy: Policy
) -> tuple[Certainty | None, tuple[Event, ...]]:
    """Whether ``org_id`` (and every organisation above it) existed on ``at``, and the events that say so.

    ``certain`` when no founding or dissolution recorded leaves it open (or
    none is recorded), ``possible`` when an imprecise date does, None when it
    certainly did not exist.
    """
    low, high = span(at)
    certainty: Certainty = "certain"
    because: list[Event] = []
    for unit in (org_id, *catalogue.above(org_id)):
        founded, dissolved = state.founded.get(unit, ()), state.dissolved.get(unit, ())
        if not founded and not dissolved:
            continue
        start = policy.resolve(founded, empty=NOT_FOUNDED)
        end = policy.resolve(dissolved, empty=OPEN_END)
        claims = [c.event for c in (*start.claims, *end.claims)]
        if start.first > high or end.last <= low:
            return None, tuple(claims)
        if start.last > low or end.first <= high:
            certainty = "possible"
            because += claims
    return certainty, tuple(dict.fromkeys(because))
