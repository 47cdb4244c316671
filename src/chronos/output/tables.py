"""Terminal tables for chronos answers, drawn with rich from the JSON-ready objects of `render`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from chronos.entities import Catalogue, Post
from chronos.output.render import Json, entity_name, events_rows

__all__ = [
    "Footnotes", "check_table", "diff_table", "events_table", "history_table", "name_table",
    "post_label", "roster_table", "sources_table", "succession_table",
]  # fmt: skip

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


# Tables ----------------------------------------------------------------------------------


class Footnotes:
    """Numbered source citations shown under a table: ``[1] file: "quote"``."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str, str | None], int] = {}
        self._names: dict[str, str] = {}

    def mark(self, sources: Iterable[Json]) -> Text:
        """Return the marker (``[1-3,7]``) for these sources, numbering new ones."""
        sources = list(sources)
        keys = [(s["source"], s["quote"], s.get("locator")) for s in sources]
        self._names.update((s["source"], s["citation"]) for s in sources if s.get("citation"))
        runs: list[list[int]] = []
        for number in sorted({self._numbers.setdefault(k, len(self._numbers) + 1) for k in keys}):
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        text = ",".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in runs)
        return Text(f"[{text}]" if text else "", style="cyan")

    def renderable(self) -> Text:
        """Return the footnotes, one a line (empty when there are none).

        A registered source is named as people cite it (``Publisher, 16 Feb 2022``), else by its id.
        """
        lines = Text()
        for (source, quote, locator), number in self._numbers.items():
            where = f" ({locator})" if locator else ""
            lines.append(f"[{number}] ", style="cyan")
            lines.append(f'{self._names.get(source) or source}{where}: "{quote}"\n', style="dim")
        lines.rstrip()
        return lines


def post_label(post: Post, catalogue: Catalogue, *, root: str | None = None) -> str:
    """Shorten a post's name to ``Chairman``, or ``Unit: Director`` for the units of ``root``."""
    org = catalogue.get(post.org)
    org_name = org.name if org is not None else post.org
    short = re.sub(rf"\s+of\s+(the\s+)?{re.escape(org_name)}$", "", post.name, flags=re.IGNORECASE)
    if short == post.name or not short:
        return post.name
    return short if root is None or post.org == root else f"{org_name}: {short}"


def _table(*columns: str, nowrap: Sequence[str] = ("Src",)) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in nowrap)
    return table


def _page(title: str, *parts: RenderableType, notes: Footnotes | None = None, empty: str = "") -> Group:
    """Stack a title line, the tables (or ``empty`` when they have no rows), then the footnotes."""
    shown = [p for p in parts if not isinstance(p, Table) or p.row_count]
    body: list[RenderableType] = [Text(title, style="bold"), *(shown or [Text(empty, style="dim")])]
    footer = notes.renderable() if notes is not None else Text()
    return Group(*body, footer) if footer.plain else Group(*body)


def _holder(name: str | None, certainty: str) -> Text:
    if name is None:
        return Text("vacant", style="dim")
    return Text(f"? {name} (possible)", style="yellow") if certainty == "possible" else Text(name)


def _when(value: str | None, disputed: bool = False) -> Text:
    text = Text(value or "")
    if disputed:
        text.append("\ndisputed", style="red")
    return text


def roster_table(rows: Sequence[Json], catalogue: Catalogue, *, title: str) -> RenderableType:
    """Draw a roster as a table grouped by unit, with the sources as footnotes."""
    notes = Footnotes()
    table = _table(
        "Unit", "Post", "Holder", "Since", "Until", "Src", nowrap=("Holder", "Since", "Until", "Src")
    )
    last_org = last_post = None
    for row in rows:
        post = catalogue[row["post_id"]]
        if row["org_id"] != last_org and last_org is not None:
            table.add_section()
        label = post_label(post, catalogue) if isinstance(post, Post) else row["post"]
        table.add_row(
            row["org"] if row["org_id"] != last_org else "",
            label if row["post_id"] != last_post else "",
            _holder(row["person"], row["certainty"]),
            _when(row["since"], any(a["part"] == "start" for a in row["alternatives"])),
            _when(row["until"], any(a["part"] == "end" for a in row["alternatives"])),
            notes.mark(row["sources"]),
        )
        last_org, last_post = row["org_id"], row["post_id"]
    return _page(title, table, notes=notes, empty="no posts")


def _seat_text(seat: Json | None, catalogue: Catalogue, root: str) -> Text:
    if seat is None:
        return Text("")
    post = catalogue.get(seat["post_id"])
    text = Text(post_label(post, catalogue, root=root) if isinstance(post, Post) else seat["post"])
    if seat["certainty"] == "possible":
        text.append(" (possible)", style="yellow")
    return text


