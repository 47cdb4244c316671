"""What every question's answer is made of: tenures reconciled by a policy, seats, certainty, reasons.

Dates are half-open at day granularity: appointed on D holds on D; dismissed
on D no longer holds on D. Every answer carries a certainty: ``certain`` when
every reading of the claims agrees, ``possible`` when an imprecise or disputed
date leaves it open, and the reasons it has that certainty (`REASONS`).

A seat is in one of three states: ``held`` (by a person, certain or possible),
``vacant`` (only where a source says so, or the record is declared complete)
or ``unknown`` (nobody is recorded in it, which is not the same as empty).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

from chronos.dates import Day, FuzzyDate
from chronos.entities import UNNAMED_PREFIX, Post
from chronos.events import Event, Source
from chronos.projections.policy import OPEN_END, OPEN_START, Claim, Policy, Resolved
from chronos.projections.state import Period, State

__all__ = [
    "DEFAULT_POLICY",
    "REASONS",
    "Certainty",
    "Seat",
    "SeatState",
    "Tenure",
    "When",
    "downgrade",
    "held_reasons",
    "holds",
    "reasons",
    "reconcile",
    "seat_order",
    "span",
    "tenure_of",
    "unknown_seat",
]

Certainty = Literal["certain", "possible"]
#: What a seat holds: a person, nobody (a source says so), or nobody recorded.
SeatState = Literal["held", "vacant", "unknown"]

#: Why an answer has its certainty: a stable code, and its wording for people, in the order shown.
REASONS: dict[str, str] = {
    "dated": "dated",
    "vacancy-reported": "reported vacant",
    "declared-complete": "record declared complete",
    "unknown-holder": "unknown holder",
    "open-start": "open start",
    "imprecise-start": "imprecise start",
    "imprecise-end": "imprecise end",
    "disputed": "disputed dates",
    "scheduled-end": "scheduled end",
    "part-of-period": "part of the period",
    "imprecise-vacancy": "vacancy not certain throughout",
    "pending-report": "undated report",
    "before-founding": "possibly before founding",
    "after-dissolution": "possibly after dissolution",
    "after-record": "after the record",
    "unidentified": "unidentified holder",
    "identified": "identified later",
}
_RANK = {code: rank for rank, code in enumerate(REASONS)}


def reasons(codes: Iterable[str]) -> tuple[str, ...]:
    """Reason codes without repeats, in `REASONS` order (so every path gives equal answers)."""
    return tuple(sorted(set(codes), key=_RANK.__getitem__))


#: A query date: a day, or a `FuzzyDate` (a month, a year, a range) answered with certainty.
When = Day | dt.date | FuzzyDate
#: The policy used when none is given.
DEFAULT_POLICY = Policy()


@attrs.frozen
class Tenure:
    """A tenure with its start and end reconciled by a policy."""

    person: str
    post: str
    start: Resolved
    end: Resolved
    #: Reasons every seat of this tenure carries (``unidentified``, ``identified``), from `reconcile`.
    marks: tuple[str, ...] = ()

    @property
    def open_start(self) -> bool:
        """True when no source dates the start."""
        return not self.start.chosen

    @property
    def disputed(self) -> bool:
        """True when the sources disagree on the start or the end."""
        return self.start.disputed or self.end.disputed

    @property
    def events(self) -> tuple[Event, ...]:
        """The events behind this tenure, start claims first."""
        seen: dict[str, Event] = {}
        for claim in (*self.start.claims, *self.end.claims):
            seen.setdefault(claim.event.id, claim.event)
        return tuple(seen.values())

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source of every claim, without repeats."""
        return _sources(self.start.claims + self.end.claims)

    def holds(self, at: When) -> Certainty | None:
        """Whether the person holds the post on ``at``."""
        return holds(self.start, self.end, at)

    def __repr__(self) -> str:
        start, end = self.start.date, self.end.date
        span = f"{start if start is not None else '?'} -> {end if end is not None else '...'}"
        return f"Tenure({self.person!r} at {self.post!r}, {span}{', disputed' if self.disputed else ''})"


def span(at: When) -> tuple[Day, Day]:
    """The first and last day a query date covers."""
    if isinstance(at, FuzzyDate):
        return at.first, at.last
    if isinstance(at, Day):
        return at, at
    day = Day.from_date(at)
    return day, day


def holds(start: Resolved, end: Resolved, at: When) -> Certainty | None:
    """``certain``, ``possible`` or None for a period from ``start`` to ``end`` on ``at``.

    For a day: certain when it starts on or before every reading of the start
    and ends after every reading of the end. For a month or a year: certain
    when that holds on every day of it, possible when on some day.
    """
    low, high = span(at)
    if start.last <= low and high < end.first:
        return "certain"
    if start.first <= high and low < end.last:
        return "possible"
    return None


def tenure_of(state: State, period: Period, policy: Policy) -> Tenure:
    """`reconcile`, remembered in the state (which keeps the period alive, so its id is stable)."""
    key = (id(period), policy)
    tenure = state.derived.tenures.get(key)
    if tenure is None:
        tenure = state.derived.tenures[key] = reconcile(period, policy)
    return tenure


