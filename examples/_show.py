"""Shared helpers for the examples: open the showcase log, and print dates, names and sources compactly."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from chronos import Chronology, Claim, Event, FuzzyDate, Post, Source

#: The showcase log of this repository; ``$CHRONOS_LOG`` names another.
DEFAULT_LOG = Path(__file__).resolve().parent.parent / "events"
#: A fixed width keeps the output the same in a terminal and in a pipe.
WIDTH = 100


def log_location() -> Path:
    """Where the log is: ``$CHRONOS_LOG`` when set, else the repository's ``events/``."""
    return Path(os.environ.get("CHRONOS_LOG") or DEFAULT_LOG)


def open_chronology() -> Chronology:
    """The chronology at `log_location`; exits with one line when there is none."""
    location = log_location()
    if not (location / "catalogue.toml").is_file():
        raise SystemExit(f"no chronos log at {location} (expected a catalogue.toml there; see $CHRONOS_LOG)")
    return Chronology.open(location)


def console() -> Console:
    """A console that prints plain text when piped; markup is off because sources contain brackets."""
    return Console(width=WIDTH, highlight=False, markup=False, emoji=False)


def heading(out: Console, text: str) -> None:
    """A section title."""
    out.print()
    out.rule(text, style="bold", align="left")


def table(*headers: str) -> Table:
    """A table with a header rule and a '│' between columns, so it reads well without colour."""
    grid = Table(box=box.MINIMAL, show_edge=False, header_style="bold", pad_edge=False)
    for header in headers:
        grid.add_column(header)
    return grid


# Dates ------------------------------------------------------------------------------------


def when(date: FuzzyDate | None, missing: str = "undated") -> str:
    """A date as compact text: ``2016``, ``2022-01-05/06`` (5 or 6 January), ``≤ 2022-01-05``."""
    if date is None:
        return missing
    if date.form == "set":
        return " or ".join(str(m) for m in date.members)
    text = str(date)
    if date.form != "interval":
        return text
    low, _, high = text.partition("/")
    if low == "..":
        return f"≤ {high}"
    if high == "..":
        return f"≥ {low}"
    if not low or not high:
        return text
    # ISO 8601 lets an interval's end drop the parts it shares with the start.
    if len(low) == len(high) == 10 and low[:8] == high[:8]:
        return f"{low}/{high[8:]}"
    if len(low) == len(high) == 10 and low[:5] == high[:5]:
        return f"{low}/{high[5:]}"
    return text


def claim_text(claim: Claim) -> str:
    """What a claim says: ``dismissed 2022-01-06``."""
    return f"{claim.cause} {when(claim.date)}"


# Sources -----------------------------------------------------------------------------------


def line_of(source: Source) -> str:
    """The line number of a ``line N`` locator, else the locator itself (or nothing)."""
    match = re.fullmatch(r"line (\d+)", source.locator or "")
    return match.group(1) if match else (source.locator or "")


def short(source: Source) -> str:
    """A source as its file number and line: ``004:36``."""
    where = line_of(source)
    number = source.source.split("_", 1)[0]
    return f"{number}:{where}" if where else number


def _cut(text: str, room: int) -> str:
    text = " ".join(text.split())
    if len(text) <= room:
        return text
    return text[: max(room, 12) - 1].rsplit(" ", 1)[0] + "…"


def place(source: Source) -> str:
    """A source as file name and line: ``004_a82dc472c30e5f7b.txt:36``."""
    where = line_of(source)
    return f"{source.source}:{where}" if where else source.source


def cite(source: Source, width: int = 60) -> str:
    """A source as file name, line and its quote cut to ``width`` characters."""
    return f"{place(source)} “{_cut(source.quote, width)}”"


def unique_sources(events: Iterable[Event]) -> list[Source]:
    """The sources of some events, in order, without repeats."""
    seen: dict[tuple[str, str], Source] = {}
    for event in events:
        for source in event.sources:
            seen.setdefault((source.source, source.quote), source)
    return list(seen.values())


def cited(prefix: str, sources: Sequence[Source]) -> str:
    """``prefix`` then the first source, its quote cut so the line fits the width, and how many more."""
    if not sources:
        return f"{prefix}no source"
    more = f" (+{len(sources) - 1} more)" if len(sources) > 1 else ""
    room = WIDTH - len(prefix) - len(place(sources[0])) - len(more) - 3
    return f"{prefix}{place(sources[0])} “{_cut(sources[0].quote, room)}”{more}"


# Names -------------------------------------------------------------------------------------


def name(chronology: Chronology, entity_id: str) -> str:
    """The catalogue name of an entity."""
    return chronology.catalogue[entity_id].name


def post_label(chronology: Chronology, post: Post | str, org: str | None = None) -> str:
    """A post's name, without " of the <org>" when it is a post of ``org`` itself."""
    entity = chronology.catalogue[post] if isinstance(post, str) else post
    if not isinstance(entity, Post) or entity.org != org:
        return entity.name
    return entity.name.removesuffix(f" of the {name(chronology, org)}")
