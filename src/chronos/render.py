"""Rendering of chronos answers: JSON-ready objects, CSV text, and rich tables for a terminal.

Every answer is first turned into plain JSON-ready objects (the documented
``--format json`` shapes, see ``docs/cli.md``); CSV flattens those objects and
the terminal tables are drawn from them too, so the three formats always agree.
Nothing here reads files or the log: these are pure functions of library results.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from chronos.checks import Finding
from chronos.codec import Codec
from chronos.dates import MAX_DAY, MIN_DAY, FuzzyDate
from chronos.entities import Catalogue, Post
from chronos.events import Event, Source
from chronos.projections import Change, Diff, History, NameAnswer, Resolved, Seat, Spell, Tenure

__all__ = [
    "CHECK_COLUMNS", "DIFF_COLUMNS", "EVENT_COLUMNS", "HISTORY_COLUMNS", "NAME_COLUMNS", "ROSTER_COLUMNS",
    "Footnotes", "check_table", "csv_text", "diff_json", "diff_rows", "diff_table", "events_json",
    "events_rows", "events_table", "findings_json", "history_json", "history_rows", "history_table",
    "name_json", "name_table", "post_label", "roster_json", "roster_table", "seat_json",
]  # fmt: skip

Json = dict[str, Any]

ROSTER_COLUMNS = (
    "org_id", "org", "post_id", "post", "person_id", "person",
    "certainty", "since", "until", "disputed", "sources",
)  # fmt: skip
DIFF_COLUMNS = (
    "change", "person_id", "person", "before_post_id", "before_post", "before_certainty",
    "after_post_id", "after_post", "after_certainty", "events", "sources",
)  # fmt: skip
HISTORY_COLUMNS = (
    "record", "post_id", "post", "start", "end", "end_cause", "disputed", "detail", "sources",
)  # fmt: skip
EVENT_COLUMNS = ("id", "type", "occurred", "known", "about", "details", "note", "sources")
CHECK_COLUMNS = ("severity", "rule", "message", "events", "notes")
NAME_COLUMNS = ("entity_id", "kind", "name", "certainty", "alternatives", "since")

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


# JSON-ready objects ------------------------------------------------------------------------


def _date(value: FuzzyDate | None) -> str | None:
    return None if value is None else str(value)


def _day(value: dt.date) -> str | None:
    return None if value in (MIN_DAY, MAX_DAY) else value.isoformat()


def _name(catalogue: Catalogue, entity_id: str | None) -> str | None:
    entity = catalogue.get(entity_id) if entity_id is not None else None
    return entity.name if entity is not None else entity_id


def _sources(sources: Iterable[Source]) -> list[Json]:
    return [{"source": s.source, "quote": s.quote, "locator": s.locator} for s in sources]


def _event_ref(event: Event) -> Json:
    return {
        "id": event.id,
        "type": event.type,
        "occurred": str(event.occurred),
        "known": str(event.known),
        "sources": _sources(event.sources),
    }


def _alternatives(tenure: Tenure | None) -> list[Json]:
    """Every claim of a start or end that the sources date differently."""
    parts = (("start", tenure.start), ("end", tenure.end)) if tenure is not None else ()
    return [
        {
            "part": part,
            "date": str(c.date),
            "cause": c.cause,
            "event": c.event.id,
            "chosen": c in resolved.chosen,
        }
        for part, resolved in parts
        if resolved.disputed or resolved.alternatives
        for c in resolved.claims
    ]


def _resolved(prefix: str, resolved: Resolved) -> Json:
    return {
        prefix: _date(resolved.date),
        f"{prefix}_earliest": _day(resolved.earliest),
        f"{prefix}_latest": _day(resolved.latest),
        f"{prefix}_cause": resolved.cause,
    }


def seat_json(seat: Seat, catalogue: Catalogue) -> Json:
    """Describe one seat: a row of ``roster --format json``."""
    tenure = seat.tenure
    return {
        "org_id": seat.post.org,
        "org": _name(catalogue, seat.post.org),
        "post_id": seat.post.id,
        "post": seat.post.name,
        "seats": seat.post.seats,
        "person_id": seat.person,
        "person": _name(catalogue, seat.person),
        "vacant": seat.vacant,
        "certainty": seat.certainty,
        "since": _date(seat.since),
        "until": _date(tenure.end.date) if tenure is not None else None,
        "disputed": tenure.disputed if tenure is not None else False,
        "alternatives": _alternatives(tenure),
        "sources": _sources(seat.sources),
        "events": [e.id for e in tenure.events] if tenure is not None else [],
    }


def roster_json(seats: Iterable[Seat], catalogue: Catalogue) -> list[Json]:
    """Describe a roster as a list of seat objects (see `seat_json`), vacant seats included."""
    return [seat_json(seat, catalogue) for seat in seats]


def _change_json(change: Change, catalogue: Catalogue) -> Json:
    return {
        "person_id": change.person,
        "person": _name(catalogue, change.person),
        "change": change.kind,
        "before": seat_json(change.before, catalogue) if change.before is not None else None,
        "after": seat_json(change.after, catalogue) if change.after is not None else None,
        "events": [_event_ref(e) for e in change.events],
    }


def diff_json(result: Diff, catalogue: Catalogue) -> Json:
    """Describe a diff: ``{org, org_name, a, b, joined, left, moved, changed}``."""
    return {
        "org": result.org,
        "org_name": _name(catalogue, result.org),
        "a": str(result.a),
        "b": str(result.b),
        **{
            kind: [_change_json(c, catalogue) for c in getattr(result, kind)]
            for kind in ("joined", "left", "moved", "changed")
        },
    }


def _tenure_json(tenure: Tenure, catalogue: Catalogue) -> Json:
    post = catalogue.get(tenure.post)
    org = post.org if isinstance(post, Post) else None
    return {
        "post_id": tenure.post,
        "post": _name(catalogue, tenure.post),
        "org_id": org,
        "org": _name(catalogue, org),
        **_resolved("start", tenure.start),
        **_resolved("end", tenure.end),
        "open_start": tenure.open_start,
        "ongoing": not tenure.end.chosen,
        "disputed": tenure.disputed,
        "alternatives": _alternatives(tenure),
        "sources": _sources(tenure.sources),
        "events": [e.id for e in tenure.events],
    }


def _spell_json(spell: Spell) -> Json:
    claims = (*spell.start.claims, *spell.end.claims, *spell.charges)
    return {
        **_resolved("start", spell.start),
        **_resolved("end", spell.end),
        "charges": [
            {"charge": getattr(c.event, "charge", ""), "date": str(c.date), "sources": _sources(c.sources)}
            for c in spell.charges
        ],
        "disputed": spell.start.disputed or spell.end.disputed,
        "sources": _sources(dict.fromkeys(s for c in claims for s in c.sources)),
        "events": list(dict.fromkeys(c.event.id for c in claims)),
    }


def history_json(result: History, catalogue: Catalogue) -> Json:
    """Describe a person's history: ``{person, person_id, tenures, custody, death}``."""
    death = result.death
    return {
        "person": _name(catalogue, result.person),
        "person_id": result.person,
        "tenures": [_tenure_json(t, catalogue) for t in result.tenures],
        "custody": [_spell_json(s) for s in result.custody],
        "death": None
        if death is None
        else {
            "date": _date(death.date),
            "earliest": _day(death.earliest),
            "latest": _day(death.latest),
            "disputed": death.disputed,
            "sources": _sources(dict.fromkeys(s for c in death.claims for s in c.sources)),
            "events": [c.event.id for c in death.claims],
        },
    }


