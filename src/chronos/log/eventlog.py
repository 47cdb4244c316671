"""`EventLog`: validated appends with optimistic concurrency over a `Store`, and reads.

The catalogue's chained writes are in `chronos.log._catalogue`, verification
and repair in `chronos.log._verify`; `EventLog` is the one door to all three.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Final

import attrs

from chronos import catalogue_history as history
from chronos.codec import Codec
from chronos.entities import Catalogue, Entity
from chronos.errors import (
    ChronosError,
    IntegrityError,
    LookupFailed,
    StoreError,
    UnknownReference,
    did_you_mean,
    shown,
)
from chronos.events import Corrected, Event, Retracted, RosterReported
from chronos.log import _append, _catalogue, _recent, _verify
from chronos.log._catalogue import EntityClash
from chronos.log._verify import Verified
from chronos.sources import Publication
from chronos.stores import open_store
from chronos.stores.base import Store, stale
from chronos.stores.checkpoint import Checkpoint
from chronos.stores.records import GENESIS, Head, Record
from chronos.stores.where import expect_log, expect_new

__all__ = ["CATALOGUE_HEADER", "AppendResult", "EntityClash", "EventLog", "Recorded", "Verified"]


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


class _Anything(Container[str]):
    """Holds every id: reference checks of stored events leave retraction targets to `verify`."""

    def __contains__(self, item: object) -> bool:
        return True


#: The comment at the top of the catalogue of a log made by `EventLog.create`.
CATALOGUE_HEADER: Final = (
    "# The catalogue of this chronos log: persons, organisations, posts, places, and the sources\n"
    "# events cite. Add to it with `chronos add` or Catalogue.add; never edit or remove an entry.\n\n"
)


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
        # `Catalogue.add` on this log's catalogue comes here, so the store keeps what is added.
        self.catalogue.kept_by(self.add_entities)
        self.codec = codec if codec is not None else Codec()
        self._ids: set[str] = set()
        self._ids_position = 0

    @classmethod
    def open(
        cls, location: str | Path, *, catalogue: Catalogue | None = None, create: bool = False
    ) -> EventLog:
        """Open the log at a directory, ``sqlite:///FILE.db``, ``postgresql://...`` or ``":memory:"``.

        See `chronos.stores.open_store` for the locations. A path that holds
        no log is an error naming it (`create` makes one), unless ``create``
        is True: then a missing directory or SQLite file is created. The
        catalogue is the one kept with the log (``catalogue.toml`` in a
        directory, a table in a database). A ``catalogue`` given here is kept
        by a log that has none yet, and otherwise used instead of the kept
        one for this session.
        """
        if not create:
            expect_log(location)
        store = open_store(location, create=create)
        try:
            text = store.read_catalogue()
            if catalogue is None:
                catalogue = (
                    Catalogue() if text is None else Catalogue.from_toml(text, origin=store.catalogue_origin)
                )
            elif text is None and len(catalogue) + len(catalogue.sources):
                store.write_catalogue(catalogue.to_toml())
        except BaseException:
            store.close()
            raise
        return cls(store, catalogue)

    @classmethod
    def create(
        cls, location: str | Path, *, catalogue: Catalogue | None = None, require_sources: bool = True
    ) -> EventLog:
        """Make a new, empty log at ``location`` with its catalogue and sources registry, and open it.

        The location is a new or empty directory, a new SQLite file
        (``sqlite:///FILE.db``, or a path ending ``.db``), a PostgreSQL URL
        whose schema holds no log yet, or ``":memory:"``. ``catalogue`` (default: empty)
        is written as the log's catalogue. With ``require_sources`` (the
        default) every source an event cites must first be registered
        (`Catalogue.add` a `Publication`, or ``chronos add source``).

        Raises `StoreError` when the location holds a log already, or is a
        directory holding other files.
        """
        expect_new(location)
        store = open_store(location, create=True)
        try:
            return cls.initialise(store, catalogue=catalogue, require_sources=require_sources)
        except BaseException:
            store.close()
            raise

    @classmethod
    def initialise(
        cls, store: Store, *, catalogue: Catalogue | None = None, require_sources: bool = True
    ) -> EventLog:
        """Give a new, empty store its catalogue and sources registry (`create` without the location).

        ``chronos init`` calls this on the store it made. Raises `StoreError`
        when the store holds records or a catalogue already.
        """
        position = store.head().position
        if position or store.read_catalogue() is not None:
            raise StoreError(
                f"{store!r} holds a log already ({position} records); open it rather than create it"
            )
        catalogue = catalogue if catalogue is not None else Catalogue(origin=store.catalogue_origin)
        if require_sources:
            catalogue.require_sources = True
        store.write_catalogue(CATALOGUE_HEADER + catalogue.to_toml())
        return cls(store, catalogue)

    @property
    def directory(self) -> Path | None:
        """The folder the log's relative paths (archived source texts) are read from, if it has one.

        A directory log's own directory, a SQLite file's folder; None in memory or in a database server.
        """
        folder = getattr(self.store, "directory", None)
        if isinstance(folder, Path):
            return folder
        path = getattr(self.store, "path", None)
        return path.parent if isinstance(path, Path) else None

    # The catalogue -----------------------------------------------------------------

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

        Raises `RecordError` naming the record (``file:line``) that does not
        decode, and `IntegrityError` for a record out of place (`records`).
        """
        for record in self.records(after=after, until=until):
            event = self._decode(record)
            # The record already carries the event's id; `verify` checks it against the
            # content, so reading need not hash every event again.
            object.__setattr__(event, "id", record.id)
            yield Recorded(record.seq, event, record.origin)

    def records(self, *, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """The stored records, each checked to be in its place: its position, and its link to the one before.

        The cheap part of `verify`, done on every read: a removed, repeated or
        reordered record (a deleted row, a missing segment) is an
        `IntegrityError` naming it. Hashes are not recomputed.
        """
        expected = max(after, 0)
        prev = GENESIS if expected == 0 else None
        for record in self.store.read(after=after, until=until):
            expected += 1
            if record.seq != expected or (prev is not None and record.prev != prev):
                raise IntegrityError(self._misplaced(record, expected))
            prev = record.hash
            yield record

    @staticmethod
    def _misplaced(record: Record, expected: int) -> str:
        where = record.origin or f"record {record.seq}"
        problem = (
            f"position {record.seq} where {expected} belongs"
            if record.seq != expected
            else "does not follow the record before it"
        )
        return f"{where}: {problem} (removed, repeated or reordered records)"

    def events(self) -> list[Event]:
        """Every event in append order (its records checked as `records` does)."""
        # `read` without its `Recorded` wrappers: opening a log calls this for every event.
        events: list[Event] = []
        decode = self._decode
        prev = GENESIS
        # `records`' checks inline: opening a log calls this for every record.
        for expected, record in enumerate(self.store.read(), start=1):
            if record.seq != expected or record.prev != prev:
                raise IntegrityError(self._misplaced(record, expected))
            prev = record.hash
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
        # The common case is checked without building the errors; `validate` names them.
        quick = type(self).validate is EventLog.validate and type(self.catalogue) is Catalogue
        records, skipped, batch_ids, appended, hashes = _append.records(self, batch, head, quick=quick)
        new_head = self.store.append(records, expected_position=expected_position)
        self._ids |= batch_ids
        self._ids_position = new_head.position
        # A reader in this process need not decode them.
        _recent.remember(self.store, head, appended, hashes, batch)
        return AppendResult(new_head.position, tuple(appended), tuple(skipped))

    def check_sources(self, event: Event) -> None:
        """Raise `UnknownReference` for a cited source the catalogue requires but does not register."""
        if not self.catalogue.require_sources:
            return
        for cited in event.sources:
            if cited.source not in self.catalogue.sources:
                try:
                    self.catalogue.source(cited.source)
                except LookupFailed as exc:
                    raise UnknownReference(
                        f"sources: {exc}; register it first: chronos add source {shlex.quote(cited.source)} "
                        "--title TITLE --date DATE (or Catalogue.add(Publication(...)))"
                    ) from None

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
        self.check_sources(event)
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
        raise UnknownReference(f"{field}: unknown {kind or 'entity'} {shown(value)}{hint}")

    # The catalogue (chronos.log._catalogue) -----------------------------------------

    def add_entities(
        self,
        entities: Iterable[Entity | Publication],
        *,
        header: str | None = None,
        updates: Iterable[Entity] = (),
    ) -> tuple[Entity | Publication, ...]:
        """Add entities to the catalogue kept with the log, as one entry of its chained history.

        ``updates`` are entities already there with more names, identifiers or
        languages (a later version of a dataset): only what they add is kept.
        See `chronos.log._catalogue.add_entities`. Returns what was added.
        """
        return _catalogue.add_entities(self, entities, header=header, updates=updates)

    def record_catalogue(self) -> history.Entry | None:
        """Record in the chained history the entities edited by hand in the stored catalogue.

        See `chronos.log._catalogue.record_catalogue`.
        """
        return _catalogue.record_catalogue(self)

    def refresh_catalogue(self) -> Catalogue:
        """Read the catalogue kept with the log again (another writer may have added to it); return it."""
        return _catalogue.refresh_catalogue(self)

    def check_references(self, events: Iterable[Event]) -> None:
        """Raise `IntegrityError` when an event names an entity the catalogue lacks (or of another kind)."""
        _catalogue.check_references(self, events)

    # Repair and verification (chronos.log._verify) --------------------------------------

    def repair(self) -> str | None:
        """Mend what an interrupted write left, removing only what is provably torn; say what was done.

        See `chronos.log._verify.repair`.
        """
        return _verify.repair(self)

    def verify(self, *, expected: Head | None = None, checkpoints: Iterable[Checkpoint] = ()) -> Verified:
        """Check every record and the catalogue; `IntegrityError` names the first problem.

        See `chronos.log._verify.verify`.
        """
        return _verify.verify(self, expected=expected, checkpoints=checkpoints)

    def unguarded(self) -> str | None:
        """What is missing of the database triggers that keep the log append-only; None if nothing."""
        return _verify.unguarded(self)

    def checkpoint(self, *, time: dt.datetime | None = None) -> Checkpoint:
        """The log's head now, as a `Checkpoint` to publish (``time`` defaults to now)."""
        return _verify.checkpoint(self, time=time)
