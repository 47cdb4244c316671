"""The store protocol every backend implements."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, Protocol, runtime_checkable

from chronos.errors import ConcurrencyError, RecordError
from chronos.stores.records import Head, Record

__all__ = [
    "POLL_SECONDS",
    "CatalogueChange",
    "Store",
    "check_batch",
    "record_from_row",
    "stale",
    "wait_by_polling",
]

#: How often stores that cannot be told of appends look for them.
POLL_SECONDS: Final = 0.05

#: A change to the catalogue (`Store.update_catalogue`): given the text and the history's
#: entries as they are, the new text and the entries to add, or None to leave both as they are.
CatalogueChange = Callable[[str | None, list[str]], tuple[str, list[str]] | None]


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

    Beside the records a store keeps the catalogue's TOML text, opaque to it,
    so that a log is self-contained and copies whole.
    """

    #: True when records are kept as lines of text, whose exact bytes the chain then keeps with them.
    keeps_lines: bool

    @property
    def catalogue_origin(self) -> str:
        """Where the catalogue is kept, as error messages name it (a file, or the store and "catalogue")."""
        ...

    def head(self) -> Head:
        """The current position and last hash."""
        ...

    def append(self, records: Sequence[Record], *, expected_position: int) -> Head:
        """Append records at ``expected_position + 1 ...``; return the new head."""
        ...

    def read(self, *, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Records with ``after < seq <= until`` (``until=None``: to the end), in order."""
        ...

    def wait(self, *, after: int, timeout: float) -> bool:
        """Block until the store holds more than ``after`` records or ``timeout`` seconds pass.

        Returns whether it holds more. Stores that can be told of appends
        (PostgreSQL's LISTEN/NOTIFY, a lock in memory) wake at once; the others poll.
        """
        ...

    def read_catalogue(self) -> str | None:
        """The catalogue's TOML text kept with the log, or None when it has none."""
        ...

    def write_catalogue(self, text: str) -> None:
        """Keep ``text`` as the log's catalogue, replacing any before it (atomically).

        This writes no history entry: `chronos.log.EventLog.add_entities` and
        `~chronos.log.EventLog.record_catalogue` are the chained way.
        """
        ...

    def read_catalogue_history(self) -> list[str]:
        """The catalogue's history entries (JSON texts, opaque to the store), oldest first."""
        ...

    def update_catalogue(self, change: CatalogueChange) -> None:
        """Apply ``change`` to the catalogue and its history as one atomic step, excluding other writers.

        ``change`` is called with the current text and entries, under the
        store's write lock; what it returns is written before the lock is
        released: concurrent updates never lose one another's entities.
        """
        ...

    def close(self) -> None:
        """Release files, connections and locks."""
        ...


def wait_by_polling(
    head: Callable[[], Head], *, after: int, timeout: float, interval: float = POLL_SECONDS
) -> bool:
    """Call ``head`` every ``interval`` seconds until its position passes ``after``; False on timeout."""
    deadline = time.monotonic() + timeout
    while head().position <= after:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(interval, remaining))
    return True


def stale(expected: int, actual: int) -> ConcurrencyError:
    """The error for an append whose expected position is not the log's."""
    return ConcurrencyError(
        f"stale append: expected position {expected}, log is at {actual}", expected=expected, actual=actual
    )


def check_batch(head: Head, records: Sequence[Record], expected_position: int) -> None:
    """Refuse a stale position, or records that do not follow the head; for use under the write lock."""
    if expected_position != head.position:
        raise stale(expected_position, head.position)
    for offset, record in enumerate(records, start=1):
        if record.seq != head.position + offset:
            raise RecordError(
                f"record seq {record.seq} does not follow position {head.position + offset - 1}"
            )


def record_from_row(row: Sequence[Any], origin: str) -> Record:
    """A database row ``(seq, v, id, event JSON text, prev, hash)`` as a record; ``origin`` names it."""
    seq, v, event_id, text, prev, digest = row
    try:
        event = json.loads(text)
    except (ValueError, TypeError, RecursionError) as exc:
        raise RecordError(f"{origin}: malformed record: {str(exc)[:200]}") from None
    if not isinstance(event, dict):
        raise RecordError(f"{origin}: the event must be a JSON object")
    return Record(seq=seq, v=v, id=event_id, event=event, prev=prev, hash=digest, origin=origin)