def diff_table(data: Json, catalogue: Catalogue, *, title: str) -> RenderableType:
    """Draw a diff as one table: joined, left, moved and changed, with the explaining events."""
    notes = Footnotes()
    table = _table("Change", "Person", "Before", "After", "Events")
    styles = {"joined": "green", "left": "red", "moved": "cyan", "changed": "yellow"}
    for kind in ("joined", "left", "moved", "changed"):
        for change in data[kind]:
            events = Text()
            for event in change["events"]:
                events.append(f"{event['type']} {event['occurred']} ")
                events.append_text(notes.mark(event["sources"]))
                events.append("\n")
            events.rstrip()
            table.add_row(
                Text(kind, style=styles[kind]),
                change["person"],
                _seat_text(change["before"], catalogue, data["org"]),
                _seat_text(change["after"], catalogue, data["org"]),
                events,
            )
    return _page(title, table, notes=notes, empty="no changes")


def history_table(data: Json, *, title: str) -> RenderableType:
    """Draw a person's tenures, custody and death, with the sources as footnotes."""
    notes = Footnotes()
    tenures = _table("Post", "From", "To", "Ended", "Src")
    for row in data["tenures"]:
        disputed = {a["part"] for a in row["alternatives"]}
        start = _when(row["start"] or "?", "start" in disputed)
        if row["open_start"]:
            start.stylize("yellow")
        tenures.add_row(
            row["post"],
            start,
            _when(row["end"] or ("" if row["ongoing"] else "?"), "end" in disputed),
            row["end_cause"] or "",
            notes.mark(row["sources"]),
        )
    parts: list[RenderableType] = [tenures]
    if data["custody"]:
        custody = _table("In custody from", "To", "Charges", "Src")
        for spell in data["custody"]:
            custody.add_row(
                spell["start"] or "?",
                spell["end"] or "",
                "; ".join(c["charge"] for c in spell["charges"]),
                notes.mark(spell["sources"]),
            )
        parts.append(custody)
    if data["death"] is not None:
        death = Text(f"Died {data['death']['date']} ", style="bold")
        death.append_text(notes.mark(data["death"]["sources"]))
        parts.append(death)
    return _page(title, *parts, notes=notes, empty="no posts, custody or death recorded")


def succession_table(data: Json, *, title: str) -> RenderableType:
    """Draw a post's holders in turn, with how each tenure ended and the sources as footnotes."""
    notes = Footnotes()
    table = _table("Holder", "From", "To", "Ended", "Src")
    for row in data["tenures"]:
        disputed = {a["part"] for a in row["alternatives"]}
        start = _when(row["start"] or "?", "start" in disputed)
        if row["open_start"]:
            start.stylize("yellow")
        table.add_row(
            row["person"],
            start,
            _when(row["end"] or ("" if row["ongoing"] else "?"), "end" in disputed),
            row["end_cause"] or "",
            notes.mark(row["sources"]),
        )
    return _page(title, table, notes=notes, empty="nobody is recorded in this post")


def name_table(data: Json, *, title: str) -> RenderableType:
    """Draw a name answer as a small two-column table."""
    table = _table("", "")
    table.show_header = False
    table.add_row("name", _holder(data["name"], data["certainty"]))
    table.add_row("certainty", data["certainty"])
    if data["alternatives"]:
        table.add_row("or", ", ".join(data["alternatives"]))
    table.add_row("since", data["since"] or "")
    return _page(title, table)


def events_table(data: Sequence[Json], catalogue: Catalogue, *, title: str) -> RenderableType:
    """Draw events with what they are about, and their sources as footnotes."""
    notes = Footnotes()
    table = _table("Occurred", "Type", "About", "Known", "Id", "Src")
    for row in events_rows(data, catalogue):
        about = ", ".join(str(entity_name(catalogue, i)) for i in row["about"])
        table.add_row(
            row["occurred"], row["type"], about, row["known"], row["id"][:12], notes.mark(row["sources"])
        )
    return _page(title, table, notes=notes, empty="no events")


def sources_table(data: Sequence[Json], *, title: str) -> RenderableType:
    """Draw the sources registry: id, publisher, title, date, language, and how often each is cited."""
    table = _table("Id", "Publisher", "Title", "Date", "Lang", "Cited", nowrap=("Date", "Lang", "Cited"))
    for row in data:
        unregistered = Text("not registered", style="red") if not row["registered"] else Text("")
        table.add_row(
            row["id"],
            row["publisher"] or "",
            row["title"] or unregistered,
            row["date"] or "",
            row["language"] or "",
            str(row["cited"]),
        )
    return _page(title, table, empty="no sources registered or cited")


def check_table(data: Sequence[Json], *, title: str) -> RenderableType:
    """Draw the findings, errors first, with a count of each severity."""
    table = _table("Severity", "Rule", "Message")
    for row in data:
        message = Text(row["message"])
        for note in row["notes"]:
            message.append(f"\nnote: {note}", style="dim")
        table.add_row(Text(row["severity"], style=_SEVERITY_STYLE[row["severity"]]), row["rule"], message)
    counts = {s: sum(1 for r in data if r["severity"] == s) for s in ("error", "warning", "info")}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items())
    return _page(title, table, Text(summary))
