"""The append-only event log: validated appends with optimistic concurrency, reads, verification.

Events are appended in the order they were learned, which is not the order in
which they happened; projections sort by valid time. Nothing is ever updated
or deleted: there is no such method. Each record carries the hash of the one
before it, and `EventLog.verify` names the first record that breaks the chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from chronos.codec import Codec
from chronos.entities import Catalogue
from chronos.errors import (
    ChronosError,
    IntegrityError,
    LookupFailed,
    RecordError,
    UnknownReference,
    did_you_mean,
)
from chronos.events import BUILTIN_EVENT_TYPES, Corrected, Event, Retracted, RosterReported, content_id
from chronos.stores import open_store
from chronos.stores.base import Store, stale
from chronos.stores.checkpoint import Checkpoint
from chronos.stores.records import GENESIS, Chain, Head, Record, event_json

__all__ = ["AppendResult", "EventLog", "Recorded", "Verified"]


@attrs.frozen
class Recorded:
    """An event as read from the log: its position, id and where it came from."""

    position: int
    event: Event
    origin: str = attrs.field(default="", eq=False)

    @property
    def id(self) -> str:
        """The event's content-derived id."""
        return self.event.id


@attrs.frozen
class AppendResult:
    """What an append did: the new position, the ids written, and the repeats it skipped."""

    position: int
    appended: tuple[str, ...]
    skipped: tuple[str, ...]


@attrs.frozen
class Verified:
    """A log that passed verification: how many records and the head hash."""

    count: int
    head: str


#: The built-in kinds whose only references are entity fields (`EventLog._known_references`).
_ENTITY_ONLY: frozenset[type[Event]] = BUILTIN_EVENT_TYPES - {Retracted, Corrected, RosterReported}


class _Either(Container[str]):
    """Membership in either of two sets, without copying them (appends check each event)."""

    def __init__(self, first: Container[str], second: Container[str]):
        self.first = first
        self.second = second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


