"""The explorer: one standalone HTML page with two time sliders over an organisation's roster.

Drag "on this date" and the roster changes; drag "as known on" and the public record
fills in. The page needs no server and no network: every answer it shows was computed
here, by chronos, and embedded in the page as data. The page's script only looks
answers up and draws them (a Gantt chart, the roster, the diff between two dates, the
events and quotes behind whatever is clicked); it reconciles nothing itself.

What is embedded, and why it is enough: an answer can only change where some event's
date bound lies. So the valid dates are cut at every bound of every event's
``occurred`` (and the day after each), and the knowledge dates at every bound of every
event's ``known``; the roster on any day of a cut, as known on any day of a step, is
the one computed at the cut's and the step's first day (tests/test_explorer.py checks
this). Equal rosters and charts are stored once.

Days are embedded as day numbers (`chronos.Day`: proleptic Gregorian, any year) and the
script counts them with integers alone, so a chronology of the first century BCE or of
year 12345 is placed and compared like any other; its labels say 44 BCE and its date
fields take ISO text (``-0043-03-15``) where a browser's date input holds only 1-9999.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from chronos.chronology import Chronology, as_day
from chronos.dates import Day
from chronos.errors import UsageError
from chronos.events import Corrected, Event
from chronos.output.layout import Chart, build
from chronos.output.tables import post_label
from chronos.projections import Policy, Seat

__all__ = ["explore", "explorer_data", "write_explorer"]

Json = dict[str, Any]
_OPEN = (Day.min, Day.max)


def _iso(day: Day) -> str:
    return str(day)


def _number(day: Day) -> int:
    """A day as its plain day number: the page places and compares days by number, so any year works."""
    return int(day)


def _bounds(events: Iterable[Event], start: Day, end: Day) -> tuple[list[Day], list[Day | None]]:
    """The valid-date cuts inside ``[start, end]`` and the knowledge-date steps (None: everything known)."""
    cuts = {start}
    steps: set[Day] = set()
    for event in events:
        occurred = event.occurred
        for day in (occurred.first, occurred.last, Day(min(occurred.last + 1, Day.max))):
            if start < day <= end and day not in _OPEN:
                cuts.add(day)
        for day in (event.known.first, event.known.last):
            if day not in _OPEN:
                steps.add(day)
                # The record's horizon moves with the knowledge date: the day after it may change an answer.
                if start < day + 1 <= end:
                    cuts.add(Day(day + 1))
    ordered: list[Day | None] = []
    if steps:
        ordered.append(Day(min(steps) - 1))  # before anything was known
    ordered += sorted(steps)
    ordered.append(None)
    return sorted(cuts), ordered


def _seat_row(seat: Seat, posts: dict[str, int]) -> list[Any]:
    """A seat as ``[post index, person id or None, state, certainty, since, until, disputed, event ids]``."""
    tenure = seat.tenure
    return [
        posts[seat.post.id],
        seat.person,
        seat.state,
        seat.certainty,
        str(seat.since) if seat.since is not None else None,
        str(tenure.end.date) if tenure is not None and tenure.end.date is not None else None,
        tenure.disputed if tenure is not None else False,
        [e.id for e in tenure.events] if tenure is not None else [],
    ]


def _chart_json(chart: Chart) -> Json:
    return {
        "lanes": [
            [
                lane.post,
                lane.label,
                [
                    [
                        bar.person,
                        [[_number(s.start), _number(s.end), s.possible] for s in bar.segments],
                        bar.since,
                        bar.until,
                        bar.cause,
                        bar.disputed,
                    ]
                    for bar in lane.bars
                ],
            ]
            for lane in chart.lanes
        ],
        "markers": [[m.kind, m.person, m.lane, _number(m.first), _number(m.last)] for m in chart.markers],
    }


def _event_json(event: Event, chronology: Chronology) -> Json:
    found = (chronology.catalogue.get(ref) for ref in event.about())
    names = [entity.name for entity in found if entity is not None]
    return {
        "type": event.type,
        "occurred": str(event.occurred),
        "known": str(event.known),
        "about": names,
        "note": event.note,
        "sources": [
            [s.source, s.quote, s.locator, *_publication(chronology, s.source)] for s in event.sources
        ],
    }


def _publication(chronology: Chronology, source: str) -> list[str | None]:
    """``[title, citation, url]`` of a registered source (publisher, title, date, link), else ``[]``."""
    found = chronology.catalogue.sources.get(source)
    return [] if found is None else [found.title, found.citation, found.url]


class _Table:
    """Values stored once each, referred to by index."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[str, int] = {}

    def add(self, value: Any) -> int:
        key = json.dumps(value, sort_keys=True)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.items)
            self.items.append(value)
        return found


