"""Checking a log whole (`verify`), and mending what an interrupted write left (`repair`).

`verify` recomputes every record's hash and link, decodes every event, checks
the catalogue against its chained history and the head against checkpoints;
`repair` removes only what is provably torn and completes an interrupted
catalogue change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from chronos import catalogue_history as history
from chronos.entities import Catalogue, Entity
from chronos.errors import ChronosError, IntegrityError, LookupFailed
from chronos.events import Corrected, Event, Retracted
from chronos.log._catalogue import check_entities, check_torn, history_origin, stored_catalogue
from chronos.stores.checkpoint import Checkpoint
from chronos.stores.records import GENESIS, Head

if TYPE_CHECKING:
    from chronos.log.eventlog import EventLog


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


def repair(log: EventLog) -> str | None:
    """Mend what an interrupted write left, removing only what is provably torn; say what was done.

    The store's own repair runs first (`chronos.stores.JsonlStore.repair`:
    adopt a whole batch written after ``HEAD``, cut a torn one after a
    backup, rewrite a damaged ``HEAD``); then a catalogue change whose
    history entry landed but whose text did not is completed. Returns one
    line saying what was done, or None when there was nothing to do.
    Raises `IntegrityError` for damage that is not a torn write.
    """
    done: list[str] = []
    repair = getattr(log.store, "repair", None)
    if repair is not None:
        result = repair()
        if result is not None:
            done.append(str(result))
    completed = _complete_catalogue(log)
    if completed:
        done.append(completed)
    return "; ".join(done) or None


def _complete_catalogue(log: EventLog) -> str | None:
    finished: list[str] = []

    def change(text: str | None, lines: list[str]) -> tuple[str, list[str]] | None:
        entries = history.replay(lines, history_origin(log)).entries
        if not entries:
            return None
        last = entries[-1]
        now = history.digest(text)
        if now == last.after or now != last.before or last.removed or last.removed_sources:
            return None
        stored = stored_catalogue(log, text, cache=False)
        added = history.entities_of(last.added)
        changed = [e for e in history.entities_of(last.changed) if isinstance(e, Entity)]
        try:
            new_text = history.written(text, added, changed, last.header or "added by chronos")
        except IntegrityError:
            new_text = None
        if new_text is None or history.digest(new_text) != last.after:
            raise IntegrityError(
                f"{log.store.catalogue_origin}: the interrupted catalogue change "
                f"(history entry {last.n}) "
                "cannot be completed: the text it started from differs; restore the catalogue from a copy"
            )
        stored.with_entities(added)
        what = history.counted(last.added)
        finished.append(f"completed the interrupted catalogue change (history entry {last.n}: {what})")
        return new_text, []

    log.store.update_catalogue(change)
    return finished[0] if finished else None


def verify(
    log: EventLog, *, expected: Head | None = None, checkpoints: Iterable[Checkpoint] = ()
) -> Verified:
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
    text = log.store.read_catalogue()
    catalogue = stored_catalogue(log, text, cache=False)
    wanted = [*([Checkpoint.of(expected)] if expected is not None else []), *checkpoints]
    hashes = {c.position: "" for c in wanted}
    prev = GENESIS
    expected_seq = 0
    seen: set[str] = set()
    # The head is noted first: records appended while verifying are left for the next check.
    head = log.store.head()
    for record in log.store.read(until=head.position):
        expected_seq += 1
        where = record.origin or f"record {expected_seq}"
        if record.seq != expected_seq:
            raise _broken(
                expected_seq,
                f"{where}: position {record.seq} where {expected_seq} belongs (removed or reordered records)",
            )
        if record.prev != prev:
            raise _broken(
                expected_seq,
                f"{where}: does not follow the record before it (removed or reordered records)",
            )
        if record.hash != record.expected_hash():
            raise _broken(expected_seq, f"{where}: content does not match its hash (edited record)")
        try:
            event = log._decode(record)
        except ChronosError as exc:
            raise _broken(expected_seq, str(exc)) from None
        if event.id != record.id:
            raise _broken(
                expected_seq, f"{where}: event id {record.id!r} does not match its content ({event.id!r})"
            )
        _verify_references(log, event, catalogue, seen, where, expected_seq)
        seen.add(record.id)
        prev = record.hash
        if expected_seq in hashes:
            hashes[expected_seq] = prev
    if head.position != expected_seq or head.hash != prev:
        raise _broken(
            expected_seq + 1 if head.position > expected_seq else head.position,
            f"the head says {head.position} records ending in {head.hash[:12]}, "
            f"the log holds {expected_seq} ending in {prev[:12]} (truncated or rewritten)",
        )
    for checkpoint in wanted:
        _holds(log, checkpoint, expected_seq, hashes.get(checkpoint.position) or GENESIS)
    problem = unguarded(log)
    if problem is not None:
        raise IntegrityError(problem)
    tail = getattr(log.store, "tail", None)
    problem = tail() if tail is not None else None
    if problem is not None:
        raise _broken(expected_seq + 1, problem)
    _verify_store_head(log)
    entries = _verify_catalogue(log, text, catalogue)
    return Verified(expected_seq, prev, len(catalogue), entries)


def _verify_references(
    log: EventLog, event: Event, catalogue: Catalogue, seen: set[str], where: str, position: int
) -> None:
    if isinstance(event, Retracted | Corrected) and event.target not in seen:
        raise _broken(position, f"{where}: {event.type} targets {event.target!r}, no earlier event")
    try:
        check_entities(event, catalogue)
    except LookupFailed as exc:
        raise _broken(
            position,
            f"{where}: {event.type} names {exc} "
            f"({catalogue.origin}: removed from the catalogue, or never added)",
        ) from None


def _verify_store_head(log: EventLog) -> None:
    """A store that can say why it is not a proper log (no HEAD) fails verification."""
    problem = getattr(log.store, "head_problem", None)
    message = problem() if problem is not None else None
    if message is not None:
        raise IntegrityError(message)


def _verify_catalogue(log: EventLog, text: str | None, catalogue: Catalogue) -> int:
    """Check the catalogue against its chained history; return how many entries the history has."""
    problem = getattr(log.store, "catalogue_history_problem", None)
    message = problem() if problem is not None else None
    if message is not None:
        raise IntegrityError(message)
    origin = history_origin(log)
    recorded = history.replay(log.store.read_catalogue_history(), origin)
    entries = recorded.entries
    if not entries:
        return 0
    check_torn(log, text, entries)
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


def _holds(log: EventLog, checkpoint: Checkpoint, count: int, found: str) -> None:
    """Raise unless the log's record at the checkpoint's position has the checkpoint's hash."""
    origin = f"{checkpoint.origin}: " if checkpoint.origin else ""
    if checkpoint.position > count:
        raise _broken(
            count + 1,
            f"{origin}truncated: the checkpoint has {checkpoint.position} records, the log {count}",
        )
    if found != checkpoint.hash:
        raise _broken(
            checkpoint.position,
            f"{origin}record {checkpoint.position} differs from the checkpoint: its hash is "
            f"{found[:12]}, the checkpoint's {checkpoint.hash[:12]} (history rewritten)",
        )


def unguarded(log: EventLog) -> str | None:
    """What is missing of the database triggers that keep the log append-only; None if nothing.

    Stores without such triggers (JSON Lines, memory) always answer None.
    """
    unguarded = getattr(log.store, "unguarded", None)
    return unguarded() if unguarded is not None else None


def checkpoint(log: EventLog, *, time: dt.datetime | None = None) -> Checkpoint:
    """The log's head now, as a `Checkpoint` to publish (``time`` defaults to now)."""
    kind = getattr(log.store, "kind", type(log.store).__name__)
    return Checkpoint.of(log.store.head(), store=kind, time=time)


def _broken(position: int, message: str) -> IntegrityError:
    return IntegrityError(message, position=position)