def reconcile(period: Period, policy: Policy) -> Tenure:
    """Reconcile a period's claims with a policy.

    An end that every chosen claim dates after the claim was known is a
    forecast (a term scheduled to end), not a fact: it stays the date the
    claims give, but the tenure may outlast it, so its last day is open and
    the holder is at most possible after its first day.
    """
    end = policy.resolve(period.ends, empty=OPEN_END)
    if end.chosen and all(_forecast(c) for c in end.chosen):
        end = attrs.evolve(end, last=Day.max, scheduled=True)
    marks: tuple[str, ...] = ()
    if period.person.startswith(UNNAMED_PREFIX):
        marks = ("unidentified",)
    elif any(c.identified_by for c in (*period.starts, *period.ends)):
        marks = ("identified",)
    return Tenure(period.person, period.subject, policy.resolve(period.starts, empty=OPEN_START), end, marks)


def _forecast(claim: Claim) -> bool:
    """True when the claim's date can lie after the day it was (certainly) known: a schedule."""
    return claim.date.last > claim.event.known.last


def held_reasons(tenure: Tenure, low: Day, high: Day, certain: bool) -> tuple[str, ...]:
    """Why a holder of ``tenure`` is certain (``dated``) or only possible on ``[low, high]``."""
    if certain:
        return ("dated", *tenure.marks) if tenure.marks else _DATED
    found: list[str] = list(tenure.marks)
    start, end = tenure.start, tenure.end
    if start.last > low:
        if not start.chosen:
            found.append("open-start")
        elif start.disputed:
            found.append("disputed")
        elif start.first > low:
            found.append("part-of-period")
        else:
            found.append("imprecise-start")
    if end.first <= high:
        if end.scheduled:
            found.append("scheduled-end")
        elif end.disputed:
            found.append("disputed")
        elif end.last <= high:
            found.append("part-of-period")
        else:
            found.append("imprecise-end")
    return reasons(found)


_DATED = ("dated",)


def downgrade(seat: Seat, *codes: str) -> Seat:
    """``seat`` made possible for ``codes`` (a certain seat loses its ``dated``)."""
    key = (seat.reasons, codes)
    why = _DOWNGRADED.get(key)
    if why is None:
        # Few combinations of reasons occur: remember each (a roster past the horizon downgrades every seat).
        why = _DOWNGRADED[key] = reasons((*(r for r in seat.reasons if r != "dated"), *codes))
    return Seat(seat.post, seat.person, "possible", seat.tenure, seat.state, why, seat.evidence)


_DOWNGRADED: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = {}


def _sources(claims: Sequence[Claim]) -> tuple[Source, ...]:
    seen: dict[tuple[str, str], Source] = {}
    for claim in claims:
        for source in claim.sources:
            seen.setdefault((source.source, source.quote), source)
    return tuple(seen.values())


def _state(seat: Seat) -> SeatState:
    return "unknown" if seat.person is None else "held"


@attrs.frozen
class Seat:
    """One seat of a post on a date: its state, who holds it, how certainly, and why.

    ``state`` is ``held`` (``person`` holds it), ``vacant`` (``evidence`` says
    so: a source's roster with the seat empty, or a `DeclaredComplete` of the
    post or its organisation) or ``unknown`` (nobody recorded, and nothing says
    it was empty). An unknown seat is always ``possible``. ``reasons`` are
    codes of `REASONS`.
    """

    post: Post
    person: str | None
    certainty: Certainty
    tenure: Tenure | None = None
    state: SeatState = attrs.field(default=attrs.Factory(_state, takes_self=True))
    reasons: tuple[str, ...] = ()
    #: The events that make a seat vacant (vacancy claims, declarations of completeness).
    evidence: tuple[Event, ...] = ()

    @property
    def vacant(self) -> bool:
        """True for a seat a source says (or a declaration implies) was empty; False when unknown."""
        return self.state == "vacant"

    @property
    def unknown(self) -> bool:
        """True for a seat nobody is recorded in and nothing says was empty."""
        return self.state == "unknown"

    @property
    def since(self) -> FuzzyDate | None:
        """The start of the holder's tenure, as reconciled (None: vacant, unknown or undated)."""
        return self.tenure.start.date if self.tenure is not None else None

    @property
    def sources(self) -> tuple[Source, ...]:
        """The sources behind the holder's tenure, or behind the vacancy."""
        if self.tenure is not None:
            return self.tenure.sources
        seen: dict[tuple[str, str], Source] = {}
        for event in self.evidence:
            for source in event.sources:
                seen.setdefault((source.source, source.quote), source)
        return tuple(seen.values())

    @property
    def why(self) -> tuple[str, ...]:
        """The reasons in words."""
        return tuple(REASONS[code] for code in self.reasons)

    def __repr__(self) -> str:
        if self.person is None:
            return f"Seat({self.post.id!r}: {self.state})"
        since = f", since {self.since}" if self.since is not None else ""
        return f"Seat({self.post.id!r}: {self.person!r}, {self.certainty}{since})"


def unknown_seat(post: Post, *, late: bool = False) -> Seat:
    """A seat nobody is recorded in (``late``: past the record's horizon too)."""
    return Seat(post, None, "possible", state="unknown", reasons=_LATE if late else _UNKNOWN)


_UNKNOWN = ("unknown-holder",)
_LATE = ("unknown-holder", "after-record")


def seat_order(seat: Seat) -> tuple[bool, Day, str]:
    """Certain holders first, then by the start of their tenure, then by id."""
    start = seat.tenure.start.first if seat.tenure is not None else Day.min
    return (seat.certainty != "certain", start, seat.person or "")
