"""The records of an append: each event encoded, hashed, checked and chained after the head.

`EventLog.append` calls `records`; it is here, apart from the log's other jobs,
because every appended event goes through it. Two paths give the same records:
the readable one (cattrs' `Codec.to_dict`, `event_json`'s check of every value,
a `Record` per event) and, for the built-in kinds in their usual shape, a
quicker one (`Codec.plain_encoder`, orjson directly, lines without records for
a store that keeps lines). tests/test_append.py holds their logs equal byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Container, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from chronos.codec import MAX_EVENT_BYTES, Codec
from chronos.entities import Catalogue
from chronos.errors import ChronosError, InvalidEvent, RecordError
from chronos.events import BUILTIN_EVENT_TYPES, Event, content_id
from chronos.log._catalogue import ENTITY_ONLY
from chronos.stores.records import Chain, Head, Lines, Record, event_json

if TYPE_CHECKING:
    from chronos.log.eventlog import EventLog

__all__ = ["Either", "encode", "records"]

_SORTED = orjson.OPT_SORT_KEYS
_sha256 = hashlib.sha256
_dumps = orjson.dumps
_set = object.__setattr__


class Either(Container[str]):
    """Membership in either of two sets, without copying them (appends check each event)."""

    def __init__(self, first: Container[str], second: Container[str]):
        self.first = first
        self.second = second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


def records(
    log: EventLog, batch: list[Event], head: Head, *, quick: bool
) -> tuple[Sequence[Record], list[str], set[str], list[str], list[str]]:
    """The records of the new events in ``batch`` after ``head``, the ids skipped, the new ids and hashes.

    Returns the records, the skipped ids, the new ids as a set (for the log's
    own) and as a list, and the new records' hashes in order. ``quick``: the
    log's `validate` and catalogue are chronos' own, so the common event is
    checked without building errors.
    Raises the first event's error (`EventLog.validate`), naming its place in
    the batch.
    """
    codec = log.codec
    known = log._ids
    batch_ids: set[str] = set()
    appended: list[str] = []
    hashes: list[str] = []
    known_ids = Either(known, batch_ids)
    chain = Chain(head, codec.version, lines=log.store.keeps_lines)
    plain = codec.plain_encoder()
    lines: list[bytes] | None = [] if log.store.keeps_lines else None
    made: list[Record] = []
    skipped: list[str] = []
    references = _references(log.catalogue) if quick else None
    for index, event in enumerate(batch, start=1):
        if not isinstance(event, Event):
            raise RecordError(f"event #{index}: not an Event: {str(event)[:80]!r}")
        data = None if plain is None else plain(event)
        if data is not None:
            # `encode` without `event_json`'s check (the dict holds plain JSON values only) and
            # without its errors: what orjson refuses or is too long goes to `encode`, which
            # writes it, or names the problem, as it always has.
            try:
                compact = _dumps(data)
            except orjson.JSONEncodeError:
                data = None
            else:
                if len(compact) > MAX_EVENT_BYTES:
                    data = None
                else:
                    canonical = _dumps(data, option=_SORTED)
                    # Only built-in kinds reach here: their id is the content's (`content_id`).
                    event_id = _sha256(canonical).hexdigest()[:24]
                    _set(event, "id", event_id)
        if data is None:
            try:
                data, canonical, compact = encode(codec, event)
            except ChronosError as exc:
                raise type(exc)(f"event #{index} ({event.type}): {exc}") from None
            event_id = event.id
        if event_id in known or event_id in batch_ids:
            skipped.append(event_id)
            continue
        if references is None or not references(event):
            try:
                log.validate(event, known_ids=known_ids)
            except ChronosError as exc:
                raise type(exc)(f"event #{index} ({event.type}): {exc}") from None
        batch_ids.add(event_id)
        appended.append(event_id)
        if lines is not None:
            lines.append(chain.line(event_id, data, canonical, compact))
        else:
            made.append(chain.link(event_id, data, canonical, compact))
        hashes.append(chain.prev)
    batch_records: Sequence[Record] = made
    if lines is not None:
        batch_records = Lines(lines, head.position + 1, chain.head())
    return batch_records, skipped, batch_ids, appended, hashes


def encode(codec: Codec, event: Event) -> tuple[dict[str, Any], bytes, bytes]:
    """The event's codec form, canonical JSON and compact JSON (`chronos.stores.records.event_json`).

    Computed once per append. For the built-in kinds the codec form is
    exactly the content the id is derived from (tests/test_codec.py checks
    it), so the id comes from the same canonical JSON instead of a second
    encoding; the compact JSON is what a JSON Lines record holds.
    """
    data = codec.to_dict(event)
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
        _set(event, "id", content_id(canonical))
    return data, canonical, compact


def _references(catalogue: Catalogue) -> Callable[[Event], bool]:
    """A check that is True when `EventLog.validate` would pass an event of a kind that only names entities.

    False says nothing: `validate` then decides and names what is wrong. Only
    the built-in kinds that name entities and nothing else (no retraction
    target, no roster entries) are checked here, each by a function made once
    for its references, and every source an event cites must be registered
    when the catalogue requires it.
    """
    get = catalogue.get
    registered = catalogue.sources if catalogue.require_sources else None
    checks = _CHECKS

    def known(event: Event) -> bool:
        cls = type(event)
        try:
            check = checks[cls]
        except KeyError:
            check = checks[cls] = _compile_references(cls) if cls in ENTITY_ONLY else None
        if check is None:
            return False
        try:
            return check(event, get, registered)
        except TypeError:  # an unhashable value: `validate` names it
            return False

    return known


_Check = Callable[[Event, Callable[[Any], Any], Container[str] | None], bool]
#: The reference check of each kind `_references` has met.
_CHECKS: dict[type, _Check | None] = {}


def _compile_references(cls: type[Event]) -> _Check:
    """Python source checking ``cls``'s references (`_references`), specialised to its fields, compiled."""
    lines = ["def check(event, get, registered):"]
    for field, kind in cls.references.items():
        if not field.isidentifier():
            raise ValueError(f"{cls.__name__}: a reference field named {field!r}")
        bad = "entity is None" if kind == "any" else f"entity is None or entity.kind != {kind!r}"
        lines += [
            f"    value = event.{field}",
            "    if value is not None:",
            "        entity = get(value)",
            f"        if {bad}:",
            "            return False",
        ]
    lines += [
        "    if registered is not None:",
        "        for cited in event.sources:",
        "            if cited.source not in registered:",
        "                return False",
        "    return True",
    ]
    names: dict[str, Any] = {}
    exec("\n".join(lines), names)  # the source is made above from attrs field names only
    check: _Check = names["check"]
    return check
