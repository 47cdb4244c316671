"""A store that keeps records in a list: for tests, scratch work and generated logs."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from chronos.stores.base import CatalogueChange, check_batch
from chronos.stores.records import Head, Record

__all__ = ["MemoryStore"]


class MemoryStore:
    """Records in memory, guarded by a lock so threads can share one store."""

    keeps_lines = False
    #: What kind of store this is, as a checkpoint names it (`chronos.stores.checkpoint`).
    kind = "memory"

    @property
    def catalogue_origin(self) -> str:
        """Where the catalogue is kept, as error messages name it."""
        return "memory (catalogue)"

    def __init__(self, records: Sequence[Record] = (), *, catalogue: str | None = None):
        self._records: list[Record] = list(records)
        self._catalogue = catalogue
        self._history: list[str] = []
        self._changed = threading.Condition(threading.Lock())

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._records)} records)"

    def head(self) -> Head:
        """The current position and last hash."""
        with self._changed:
            return self._head()

    def _head(self) -> Head:
        if not self._records:
            return Head()
        last = self._records[-1]
        return Head(last.seq, last.hash)

    def append(self, records: Sequence[Record], *, expected_position: int) -> Head:
        """Append the batch if the position is still ``expected_position``."""
        with self._changed:
            check_batch(self._head(), records, expected_position)
            self._records.extend(records)
            if records:
                self._changed.notify_all()
            return self._head()

    def read(self, *, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Records with ``after < seq <= until``, in order."""
        with self._changed:
            snapshot = self._records[max(after, 0) : until]
        return iter(snapshot)

    def wait(self, *, after: int, timeout: float) -> bool:
        """Block until there are more than ``after`` records (woken by `append`) or ``timeout`` passes."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._records) > after, timeout=timeout)

    def read_catalogue(self) -> str | None:
        """The catalogue text given to the store, if any."""
        return self._catalogue

    def write_catalogue(self, text: str) -> None:
        """Keep ``text`` as the catalogue."""
        with self._changed:
            self._catalogue = text

    def read_catalogue_history(self) -> list[str]:
        """The catalogue's history entries."""
        with self._changed:
            return list(self._history)

    def update_catalogue(self, change: CatalogueChange) -> None:
        """Change the catalogue and its history under the store's lock."""
        with self._changed:
            result = change(self._catalogue, list(self._history))
            if result is not None:
                self._catalogue, entries = result
                self._history.extend(entries)

    def close(self) -> None:
        """Nothing to release."""
