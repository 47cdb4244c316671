"""Drawing the timeline with matplotlib (no display): a `layout.Chart` as SVG, PNG or an HTML page.

matplotlib is the optional ``charts`` extra: without it, importing this module
raises `MissingDependency` naming the extra (the layout needs nothing).

`build` (from `chronos.output.layout`, re-exported) lays the chart out; `write`
draws it as SVG, PNG or a standalone HTML page. A bar is solid where the holder
certainly held the post and hatched where the dates leave it open; arrests and
deaths are markers on their lanes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import textwrap
from pathlib import Path

from chronos.dates import Day
from chronos.errors import MissingDependency, UsageError
from chronos.output.layout import Bar, Chart, Lane, Marker, Segment, build

#: What drawing without matplotlib says.
MISSING_MATPLOTLIB = "drawing a timeline needs matplotlib: pip install 'chronos-history[charts]'"

try:
    import matplotlib
    from matplotlib import dates as mdates
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FixedFormatter, FixedLocator
except ImportError:
    raise MissingDependency(MISSING_MATPLOTLIB) from None

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

_PALETTES = (("tab10", 10), ("Dark2", 8))
_SHAPES = {"arrested": "v", "died": "X"}
_ANCHOR = dt.date(2000, 1, 1)
#: Year steps for an axis of years, the first that gives at most ten ticks.
_YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)


# Drawing ----------------------------------------------------------------------------------------------


def _num(day: Day) -> float:
    """Matplotlib's number for a day (days since its epoch), for any year: counted from a known day."""
    return float(mdates.date2num(_ANCHOR)) + (day - Day.from_date(_ANCHOR))  # type: ignore[no-untyped-call]


def figure(chart: Chart) -> Figure:
    """Draw the chart on a new figure (not attached to pyplot, so no display is needed)."""
    fig = Figure(figsize=(11, 1.6 + 0.42 * max(len(chart.lanes), 1)), layout="constrained")
    ax = fig.add_subplot()
    palette = [matplotlib.colormaps[name](i) for name, size in _PALETTES for i in range(size)]
    people = list(dict.fromkeys(bar.person for lane in chart.lanes for bar in lane.bars))

    def colour(person: str) -> tuple[float, float, float, float]:
        # One colour per person, so a holder who moves keeps it from lane to lane.
        return palette[people.index(person) % len(palette)]

    left, right = _num(chart.start), _num(Day(chart.end + 1))
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
        low, high = _num(marker.first), _num(Day(marker.last + 1))
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
    if chart.start.year >= 1 and chart.end.year < 9999:
        locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        # Days show the month and year where a month begins; months show the year in January;
        # the title carries the exact span, so no offset text is needed.
        formats = ["", "%Y", "%b\n%Y", "%b-%d", "%H:%M", "%H:%M"]
        formatter = mdates.ConciseDateFormatter(locator, zero_formats=formats, show_offset=False)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(formatter)
    else:
        _year_axis(ax, chart.start, chart.end)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.set_title(chart.title, loc="left", fontsize=11)
    fig.legend(handles=_legend(), loc="outside lower center", ncols=4, frameon=False, fontsize=8)
    return fig


def _year_axis(ax: Axes, start: Day, end: Day) -> None:
    """Ticks on the first day of round years, labelled like 44 BCE and 14 CE.

    `datetime` (and so matplotlib's date axis) holds no year before 1 or after
    9999, and a chart of the Roman Republic needs them.
    """
    first, last = start.year, end.year
    step = next((s for s in _YEAR_STEPS if (last - first) // s <= 10), 10 ** len(str(last - first)))
    # Round as the labels count: 50 BCE (astronomical -49) and 50 CE, with no year 0 between.
    counted = [1 - n for n in range(-(-(1 - min(last, 0)) // step) * step, 2 - first, step)][::-1]
    counted += range(-(-max(first, 1) // step) * step, last + 1, step)
    years = [y for y in counted if start <= Day.of(y) <= end + 1]
    bce = first <= 0
    labels = [f"{1 - y} BCE" if y <= 0 else f"{y} CE" if bce else str(y) for y in years]
    ax.xaxis.set_major_locator(FixedLocator([_num(Day.of(y)) for y in years]))
    ax.xaxis.set_major_formatter(FixedFormatter(labels))


def _legend() -> list[Patch | Line2D]:
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
        when = str(marker.first) if marker.first == marker.last else f"{marker.first} to {marker.last}"
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
