"""Parquet tables of a chronology, for DuckDB, Polars, pandas, Spark and any BI tool.

`write_parquet` writes three files into a directory:

- ``tenures.parquet``: one row per tenure reconciled by the cautious policy, as
  the tenure CSV has them (`chronos.interop.tabular`), with both clocks typed:
  each side's EDTF date and precision, its earliest and latest day (the
  holder certainly holds on D when ``start_latest <= D < end_earliest``, possibly
  when ``start_earliest <= D < end_latest``; a null is an open end), its cause,
  the day its first claim was known, whether the sources dispute it, its
  sources, and the ids of the events behind the tenure;
- ``events.parquet``: one row per event in log order: position, id, kind, the
  bounds of both clocks as dates, its sources, and the event as JSON;
- ``entities.parquet``: the catalogue: id, kind, name, aliases, parent
  organisation (of an organisation or a post) and seats.

Needs the optional ``parquet`` extra (``pip install 'chronos-history[parquet]'``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from chronos.chronology import Chronology, DateLike
from chronos.codec import Codec
from chronos.dates import MAX_DAY, MIN_DAY
from chronos.entities import Organisation, Post
from chronos.errors import MissingDependency
from chronos.events import Source
from chronos.interop._rows import _side

__all__ = ["write_parquet"]


def _day(value: dt.date) -> dt.date | None:
    """A bound as a date; None for an open one."""
    return None if value in (MIN_DAY, MAX_DAY) else value


def write_parquet(
    chronology: Chronology, directory: str | Path, *, known_at: DateLike | None = None
) -> list[Path]:
    """Write ``tenures``, ``events`` and ``entities`` as Parquet files in ``directory``; their paths."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise MissingDependency(
            "Parquet export needs pyarrow: pip install 'chronos-history[parquet]'"
        ) from None
    where = Path(directory)
    where.mkdir(parents=True, exist_ok=True)
    catalogue = chronology.catalogue
    rows: list[dict[str, Any]] = []
    for tenure in chronology.tenures(known_at=known_at, policy="cautious"):
        post = catalogue.get(tenure.post)
        org = post.org if isinstance(post, Post) else ""
        row: dict[str, Any] = {
            "person_id": tenure.person,
            "person": catalogue[tenure.person].name if tenure.person in catalogue else "",
            "post_id": tenure.post,
            "post": post.name if post is not None else "",
            "org_id": org,
            "org": catalogue[org].name if org in catalogue else "",
        }
        for prefix, resolved in (("start", tenure.start), ("end", tenure.end)):
            side = _side(resolved)
            dated = resolved.date is not None
            row[prefix] = str(resolved.date) if dated else None
            row[f"{prefix}_precision"] = side.precision or None
            row[f"{prefix}_earliest"] = _day(resolved.earliest) if dated else None
            row[f"{prefix}_latest"] = _day(resolved.latest) if dated else None
            row[f"{prefix}_cause"] = side.cause or None
            row[f"{prefix}_known"] = side.known.latest if side.known is not None else None
            row[f"{prefix}_disputed"] = resolved.disputed
            row[f"{prefix}_sources"] = [_source(s) for s in side.sources]
        row["events"] = [e.id for e in tenure.events]
        rows.append(row)
    codec = Codec()
    events = [
        {
            "position": position,
            "id": event.id,
            "kind": type(event).__name__,
            "occurred_earliest": _day(event.occurred.earliest),
            "occurred_latest": _day(event.occurred.latest),
            "known_earliest": _day(event.known.earliest),
            "known_latest": _day(event.known.latest),
            "sources": [_source(s) for s in event.sources],
            "json": json.dumps(codec.to_dict(event), ensure_ascii=False, sort_keys=True),
        }
        for position, event in enumerate(chronology.events, start=1)
    ]
    entities = [
        {
            "id": entity.id,
            "kind": entity.kind,
            "name": entity.name,
            "aliases": list(entity.aliases),
            "parent": entity.parent if isinstance(entity, Organisation) else getattr(entity, "org", None),
            "seats": entity.seats if isinstance(entity, Post) else None,
        }
        for entity in chronology.catalogue.values()
    ]
    written = []
    for name, table in (("tenures", rows), ("events", events), ("entities", entities)):
        path = where / f"{name}.parquet"
        pq.write_table(pa.Table.from_pylist(table, schema=_SCHEMAS[name](pa)), path)
        written.append(path)
    return written


def _source(source: Source) -> dict[str, str | None]:
    return {"source": source.source, "quote": source.quote, "locator": source.locator}


def _source_type(pa: Any) -> Any:
    return pa.struct([("source", pa.string()), ("quote", pa.string()), ("locator", pa.string())])


def _tenure_schema(pa: Any) -> Any:
    fields = [
        pa.field(name, pa.string()) for name in ("person_id", "person", "post_id", "post", "org_id", "org")
    ]
    for side in ("start", "end"):
        fields += [
            pa.field(side, pa.string()),
            pa.field(f"{side}_precision", pa.string()),
            pa.field(f"{side}_earliest", pa.date32()),
            pa.field(f"{side}_latest", pa.date32()),
            pa.field(f"{side}_cause", pa.string()),
            pa.field(f"{side}_known", pa.date32()),
            pa.field(f"{side}_disputed", pa.bool_()),
            pa.field(f"{side}_sources", pa.list_(_source_type(pa))),
        ]
    return pa.schema([*fields, pa.field("events", pa.list_(pa.string()))])


def _event_schema(pa: Any) -> Any:
    source = _source_type(pa)
    return pa.schema(
        [
            ("position", pa.int64()),
            ("id", pa.string()),
            ("kind", pa.string()),
            ("occurred_earliest", pa.date32()),
            ("occurred_latest", pa.date32()),
            ("known_earliest", pa.date32()),
            ("known_latest", pa.date32()),
            ("sources", pa.list_(source)),
            ("json", pa.string()),
        ]
    )


def _entity_schema(pa: Any) -> Any:
    return pa.schema(
        [
            ("id", pa.string()),
            ("kind", pa.string()),
            ("name", pa.string()),
            ("aliases", pa.list_(pa.string())),
            ("parent", pa.string()),
            ("seats", pa.int32()),
        ]
    )


_SCHEMAS = {"tenures": _tenure_schema, "events": _event_schema, "entities": _entity_schema}
