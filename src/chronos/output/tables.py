"""Terminal tables for chronos answers, drawn with rich from the JSON-ready objects of `render`.

Tables fit the width they are drawn at (a terminal's, ``$COLUMNS``, or 120 when
piped): text columns wrap between words and never shrink below a few
characters, date columns never wrap (a date is never split), and a table too
wide for the width is drawn in a narrower layout (`Fitted`), dates stacked in
one column, rather than losing columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from chronos.entities import Catalogue, Post
from chronos.output.render import Row, entity_name, events_rows

__all__ = [
    "Fitted", "Footnotes", "check_table", "diff_table", "disputed_text", "events_table", "history_table",
    "name_table",
    "post_label", "roster_table", "sources_table", "succession_table",
]  # fmt: skip

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


# Tables ----------------------------------------------------------------------------------


class Footnotes:
    """Numbered source citations shown under a table: ``[1] file: "quote"``."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str, str | None], int] = {}
        self._names: dict[str, str] = {}

    def mark(self, sources: Iterable[Row]) -> Text:
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


#: The narrowest a column that wraps is drawn (unless it is given its own minimum).
MIN_COLUMN = 8
#: Columns that hold dates, ids or markers: never wrapped, so a date is never split.
_NOWRAP = frozenset(
    {"Since", "Until", "Held", "From", "To", "Occurred", "Known", "When", "In custody from", "Date", "Id",
     "Src", "Lang", "Cited", "Severity", "Change"}
)  # fmt: skip


