"""The catalogue kept with a log: chained additions, recorded hand edits, and reference checks.

`EventLog.add_entities` is the one way chronos writes entities: each change is
an entry of the catalogue's chained history (`chronos.catalogue_history`),
written under the store's lock, so that `verify` covers the catalogue as it
covers the records and an entity the log names can never vanish unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from chronos import catalogue_history as history
from chronos.entities import Catalogue, Entity
from chronos.errors import CatalogueError, IntegrityError, LookupFailed, shown
from chronos.events import BUILTIN_EVENT_TYPES, Corrected, Event, Retracted, RosterReported
from chronos.sources import Publication

if TYPE_CHECKING:
    from chronos.log.eventlog import EventLog


class EntityClash(CatalogueError):
    """An entity to add whose id the catalogue already gives to an entity with other fields."""


#: The built-in kinds whose only references are entity fields (`check_references`, appends).
ENTITY_ONLY: frozenset[type[Event]] = BUILTIN_EVENT_TYPES - {Retracted, Corrected, RosterReported}


def add_entities(
    log: EventLog,
    entities: Iterable[Entity | Publication],
    *,
    header: str | None = None,
    updates: Iterable[Entity] = (),
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

    ``updates`` are entities already there, as a later version of a dataset
    gives them: what they add (names as aliases, identifiers, languages;
    `chronos.catalogue_history.additive`, never removing anything) is
    written into their tables in place and recorded as ``changed`` in the
    same history entry.
    """
    wanted = list(entities)
    proposed = list(updates)
    if not wanted and not proposed:
        return ()
    label = header or "added by chronos"
    added: list[Entity | Publication] = []
    changed: list[Entity] = []

    def change(text: str | None, lines: list[str]) -> tuple[str, list[str]] | None:
        stored = stored_catalogue(log, text)
        recorded = history.replay(lines, history_origin(log))
        check_torn(log, text, recorded.entries)
        new: list[Entity | Publication] = []
        for entity in wanted:
            there = (
                stored.sources.get(entity.id) if isinstance(entity, Publication) else stored.get(entity.id)
            )
            if there is None:
                new.append(entity)
            elif there != entity:
                raise EntityClash(
                    f"{log.store.catalogue_origin}: {entity.kind} {entity.id!r} is already in the "
                    "catalogue, with other fields"
                )
        stored.with_entities(new)  # refuses a reference to an unknown organisation
        added[:] = new
        grown: dict[str, Entity] = {}
        for update in proposed:
            there_now = grown.get(update.id) or stored.get(update.id)
            if there_now is None or there_now.kind != update.kind:
                raise CatalogueError(
                    f"{log.store.catalogue_origin}: no {update.kind} {update.id!r} to update"
                )
            more = history.additive(there_now, update)
            if more != there_now:
                grown[update.id] = more
        changed[:] = grown.values()
        if not new and not grown:
            return None
        base = text
        if base is None and _holds_anything(stored):
            # A store that held no text (a catalogue given in Python) gets the whole catalogue.
            base = history.joined(None, [*stored.values(), *stored.sources.values()], "the catalogue")
        last = recorded.entries[-1] if recorded.entries else None
        entries: list[history.Entry] = []
        if last is None and _holds_anything(stored):
            entries.append(_first_entry(base, stored))
        elif last is not None and not recorded.covers_sources:
            entries.append(_adopting_entry(last, history.digest(base), stored))
        new_text = history.written(base, new, list(grown.values()), label)
        entry = history.make_entry(
            entries[-1] if entries else last,
            before=history.digest(base),
            after=history.digest(new_text),
            added=[history.entity_row(e) for e in new],
            changed=[history.entity_row(e) for e in grown.values()],
            settings=history.settings_of(stored),
            header=label,
        )
        return new_text, [e.to_json() for e in (*entries, entry)]

    log.store.update_catalogue(change)
    # Every entity asked for is in the stored catalogue now, added here or by another writer before.
    # The catalogue grows in place: `Catalogue.add` on it sends additions here (`Catalogue.kept_by`).
    fresh = [
        e
        for e in wanted
        if (e.id not in log.catalogue.sources if isinstance(e, Publication) else e.id not in log.catalogue)
    ]
    if fresh:
        log.catalogue.extend(fresh)
    if changed:
        log.catalogue.amend(changed)
    return tuple(added)


def record_catalogue(log: EventLog) -> history.Entry | None:
    """Record in the chained history the entities edited by hand in the stored catalogue.

    Compares the catalogue's text with what its history says and records
    every entity added, changed or removed as one entry (the first entry,
    listing every entity, for a catalogue with no history yet). Refuses
    (`IntegrityError`) to record the removal of an entity an event names,
    or a catalogue whose last write was interrupted (`repair` first).
    Returns the entry written, or None when there was nothing to record.
    """
    written: list[history.Entry] = []
    referenced = _referenced_ids(log)

    def change(text: str | None, lines: list[str]) -> tuple[str, list[str]] | None:
        current = stored_catalogue(log, text, cache=False)
        recorded = history.replay(lines, history_origin(log))
        entries = recorded.entries
        check_torn(log, text, entries)
        if not entries:
            if not _holds_anything(current):
                return None
            entry = _first_entry(text, current)
        else:
            rows, before = recorded.rows, recorded.settings
            if not recorded.covers_sources:
                # A history of version-1 entries never listed the sources: one entry adopts them as they are.
                adopted = _adopting_entry(entries[-1], entries[-1].after, current)
                written.append(adopted)
                entries = [*entries, adopted]
                rows = {**rows, **{history.key(row): row for row in adopted.added}}
                before = adopted.settings
            added, changed, removed = history.changes(rows, current)
            settings = history.settings_of(current)
            if not (added or changed or removed) and settings == before:
                return (text or "", [e.to_json() for e in written]) if written else None
            gone = [key for key in removed if history.source_id(key) is None]
            named = [entity_id for entity_id in gone if entity_id in referenced]
            if named:
                raise IntegrityError(
                    f"{log.store.catalogue_origin}: {rows[named[0]]['kind']} {named[0]!r} "
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
                removed=gone,
                removed_sources=[s for key in removed if (s := history.source_id(key)) is not None],
                settings=settings,
                header="edits recorded by chronos record-catalogue",
            )
        written.append(entry)
        return text or "", [e.to_json() for e in written]

    log.store.update_catalogue(change)
    if written and log.store.read_catalogue() is not None:
        log.catalogue = stored_catalogue(log, log.store.read_catalogue())
    return written[-1] if written else None