def explorer_data(
    chronology: Chronology,
    org: str,
    *,
    start: Day | dt.date | str | None = None,
    end: Day | dt.date | str | None = None,
    policy: Policy | str | None = None,
) -> Json:
    """Everything the explorer page shows for ``org`` from ``start`` to ``end``, as JSON-ready data.

    Without dates the span runs from a month before the first event about the
    organisation's posts to a month after the last.
    """
    root = chronology.lookup(org, kind="organisation")
    posts = list(chronology.catalogue.posts(root.id))
    post_ids = {p.id for p in posts}
    relevant = [e for e in chronology.events if post_ids.intersection(e.about()) or root.id in e.about()]
    catalogue = chronology.catalogue
    people = {
        ref for e in relevant for ref in e.about() if getattr(catalogue.get(ref), "kind", "") == "person"
    }
    related = [
        e for e in chronology.events if post_ids.intersection(e.about()) or people.intersection(e.about())
    ]
    days = [e.occurred.first for e in relevant if e.occurred.first != Day.min]
    days += [e.occurred.last for e in relevant if e.occurred.last != Day.max]
    first = _as_day(start) if start is not None else (Day(min(days) - 31) if days else None)
    last = _as_day(end) if end is not None else (Day(max(days) + 31) if days else None)
    if first is None or last is None:
        raise UsageError(f"{root.id}: no dated events; give --from and --to")
    if last < first:
        raise UsageError(f"the span is reversed: {first} is after {last}")
    cuts, steps = _bounds(related, first, last)
    post_index = {p.id: i for i, p in enumerate(posts)}
    rosters, names, charts = _Table(), _Table(), _Table()
    grid: list[list[list[int]]] = []
    chart_of: list[int] = []
    for known in steps:
        row = []
        for day in cuts:
            seats = chronology.roster(root.id, at=day, known_at=known, policy=policy)
            answer = chronology.name(root.id, at=day, known_at=known)
            row.append(
                [
                    rosters.add([_seat_row(s, post_index) for s in seats]),
                    names.add([answer.name, answer.certainty, list(answer.alternatives)]),
                ]
            )
        grid.append(row)
        chart_of.append(
            charts.add(_chart_json(build(chronology, root.id, start=first, end=last, known_at=known)))
        )
    persons = {
        ref: getattr(catalogue.get(ref), "name", ref)
        for roster in rosters.items
        for seat in roster
        if (ref := seat[1]) is not None
    }
    for chart in charts.items:
        for lane in chart["lanes"]:
            for bar in lane[2]:
                persons.setdefault(bar[0], getattr(catalogue.get(bar[0]), "name", bar[0]))
    shown = {eid for roster in rosters.items for seat in roster for eid in seat[7]}
    shown |= {e.id for e in related}
    return {
        "org": root.id,
        "start": _iso(first),
        "end": _iso(last),
        "first": _number(first),
        "last": _number(last),
        "policy": str(chronology.policy if policy is None else Policy.parse(policy)),
        "posts": [[p.id, post_label(p, chronology.catalogue, root=root.id)] for p in posts],
        "persons": persons,
        "cuts": [_number(d) for d in cuts],
        "steps": [None if k is None else _number(k) for k in steps],
        "grid": grid,
        "rosters": rosters.items,
        "names": names.items,
        "charts": charts.items,
        "chart_of": chart_of,
        "events": {
            e.id: _event_json(e, chronology) for e in _with_replacements(chronology.events) if e.id in shown
        },
        "timeline": [e.id for e in sorted(related, key=lambda e: (e.occurred.first, e.occurred.last, e.id))],
    }


def _with_replacements(events: Iterable[Event]) -> list[Event]:
    """The events, each correction followed by its replacement: a seat's claims may be replacements."""
    out: list[Event] = []
    for event in events:
        out.append(event)
        while isinstance(event, Corrected):
            event = event.replacement
            out.append(event)
    return out


def _as_day(value: Day | dt.date | str) -> Day:
    day = as_day(value)
    assert day is not None
    return day


def explore(
    chronology: Chronology,
    org: str,
    *,
    start: Day | dt.date | str | None = None,
    end: Day | dt.date | str | None = None,
    policy: Policy | str | None = None,
) -> str:
    """The explorer page of ``org`` as one standalone HTML text (see the module docstring)."""
    data = explorer_data(chronology, org, start=start, end=end, policy=policy)
    # By day number: the ISO text of a day beyond 9999 (+12345-01-01) is not EDTF.
    name = chronology.called_between(data["org"], Day(data["first"]), Day(data["last"]))
    title = f"{name}: {data['start']} to {data['end']}"
    page = resources.files("chronos.output").joinpath("explorer.html").read_text(encoding="utf-8")
    script = resources.files("chronos.output").joinpath("explorer.js").read_text(encoding="utf-8")
    # "</" cannot end the data's script element early when written as "<\/" (still valid JSON).
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return (
        page.replace("{{title}}", html.escape(title))
        .replace("{{data}}", payload)
        .replace("{{script}}", script)
    )


def write_explorer(
    chronology: Chronology,
    org: str,
    path: str | Path,
    *,
    start: Day | dt.date | str | None = None,
    end: Day | dt.date | str | None = None,
    policy: Policy | str | None = None,
) -> Path:
    """Write the explorer page of ``org`` to ``path`` (an ``.html`` file); return the path."""
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"{target}: the explorer is an HTML page (use a .html file name)")
    target.write_text(explore(chronology, org, start=start, end=end, policy=policy), encoding="utf-8")
    return target
