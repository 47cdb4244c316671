"""Claims about one date, and the policies that reconcile them.

When two sources date the same dismissal differently, the tenure's end has two
claims. A `Policy` turns a group of claims into one day range and says whether
it is disputed:

- ``cautious`` (the default): if the claims can all be true (their ranges
  overlap), the overlap; if they conflict, the whole span they cover, so
  dates inside it answer ``possible``, and every claim is named;
- ``earliest`` / ``latest``: the claim that comes first / last;
- ``prefer:SOURCE[,SOURCE...]``: the claims citing the first listed source
  that has any (a source id or its prefix, e.g. ``prefer:004``), else cautious.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from typing import Literal

import attrs

from chronos.dates import MAX_DAY, MIN_DAY, Day, End, FuzzyDate, PartialDate
from chronos.errors import UsageError, did_you_mean
from chronos.events import Event, Source

__all__ = ["OPEN_END", "OPEN_START", "Claim", "Policy", "Resolved"]

PolicyName = Literal["cautious", "earliest", "latest", "prefer"]


@attrs.frozen
class Claim:
    """One event's claim about when something started or ended, and how."""

    event: Event
    date: FuzzyDate
    cause: str
    #: The `Identified` events naming the holder this claim's source left unnamed.
    identified_by: tuple[Event, ...] = ()

    @property
    def sources(self) -> tuple[Source, ...]:
        """The sources of the claiming event (then of the events that identified its holder)."""
        if not self.identified_by:
            return self.event.sources
        return self.event.sources + tuple(s for e in self.identified_by for s in e.sources)

    def cites(self, source: str) -> bool:
        """True when one of the sources is ``source`` or starts with it."""
        return any(s.source == source or s.source.startswith(source) for s in self.event.sources)

    def __repr__(self) -> str:
        return f"Claim({self.cause} {self.date}, {self.event.type} {self.event.id[:12]})"


