"""Stored records: an event's dict with its position, schema version and hash chain.

A record is what a store keeps. Its ``hash`` covers the position, schema
version, event id, event content and the previous record's hash, so any edit,
removal, reordering or truncation of stored records breaks the chain at the
first bad record. Hashing works on the parsed content, not the bytes, so the
same log held in two stores has the same chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Final, overload

import attrs
import orjson

__all__ = [
    "GENESIS",
    "Chain",
    "Head",
    "Lines",
    "Record",
    "canonical_json",
    "event_json",
    "record_hash",
    "record_hash_of_text",
]

#: The ``prev`` of the first record.
GENESIS: Final = "0" * 64


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: the text hashes are taken of."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


#: Deeper values than this are left to the standard library (orjson stops at 255 levels).
_ORJSON_DEPTH: Final = 200


def _plain(value: Any, depth: int = 0) -> bool:
    r"""Whether ``value`` holds only exact str, int, bool, None, list, tuple and str-keyed dict.

    For these types, and only these, orjson writes the bytes `json.dumps` writes
    (tests/test_records.py checks it): the same escapes (``\"``, ``\\``, the
    short forms ``\n`` ``\t`` ... and ``\u001f`` for the other control
    characters, nothing else), the same integers, and keys sorted by code
    point. Floats, enums, UUIDs, subclasses and other objects, which the two
    libraries write differently or only one of them accepts, never reach orjson.
    """
    if depth > _ORJSON_DEPTH:
        return False
    kind = type(value)
    if kind is dict:
        if any(type(key) is not str for key in value):
            return False
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return kind is str or kind is bool or kind is int or value is None
    for item in items:
        kind = type(item)
        if kind is str or kind is bool or kind is int or item is None:
            continue  # the common leaves, without a call
        if not _plain(item, depth + 1):
            return False
    return True


def event_json(event: dict[str, Any]) -> tuple[bytes, bytes]:
    """An event dict's canonical JSON (`canonical_json`) and its compact JSON in field order, as UTF-8.

    The first is what ids and record hashes are taken of, the second is what a
    JSON Lines record holds. orjson makes both when `_plain` proves it writes
    the standard library's bytes, and gives up (to the standard library, which
    then writes or raises exactly as before) on what it cannot encode:
    surrogates, integers beyond 64 bits.
    """
    if _plain(event):
        try:
            return orjson.dumps(event, option=orjson.OPT_SORT_KEYS), orjson.dumps(event)
        except orjson.JSONEncodeError:
            pass
    return (
        canonical_json(event).encode(),
        json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode(),
    )


def _quoted(text: str) -> bytes:
    """``json.dumps(text, ensure_ascii=False)`` as UTF-8.

    Ids and hashes, ASCII letters and digits, need no escaping.
    """
    if type(text) is str and text.isascii() and text.isalnum():
        return b'"%b"' % text.encode()
    return json.dumps(text, ensure_ascii=False).encode()


def record_hash(seq: int, v: int, event_id: str, event: dict[str, Any], prev: str) -> str:
    """The SHA-256 of a record's canonical JSON (everything but the hash itself)."""
    return record_hash_of_text(seq, v, event_id, canonical_json(event), prev)


def record_hash_of_text(seq: int, v: int, event_id: str, event_text: str, prev: str) -> str:
    """`record_hash`, given the event's canonical JSON text already made.

    The record's keys sort as event, id, prev, seq, v, so its canonical JSON is
    these pieces in that order (tests/test_log.py checks it against a full encoding).
    """
    blob = (
        f'{{"event":{event_text},"id":{json.dumps(event_id, ensure_ascii=False)},'
        f'"prev":{json.dumps(prev, ensure_ascii=False)},"seq":{seq},"v":{v}}}'
    )
    return hashlib.sha256(blob.encode()).hexdigest()