def refresh_catalogue(log: EventLog) -> Catalogue:
    """Read the catalogue kept with the log again (another writer may have added to it); return it."""
    text = log.store.read_catalogue()
    if text is not None:
        log.catalogue = stored_catalogue(log, text)
    return log.catalogue


def stored_catalogue(log: EventLog, text: str | None, *, cache: bool = True) -> Catalogue:
    if text is None:
        return log.catalogue
    return Catalogue.from_toml(text, origin=log.store.catalogue_origin, cache=cache)


def _holds_anything(catalogue: Catalogue) -> bool:
    return bool(len(catalogue) or catalogue.sources)


def _first_entry(text: str | None, catalogue: Catalogue) -> history.Entry:
    """The entry that starts a history: every entity and registered source the catalogue holds."""
    return history.make_entry(
        None,
        before=history.digest(text),
        after=history.digest(text),
        added=history.rows_of(catalogue).values(),
        settings=history.settings_of(catalogue),
        header="the catalogue as it was when its history began",
    )


def _adopting_entry(last: history.Entry, digest: str | None, catalogue: Catalogue) -> history.Entry:
    """The entry that takes the registered sources and settings into a history that listed entities only."""
    return history.make_entry(
        last,
        before=digest,
        after=digest,
        added=[history.entity_row(s) for s in catalogue.sources.values()],
        settings=history.settings_of(catalogue),
        header=history.ADOPTED,
    )


def history_origin(log: EventLog) -> str:
    directory = getattr(log.store, "directory", None)
    if isinstance(directory, Path):
        return str(directory / "catalogue-history.jsonl")
    return f"{log.store.catalogue_origin} history"


def check_torn(log: EventLog, text: str | None, entries: list[history.Entry]) -> None:
    """Refuse a catalogue whose last chained write stopped between its history entry and its text."""
    if not entries:
        return
    last = entries[-1]
    now = history.digest(text)
    if now != last.after and now == last.before:
        raise IntegrityError(
            f"{log.store.catalogue_origin}: the last catalogue change (history entry {last.n}, "
            f"{history.counted(last.added)} added) was interrupted before the catalogue was written; "
            "run `chronos repair` to complete it"
        )


def _referenced_ids(log: EventLog) -> dict[str, str]:
    """Every entity id an event names, with where the first such event is (``file:line``)."""
    found: dict[str, str] = {}
    for record in log.store.read():
        event = log._decode(record)
        for entity_id, _kind in entities_named(event):
            found.setdefault(entity_id, record.origin or f"record {record.seq}")
    return found


def check_references(log: EventLog, events: Iterable[Event]) -> None:
    """Raise `IntegrityError` when an event names an entity the catalogue lacks (or of another kind).

    Opening a log calls this: a catalogue that lost an entity the log
    names (removed by hand, a lost write) is named in one line rather than
    failing later inside a question.
    """
    catalogue = log.catalogue
    get = catalogue.get
    for event in events:
        cls = type(event)
        if cls in ENTITY_ONLY:
            for field, kind in cls.references.items():
                entity = get(getattr(event, field))
                if entity is None or (kind != "any" and entity.kind != kind):
                    _missing(log, event, catalogue)
        elif cls is not Retracted:
            _missing(log, event, catalogue)


def _missing(log: EventLog, event: Event, catalogue: Catalogue) -> None:
    try:
        check_entities(event, catalogue)
    except LookupFailed as exc:
        where = _origin_of(log, event.id)
        raise IntegrityError(
            f"{where}: {event.type} names {exc} ({catalogue.origin}: removed from the catalogue, "
            "or never added; `chronos verify` says more)"
        ) from None


def _origin_of(log: EventLog, event_id: str) -> str:
    for record in log.store.read():
        if record.id == event_id:
            return record.origin or f"record {record.seq}"
    return f"event {event_id}"


def entities_named(event: Event) -> list[tuple[str, str]]:
    """Every entity an event names and the kind it must be ("any" for any kind), in field order."""
    if isinstance(event, Corrected):
        return entities_named(event.replacement)
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


def check_entities(event: Event, catalogue: Catalogue) -> None:
    """Raise `LookupFailed` for the first entity ``event`` names that is missing (or of another kind)."""
    for value, kind in entities_named(event):
        entity = catalogue.get(value)
        if entity is None or (kind != "any" and entity.kind != kind):
            what = "entity" if kind == "any" else kind
            raise LookupFailed(f"{what} {shown(value)}, which the catalogue does not hold", query=value)