def _table(*columns: str, nowrap: Iterable[str] = (), widths: Mapping[str, int] | None = None) -> Table:
    """A table of these columns: dates and markers (`_NOWRAP`, ``nowrap``) whole, the rest wrapping."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False)
    whole = _NOWRAP | set(nowrap)
    for column in columns:
        if column in whole:
            table.add_column(column, no_wrap=True)
        else:
            least = (widths or {}).get(column, MIN_COLUMN)
            table.add_column(column, overflow="fold", min_width=least)
    return table


class Fitted:
    """A table drawn in the first of its layouts whose columns all fit the width (else the last).

    Every layout holds the same rows; the first is the widest and fullest, the
    last may be a list rather than a table (it is drawn whatever the width).
    """

    def __init__(self, *layouts: Table, last: RenderableType | None = None):
        self.layouts: tuple[RenderableType, ...] = (*layouts, *([last] if last is not None else []))
        self._rows = layouts[0].row_count

    @property
    def row_count(self) -> int:
        """How many rows the table has (in every layout)."""
        return self._rows

    def choose(self, console: Console, width: int) -> RenderableType:
        """The layout drawn at ``width`` (its columns' widths set to fit, for a table)."""
        for layout in self.layouts:
            if isinstance(layout, Table) and _allot(console, layout, width):
                return layout
        return self.layouts[-1]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.choose(console, options.max_width)


def _allot(console: Console, table: Table, width: int) -> bool:
    """Give the wrapping columns widths that fit the table in ``width``, none below its floor, or say False.

    A wrapping column's floor is its longest word or its ``min_width``; a
    column that does not wrap gets all it needs. The room left goes first to
    the wrapping columns that want least, each up to an even share of it. (Left to
    itself, rich shrinks the widest columns first, past ``min_width``, and
    can leave a column no width at all.) Uses rich's measuring of a column,
    which is not public API.
    """
    for column in table.columns:
        column.width = None
    unbounded = console.options.update(max_width=1_000_000)
    measures = [table._measure_column(console, unbounded, column) for column in table.columns]
    room = width - table._extra_width
    if sum(m.maximum for m in measures) <= room:
        return True
    floors = [m.maximum if c.no_wrap else m.minimum for m, c in zip(measures, table.columns, strict=True)]
    if sum(floors) > room:
        return False
    # Water-filling: the columns that want least get all they want while that is no more than
    # an even share of the room left, so a short name is not wrapped to widen a long text.
    wants = {i: measures[i].maximum - floors[i] for i, c in enumerate(table.columns) if not c.no_wrap}
    spare = room - sum(floors)
    given = dict.fromkeys(wants, 0)
    for count, i in enumerate(sorted(wants, key=lambda i: wants[i])):
        share = spare // (len(wants) - count)
        given[i] = min(wants[i], share)
        spare -= given[i]
    for i, extra in given.items():
        column = table.columns[i]
        column.width = floors[i] + extra - table._get_padding_width(column._index)
    return True


def _page(title: str, *parts: RenderableType, notes: Footnotes | None = None, empty: str = "") -> Group:
    """Stack a title line, the tables (or ``empty`` when they have no rows), then the footnotes."""
    shown = [
        Fitted(p) if isinstance(p, Table) else p
        for p in parts
        if not isinstance(p, Table | Fitted) or p.row_count
    ]
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


def disputed_text(alternatives: Sequence[Row], part: str, *, besides: str | None = None) -> str:
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
    rows: Sequence[Row], catalogue: Catalogue, *, title: str, notes: Sequence[str] = ()
) -> RenderableType:
    """Draw a roster as a table grouped by unit, with the sources as footnotes.

    Under a holder, or an empty seat, whose answer is not simply dated by the
    sources, its reasons (``disputed dates``, ``after the record``...) in words.
    Where the full width does not fit, the holder wraps and since and until
    stack in one column (then a list).
    """
    marks = Footnotes()
    wide = _table("Unit", "Post", "Holder", "Since", "Until", "Src", nowrap=("Holder",))
    narrow = _table("Unit", "Post", "Holder", "Held", "Src", widths={"Holder": 12})
    listed = Text()
    last_org = last_post = None
    for row in rows:
        post = catalogue[row["post_id"]]
        if row["org_id"] != last_org and last_org is not None:
            wide.add_section()
            narrow.add_section()
        label = post_label(post, catalogue) if isinstance(post, Post) else row["post"]
        unit = row["org"] if row["org_id"] != last_org else ""
        shown = label if row["post_id"] != last_post else ""
        mark = marks.mark(row["sources"])
        holder = _holder(row["person"], row["certainty"], row.get("state", "held"))
        # "dated" is what a plain holder means, "unknown holder" what "unknown" says.
        why = [w for w in row.get("why", ()) if w not in ("dated", "unknown holder")]
        if why:
            holder.append("\n" + "\n".join(f"  {w}" for w in why), style="dim")
        since = _when(row["since"], any(a["part"] == "start" for a in row["alternatives"]))
        until = _when(row["until"], any(a["part"] == "end" for a in row["alternatives"]))
        if row.get("scheduled_end"):
            until.append("\nscheduled", style="yellow")
        wide.add_row(unit, shown, holder, since, until, mark)
        held = since.copy()
        if until.plain:
            held.append("\nto ")
            held.append_text(until)
        narrow.add_row(unit, shown, holder, held, mark)
        if unit:
            listed.append(f"{unit}\n", style="bold")
        if shown:
            listed.append(f"  {shown}\n")
        listed.append("    ")
        listed.append_text(holder.split("\n")[0])
        for word, date in (("since", row["since"]), ("until", row["until"])):
            if date:
                listed.append(f", {word} {date}")
        listed.append(" ")
        listed.append_text(mark)
        listed.append("\n")
        last_org, last_post = row["org_id"], row["post_id"]
    listed.rstrip()
    shown = Fitted(wide, narrow, last=listed)
    return _page(title, *(Text(n, style="yellow") for n in notes), shown, notes=marks, empty="no posts")


def _seat_text(seat: Row | None, catalogue: Catalogue, root: str) -> Text:
    if seat is None:
        return Text("")
    post = catalogue.get(seat["post_id"])
    text = Text(post_label(post, catalogue, root=root) if isinstance(post, Post) else seat["post"])
    if seat["certainty"] == "possible":
        text.append(" (possible)", style="yellow")
    return text


def diff_table(data: Row, catalogue: Catalogue, *, title: str) -> RenderableType:
    """Draw a diff as one table: joined, left, moved and changed, with the explaining events."""
    notes = Footnotes()
    table = _table("Change", "Person", "Before", "After", "Events", widths={"Events": 26})
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


def _event_dispute(change: Row, event: Row) -> str:
    """For an event claiming a disputed start or end of the change's tenures: what the other claims say."""
    for seat in (change["before"], change["after"]):
        if seat is None:
            continue
        for claim in seat["alternatives"]:
            if claim["event"] == event["id"]:
                return disputed_text(seat["alternatives"], claim["part"], besides=claim["date"])
    return ""


