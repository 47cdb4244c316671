"""The events this process appended lately, by log, so that a reader in the same process need not decode them.

`EventLog.append` notes, per log, each new record's place in the hash chain
and the event it was made from. `recall` hands back the events of a run of
positions only when the noted links run unbroken from the hash the caller
knows to the log's head as the store reports it: each record's hash covers
its content and the hash before it, so those events are exactly what the log
holds there. Anything else (another process appended, the log was replaced,
the run was forgotten) is None, and the caller reads the log. A few logs'
last `KEEP` events are kept; nothing is written anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import attrs

from chronos.events import Event
from chronos.stores.base import Store
from chronos.stores.jsonl import JsonlStore
from chronos.stores.records import Head
from chronos.stores.sqlite import SqliteStore

__all__ = ["KEEP", "forget", "recall", "remember"]

#: Events kept per log, and logs kept.
KEEP = 20_000
LOGS = 4

_lock = threading.Lock()


@attrs.define
class _Run:
    """Consecutive records of one log: the position of the first (0-based), the hash it links to."""

    first: int
    prev: str
    hashes: list[str]
    events: list[Event]


_runs: dict[str, _Run] = {}


def _where(store: Store) -> str | None:
    """What names the log of ``store`` across store objects; None for logs not noted (in memory, a server)."""
    if isinstance(store, JsonlStore):
        return f"jsonl:{Path(store.directory).resolve()}"
    if isinstance(store, SqliteStore):
        return f"sqlite:{Path(store.path).resolve()}"
    return None


def remember(
    store: Store, head: Head, ids: Sequence[str], hashes: Sequence[str], batch: Sequence[Event]
) -> None:
    """Note the records just appended to ``store`` after ``head`` (their ids and hashes, in order).

    ``batch`` holds the events they were made from.
    """
    where = _where(store)
    if where is None or not ids:
        return
    first, prev = head.position, head.hash
    if len(ids) > KEEP:  # a long batch: only its last are kept
        cut = len(ids) - KEEP
        first, prev, ids, hashes = first + cut, hashes[cut - 1], ids[cut:], hashes[cut:]
    wanted = set(ids)
    by_id: dict[str, Event] = {}
    for event in batch:
        if event.id in wanted:
            by_id.setdefault(event.id, event)
    events = [by_id[event_id] for event_id in ids]
    with _lock:
        run = _runs.pop(where, None)
        if run is None or run.first + len(run.events) != first or run.hashes[-1] != prev:
            run = _Run(first, prev, [], [])
        run.hashes += hashes
        run.events += events
        if len(run.events) > KEEP:
            cut = len(run.events) - KEEP
            run.first, run.prev = run.first + cut, run.hashes[cut - 1]
            del run.hashes[:cut], run.events[:cut]
        _runs[where] = run  # the most recent last
        while len(_runs) > LOGS:
            _runs.pop(next(iter(_runs)))


def recall(store: Store, *, after: int, prev: str, head: Head) -> list[Event] | None:
    """The events at positions ``after`` to the head of ``store``, when this process appended them all.

    ``prev`` is the hash of the record at ``after`` (the one the next links to);
    ``head`` the store's head now.
    """
    where = _where(store)
    if where is None or head.position <= after:
        return None
    with _lock:
        run = _runs.get(where)
        if run is None or not run.first <= after < head.position <= run.first + len(run.events):
            return None
        start, stop = after - run.first, head.position - run.first
        if (run.prev if start == 0 else run.hashes[start - 1]) != prev or run.hashes[stop - 1] != head.hash:
            return None
        return run.events[start:stop]


def forget() -> None:
    """Forget every noted run (the next reader reads the log)."""
    with _lock:
        _runs.clear()
