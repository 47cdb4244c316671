"""Events decoded one at a time, by their position in the log, only when an answer shows them.

A columnar answer names its events by position (0 for the first record). For a
JSON Lines log the byte offset of every record is noted when the projection is
built, so reading one event is a slice of a memory-mapped segment, one JSON
parse and one decode; other stores read the single record by position.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from chronos.events import Event
from chronos.log import EventLog
from chronos.stores._jsonl_format import parse_line
from chronos.stores.jsonl import JsonlStore
from chronos.stores.records import Record

__all__ = ["EventSource", "ListEvents", "LogEvents", "jsonl_offsets", "tail_offsets"]


class EventSource(Protocol):
    """Where a columnar answer finds the event at a position."""

    def event(self, position: int) -> Event:
        """The event at ``position`` (0-based, in append order)."""
        ...

    def all(self) -> list[Event]:
        """Every event, in append order."""
        ...


class ListEvents:
    """Events held in memory already."""

    def __init__(self, events: Sequence[Event]):
        self.events = events

    def event(self, position: int) -> Event:
        """The event at ``position``."""
        return self.events[position]

    def all(self) -> list[Event]:
        """Every event."""
        return list(self.events)


def jsonl_offsets(store: JsonlStore, count: int) -> tuple[list[str], npt.NDArray[Any]] | None:
    """The segment names and each record's (segment number, start, end) in bytes; None if they do not add up.

    Lines are found by their newline bytes (JSON never holds a raw newline), up
    to the acknowledged head.
    """
    head, last_segment, last_size = store._state()
    if head.position != count:
        return None
    names: list[str] = []
    parts: list[npt.NDArray[Any]] = []
    for number, path in enumerate(store.segments()):
        with path.open("rb") as handle:
            size = path.stat().st_size if path != last_segment else last_size
            data = np.fromfile(handle, dtype=np.uint8, count=size)
        ends = np.flatnonzero(data == 10) + 1
        starts = np.concatenate(([0], ends[:-1])).astype(np.int64)
        rows = np.empty((len(ends), 3), np.int64)
        rows[:, 0], rows[:, 1], rows[:, 2] = number, starts, ends
        names.append(path.name)
        parts.append(rows)
        if path == last_segment:
            break
    offsets = np.concatenate(parts) if parts else np.zeros((0, 3), np.int64)
    if len(offsets) != count:
        return None
    return names, offsets


def tail_offsets(
    store: JsonlStore, names: Sequence[str], offsets: npt.NDArray[Any], count: int, *, before: int = 0
) -> tuple[list[str], npt.NDArray[Any]] | None:
    """`jsonl_offsets` for a log that grew, from the known ``offsets``: the segment names and the new lines'.

    Only the lines after the known ones are read (and returned); ``before``
    records come before those ``offsets`` hold (``count`` is every record).
    """
    head, last_segment, last_size = store._state()
    segments = list(store.segments())
    if head.position != count or [p.name for p in segments[: len(names)]] != list(names):
        return None
    known, end = (int(offsets[-1, 0]), int(offsets[-1, 2])) if len(offsets) else (0, 0)
    parts = [np.asarray(offsets, np.int64)]
    for number in range(known, len(segments)):
        path = segments[number]
        size = last_size if path == last_segment else path.stat().st_size
        start = end if len(parts) == 1 else 0
        with path.open("rb") as handle:
            handle.seek(start)
            data = np.frombuffer(handle.read(size - start), np.uint8)
        ends = np.flatnonzero(data == 10).astype(np.int64) + 1 + start
        rows = np.empty((len(ends), 3), np.int64)
        rows[:, 0], rows[:, 1], rows[:, 2] = number, np.concatenate(([start], ends[:-1])), ends
        parts.append(rows)
        if path == last_segment:
            break
    found = np.concatenate(parts[1:]) if len(parts) > 1 else np.zeros((0, 3), np.int64)
    if before + len(offsets) + len(found) != count:
        return None
    last = found if len(found) else np.asarray(offsets)
    return [p.name for p in segments[: int(last[-1, 0]) + 1]] if len(last) else [], found


class LogEvents:
    """Events of a log: from byte offsets in its JSON Lines segments, else read by position."""

    def __init__(
        self,
        log: EventLog,
        *,
        segments: Sequence[str] = (),
        offsets: npt.NDArray[Any] | None = None,
        more: npt.NDArray[Any] | None = None,
    ):
        self.log = log
        #: Each record's (segment, start, end): ``offsets``, then ``more`` (an overlay's, kept apart).
        self.offsets = offsets
        self.more = more if more is not None and len(more) else None
        self._count = (0 if offsets is None else len(offsets)) + (0 if self.more is None else len(self.more))
        self._segments = list(segments)
        self._maps: dict[int, mmap.mmap] = {}
        self._cache: dict[int, Event] = {}
        self._origins: dict[int, str] = {}

    def close(self) -> None:
        """Unmap the segments and close the log's store (its database connection)."""
        for mapped in self._maps.values():
            mapped.close()
        self._maps.clear()
        self.log.store.close()

    def event(self, position: int) -> Event:
        """The event at ``position``, decoded on first use and kept."""
        found = self._cache.get(position)
        if found is None:
            found = self._cache[position] = self._read(position)
        return found

    def keep(self, first: int, events: Sequence[Event]) -> None:
        """Take ``events`` as the events at ``first`` onwards (they are what the log holds there)."""
        for position, event in enumerate(events, start=first):
            self._cache[position] = event

    def record(self, position: int) -> Record | None:
        """The raw record at ``position`` (0-based) from its byte offsets; None without them."""
        store = self.log.store
        if self.offsets is None or not isinstance(store, JsonlStore) or position >= self._count:
            return None
        if position < len(self.offsets):
            number, start, end = self.offsets[position].tolist()
        else:
            assert self.more is not None
            number, start, end = self.more[position - len(self.offsets)].tolist()
        line = self._segment(store.directory, number)[start:end]
        origin = self._origins.get(number)
        if origin is None:
            origin = self._origins[number] = f"{store.directory / self._segments[number]}:?"
        return parse_line(line, origin)

    def decoded(self, record: Record) -> Event:
        """The event a record holds, with its id."""
        return _decoded(self.log, record)

    def _read(self, position: int) -> Event:
        record = self.record(position)
        if record is not None:
            return _decoded(self.log, record)
        for recorded in self.log.read(after=position, until=position + 1):
            return recorded.event
        raise IndexError(f"no event at position {position} of {self.log}")

    def _segment(self, directory: Path, number: int) -> mmap.mmap:
        found = self._maps.get(number)
        if found is None:
            with (directory / self._segments[number]).open("rb") as handle:
                found = self._maps[number] = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return found

    def all(self) -> list[Event]:
        """Every event of the log."""
        return self.log.events()


def _decoded(log: EventLog, record: Any) -> Event:
    decode: Callable[[Any], Event] = log._decode
    event = decode(record)
    object.__setattr__(event, "id", record.id)
    return event
