"""Answers as flat rows: the columns of each answer, CSV and JSON Lines text.

The rows are flattened from the JSON-ready objects of `chronos.output.render`,
so CSV says exactly what JSON says; `chronos.output.tables` draws them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from chronos.entities import Catalogue

Json = dict[str, Any]
#: What the tables and CSV read: any of the JSON objects `chronos.output.render` makes.
Row = Mapping[str, Any]

ROSTER_COLUMNS = (
    "org_id", "org", "post_id", "post", "state", "person_id", "person",
    "certainty", "reasons", "since", "until", "disputed", "sources",
)  # fmt: skip
DIFF_COLUMNS = (
    "change", "person_id", "person", "before_post_id", "before_post", "before_certainty",
    "before_reasons", "after_post_id", "after_post", "after_certainty", "after_reasons", "events",
    "sources",
)  # fmt: skip
HISTORY_COLUMNS = (
    "record", "post_id", "post", "start", "end", "end_cause", "disputed", "detail", "sources",
)  # fmt: skip
EVENT_COLUMNS = ("id", "type", "occurred", "known", "about", "details", "note", "sources")
CHECK_COLUMNS = ("severity", "rule", "message", "events", "notes")
NAME_COLUMNS = ("entity_id", "kind", "name", "certainty", "alternatives", "since")
SUCCESSION_COLUMNS = (
    "person_id", "person", "post_id", "post", "start", "end", "end_cause", "disputed", "sources",
)  # fmt: skip
SOURCE_COLUMNS = (
    "id", "registered", "citation", "publisher", "title", "date", "url", "language", "archive", "sha256",
    "note", "cited",
)  # fmt: skip


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


def jsonl_text(items: Iterable[Any]) -> str:
    """JSON Lines: each item as one compact line of UTF-8 JSON (what ``append -`` reads, for events)."""
    return "".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in items)


def csv_text(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *, question: Mapping[str, Any] | None = None
) -> str:
    """Write CSV with a header row; lists (sources, ids) are joined with ``" | "``.

    With ``question`` (`question_json`), every row also carries it, in columns
    named ``question_KEY`` after the answer's own.
    """
    asked = {f"question_{k}": v for k, v in (question or {}).items()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*columns, *asked])
    for row in rows:
        writer.writerow([*(_cell(row.get(c)) for c in columns), *(_cell(v) for v in asked.values())])
    return out.getvalue()


def _seat_cells(prefix: str, seat: Json | None) -> Json:
    seat = seat or {}
    return {f"{prefix}_{k}": seat.get(k) for k in ("post_id", "post", "certainty", "reasons")}


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


def events_rows(data: Iterable[Row], catalogue: Catalogue) -> list[Json]:
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