def history_table(data: Row, *, title: str) -> RenderableType:
    """Draw a person's tenures, custody and death, with the sources as footnotes."""
    notes = Footnotes()
    tenures = _table("Post", "From", "To", "Ended", "Src", widths={"Post": 12})
    for row in data["tenures"]:
        disputed = {a["part"] for a in row["alternatives"]}
        start = _when(row["start"] or "?", "start" in disputed, disputed_text(row["alternatives"], "start"))
        if row["open_start"]:
            start.stylize("yellow")
        tenures.add_row(
            row["post"],
            start,
            _when(
                row["end"] or ("" if row["ongoing"] else "?"),
                "end" in disputed,
                disputed_text(row["alternatives"], "end"),
            ),
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


def succession_table(data: Row, *, title: str) -> RenderableType:
    """Draw a post's holders in turn, with how each tenure ended and the sources as footnotes."""
    notes = Footnotes()
    table = _table("Holder", "From", "To", "Ended", "Src", widths={"Holder": 12})
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


def name_table(data: Row, *, title: str) -> RenderableType:
    """Draw a name answer as a small two-column table."""
    table = _table("", "")
    table.show_header = False
    table.add_row("name", _holder(data["name"], data["certainty"]))
    table.add_row("certainty", data["certainty"])
    if data["alternatives"]:
        table.add_row("or", ", ".join(data["alternatives"]))
    table.add_row("since", data["since"] or "")
    return _page(title, table)


def events_table(data: Sequence[Row], catalogue: Catalogue, *, title: str) -> RenderableType:
    """Draw events with what they are about, and their sources as footnotes."""
    notes = Footnotes()
    wide = _table("Occurred", "Type", "About", "Known", "Id", "Src", nowrap=("Type",), widths={"About": 12})
    narrow = _table("When", "Type", "About", "Src", widths={"About": 12, "Type": 9})
    listed = Text()
    for row in events_rows(data, catalogue):
        about = ", ".join(str(entity_name(catalogue, i)) for i in row["about"])
        mark = notes.mark(row["sources"])
        wide.add_row(row["occurred"], row["type"], about, row["known"], row["id"][:12], mark)
        when = f"{row['occurred']}\nknown {row['known']}\nid {row['id'][:12]}"
        narrow.add_row(when, row["type"], about, mark)
        listed.append(f"{row['occurred']} {row['type']} ", style="bold")
        listed.append(f"{about} (known {row['known']}, id {row['id'][:12]}) ")
        listed.append_text(mark)
        listed.append("\n")
    listed.rstrip()
    return _page(title, Fitted(wide, narrow, last=listed), notes=notes, empty="no events")


def sources_table(data: Sequence[Row], *, title: str) -> RenderableType:
    """Draw the sources registry: id, publisher, title, date, language, and how often each is cited."""
    wide = _table("Id", "Publisher", "Title", "Date", "Lang", "Cited", widths={"Id": 12, "Title": 12})
    narrow = _table("Source", "Date", "Lang", "Cited", widths={"Source": 20})
    for row in data:
        unregistered = Text("not registered", style="red") if not row["registered"] else Text("")
        cells = (row["date"] or "", row["language"] or "", str(row["cited"]))
        wide.add_row(row["id"], row["publisher"] or "", row["title"] or unregistered, *cells)
        source = Text(row["id"], style="bold")
        for part in (row["publisher"], row["title"]):
            if part:
                source.append(f"\n{part}")
        if not row["registered"]:
            source.append("\n").append_text(unregistered)
        narrow.add_row(source, *cells)
    return _page(title, Fitted(wide, narrow), empty="no sources registered or cited")


def check_table(data: Sequence[Row], *, title: str) -> RenderableType:
    """Draw the findings, errors first, with a count of each severity."""
    table = _table("Severity", "Rule", "Message", widths={"Message": 20})
    for row in data:
        message = Text(row["message"])
        for note in row["notes"]:
            message.append(f"\nnote: {note}", style="dim")
        table.add_row(Text(row["severity"], style=_SEVERITY_STYLE[row["severity"]]), row["rule"], message)
    counts = {s: sum(1 for r in data if r["severity"] == s) for s in ("error", "warning", "info")}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items())
    return _page(title, table, Text(summary))
