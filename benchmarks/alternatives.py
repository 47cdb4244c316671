"""What a user would pick instead of chronos, fed the same data: eventsourcing, SQLite, DuckDB.

- `eventsourcing` (the Python event-sourcing library) stores the same events,
  one aggregate per post or person, with its SQLite or in-memory (POPO)
  recorder, and rebuilds them by replaying each aggregate.
- SQLite and DuckDB hold the same tenures as interval rows, with the indexes
  that serve as-of queries, and answer with SQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from chronos import Chronology, Codec, Event

# eventsourcing -------------------------------------------------------------------------------


def _subject(event: Event) -> str:
    about = event.about()
    return about[1] if len(about) > 1 else (about[0] if about else "log")


@contextmanager
def eventsourcing_app(kind: str, directory: Path) -> Iterator[Any]:
    """An eventsourcing Application with the SQLite or POPO recorder."""
    from eventsourcing.application import Application

    saved = dict(os.environ)
    if kind == "sqlite":
        os.environ.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=str(directory / "es.db"))
    else:
        os.environ.update(PERSISTENCE_MODULE="eventsourcing.popo")
        os.environ.pop("SQLITE_DBNAME", None)
    try:
        yield Application()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@functools.cache
def _aggregate_class() -> Any:
    from eventsourcing.domain import Aggregate, event

    class Chronicle(Aggregate):  # type: ignore[misc]
        """Every event about one post (or person), replayed into a list."""

        def __init__(self, subject: str):
            self.subject = subject
            self.records: list[dict[str, Any]] = []

        @classmethod
        def create_id(cls, subject: str) -> UUID:
            return uuid5(NAMESPACE_URL, subject)

        @event("Recorded")
        def record(self, data: dict[str, Any]) -> None:
            self.records.append(data)

    return Chronicle


def eventsourcing_store(app: Any, events: Sequence[Event]) -> list[UUID]:
    """Save the events, grouped into one aggregate per subject; return the aggregate ids."""
    chronicle = _aggregate_class()
    codec = Codec()
    aggregates: dict[str, Any] = {}
    for event in events:
        subject = _subject(event)
        aggregate = aggregates.get(subject)
        if aggregate is None:
            aggregate = aggregates[subject] = chronicle(subject)
        aggregate.record(codec.to_dict(event))
    batch: list[Any] = []
    for aggregate in aggregates.values():
        batch.append(aggregate)
        if len(batch) == 500:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)
    return [a.id for a in aggregates.values()]


def eventsourcing_rebuild(app: Any, ids: Iterable[UUID]) -> int:
    """Replay every aggregate from the recorder; return how many events were replayed."""
    count = 0
    for aggregate_id in ids:
        count += len(app.repository.get(aggregate_id).records)
    return count


def eventsourcing_append(app: Any, events: Sequence[Event], *, batch: int) -> list[float]:
    """Durably append ``events`` in batches of ``batch`` (one aggregate per batch); seconds per batch."""
    chronicle = _aggregate_class()
    codec = Codec()
    timings = []
    for start in range(0, len(events), batch):
        chunk = events[start : start + batch]
        aggregate = chronicle(f"append-{start}-{time.perf_counter_ns()}")
        for event in chunk:
            aggregate.record(codec.to_dict(event))
        began = time.perf_counter()
        app.save(aggregate)
        timings.append(time.perf_counter() - began)
    return timings


# Interval tables ------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE tenure (
    root TEXT NOT NULL, post TEXT NOT NULL, person TEXT NOT NULL,
    start_day INTEGER NOT NULL, end_day INTEGER,
    start_known INTEGER NOT NULL, end_known INTEGER
)
"""
INDEXES = (
    "CREATE INDEX tenure_root ON tenure (root, start_day, end_day)",
    "CREATE INDEX tenure_person ON tenure (person)",
    "CREATE INDEX tenure_day ON tenure (start_day, end_day)",
)
ROSTER = (
    "SELECT post, person FROM tenure WHERE root = ? AND start_day <= ? AND (end_day IS NULL OR end_day > ?)"
)
ROSTER_KNOWN = (
    "SELECT post, person FROM tenure WHERE root = ? AND start_day <= ? AND start_known <= ?"
    " AND (end_day IS NULL OR end_day > ? OR end_known > ?)"
)
HISTORY = "SELECT post, start_day, end_day FROM tenure WHERE person = ?"
EVERYWHERE = "SELECT root, post, person FROM tenure WHERE start_day <= ? AND (end_day IS NULL OR end_day > ?)"


def tenure_rows(chronology: Chronology, roots: dict[str, str]) -> list[tuple[Any, ...]]:
    """The reconciled tenures as interval rows (days since 0001-01-01), with their knowledge days."""
    rows = []
    for tenure in chronology.tenures():
        start = tenure.start.chosen
        end = tenure.end.chosen
        rows.append(
            (
                roots[tenure.post],
                tenure.post,
                tenure.person,
                tenure.start.latest.toordinal() if start else 1,
                tenure.end.earliest.toordinal() if end else None,
                min(c.event.known.latest for c in start).toordinal() if start else 1,
                min(c.event.known.latest for c in end).toordinal() if end else None,
            )
        )
    return rows


def sqlite_database(rows: Sequence[tuple[Any, ...]], path: Path) -> sqlite3.Connection:
    """A SQLite file holding the rows, indexed."""
    if path.exists():
        path.unlink()
    connection = sqlite3.connect(path)
    connection.execute(SCHEMA)
    connection.executemany("INSERT INTO tenure VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    for statement in INDEXES:
        connection.execute(statement)
    connection.execute("ANALYZE")
    connection.commit()
    return connection


def duckdb_database(rows: Sequence[tuple[Any, ...]], path: Path) -> Any:
    """A DuckDB file holding the rows, indexed."""
    import duckdb

    if path.exists():
        path.unlink()
    connection = duckdb.connect(str(path))
    connection.execute(SCHEMA)
    connection.executemany("INSERT INTO tenure VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    for statement in INDEXES:
        connection.execute(statement)
    return connection


def sql_roster(connection: Any, root: str, day: dt.date) -> set[tuple[str, str]]:
    """Who held the posts of ``root`` on ``day``."""
    d = day.toordinal()
    return {tuple(r) for r in connection.execute(ROSTER, (root, d, d)).fetchall()}  # type: ignore[misc]


def sql_roster_known(connection: Any, root: str, day: dt.date, known: dt.date) -> set[tuple[str, str]]:
    """The same, counting only what was known on ``known``."""
    d, k = day.toordinal(), known.toordinal()
    return {tuple(r) for r in connection.execute(ROSTER_KNOWN, (root, d, k, d, k)).fetchall()}  # type: ignore[misc]


def sql_diff(connection: Any, root: str, a: dt.date, b: dt.date) -> tuple[set[Any], set[Any]]:
    """Who left and who joined between ``a`` and ``b``: two as-of queries and a set difference."""
    before, after = sql_roster(connection, root, a), sql_roster(connection, root, b)
    return before - after, after - before


def sql_history(connection: Any, person: str) -> list[Any]:
    """A person's tenures."""
    return list(connection.execute(HISTORY, (person,)).fetchall())


def sql_everywhere(connection: Any, day: dt.date) -> int:
    """Every holder of every post on ``day``: a full as-of scan."""
    d = day.toordinal()
    return len(connection.execute(EVERYWHERE, (d, d)).fetchall())
