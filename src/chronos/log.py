"""The append-only event log: validated appends with optimistic concurrency, reads, verification.

Events are appended in the order they were learned, which is not the order in
which they happened; projections sort by valid time. Nothing is ever updated
or deleted: there is no such method. Each record carries the hash of the one
before it, and `EventLog.verify` names the first record that breaks the chain.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import attrs

from chronos import catalogue_history as history
from chronos.codec import MAX_EVENT_BYTES, Codec
from chronos.entities import Catalogue, Entity
from chronos.errors import (
    CatalogueError,
    ChronosError,
    IntegrityError,
    InvalidEvent,
    LookupFailed,
    RecordError,
    StoreError,
    UnknownReference,
    did_you_mean,
)
from chronos.events import BUILTIN_EVENT_TYPES, Corrected, Event, Retracted, RosterReported, content_id, shown
from chronos.sources import Publication
from chronos.stores import open_store
from chronos.stores.base import Store, stale
from chronos.stores.checkpoint import Checkpoint
from chronos.stores.records import GENESIS, Chain, Head, Record, event_json
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


@attrs.frozen
class Verified:
    """A log that passed verification: how many records, the head hash, and the catalogue checked.

    ``entities`` is how many entities the catalogue holds and ``history`` how
    many entries its chained history has (0: a catalogue without a history,
    checked only for the entities the events name).
    """

    count: int
    head: str
    entities: int = 0
    history: int = 0

    def __str__(self) -> str:
        if self.history:
            entries = f"{self.history} entr{'ies' if self.history != 1 else 'y'}"
            catalogue = f"; catalogue: {self.entities} entities, as its history ({entries}) says"
        elif self.entities:
            catalogue = (
                f"; catalogue: {self.entities} entities, with no history yet "
                "(`chronos record-catalogue` starts one)"
            )
        else:
            catalogue = ""
        return f"ok: {self.count} records, head {self.head[:12]}{catalogue}"


class EntityClash(CatalogueError):
    """An entity to add whose id the catalogue already gives to an entity with other fields."""


class _Anything(Container[str]):
    """Holds every id: reference checks of stored events leave retraction targets to `verify`."""

    def __contains__(self, item: object) -> bool:
        return True


#: The built-in kinds whose only references are entity fields (`EventLog._known_references`).
_ENTITY_ONLY: frozenset[type[Event]] = BUILTIN_EVENT_TYPES - {Retracted, Corrected, RosterReported}


class _Either(Container[str]):
    """Membership in either of two sets, without copying them (appends check each event)."""

    def __init__(self, first: Container[str], second: Container[str]):
        self.first = first
        self.second = second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


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
                raise RecordError(f"event #{index}: not an Event: {str(event)[:80]!r}")
            try:
                data, canonical, compact = self._encode(event)
            except ChronosError as exc:
                raise type(exc)(f"event #{index} ({event.type}): {exc}") from None
            event_id = event.id
            if event_id in known or event_id in batch_ids:
                skipped.append(event_id)
                continue
            if not (quick and self._known_references(event) and self._registered(event)):
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
        try:
            canonical, compact = event_json(data)
        except (UnicodeEncodeError, ValueError, TypeError, RecursionError) as exc:
            # What JSON cannot hold (a lone surrogate, a float NaN, an object) is never written.
            raise InvalidEvent(f"cannot be written as JSON: {str(exc)[:200]}") from None
        if len(compact) > MAX_EVENT_BYTES:
            raise InvalidEvent(
                f"{len(compact):,} bytes as JSON, more than the {MAX_EVENT_BYTES:,} an event may take"
            )
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

    def _registered(self, event: Event) -> bool:
        """True when every source ``event`` cites is registered, or registration is not required."""
        catalogue = self.catalogue
        if not catalogue.require_sources:
            return True
        registered = catalogue.sources
        return all(s.source in registered for s in event.sources)

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

    # The catalogue ------------------------------------------------------------------

    def add_entities(
        self, entities: Iterable[Entity | Publication], *, header: str | None = None
    ) -> tuple[Entity | Publication, ...]:
        """Add entities to the catalogue kept with the log, as one entry of its chained history.

        The one way chronos writes entities (imports use it). Under the
        store's write lock, the stored catalogue is read afresh, so entities
        another writer added meanwhile are kept; the new ones are appended as
        TOML tables under a comment ``header`` (a hand-written file keeps its
        comments and layout) and recorded in the history with the text's
        SHA-256 before and after. An entity already there, field for field, is
        skipped; one with the same id and other fields is refused
        (`CatalogueError`), as is one that names an unknown organisation.
        Registered sources (`Publication`) are written the same way; the
        history's entries list the entities. Returns what was added.
        """
        wanted = list(entities)
        if not wanted:
            return ()
        label = header or "added by chronos"
        added: list[Entity | Publication] = []

        def change(text: str | None, lines: list[str]) -> tuple[str, list[str]] | None:
            stored = self._stored_catalogue(text)
            last = self._last_entry(lines)
            self._check_torn(text, [last] if last is not None else [])
            new: list[Entity | Publication] = []
            for entity in wanted:
                there = (
                    stored.sources.get(entity.id)
                    if isinstance(entity, Publication)
                    else stored.get(entity.id)
                )
                if there is None:
                    new.append(entity)
                elif there != entity:
                    raise EntityClash(
                        f"{self.store.catalogue_origin}: {entity.kind} {entity.id!r} is already in the "
                        "catalogue, with other fields"
                    )
            stored.with_entities(new)  # refuses a reference to an unknown organisation
            added[:] = new
            if not new:
                return None
            base = text
            if base is None and len(stored):
                # A store that held no text (a catalogue given in Python) gets the whole catalogue.
                base = history.joined(None, list(stored.values()), "the catalogue")
            entries = [] if lines or not len(stored) else [self._first_entry(base, stored)]
            new_text = history.joined(base, new, label)
            entry = history.make_entry(
                entries[-1] if entries else last,
                before=history.digest(base),
                after=history.digest(new_text),
                added=[history.entity_row(e) for e in new if isinstance(e, Entity)],
                header=label,
            )
            return new_text, [e.to_json() for e in (*entries, entry)]

        self.store.update_catalogue(change)
        # Every entity asked for is in the stored catalogue now, added here or by another writer before.
        # The catalogue grows in place: `Catalogue.add` on it sends additions here (`Catalogue.kept_by`).
        fresh = [
            e
            for e in wanted
            if (
                e.id not in self.catalogue.sources
                if isinstance(e, Publication)
                else e.id not in self.catalogue
            )
        ]
        if fresh:
            self.catalogue.extend(fresh)
        return tuple(added)

    def record_catalogue(self) -> history.Entry | None:
        """Record in the chained history the entities edited by hand in the stored catalogue.

        Compares the catalogue's text with what its history says and records
        every entity added, changed or removed as one entry (the first entry,
        listing every entity, for a catalogue with no history yet). Refuses
        (`IntegrityError`) to record the removal of an entity an event names,
        or a catalogue whose last write was interrupted (`repair` first).
        Returns the entry written, or None when there was nothing to record.
        """
        written: list[history.Entry] = []
        referenced = self._referenced_ids()

        def change(text: str | None, lines: list[str]) -> tuple[str, list[str]] | None:
            current = self._stored_catalogue(text, cache=False)
            recorded, entries = history.replay(lines, self._history_origin())
            self._check_torn(text, entries)
            if not entries:
                if not len(current):
                    return None
                entry = self._first_entry(text, current)
            else:
                added, changed, removed = history.changes(recorded, current)
                if not (added or changed or removed):
                    return None
                named = [entity_id for entity_id in removed if entity_id in referenced]
                if named:
                    raise IntegrityError(
                        f"{self.store.catalogue_origin}: {recorded[named[0]]['kind']} {named[0]!r} "
                        "was removed, "
                        f"but {referenced[named[0]]} names it: an entity the log names cannot be removed "
                        "(put it back)"
                    )
                entry = history.make_entry(
                    entries[-1],
                    before=entries[-1].after,
                    after=history.digest(text),
                    added=added,
                    changed=changed,
                    removed=removed,
                    header="edits recorded by chronos record-catalogue",
                )
            written.append(entry)
            return text or "", [entry.to_json()]

        self.store.update_catalogue(change)
        if written and self.store.read_catalogue() is not None:
            self.catalogue = self._stored_catalogue(self.store.read_catalogue())
        return written[0] if written else None

    def refresh_catalogue(self) -> Catalogue:
        """Read the catalogue kept with the log again (another writer may have added to it); return it."""
        text = self.store.read_catalogue()
        if text is not None:
            self.catalogue = self._stored_catalogue(text)
        return self.catalogue

    def _stored_catalogue(self, text: str | None, *, cache: bool = True) -> Catalogue:
        if text is None:
            return self.catalogue
        return Catalogue.from_toml(text, origin=self.store.catalogue_origin, cache=cache)

    @staticmethod
    def _first_entry(text: str | None, catalogue: Catalogue) -> history.Entry:
        """The entry that starts a history: every entity the catalogue holds."""
        return history.make_entry(
            None,
            before=history.digest(text),
            after=history.digest(text),
            added=history.rows_of(catalogue).values(),
            header="the catalogue as it was when its history began",
        )

    def _last_entry(self, lines: list[str]) -> history.Entry | None:
        return history.Entry.parse(lines[-1], f"{self._history_origin()}:{len(lines)}") if lines else None

    def _history_origin(self) -> str:
        directory = getattr(self.store, "directory", None)
        if isinstance(directory, Path):
            return str(directory / "catalogue-history.jsonl")
        return f"{self.store.catalogue_origin} history"

    def _check_torn(self, text: str | None, entries: list[history.Entry]) -> None:
        """Refuse a catalogue whose last chained write stopped between its history entry and its text."""
        if not entries:
            return
        last = entries[-1]
        now = history.digest(text)
        if now != last.after and now == last.before:
            raise IntegrityError(
                f"{self.store.catalogue_origin}: the last catalogue change (history entry {last.n}, "
                f"{len(last.added)} entities added) was interrupted before the catalogue was written; "
                "run `chronos repair` to complete it"
            )

    def _referenced_ids(self) -> dict[str, str]:
        """Every entity id an event names, with where the first such event is (``file:line``)."""
        found: dict[str, str] = {}
        for record in self.store.read():
            event = self._decode(record)
            for entity_id, _kind in _entities_named(event):
                found.setdefault(entity_id, record.origin or f"record {record.seq}")
        return found

    def check_references(self, events: Iterable[Event]) -> None:
        """Raise `IntegrityError` when an event names an entity the catalogue lacks (or of another kind).

        Opening a log calls this: a catalogue that lost an entity the log
        names (removed by hand, a lost write) is named in one line rather than
        failing later inside a question.
        """
        catalogue = self.catalogue
        get = catalogue.get
        for event in events:
            cls = type(event)
            if cls in _ENTITY_ONLY:
                for field, kind in cls.references.items():
                    entity = get(getattr(event, field))
                    if entity is None or (kind != "any" and entity.kind != kind):
                        self._missing(event, catalogue)
            elif cls is not Retracted:
                self._missing(event, catalogue)

    def _missing(self, event: Event, catalogue: Catalogue) -> None:
        try:
            _check_entities(event, catalogue)
        except LookupFailed as exc:
            where = self._origin_of(event.id)
            raise IntegrityError(
                f"{where}: {event.type} names {exc} ({catalogue.origin}: removed from the catalogue, "
                "or never added; `chronos verify` says more)"
            ) from None

    def _origin_of(self, event_id: str) -> str:
        for record in self.store.read():
            if record.id == event_id:
                return record.origin or f"record {record.seq}"
        return f"event {event_id}"

    # Repair --------------------------------------------------------------------------

    def repair(self) -> str | None:
        """Mend what an interrupted write left, removing only what is provably torn; say what was done.

        The store's own repair runs first (`chronos.stores.JsonlStore.repair`:
        adopt a whole batch written after ``HEAD``, cut a torn one after a
        backup, rewrite a damaged ``HEAD``); then a catalogue change whose
        history entry landed but whose text did not is completed. Returns one
        line saying what was done, or None when there was nothing to do.
        Raises `IntegrityError` for damage that is not a torn write.
        """
        done: list[str] = []
        repair = getattr(self.store, "repair", None)
        if repair is not None:
            result = repair()
            if result is not None:
                done.append(str(result))
        completed = self._complete_catalogue()
        if completed:
            done.append(completed)
        return "; ".join(done) or None

    def _complete_catalogue(self) -> str | None:
        finished: list[str] = []

        def change(text: str | None, lines: list[str]) -> tuple[str, list[str]] | None:
            _recorded, entries = history.replay(lines, self._history_origin())
            if not entries:
                return None
            last = entries[-1]
            now = history.digest(text)
            if now == last.after or now != last.before or last.changed or last.removed:
                return None
            stored = self._stored_catalogue(text, cache=False)
            added = history.entities_of(last.added)
            new_text = history.joined(text, added, last.header or "added by chronos")
            if history.digest(new_text) != last.after:
                raise IntegrityError(
                    f"{self.store.catalogue_origin}: the interrupted catalogue change "
                    f"(history entry {last.n}) "
                    "cannot be completed: the text it started from differs; restore the catalogue from a copy"
                )
            stored.with_entities(added)
            finished.append(
                "completed the interrupted catalogue change "
                f"(history entry {last.n}: {len(last.added)} entities)"
            )
            return new_text, []

        self.store.update_catalogue(change)
        return finished[0] if finished else None

    # Verification ------------------------------------------------------------------

    def verify(self, *, expected: Head | None = None, checkpoints: Iterable[Checkpoint] = ()) -> Verified:
        """Check every record and the catalogue.

        Records: position, hash, chain, event id and decoding. The catalogue:
        its history's chain, that the catalogue holds exactly the entities the
        history says, and that every entity an event names is there. Returns
        the counts and head hash, or raises `IntegrityError` naming the first
        problem (an edit, a removal, a reordering or a truncation; an entity
        added, changed or removed outside chronos). ``expected`` is a head
        noted earlier, and ``checkpoints`` are heads published earlier
        (`chronos.stores.checkpoint`): a log that no longer holds one of them
        was truncated or rewritten, even if its whole chain was computed
        again. Stores that keep their own head (JSON Lines) are checked against
        it as well, and databases for the triggers that keep their tables
        append-only (`unguarded`).
        """
        text = self.store.read_catalogue()
        catalogue = self._stored_catalogue(text, cache=False)
        wanted = [*([Checkpoint.of(expected)] if expected is not None else []), *checkpoints]
        hashes = {c.position: "" for c in wanted}
        prev = GENESIS
        expected_seq = 0
        seen: set[str] = set()
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
            self._verify_references(event, catalogue, seen, where, expected_seq)
            seen.add(record.id)
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
        self._verify_store_head()
        entries = self._verify_catalogue(text, catalogue)
        return Verified(expected_seq, prev, len(catalogue), entries)

    def _verify_references(
        self, event: Event, catalogue: Catalogue, seen: set[str], where: str, position: int
    ) -> None:
        if isinstance(event, Retracted | Corrected) and event.target not in seen:
            raise self._broken(position, f"{where}: {event.type} targets {event.target!r}, no earlier event")
        try:
            _check_entities(event, catalogue)
        except LookupFailed as exc:
            raise self._broken(
                position,
                f"{where}: {event.type} names {exc} "
                f"({catalogue.origin}: removed from the catalogue, or never added)",
            ) from None

    def _verify_store_head(self) -> None:
        """A store that can say why it is not a proper log (no HEAD) fails verification."""
        problem = getattr(self.store, "head_problem", None)
        message = problem() if problem is not None else None
        if message is not None:
            raise IntegrityError(message)

    def _verify_catalogue(self, text: str | None, catalogue: Catalogue) -> int:
        """Check the catalogue against its chained history; return how many entries the history has."""
        problem = getattr(self.store, "catalogue_history_problem", None)
        message = problem() if problem is not None else None
        if message is not None:
            raise IntegrityError(message)
        origin = self._history_origin()
        recorded, entries = history.replay(self.store.read_catalogue_history(), origin)
        if not entries:
            return 0
        self._check_torn(text, entries)
        found = history.differences(recorded, catalogue, catalogue.origin)
        if found:
            more = f" (and {len(found) - history.SHOWN} more)" if len(found) > history.SHOWN else ""
            raise IntegrityError(
                f"{catalogue.origin}: "
                + "; ".join(found[: history.SHOWN])
                + more
                + ". If these are your own edits, `chronos record-catalogue` records them"
            )
        return len(entries)

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


def _entities_named(event: Event) -> list[tuple[str, str]]:
    """Every entity an event names and the kind it must be ("any" for any kind), in field order."""
    if isinstance(event, Corrected):
        return _entities_named(event.replacement)
    pairs = [
        (value, kind)
        for f, kind in type(event).references.items()
        if (value := getattr(event, f)) is not None
    ]
    if isinstance(event, RosterReported):
        for entry in event.entries:
            pairs.append((entry.post, "post"))
            if entry.person is not None:
                pairs.append((entry.person, "person"))
    return pairs


def _check_entities(event: Event, catalogue: Catalogue) -> None:
    """Raise `LookupFailed` for the first entity ``event`` names that is missing (or of another kind)."""
    for value, kind in _entities_named(event):
        entity = catalogue.get(value)
        if entity is None or (kind != "any" and entity.kind != kind):
            what = "entity" if kind == "any" else kind
            raise LookupFailed(f"{what} {shown(value)}, which the catalogue does not hold", query=value)
