"""A flat CSV of tenures (one row per tenure) in and out, and the same rows as a pandas DataFrame.

The CSV is UTF-8 with a header row and one row per tenure; it opens cleanly in
a spreadsheet (no formulas, a cell per value, ISO days in the ``*_earliest`` and
``*_latest`` columns, ``-0043-03-15`` for 44 BCE). Columns: see `COLUMNS`.
Dates are EDTF, precision is ``day``, ``month``, ``season``, ``year``,
``decade``, ``century``, ``millennium``, ``range`` or empty, and sources are
``FILE (LOCATOR): "QUOTE"`` joined with `` | ``. A move from one post to
another ends one tenure and starts another: ``end_move`` of the first row and
``start_move`` of the second hold the same label (``m1``, ``m2``, ... in the
order of the rows), and reading pairs the two sides by it, whatever else the
two rows say (one side may be reconciled with other claims and their sources).

Reading needs a person (``person_id`` or ``person``), a post (``post_id`` or
``post``) and, for a post the file does not give an id, its organisation
(``org_id`` or ``org``); every other column is optional. A row without sources
cites the file, quotes the post and is located by its ``id`` column, else its line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any, Final

from chronos.chronology import Chronology, DateLike
from chronos.errors import MissingDependency, RecordError
from chronos.interop._model import (
    ClaimSpec,
    Dataset,
    ForeignEntity,
    TenureRecord,
    edtf,
    format_sources,
    parse_sources,
    role_post_key,
)
from chronos.interop._rows import Side, tenure_rows

__all__ = ["COLUMNS", "read_csv", "tenure_records", "tenures_frame", "write_csv"]

#: The columns of the tenure CSV, in order.
COLUMNS: Final = (
    "person_id", "person", "post_id", "post", "org_id", "org",
    "start", "start_precision", "start_earliest", "start_latest", "start_cause", "start_known",
    "end", "end_precision", "end_earliest", "end_latest", "end_cause", "end_known",
    "start_sources", "end_sources", "start_move", "end_move",
)  # fmt: skip


def _side(prefix: str, side: Side, labels: dict[str, str]) -> dict[str, str]:
    moves = [labels.setdefault(move, f"m{len(labels) + 1}") for move in side.moves]
    return {
        prefix: str(side.date) if side.date is not None else "",
        f"{prefix}_precision": side.precision,
        f"{prefix}_earliest": side.earliest,
        f"{prefix}_latest": side.latest,
        f"{prefix}_cause": side.cause,
        f"{prefix}_known": str(side.known) if side.known is not None else "",
        f"{prefix}_sources": format_sources(side.sources),
        f"{prefix}_move": " ".join(moves),
    }


def tenure_records(chronology: Chronology, *, known_at: DateLike | None = None) -> list[dict[str, str]]:
    """Every tenure as one flat record with the `COLUMNS` (all strings; empty for none)."""
    catalogue = chronology.catalogue
    labels: dict[str, str] = {}  # a move's id: its label in the file
    return [
        {
            "person_id": row.person,
            "person": catalogue[row.person].name,
            "post_id": row.post,
            "post": catalogue[row.post].name,
            "org_id": row.org,
            "org": catalogue[row.org].name if row.org in catalogue else "",
            **_side("start", row.start, labels),
            **_side("end", row.end, labels),
        }
        for row in tenure_rows(chronology, known_at=known_at)
    ]


def write_csv(chronology: Chronology, *, known_at: DateLike | None = None) -> str:
    """The tenure CSV text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(tenure_records(chronology, known_at=known_at))
    return out.getvalue()


def tenures_frame(chronology: Chronology, *, known_at: DateLike | None = None) -> Any:
    """The tenures as a ``pandas.DataFrame``: the CSV's columns, ``*_earliest``/``*_latest`` as datetimes.

    Needs the optional ``pandas`` extra (``pip install 'chronos-history[pandas]'``).
    """
    try:
        import pandas  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise MissingDependency("tenures_frame needs pandas: pip install 'chronos-history[pandas]'") from None
    frame = pandas.DataFrame(tenure_records(chronology, known_at=known_at), columns=list(COLUMNS))
    for column in ("start_earliest", "start_latest", "end_earliest", "end_latest"):
        frame[column] = pandas.to_datetime(frame[column].replace("", None), format="%Y-%m-%d")
    return frame


def _cell(row: Mapping[str, str | None], *names: str) -> str | None:
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return None


def _claims(row: Mapping[str, str | None], prefix: str, default: str, where: str) -> tuple[ClaimSpec, ...]:
    date = edtf(row.get(prefix), f"{where}: {prefix}")
    if date is None:
        return ()
    sources = _cell(row, f"{prefix}_sources")
    moves = (_cell(row, f"{prefix}_move") or "").split()
    return (
        ClaimSpec(
            cause=_cell(row, f"{prefix}_cause") or default,
            date=date,
            known=edtf(row.get(f"{prefix}_known"), f"{where}: {prefix}_known"),
            sources=parse_sources(sources, f"{where}: {prefix}_sources") if sources else (),
            # Several moves on one side (disputed): paired by their dates and sources instead.
            move=moves[0] if len(moves) == 1 else None,
        ),
    )


def read_csv(text: str, origin: str) -> Dataset:
    """A dataset from tenure CSV text; errors name ``origin`` and the line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        return _read_csv(reader, origin)
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a NUL byte ...
        # The line being read when the csv module gave up is the one after those it finished.
        raise RecordError(f"{origin}:{reader.line_num + 1}: not CSV as chronos reads it: {exc}") from None


def _read_csv(reader: csv.DictReader[str], origin: str) -> Dataset:
    header = list(reader.fieldnames or ())
    missing = [n for n in (("person_id", "person"), ("post_id", "post")) if not set(n) & set(header)]
    if missing:
        need = " and ".join(" or ".join(n) for n in missing)
        raise RecordError(f"{origin}:1: the header needs {need} (it has {', '.join(header) or 'nothing'})")
    entities: dict[tuple[str, str], ForeignEntity] = {}
    records: list[TenureRecord] = []
    for row in reader:
        line = reader.line_num
        where = f"{origin}:{line}"
        person = _cell(row, "person_id", "person")
        org = _cell(row, "org_id", "org")
        post_name = _cell(row, "post", "post_id")
        post = _cell(row, "post_id")
        if post_name is None:
            raise RecordError(f"{where}: no post")
        if org is not None:
            entities.setdefault(
                ("organisation", org), ForeignEntity("organisation", org, _cell(row, "org") or org)
            )
        if post is None:
            if org is None:
                raise RecordError(f"{where}: post {post_name!r} has no post_id and no org")
            post = role_post_key(org, post_name)
        if org is None:
            raise RecordError(f"{where}: post {post!r} has no org_id or org")
        entities.setdefault(("post", post), ForeignEntity("post", post, post_name, org=org))
        if person is not None:
            entities.setdefault(
                ("person", person),
                ForeignEntity("person", person, _cell(row, "person", "person_id") or person),
            )
        records.append(
            TenureRecord(
                key=_cell(row, "id") or f"line {line}",
                person=person,
                post=post,
                starts=_claims(row, "start", "appointed", where),
                ends=_claims(row, "end", "left", where),
                quote=post_name,
            )
        )
    return Dataset(tuple(entities.values()), tuple(records))
