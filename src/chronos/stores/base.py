"""The store protocol every backend implements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from chronos.records import Head, Record

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """Durable, append-only storage of records.

    A store knows nothing of events or entities; `chronos.log.EventLog` builds
    the records (positions, hash chain) and checks them. A store guarantees:

    - `append` writes the whole batch or nothing, and only when
      ``expected_position`` equals its current position (otherwise it raises
      `ConcurrencyError` and writes nothing), checked atomically with the write;
    - `read` returns records in position order, exactly as appended;
    - a record, once appended, never changes.
    """

    def head(self) -> Head:
        """The current position and last hash."""
        ...

    def append(self, records: Sequence[Record], *, expected_position: int) -> Head:
        """Append records at ``expected_position + 1 ...``; return the new head."""
        ...

    def read(self, *, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Records with ``after < seq <= until`` (``until=None``: to the end), in order."""
        ...

    def close(self) -> None:
        """Release files, connections and locks."""
        ...