class EventLog:
    """An append-only log of events over a `Store`, checked against a `Catalogue`.

    >>> from chronos import Catalogue, EventLog, MemoryStore
    >>> log = EventLog(MemoryStore(), Catalogue())
    >>> log.position
    0
    """

    def __init__(self, store: Store, catalogue: Catalogue | None = None, *, codec: Codec | None = None):
        self.store = store
        self.catalogue = catalogue if catalogue is not None else Catalogue()
        self.codec = codec if codec is not None else Codec()
        self._ids: set[str] = set()
        self._ids_position = 0

    @classmethod
    def open(
        cls, location: str | Path, *, catalogue: Catalogue | None = None, create: bool = True
    ) -> EventLog:
        """Open the log at a directory, ``sqlite:///FILE.db``, ``postgresql://...`` or ``":memory:"``.

        See `chronos.stores.open_store` for the locations. A missing
        directory or SQLite file is created, unless ``create`` is False. The
        catalogue is the one kept with the log (``catalogue.toml`` in a
        directory, a table in a database) unless given.
        """
        store = open_store(location, create=create)
        if catalogue is None:
            text = store.read_catalogue()
            try:
                catalogue = (
                    Catalogue() if text is None else Catalogue.from_toml(text, origin=store.catalogue_origin)
                )
            except BaseException:
                store.close()
                raise
        return cls(store, catalogue)

    def __repr__(self) -> str:
        return f"EventLog({self.store!r})"

    # Reading ---------------------------------------------------------------------

    @property
    def position(self) -> int:
        """The number of records in the log."""
        return self.store.head().position

    def head(self) -> Head:
        """The position and the hash of the last record."""
        return self.store.head()

    def read(self, *, after: int = 0, until: int | None = None) -> Iterator[Recorded]:
        """Decoded events with ``after < position <= until``, in append order.

        Raises `RecordError` naming the record (``file:line``) that does not decode.
        """
        for record in self.store.read(after=after, until=until):
            event = self._decode(record)
            # The record already carries the event's id; `verify` checks it against the
            # content, so reading need not hash every event again.
            object.__setattr__(event, "id", record.id)
            yield Recorded(record.seq, event, record.origin)

    def events(self) -> list[Event]:
        """Every event in append order."""
        # `read` without its `Recorded` wrappers: opening a log calls this for every event.
        events: list[Event] = []
        decode = self._decode
        for record in self.store.read():
            event = decode(record)
            object.__setattr__(event, "id", record.id)
            events.append(event)
        return events

    def _decode(self, record: Record) -> Event:
        where = record.origin or f"record {record.seq}"
        try:
            return self.codec.from_dict(record.event, version=record.v)
        except ChronosError as exc:
            raise type(exc)(f"{where}: {exc}") from None

    # Writing --------------------------------------------------------------------

    def append(self, events: Iterable[Event], *, expected_position: int) -> AppendResult:
        """Append events, all or nothing, if the log is still at ``expected_position``.

        Every event is checked first: entity references must be in the
        catalogue with the right kind, and a `Retracted` or `Corrected` must
        target an event already in the log (or earlier in the batch). Events
        already in the log (same content, so same id) are skipped, which makes
        importing the same claims twice a no-op. On any error nothing is written.

        Raises `ConcurrencyError` when the log has moved on, `UnknownReference`
        or `RecordError` for a bad event.
        """
        batch = list(events)
        head = self.store.head()
        if expected_position != head.position:
            raise stale(expected_position, head.position)
        self._catch_up(head.position)
        records, skipped, batch_ids = self._records(batch, head)
        new_head = self.store.append(records, expected_position=expected_position)
        self._ids |= batch_ids
        self._ids_position = new_head.position
        return AppendResult(new_head.position, tuple(r.id for r in records), tuple(skipped))

    def _records(self, batch: list[Event], head: Head) -> tuple[list[Record], list[str], set[str]]:
        """The records of the new events in ``batch`` after ``head``, the ids skipped, and the new ids.

        Raises the first event's error (`validate`), naming its place in the batch.
        """
        known = self._ids
        batch_ids: set[str] = set()
        known_ids = _Either(known, batch_ids)
        # The common case is checked without building the errors; `validate` names them.
        quick = type(self).validate is EventLog.validate and type(self.catalogue) is Catalogue
        links = Chain(head, self.codec.version, lines=self.store.keeps_lines)
        records: list[Record] = []
        skipped: list[str] = []
        for index, event in enumerate(batch, start=1):
            if not isinstance(event, Event):
                raise RecordError(f"event #{index}: not an Event: {event!r}")
            data, canonical, compact = self._encode(event)
            event_id = event.id
            if event_id in known or event_id in batch_ids:
                skipped.append(event_id)
                continue
            if not (quick and self._known_references(event)):
                try:
                    self.validate(event, known_ids=known_ids)
                except ChronosError as exc:
                    raise type(exc)(f"event #{index} ({event.type}): {exc}") from None
            batch_ids.add(event_id)
            records.append(links.link(event_id, data, canonical, compact))
        return records, skipped, batch_ids

    def _encode(self, event: Event) -> tuple[dict[str, Any], bytes, bytes]:
        """The event's codec form, canonical JSON and compact JSON (`chronos.stores.records.event_json`).

        Computed once per append. For the built-in kinds the codec form is
        exactly the content the id is derived from (tests/test_codec.py checks
        it), so the id comes from the same canonical JSON instead of a second
        encoding; the compact JSON is what a JSON Lines record holds.
        """
        data = self.codec.to_dict(event)
        canonical, compact = event_json(data)
        if type(event) in BUILTIN_EVENT_TYPES:
            object.__setattr__(event, "id", content_id(canonical))
        return data, canonical, compact

    def _known_references(self, event: Event) -> bool:
        """True when `validate` would pass ``event``, a kind that only names entities.

        False says nothing: `validate` then decides and names what is wrong. Only
        the built-in kinds that name entities and nothing else (no retraction
        target, no roster entries) are checked here.
        """
        if type(event) not in _ENTITY_ONLY:
            return False
        catalogue = self.catalogue
        for field, kind in type(event).references.items():
            value = getattr(event, field)
            if value is None:
                continue
            try:
                entity = catalogue[value]
            except (KeyError, TypeError):
                return False
            if kind != "any" and entity.kind != kind:
                return False
        return True

    def _catch_up(self, position: int) -> None:
        if position > self._ids_position:
            for record in self.store.read(after=self._ids_position, until=position):
                self._ids.add(record.id)
            self._ids_position = position

    def validate(self, event: Event, *, known_ids: Container[str] = frozenset()) -> None:
        """Check an event's references against the catalogue and ``known_ids``.

        Raises `UnknownReference` naming the field and the value, with the
        nearest known ids.
        """
        if isinstance(event, Retracted | Corrected) and event.target not in known_ids:
            raise UnknownReference(f"target {event.target!r} is not an event in the log")
        if isinstance(event, Corrected):
            self.validate(event.replacement, known_ids=known_ids)
            return
        for field, kind in type(event).references.items():
            value = getattr(event, field)
            if value is None:
                continue
            if kind == "any":
                if value not in self.catalogue:
                    self._unknown(field, value, None)
            else:
                self._reference(field, value, kind)
        if isinstance(event, RosterReported):
            for entry in event.entries:
                self._reference("entries.post", entry.post, "post")
                if entry.person is not None:
                    self._reference("entries.person", entry.person, "person")

    def _reference(self, field: str, value: str, kind: str) -> None:
        try:
            self.catalogue.get_kind(value, kind)
        except LookupFailed:
            self._unknown(field, value, kind)

    def _unknown(self, field: str, value: str, kind: str | None) -> None:
        suggestions = self.catalogue.suggest(value, kind=kind)
        hint = did_you_mean(suggestions)
        raise UnknownReference(f"{field}: unknown {kind or 'entity'} {value!r}{hint}")

    # Verification ------------------------------------------------------------------

    def verify(self, *, expected: Head | None = None, checkpoints: Iterable[Checkpoint] = ()) -> Verified:
        """Check every record: position, hash, chain, event id and decoding.

        Returns the count and head hash, or raises `IntegrityError` naming the
        first bad record (an edit, a removal, a reordering or a truncation).
        ``expected`` is a head noted earlier, and ``checkpoints`` are heads
        published earlier (`chronos.stores.checkpoint`): a log that no longer holds
        one of them was truncated or rewritten, even if its whole chain was
        computed again. Stores that keep their own head (JSON Lines) are
        checked against it as well, and databases for the triggers that keep
        their tables append-only (`unguarded`).
        """
        wanted = [*([Checkpoint.of(expected)] if expected is not None else []), *checkpoints]
        hashes = {c.position: "" for c in wanted}
        prev = GENESIS
        expected_seq = 0
        # The head is noted first: records appended while verifying are left for the next check.
        head = self.store.head()
        for record in self.store.read(until=head.position):
            expected_seq += 1
            where = record.origin or f"record {expected_seq}"
            if record.seq != expected_seq:
                raise self._broken(
                    expected_seq,
                    f"{where}: position {record.seq} where {expected_seq} belongs "
                    "(removed or reordered records)",
                )
            if record.prev != prev:
                raise self._broken(
                    expected_seq,
                    f"{where}: does not follow the record before it (removed or reordered records)",
                )
            if record.hash != record.expected_hash():
                raise self._broken(expected_seq, f"{where}: content does not match its hash (edited record)")
            try:
                event = self._decode(record)
            except ChronosError as exc:
                raise self._broken(expected_seq, str(exc)) from None
            if event.id != record.id:
                raise self._broken(
                    expected_seq, f"{where}: event id {record.id!r} does not match its content ({event.id!r})"
                )
            prev = record.hash
            if expected_seq in hashes:
                hashes[expected_seq] = prev
        if head.position != expected_seq or head.hash != prev:
            raise self._broken(
                expected_seq + 1 if head.position > expected_seq else head.position,
                f"the head says {head.position} records ending in {head.hash[:12]}, "
                f"the log holds {expected_seq} ending in {prev[:12]} (truncated or rewritten)",
            )
        for checkpoint in wanted:
            self._holds(checkpoint, expected_seq, hashes.get(checkpoint.position) or GENESIS)
        problem = self.unguarded()
        if problem is not None:
            raise IntegrityError(problem)
        tail = getattr(self.store, "tail", None)
        problem = tail() if tail is not None else None
        if problem is not None:
            raise self._broken(expected_seq + 1, problem)
        return Verified(expected_seq, prev)

    def _holds(self, checkpoint: Checkpoint, count: int, found: str) -> None:
        """Raise unless the log's record at the checkpoint's position has the checkpoint's hash."""
        origin = f"{checkpoint.origin}: " if checkpoint.origin else ""
        if checkpoint.position > count:
            raise self._broken(
                count + 1,
                f"{origin}truncated: the checkpoint has {checkpoint.position} records, the log {count}",
            )
        if found != checkpoint.hash:
            raise self._broken(
                checkpoint.position,
                f"{origin}record {checkpoint.position} differs from the checkpoint: its hash is "
                f"{found[:12]}, the checkpoint's {checkpoint.hash[:12]} (history rewritten)",
            )

    def unguarded(self) -> str | None:
        """What is missing of the database triggers that keep the log append-only; None if nothing.

        Stores without such triggers (JSON Lines, memory) always answer None.
        """
        unguarded = getattr(self.store, "unguarded", None)
        return unguarded() if unguarded is not None else None

    def checkpoint(self, *, time: dt.datetime | None = None) -> Checkpoint:
        """The log's head now, as a `Checkpoint` to publish (``time`` defaults to now)."""
        kind = getattr(self.store, "kind", type(self.store).__name__)
        return Checkpoint.of(self.store.head(), store=kind, time=time)

    @staticmethod
    def _broken(position: int, message: str) -> IntegrityError:
        return IntegrityError(message, position=position)
