"""The timeline: a Gantt chart of an organisation's posts over a span of dates (matplotlib, no display).

matplotlib is the optional ``charts`` extra: `build` needs nothing beyond
chronos, and drawing without it raises `MissingDependency` naming the extra.

`build` turns a chronology into a `Chart` (plain data: lanes of bars and
markers, clipped to the span), and `write` draws it as SVG, PNG or a
standalone HTML page. A post gets one lane per holder it has at the same time
(a post of seven seats shows as many lanes as it needs). A bar is solid where
the holder certainly held the post and hatched where the dates leave it open
(an appointment known only to the year, a disputed dismissal). Arrests and
deaths of the holders are markers on their lanes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from chronos.chronology import Chronology
from chronos.dates import MAX_DAY, MIN_DAY, FuzzyDate
from chronos.entities import Post
from chronos.errors import MissingDependency, UsageError
from chronos.output.tables import post_label
from chronos.projections import Policy, Resolved, Tenure

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

__all__ = [
    "MISSING_MATPLOTLIB",
    "Bar",
    "Chart",
    "Lane",
    "Marker",
    "Segment",
    "build",
    "figure",
    "render_html",
    "write",
]

_DAY = dt.timedelta(days=1)
_PALETTES = (("tab10", 10), ("Dark2", 8))
_SHAPES = {"arrested": "v", "died": "X"}


@attrs.frozen
class Segment:
    """Part of a bar, from the first day to the day after the last: held certainly or only possibly."""

    start: dt.date
    end: dt.date
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
    def start(self) -> dt.date:
        """The first day drawn."""
        return self.segments[0].start

    @property
    def end(self) -> dt.date:
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
    """An arrest or a death on a lane: the day, or the range of days it may have been."""

    kind: str
    person: str
    name: str
    lane: int
    earliest: dt.date
    latest: dt.date


@attrs.frozen
class Chart:
    """Everything `figure` draws."""

    title: str
    start: dt.date
    end: dt.date
    lanes: tuple[Lane, ...]
    markers: tuple[Marker, ...]


def _segments(tenure: Tenure, start: dt.date, end: dt.date) -> tuple[Segment, ...]:
    """Hatched where the start or end may fall, solid between, clipped to ``[start, end]``."""
    s0, s1 = tenure.start.earliest, tenure.start.latest
    e0, e1 = tenure.end.earliest, tenure.end.latest
    s1 = min(s1, e0)  # an undated start can be any day before the end
    if s1 < e0:
        parts = [Segment(s0, s1, True), Segment(s1, e0, False), Segment(e0, e1, True)]
    else:
        parts = [Segment(s0, e1, True)]
    stop = end + _DAY
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
    start: dt.date,
    end: dt.date,
    known_at: dt.date | None = None,
    policy: Policy | str | None = None,
) -> Chart:
    """Lay out the chart of ``org`` and its units from ``start`` to ``end`` (inclusive)."""
    catalogue = chronology.catalogue
    root = chronology.lookup(org, kind="organisation")
    tenures: dict[str, list[Tenure]] = {}
    for tenure in chronology.tenures(known_at=known_at, policy=policy):
        tenures.setdefault(tenure.post, []).append(tenure)
    lanes: list[Lane] = []
    for post in catalogue.posts(root.id):
        bars = []
        for tenure in tenures.get(post.id, ()):
            segments = _segments(tenure, start, end)
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
    span = f"{start.isoformat()} to {end.isoformat()}"
    known = f", as known on {known_at.isoformat()}" if known_at is not None else ""
    return Chart(f"{root.name}: {span}{known}", start, end, tuple(lanes), markers)


def _markers(
    chronology: Chronology,
    lanes: Sequence[Lane],
    start: dt.date,
    end: dt.date,
    *,
    known_at: dt.date | None,
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
            if when.latest < start or when.earliest > end or when.earliest == MIN_DAY:
                continue
            places = [
                (_distance(bar, when), index)
                for index, lane in enumerate(lanes)
                for bar in lane.bars
                if bar.person == person
            ]
            found.append(
                Marker(kind, person, name, min(places)[1], when.earliest, min(when.latest, MAX_DAY - _DAY))
            )
    return tuple(found)


def _distance(bar: Bar, when: Resolved) -> int:
    if when.latest < bar.start:
        return (bar.start - when.latest).days
    if when.earliest > bar.end:
        return (when.earliest - bar.end).days
    return 0


# Drawing ----------------------------------------------------------------------------------------------


#: What drawing without matplotlib says.
MISSING_MATPLOTLIB = "drawing a timeline needs matplotlib: pip install 'chronos-history[charts]'"


def _require_matplotlib() -> None:
    """Raise `MissingDependency` naming the ``charts`` extra when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependency(MISSING_MATPLOTLIB) from None