@attrs.frozen
class Resolved:
    """A group of claims reconciled by a policy: the day range, and which claims support it.

    ``first`` and ``last`` are the range's days (`Day.min`, `Day.max` when
    open). ``date`` is ``None`` when there are no claims (an open start, or no
    end yet). ``disputed`` is true when the claims cannot all be true.
    ``scheduled`` is true for an end that every chosen claim dates after it
    was known (a term that is to end, not one that ended): ``last`` is then
    open, since a forecast end may never come (see `chronos.projections.answers.reconcile`).
    """

    first: Day
    last: Day
    date: FuzzyDate | None
    chosen: tuple[Claim, ...]
    alternatives: tuple[Claim, ...] = ()
    disputed: bool = False
    scheduled: bool = False

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Every claim, chosen first."""
        return self.chosen + self.alternatives

    @property
    def earliest(self) -> dt.date:
        """`first` as a `datetime.date` (`MIN_DAY` when open; `DateError` outside the years 1-9999)."""
        return MIN_DAY if self.first == Day.min else MAX_DAY if self.first == Day.max else self.first.date()

    @property
    def latest(self) -> dt.date:
        """`last` as a `datetime.date` (`MAX_DAY` when open; `DateError` outside the years 1-9999)."""
        return MAX_DAY if self.last == Day.max else self.last.date()

    @property
    def cause(self) -> str | None:
        """The cause the chosen claims give (joined with '/' when they differ)."""
        causes = sorted({c.cause for c in self.chosen})
        return "/".join(causes) if causes else None

    def __repr__(self) -> str:
        claims = len(self.claims)
        what = f"{self.date} {self.cause}" if self.date is not None else "open"
        disputed = ", disputed" if self.disputed else ""
        return f"Resolved({what}, {claims} claim{'s' if claims != 1 else ''}{disputed})"


#: The start of a tenure nobody dated: could be any day, so never certain.
OPEN_START = Resolved(Day.min, Day.max, None, ())
#: The end of a tenure that has not ended.
OPEN_END = Resolved(Day.max, Day.max, None, ())


@attrs.frozen(cache_hash=True)
class Policy:
    """How to reconcile claims that disagree (see the module docstring)."""

    name: PolicyName = "cautious"
    prefer: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str | Policy | None) -> Policy:
        """``cautious``, ``earliest``, ``latest`` or ``prefer:SOURCE[,SOURCE...]``."""
        if text is None:
            return cls()
        if isinstance(text, Policy):
            return text
        name, _, rest = text.partition(":")
        if name == "prefer":
            sources = tuple(s.strip() for s in rest.split(",") if s.strip())
            if not sources:
                raise UsageError("policy 'prefer' needs sources: prefer:SOURCE[,SOURCE...]")
            return cls("prefer", sources)
        if name in ("cautious", "earliest", "latest") and not rest:
            return cls(name)  # type: ignore[arg-type]
        raise UsageError(f"unknown policy {text!r} (use cautious, earliest, latest or prefer:SOURCE)")

    def __str__(self) -> str:
        return f"prefer:{','.join(self.prefer)}" if self.name == "prefer" else self.name

    def checked_against(self, sources: Sequence[str]) -> Policy:
        """The policy itself, once every source it prefers is among ``sources`` (else `UsageError`)."""
        for wanted in self.prefer:
            if not any(source.startswith(wanted) for source in sources):
                # Sources are mostly cited by a prefix (``004`` for ``004_a82dc472c30e5f7b.txt``).
                stems = {re.split(r"[_.]", source, maxsplit=1)[0] for source in sources}
                near = difflib.get_close_matches(wanted, sorted(stems | set(sources)), n=3, cutoff=0.5)
                known = "" if near else f" (it cites {_some(tuple(sources))})"
                raise UsageError(
                    f"policy {str(self)!r}: no source {wanted!r} in the log{did_you_mean(near) or known}"
                )
        return self

    def resolve(self, claims: Sequence[Claim], *, empty: Resolved) -> Resolved:
        """Reconcile a group of claims into one range; ``empty`` when there are none."""
        if not claims:
            return empty
        if len(claims) == 1:
            only = claims[0]
            return Resolved(only.date.first, only.date.last, only.date, (only,))
        ordered = sorted(claims, key=_claim_key)
        conflict = _conflict(ordered)
        if self.name == "earliest":
            return _pick(ordered, ordered[0], conflict)
        if self.name == "latest":
            last = max(ordered, key=lambda c: (c.date.last, c.date.first, c.event.id))
            return _pick(ordered, last, conflict)
        if self.name == "prefer":
            for source in self.prefer:
                citing = [c for c in ordered if c.cites(source)]
                if citing:
                    chosen = _cautious(citing)
                    others = tuple(c for c in ordered if c not in citing)
                    return attrs.evolve(chosen, alternatives=others, disputed=conflict)
        return _cautious(ordered)


def _claim_key(claim: Claim) -> tuple[Day, Day, str]:
    return (claim.date.first, claim.date.last, claim.event.id)


def _conflict(claims: Sequence[Claim]) -> bool:
    return max(c.date.first for c in claims) > min(c.date.last for c in claims)


def _pick(claims: Sequence[Claim], chosen: Claim, conflict: bool) -> Resolved:
    others = tuple(c for c in claims if c is not chosen)
    return Resolved(chosen.date.first, chosen.date.last, chosen.date, (chosen,), others, conflict)


def _cautious(claims: Sequence[Claim]) -> Resolved:
    low = max(c.date.first for c in claims)
    high = min(c.date.last for c in claims)
    if low <= high:
        # The claims can all be true: keep the overlap, as the most precise
        # claim states it when one does.
        exact = [c for c in claims if c.date.first == low and c.date.last == high]
        date = exact[0].date if exact else _span(low, high)
        return Resolved(low, high, date, tuple(claims))
    low = min(c.date.first for c in claims)
    high = max(c.date.last for c in claims)
    singles = [c.date for c in claims]
    if all(d.is_exact for d in singles):
        days = sorted({d.first for d in singles})
        members = tuple(PartialDate.from_day(d) for d in days)
        date = FuzzyDate(members[0], members[-1], "set", members)
    else:
        date = _span(low, high)
    return Resolved(low, high, date, tuple(claims), (), True)


def _span(low: Day, high: Day) -> FuzzyDate:
    lower = _written(low) if low != Day.min else None
    upper = _written(high) if high != Day.max else None
    if lower is not None and lower == upper:
        return FuzzyDate(lower, lower)
    return FuzzyDate(lower or End.OPEN, upper or End.OPEN, "interval")


def _written(day: Day) -> PartialDate:
    """A day as a date to print: the day itself, or its year where EDTF names no day (beyond 4 digits)."""
    year = day.year
    return PartialDate.from_day(day) if -9999 <= year <= 9999 else PartialDate(year)


def _some(names: tuple[str, ...], most: int = 5) -> str:
    """The first few of ``names``, and how many there are in all."""
    if not names:
        return "no sources"
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown}, ... ({len(names)} in all)"
