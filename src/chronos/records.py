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
from typing import Any, Final

import attrs

__all__ = ["GENESIS", "Head", "Record", "canonical_json", "record_hash", "record_hash_of_text"]

#: The ``prev`` of the first record.
GENESIS: Final = "0" * 64


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: the text hashes are taken of."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


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

    def expected_hash(self) -> str:
        """The hash this record's content should have."""
        return record_hash(self.seq, self.v, self.id, self.event, self.prev)


@attrs.frozen
class Head:
    """A log's position (number of records) and the hash of its last record."""

    position: int = 0
    hash: str = GENESIS