def _num(day: dt.date) -> float:
    from matplotlib import dates as mdates

    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def figure(chart: Chart) -> Figure:
    """Draw the chart on a new figure (not attached to pyplot, so no display is needed)."""
    _require_matplotlib()
    import matplotlib
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 1.6 + 0.42 * max(len(chart.lanes), 1)), layout="constrained")
    ax = fig.add_subplot()
    palette = [matplotlib.colormaps[name](i) for name, size in _PALETTES for i in range(size)]
    people = list(dict.fromkeys(bar.person for lane in chart.lanes for bar in lane.bars))

    def colour(person: str) -> tuple[float, float, float, float]:
        # One colour per person, so a holder who moves keeps it from lane to lane.
        return palette[people.index(person) % len(palette)]

    left, right = _num(chart.start), _num(chart.end + _DAY)
    pad = (right - left) * 0.004
    for y, lane in enumerate(chart.lanes):
        for bar in lane.bars:
            shade = colour(bar.person)
            for part in bar.segments:
                x0, width = _num(part.start), _num(part.end) - _num(part.start)
                if part.possible:
                    face = (*shade[:3], 0.25)
                    ax.barh(
                        y,
                        width,
                        left=x0,
                        height=0.62,
                        color=face,
                        edgecolor=shade,
                        hatch="////",
                        linewidth=0.6,
                    )
                else:
                    ax.barh(y, width, left=x0, height=0.62, color=shade, edgecolor="none")
            # Label from the bar's start; a bar starting too near the right edge is labelled leftwards.
            start, end = max(_num(bar.start), left), min(_num(bar.end), right)
            rightwards = start + len(bar.name) * 0.009 * (right - left) < right
            ax.text(
                start + pad if rightwards else end - pad,
                y,
                bar.name,
                ha="left" if rightwards else "right",
                va="center",
                fontsize=8,
                clip_on=True,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75, "linewidth": 0},
            )
    for marker in chart.markers:
        # The shape says what happened, the colour to whom; a line spans an uncertain date.
        low, high = _num(marker.earliest), _num(marker.latest + _DAY)
        below = marker.lane + 0.36
        if high - low > 1:
            ax.hlines(below, low, high, color="#444444", linewidth=1.2)
        shape = _SHAPES[marker.kind]
        ax.plot(
            (low + high) / 2,
            below,
            marker=shape,
            color=colour(marker.person),
            markeredgecolor="black",
            markersize=8,
            zorder=5,
        )
    ax.set_yticks(range(len(chart.lanes)), labels=[textwrap.fill(lane.label, 40) for lane in chart.lanes])
    ax.set_ylim(len(chart.lanes) - 0.5, -0.7)
    ax.set_xlim(left, right)
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    # Days show the month and year where a month begins; months show the year in January;
    # the title carries the exact span, so no offset text is needed.
    formats = ["", "%Y", "%b\n%Y", "%b-%d", "%H:%M", "%H:%M"]
    formatter = mdates.ConciseDateFormatter(locator, zero_formats=formats, show_offset=False)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.set_title(chart.title, loc="left", fontsize=11)
    fig.legend(handles=_legend(), loc="outside lower center", ncols=4, frameon=False, fontsize=8)
    return fig


def _legend() -> list[Patch | Line2D]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    grey = (0.45, 0.45, 0.45)
    marks = [
        Line2D([], [], linestyle="none", marker=shape, color=grey, markeredgecolor="black", label=kind)
        for kind, shape in _SHAPES.items()
    ]
    return [
        Patch(facecolor=grey, label="held (certain)"),
        Patch(
            facecolor=(*grey, 0.25),
            edgecolor=grey,
            hatch="////",
            label="possibly held (uncertain or disputed date)",
        ),
        *marks,
    ]


def _save(chart: Chart, file: io.BytesIO, fmt: str) -> None:
    _require_matplotlib()
    import matplotlib

    # Text stays text in SVG (searchable, testable), and ids are stable from one run to the next.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "chronos"}):
        figure(chart).savefig(file, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg" else None)


def render_svg(chart: Chart) -> str:
    """Draw the chart as SVG text, its words kept as text."""
    buffer = io.BytesIO()
    _save(chart, buffer, "svg")
    return buffer.getvalue().decode("utf-8")


def render_png(chart: Chart) -> bytes:
    """Draw the chart as PNG bytes."""
    buffer = io.BytesIO()
    _save(chart, buffer, "png")
    return buffer.getvalue()


def _inline(svg: str) -> str:
    """SVG to embed in HTML: no prolog, doctype, metadata or namespace URLs (HTML needs none)."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)


_CSS = """
body { font-family: sans-serif; margin: 2em; color: #222; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.9em; margin-top: 1em; }
th, td { text-align: left; padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; }
.swatch { display: inline-block; width: 2em; height: 0.9em; vertical-align: middle; background: #777; }
.possible { background: repeating-linear-gradient(45deg, #777 0 2px, #ddd 2px 5px); }
.legend span { margin-right: 1.5em; }
"""


def render_html(chart: Chart) -> str:
    """Make a standalone page: the chart as inline SVG, a legend and a table of what it shows."""
    rows = []
    for lane in chart.lanes:
        for bar in lane.bars:
            certainty = "certain" if bar.certain else "possible" + (", disputed" if bar.disputed else "")
            cells = (lane.label, bar.name, bar.since, bar.until, bar.cause, certainty)
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    for marker in chart.markers:
        when = (
            str(FuzzyDate.of(marker.earliest))
            if marker.earliest == marker.latest
            else (f"{marker.earliest.isoformat()} to {marker.latest.isoformat()}")
        )
        label = chart.lanes[marker.lane].label
        cells = (label, marker.name, when, "", marker.kind, "")
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    title = html.escape(chart.title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{title}</h1>
<figure>
{_inline(render_svg(chart))}
</figure>
<p class="legend">
<span><span class="swatch"></span> held (certain)</span>
<span><span class="swatch possible"></span> possibly held: the start or end is uncertain or disputed</span>
<span>&#9660; arrested</span>
<span>&#10006; died</span>
</p>
<table>
<thead><tr><th>Post</th><th>Holder</th><th>From</th><th>To</th><th>Ended</th><th>Certainty</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


def write(chart: Chart, path: str | Path) -> None:
    """Write the chart to ``path``; the format follows the extension (.svg, .png or .html)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(render_svg(chart), encoding="utf-8")
    elif suffix == ".png":
        path.write_bytes(render_png(chart))
    elif suffix == ".html":
        path.write_text(render_html(chart), encoding="utf-8")
    else:
        raise UsageError(f"{path}: unknown chart format {suffix!r} (use .svg, .png or .html)")