class Chain:
    """Makes the records that follow ``head``, one at a time, each hashed over the one before it.

    `link` takes an event's id, dict and both JSON forms from `event_json`. The
    record's hash is taken of its canonical JSON put together from these pieces
    (the record's keys sort as event, id, prev, seq, v) rather than encoding the
    record again; with ``lines``, the record also keeps its JSON Lines line
    (`Record.to_line`), put together the same way. Linking each event as soon
    as it is encoded lets its JSON go at once instead of a whole batch of it
    waiting in memory.
    """

    def __init__(self, head: Head, v: int, *, lines: bool = False):
        self.seq = head.position
        self.prev = head.hash
        self.v = v
        self.lines = lines
        # Integers as the stores and the codec give them; anything else takes the text path,
        # which writes whatever str() says, as `record_hash` does.
        self._bytes = type(self.seq) is int and type(v) is int
        self._prev_quoted = _quoted(self.prev) if self._bytes else b""

    def link(self, event_id: str, event: dict[str, Any], canonical: bytes, compact: bytes) -> Record:
        """The next record: the event at the next position, after the last one linked."""
        seq = self.seq = self.seq + 1
        v = self.v
        prev = self.prev
        if not self._bytes:
            digest = record_hash_of_text(seq, v, event_id, canonical.decode(), prev)
            self.prev = digest
            return Record(seq, v, event_id, event, prev, digest)
        id_quoted = _quoted(event_id)
        prev_quoted = self._prev_quoted
        digest = hashlib.sha256(
            b'{"event":%b,"id":%b,"prev":%b,"seq":%d,"v":%d}' % (canonical, id_quoted, prev_quoted, seq, v)
        ).hexdigest()
        digest_quoted = b'"%b"' % digest.encode()
        record = Record(seq, v, event_id, event, prev, digest)
        if self.lines:
            line = b'{"seq":%d,"v":%d,"id":%b,"event":%b,"prev":%b,"hash":%b}\n' % (
                seq,
                v,
                id_quoted,
                compact,
                prev_quoted,
                digest_quoted,
            )
            object.__setattr__(record, "_line", line)
        self.prev = digest
        self._prev_quoted = digest_quoted
        return record

    def line(self, event_id: str, event: dict[str, Any], canonical: bytes, compact: bytes) -> bytes:
        """`link`'s record as its JSON Lines line only (`Record.to_line`), for a store that keeps lines.

        The same bytes and the same hash as `link` with ``lines``, without the
        `Record` (tests/test_append.py holds the two equal).
        """
        if not self._bytes:
            return self.link(event_id, event, canonical, compact).to_line()
        seq = self.seq = self.seq + 1
        v = self.v
        # `_quoted`, inline for the usual id.
        if type(event_id) is str and event_id.isascii() and event_id.isalnum():
            id_quoted = b'"%b"' % event_id.encode()
        else:
            id_quoted = _quoted(event_id)
        prev_quoted = self._prev_quoted
        digest = hashlib.sha256(
            b'{"event":%b,"id":%b,"prev":%b,"seq":%d,"v":%d}' % (canonical, id_quoted, prev_quoted, seq, v)
        ).hexdigest()
        self.prev = digest
        digest_quoted = self._prev_quoted = b'"%b"' % digest.encode()
        return b'{"seq":%d,"v":%d,"id":%b,"event":%b,"prev":%b,"hash":%b}\n' % (
            seq,
            v,
            id_quoted,
            compact,
            prev_quoted,
            digest_quoted,
        )

    def head(self) -> Head:
        """The position and hash after the last record linked."""
        return Head(self.seq, self.prev)


class Lines(Sequence["Record"]):
    """A batch of records as the lines `Chain.line` made of them, from position ``first``, ending at ``head``.

    What `EventLog.append` hands a store that keeps lines: the store writes
    `payload` as it is. As a sequence it gives each `Record` its line holds
    (parsed back, as reading the log would give it), for any other use.
    """

    def __init__(self, lines: list[bytes], first: int, head: Head):
        self.lines = lines
        self.first = first
        self.head = head

    def payload(self) -> bytes:
        """The lines, one after another."""
        return b"".join(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self._record(line) for line in self.lines[index]]
        return self._record(self.lines[index])

    @staticmethod
    def _record(line: bytes) -> Record:
        data = json.loads(line)
        record = Record(data["seq"], data["v"], data["id"], data["event"], data["prev"], data["hash"])
        object.__setattr__(record, "_line", line)
        return record


@attrs.frozen
class Record:
    """One stored event: position ``seq`` (from 1), schema ``v``, ``id``, the event dict and the chain.

    ``origin`` says where the record was read from (``file:line``) for error
    messages; it is not part of the record.
    """

    seq: int
    v: int
    id: str
    event: dict[str, Any] = attrs.field(hash=False)
    prev: str
    hash: str
    origin: str = attrs.field(default="", eq=False)
    #: The record's JSON Lines line when `Chain` made it, for `to_line`. Not an argument: a
    #: record made any other way, `attrs.evolve` included, encodes itself afresh.
    _line: bytes | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def to_json(self) -> str:
        """The record as one compact JSON line (no newline)."""
        return json.dumps(
            {
                "seq": self.seq,
                "v": self.v,
                "id": self.id,
                "event": self.event,
                "prev": self.prev,
                "hash": self.hash,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def to_line(self) -> bytes:
        """`to_json` and a newline, as UTF-8: one line of a JSON Lines log."""
        if self._line is not None:
            return self._line
        return (self.to_json() + "\n").encode()

    def expected_hash(self) -> str:
        """The hash this record's content should have."""
        return record_hash(self.seq, self.v, self.id, self.event, self.prev)


@attrs.frozen
class Head:
    """A log's position (number of records) and the hash of its last record."""

    position: int = 0
    hash: str = GENESIS
