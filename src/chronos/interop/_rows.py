"""What every export writes: the tenures of a chronology, each with its claims, and its entities.

A tenure row is a tenure reconciled by the cautious policy: its start and end
as EDTF dates (a disputed date is the span or set the claims allow), how it
started and ended, when the first claim of each became known, and every source.
Popolo also keeps each claim (`ClaimRow`), so it loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from chronos.chronology import Chronology, DateLike
from chronos.dates import Day, FuzzyDate
from chronos.entities import Post
from chronos.events import Moved, Source
from chronos.interop._model import source_dict
from chronos.projections import Claim, Resolved

__all__ = ["ClaimRow", "Side", "TenureRow", "claims_json", "day", "tenure_rows"]


def day(value: Day) -> str:
    """An ISO 8601 day (``-0043-03-15`` for 44 BCE), or empty for an open end."""
    return "" if value in (Day.min, Day.max) else str(value)


@attrs.frozen
class ClaimRow:
    """One claim of a start or an end, as an export keeps it."""

    cause: str
    date: FuzzyDate
    known: FuzzyDate
    sources: tuple[Source, ...]
    note: str | None
    #: The id of the event that makes the claim (a correction's replacement, for a corrected claim).
    event: str = ""


@attrs.frozen
class Side:
    """The start or the end of a tenure, reconciled, with its claims."""

    date: FuzzyDate | None
    earliest: str
    latest: str
    cause: str
    known: FuzzyDate | None
    sources: tuple[Source, ...]
    claims: tuple[ClaimRow, ...]
    #: The ids of the moves among the claims: a move's two sides (an end, a start) share one.
    moves: tuple[str, ...] = ()
    #: The bounds as days, to sort by (ISO text sorts BCE years backwards).
    first: Day = Day.min
    last: Day = Day.max

    @property
    def precision(self) -> str:
        """``day``, ``month``, ``year``, ``range`` (an interval or a set), or empty (no date)."""
        return "" if self.date is None else self.date.precision


@attrs.frozen
class TenureRow:
    """One tenure: who, which post of which organisation, its start and its end."""

    person: str
    post: str
    org: str
    start: Side
    end: Side


def _side(resolved: Resolved) -> Side:
    # The chosen claims first, each group in an order of what they say, not of their event ids: a file
    # that merges some claims (the CSV's one cell of sources per side) reads back as events with other
    # ids, and must write the same sources in the same order again.
    chosen = set(map(id, resolved.chosen))
    claims = sorted(
        resolved.claims,
        key=lambda c: (
            id(c) not in chosen,
            c.date.first,
            c.date.last,
            c.cause,
            c.event.known.first,
            [str(s) for s in c.event.sources],
            c.event.id,
        ),
    )
    first = min(claims, key=lambda c: (c.event.known.last, c.event.known.first), default=None)
    sources = tuple(dict.fromkeys(s for c in claims for s in c.sources))
    dated = resolved.date is not None
    return Side(
        date=resolved.date,
        earliest=day(resolved.first) if dated else "",
        latest=day(resolved.last) if dated else "",
        cause=resolved.cause or "",
        known=first.event.known if first is not None else None,
        sources=sources,
        claims=tuple(_claim_row(c) for c in claims),
        moves=tuple(dict.fromkeys(c.event.id for c in claims if isinstance(c.event, Moved))),
        first=resolved.first if dated else Day.min,
        last=resolved.last if dated else Day.max,
    )


def _claim_row(claim: Claim) -> ClaimRow:
    event = claim.event
    return ClaimRow(claim.cause, claim.date, event.known, event.sources, event.note, event.id)


def tenure_rows(chronology: Chronology, *, known_at: DateLike | None = None) -> list[TenureRow]:
    """Every tenure as known on ``known_at`` (everything when None), by organisation, post and start."""
    rows = []
    for tenure in chronology.tenures(known_at=known_at, policy="cautious"):
        post = chronology.catalogue.get(tenure.post)
        org = post.org if isinstance(post, Post) else ""
        rows.append(TenureRow(tenure.person, tenure.post, org, _side(tenure.start), _side(tenure.end)))
    order = {entity_id: i for i, entity_id in enumerate(chronology.catalogue)}
    rows.sort(key=lambda r: (order.get(r.post, 0), r.start.first, r.end.last, r.person))
    return rows


def claims_json(claims: Iterable[ClaimRow]) -> list[dict[str, Any]]:
    """Claims as JSON objects: ``{cause, date, known, sources, note}``."""
    out = []
    for claim in claims:
        item: dict[str, Any] = {
            "cause": claim.cause,
            "date": str(claim.date),
            "known": str(claim.known),
            "sources": [source_dict(s) for s in claim.sources],
        }
        if claim.note:
            item["note"] = claim.note
        out.append(item)
    return out
