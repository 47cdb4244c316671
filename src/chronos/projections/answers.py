"""What every question's answer is made of: tenures reconciled by a policy, seats, certainty.

Dates are half-open at day granularity: appointed on D holds on D; dismissed
on D no longer holds on D. Every answer carries a certainty: ``certain`` when
every reading of the claims agrees, ``possible`` when an imprecise or disputed
date leaves it open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import attrs

from chronos.dates import Day, FuzzyDate
from chronos.entities import Post
from chronos.events import Event, Source
from chronos.projections.policy import OPEN_END, OPEN_START, Claim, Policy, Resolved
from chronos.projections.state import Period, State

__all__ = ["DEFAULT_POLICY", "Certainty", "Seat", "Tenure", "When", "holds", "reconcile", "span", "tenure_of"]

Certainty = Literal["certain", "possible"]
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
    """Reconcile a period's claims with a policy."""
    return Tenure(
        period.person,
        period.subject,
        policy.resolve(period.starts, empty=OPEN_START),
        policy.resolve(period.ends, empty=OPEN_END),
    )


def _sources(claims: Sequence[Claim]) -> tuple[Source, ...]:
    seen: dict[tuple[str, str], Source] = {}
    for claim in claims:
        for source in claim.sources:
            seen.setdefault((source.source, source.quote), source)
    return tuple(seen.values())


@attrs.frozen
class Seat:
    """One seat of a post on a date: who holds it (None: vacant), since when, how certainly."""

    post: Post
    person: str | None
    certainty: Certainty
    tenure: Tenure | None = None

    @property
    def vacant(self) -> bool:
        """True for an empty seat."""
        return self.person is None

    @property
    def since(self) -> FuzzyDate | None:
        """The start of the holder's tenure, as reconciled (None: vacant or undated)."""
        return self.tenure.start.date if self.tenure is not None else None

    @property
    def sources(self) -> tuple[Source, ...]:
        """The sources behind the holder's tenure."""
        return self.tenure.sources if self.tenure is not None else ()

    def __repr__(self) -> str:
        if self.person is None:
            return f"Seat({self.post.id!r}: vacant)"
        since = f", since {self.since}" if self.since is not None else ""
        return f"Seat({self.post.id!r}: {self.person!r}, {self.certainty}{since})"