def name_json(answer: NameAnswer, catalogue: Catalogue, at: object) -> Json:
    """Describe a name answer: ``{entity_id, kind, name, certainty, alternatives, since, at}``."""
    return {
        "entity_id": answer.entity,
        "kind": catalogue[answer.entity].kind,
        "name": answer.name,
        "certainty": answer.certainty,
        "alternatives": list(answer.alternatives),
        "since": _date(answer.since),
        "at": str(at),
        "events": [e.id for e in answer.events],
    }


def events_json(events: Iterable[Event], codec: Codec) -> list[Json]:
    """Give events in the codec's dict form, each with its ``id`` first."""
    return [{"id": e.id, **codec.to_dict(e)} for e in events]


def findings_json(findings: Iterable[Finding]) -> list[Json]:
    """Describe check findings: ``{severity, rule, message, events, notes}``."""
    return [{**attrs.asdict(f), "events": list(f.events), "notes": list(f.notes)} for f in findings]


# CSV -------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " | ".join(_item(v) for v in value)
    return str(value)


def _item(value: Any) -> str:
    if isinstance(value, Mapping):
        if "quote" in value:
            where = f" ({value['locator']})" if value.get("locator") else ""
            return f'{value["source"]}{where}: "{value["quote"]}"'
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return _cell(value)


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Write CSV with a header row; lists (sources, ids) are joined with ``" | "``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _seat_cells(prefix: str, seat: Json | None) -> Json:
    seat = seat or {}
    return {f"{prefix}_{k}": seat.get(k) for k in ("post_id", "post", "certainty")}


def diff_rows(data: Json) -> list[Json]:
    """Flatten a `diff_json` object to one row per change."""
    return [
        {
            "change": kind,
            "person_id": change["person_id"],
            "person": change["person"],
            **_seat_cells("before", change["before"]),
            **_seat_cells("after", change["after"]),
            "events": [e["id"] for e in change["events"]],
            "sources": [s for e in change["events"] for s in e["sources"]],
        }
        for kind in ("joined", "left", "moved", "changed")
        for change in data[kind]
    ]


def history_rows(data: Json) -> list[Json]:
    """Flatten a `history_json` object to one row per tenure, spell in custody and death."""
    rows: list[Json] = [{"record": "tenure", **t} for t in data["tenures"]]
    for spell in data["custody"]:
        charges = "; ".join(c["charge"] for c in spell["charges"])
        rows.append({"record": "custody", **spell, "detail": charges})
    if data["death"] is not None:
        rows.append({"record": "death", "start": data["death"]["date"], **data["death"]})
    return rows


def events_rows(data: Iterable[Json], catalogue: Catalogue) -> list[Json]:
    """Flatten event dicts to their common fields, the ids they are about, and the rest as details."""
    common = {"id", "type", "occurred", "known", "sources", "note"}
    rows = []
    for event in data:
        details = {k: v for k, v in event.items() if k not in common}
        rows.append(
            {
                **{k: event.get(k) for k in common},
                "about": _about(details, catalogue),
                "details": "; ".join(f"{k}={_item(v)}" for k, v in details.items()),
            }
        )
    return rows


def _about(details: Json, catalogue: Catalogue) -> list[str]:
    return [v for v in details.values() if isinstance(v, str) and v in catalogue]


# Terminal tables ----------------------------------------------------------------------------------


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
        about = ", ".join(str(_name(catalogue, i)) for i in row["about"])
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
