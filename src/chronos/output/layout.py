"""The layout of a Gantt chart of an organisation's posts: lanes of bars and markers, as plain data.

`build` turns a chronology into a `Chart`, clipped to a span of days. A post gets
one lane per holder it has at the same time (a post of seven seats shows as many
lanes as it needs). A bar is certain where the holder certainly held the post and
possible where the dates leave it open (an appointment known only to the year, a
disputed dismissal). Arrests and deaths of the holders are markers on their lanes.
Drawing is elsewhere (`chronos.output.timeline` with matplotlib, the explorer in a
browser), so the layout needs nothing beyond chronos.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from chronos.chronology import Chronology
from chronos.dates import Day, check_order
from chronos.entities import Post
from chronos.output.tables import post_label
from chronos.projections import Policy, Resolved, Tenure

__all__ = ["Bar", "Chart", "Lane", "Marker", "Segment", "build"]


@attrs.frozen
class Segment:
    """Part of a bar, from the first day to the day after the last: held certainly or only possibly."""

    start: Day
    end: Day
    possible: bool


@attrs.frozen
class Bar:
    """One tenure drawn on a lane, clipped to the chart's span."""

    person: str
    name: str
    segments: tuple[Segment, ...]
    since: str
    until: str
    cause: str
    disputed: bool

    @property
    def start(self) -> Day:
        """The first day drawn."""
        return self.segments[0].start

    @property
    def end(self) -> Day:
        """The day after the last day drawn."""
        return self.segments[-1].end

    @property
    def certain(self) -> bool:
        """True when every drawn day is certain."""
        return not any(s.possible for s in self.segments)


@attrs.frozen
class Lane:
    """One row of the chart: a post (or one of its concurrent holders) and its bars."""

    post: str
    label: str
    bars: tuple[Bar, ...]


@attrs.frozen
class Marker:
    """An arrest or a death on a lane: the day, or the first and last day it may have been."""

    kind: str
    person: str
    name: str
    lane: int
    first: Day
    last: Day


@attrs.frozen
class Chart:
    """Everything `figure` draws."""

    title: str
    start: Day
    end: Day
    lanes: tuple[Lane, ...]
    markers: tuple[Marker, ...]


def _segments(tenure: Tenure, start: Day, end: Day, horizon: Day | None = None) -> tuple[Segment, ...]:
    """Hatched where the start or end may fall or past the record's horizon, solid between, clipped."""
    s0, s1 = tenure.start.first, tenure.start.last
    e0, e1 = tenure.end.first, tenure.end.last
    s1 = min(s1, e0)  # an undated start can be any day before the end
    if s1 < e0:
        # Past the horizon the record says nothing: a held seat there is a forecast.
        cut = max(s1, min(e0, Day(horizon + 1))) if horizon is not None and horizon < Day.max else e0
        parts = [
            Segment(s0, s1, True),
            Segment(s1, cut, False),
            Segment(cut, e0, True),
            Segment(e0, e1, True),
        ]
    else:
        parts = [Segment(s0, e1, True)]
    stop = Day(end + 1)
    clipped = [attrs.evolve(p, start=max(p.start, start), end=min(p.end, stop)) for p in parts]
    return tuple(p for p in clipped if p.start < p.end)


def _text(resolved: Resolved, missing: str) -> str:
    return str(resolved.date) if resolved.date is not None else missing


def _pack(bars: Sequence[Bar]) -> list[list[Bar]]:
    """Bars in as few rows as keep them from overlapping (first fit, in order of start)."""
    rows: list[list[Bar]] = []
    for bar in sorted(bars, key=lambda b: (b.start, b.end, b.name)):
        for row in rows:
            if row[-1].end <= bar.start:
                row.append(bar)
                break
        else:
            rows.append([bar])
    return rows or [[]]


def build(
    chronology: Chronology,
    org: str,
    *,
    start: Day | dt.date,
    end: Day | dt.date,
    known_at: Day | dt.date | None = None,
    policy: Policy | str | None = None,
) -> Chart:
    """Lay out the chart of ``org`` and its units from ``start`` to ``end`` (inclusive), any years.

    Raises `UsageError` when ``start`` is after ``end``.
    """
    start, end = _day(start), _day(end)
    check_order(start, end, names=("--from", "--to"))
    known_at = None if known_at is None else _day(known_at)
    catalogue = chronology.catalogue
    root = chronology.lookup(org, kind="organisation")
    horizon = chronology.horizon(known_at)
    tenures: dict[str, list[Tenure]] = {}
    for tenure in chronology.tenures(known_at=known_at, policy=policy):
        tenures.setdefault(tenure.post, []).append(tenure)
    lanes: list[Lane] = []
    for post in catalogue.posts(root.id):
        bars = []
        for tenure in tenures.get(post.id, ()):
            segments = _segments(tenure, start, end, horizon)
            if segments:
                person = catalogue.get(tenure.person)
                bars.append(
                    Bar(
                        tenure.person,
                        person.name if person is not None else tenure.person,
                        segments,
                        _text(tenure.start, "?"),
                        _text(tenure.end, ""),
                        tenure.end.cause or "",
                        tenure.disputed,
                    )
                )
        label = post_label(post, catalogue, root=root.id) if isinstance(post, Post) else post.id
        rows = _pack(bars)
        for number, row in enumerate(rows, start=1):
            lanes.append(Lane(post.id, label if len(rows) == 1 else f"{label} ({number})", tuple(row)))
    markers = _markers(chronology, lanes, start, end, known_at=known_at, policy=policy)
    span = f"{start} to {end}"
    known = f", as known on {known_at}" if known_at is not None else ""
    name = chronology.called_between(root.id, start, end, known_at=known_at)
    return Chart(f"{name}: {span}{known}", start, end, tuple(lanes), markers)


def _markers(
    chronology: Chronology,
    lanes: Sequence[Lane],
    start: Day,
    end: Day,
    *,
    known_at: Day | None,
    policy: Policy | str | None,
) -> tuple[Marker, ...]:
    """Arrests and deaths of the holders drawn, each on the lane of that holder's nearest bar."""
    people = {bar.person: bar.name for lane in lanes for bar in lane.bars}
    found: list[Marker] = []
    for person, name in people.items():
        history = chronology.history(person, known_at=known_at, policy=policy)
        dated = [("arrested", spell.start) for spell in history.custody if spell.start.chosen]
        if history.death is not None:
            dated.append(("died", history.death))
        for kind, when in dated:
            if when.last < start or when.first > end or when.first == Day.min:
                continue
            places = [
                (_distance(bar, when), index)
                for index, lane in enumerate(lanes)
                for bar in lane.bars
                if bar.person == person
            ]
            found.append(
                Marker(kind, person, name, min(places)[1], when.first, min(when.last, Day(Day.max - 1)))
            )
    return tuple(found)


def _distance(bar: Bar, when: Resolved) -> int:
    if when.last < bar.start:
        return bar.start - when.last
    if when.first > bar.end:
        return when.first - bar.end
    return 0


def _day(value: Day | dt.date) -> Day:
    return value if isinstance(value, Day) else Day.from_date(value)
