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
    "Footnotes", "check_table", "diff_table", "disputed_text", "events_table", "history_table",
    "name_table", "post_label", "roster_table",
]  # fmt: skip

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


# Tables ----------------------------------------------------------------------------------


class Footnotes:
    """Numbered source citations shown under a table: ``[1] file: "quote"``."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str, str | None], int] = {}

    def mark(self, sources: Iterable[Json]) -> Text:
        """Return the marker (``[1-3,7]``) for these sources, numbering new ones."""
        keys = [(s["source"], s["quote"], s.get("locator")) for s in sources]
        runs: list[list[int]] = []
        for number in sorted({self._numbers.setdefault(k, len(self._numbers) + 1) for k in keys}):
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        text = ",".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in runs)
        return Text(f"[{text}]" if text else "", style="cyan")

    def renderable(self) -> Text:
        """Return the footnotes, one a line (empty when there are none)."""
        lines = Text()
        for (source, quote, locator), number in self._numbers.items():
            where = f" ({locator})" if locator else ""
            lines.append(f"[{number}] ", style="cyan")
            lines.append(f'{source}{where}: "{quote}"\n', style="dim")
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


def _holder(name: str | None, certainty: str, state: str = "held") -> Text:
    if state == "unknown":
        return Text("unknown", style="dim")
    if name is None:
        label = "vacant" if certainty == "certain" else "? vacant (possible)"
        return Text(label, style="dim" if certainty == "certain" else "yellow dim")
    return Text(f"? {name} (possible)", style="yellow") if certainty == "possible" else Text(name)


def _when(value: str | None, disputed: bool = False, note: str = "") -> Text:
    text = Text(value or "")
    if disputed:
        text.append(f"\n{note or 'disputed'}", style="red")
    return text


def disputed_text(alternatives: Sequence[Json], part: str, *, besides: str | None = None) -> str:
    """The other dates the sources give for a start or end: ``disputed: 4 sources say 2022-01-05``.

    ``besides`` is a date to leave out (the one already shown); empty when the part is not disputed.
    """
    by_date: dict[str, dict[str, None]] = {}
    for claim in alternatives:
        if claim["part"] == part and claim["date"] != besides:
            by_date.setdefault(claim["date"], {}).update(dict.fromkeys(claim.get("sources", ())))
    if not by_date:
        return ""
    said = [
        f"{len(sources)} source{'s say' if len(sources) != 1 else ' says'} {date}"
        for date, sources in by_date.items()
    ]
    return f"disputed: {'; '.join(said)}"


def roster_table(
    rows: Sequence[Json], catalogue: Catalogue, *, title: str, notes: Sequence[str] = ()
) -> RenderableType:
    """Draw a roster as a table grouped by unit, with the sources as footnotes.

    Under a holder, or an empty seat, whose answer is not simply dated by the
    sources, its reasons (``disputed dates``, ``after the record``...) in words.
    """
    marks = Footnotes()
    table = _table(
        "Unit", "Post", "Holder", "Since", "Until", "Src", nowrap=("Holder", "Since", "Until", "Src")
    )
    last_org = last_post = None
    for row in rows:
        post = catalogue[row["post_id"]]
        if row["org_id"] != last_org and last_org is not None:
            table.add_section()
        label = post_label(post, catalogue) if isinstance(post, Post) else row["post"]
        until = _when(row["until"], any(a["part"] == "end" for a in row["alternatives"]))
        if row.get("scheduled_end"):
            until.append("\nscheduled", style="yellow")
        holder = _holder(row["person"], row["certainty"], row.get("state", "held"))
        # "dated" is what a plain holder means, "unknown holder" what "unknown" says.
        why = [w for w in row.get("why", ()) if w not in ("dated", "unknown holder")]
        if why:
            holder.append("\n" + "\n".join(f"  {w}" for w in why), style="dim")
        table.add_row(
            row["org"] if row["org_id"] != last_org else "",
            label if row["post_id"] != last_post else "",
            holder,
            _when(row["since"], any(a["part"] == "start" for a in row["alternatives"])),
            until,
            marks.mark(row["sources"]),
        )
        last_org, last_post = row["org_id"], row["post_id"]
    return _page(title, *(Text(n, style="yellow") for n in notes), table, notes=marks, empty="no posts")


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
                dispute = _event_dispute(change, event)
                if dispute:
                    events.append(f" ({dispute})", style="red")
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


def _event_dispute(change: Json, event: Json) -> str:
    """For an event claiming a disputed start or end of the change's tenures: what the other claims say."""
    for seat in (change["before"], change["after"]):
        if seat is None:
            continue
        for claim in seat["alternatives"]:
            if claim["event"] == event["id"]:
                return disputed_text(seat["alternatives"], claim["part"], besides=claim["date"])
    return ""


def history_table(data: Json, *, title: str) -> RenderableType:
    """Draw a person's tenures, custody and death, with the sources as footnotes."""
    notes = Footnotes()
    tenures = _table("Post", "From", "To", "Ended", "Src")
    for row in data["tenures"]:
        disputed = {a["part"] for a in row["alternatives"]}
        start = _when(row["start"] or "?", "start" in disputed, disputed_text(row["alternatives"], "start"))
        if row["open_start"]:
            start.stylize("yellow")
        end = _when(
            row["end"] or ("" if row["ongoing"] else "?"),
            "end" in disputed,
            disputed_text(row["alternatives"], "end"),
        )
        tenures.add_row(
            row["post"],
            start,
            end,
            row["end_cause"] or "",
            notes.mark(row["sources"]),
        )
    parts: list[RenderableType] = [tenures]
    if data["custody"]:
        custody = _table("In custody from", "To", "Charges", "Src")
        for spell in data["custody"]:
            split = {a["part"] for a in spell["alternatives"]}
            custody.add_row(
                _when(spell["start"] or "?", "start" in split, disputed_text(spell["alternatives"], "start")),
                _when(spell["end"] or "", "end" in split, disputed_text(spell["alternatives"], "end")),
                "; ".join(c["charge"] for c in spell["charges"]),
                notes.mark(spell["sources"]),
            )
        parts.append(custody)
    if data["death"] is not None:
        death = Text(f"Died {data['death']['date']} ", style="bold")
        death.append_text(notes.mark(data["death"]["sources"]))
        parts.append(death)
    return _page(title, *parts, notes=notes, empty="no posts, custody or death recorded")


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
