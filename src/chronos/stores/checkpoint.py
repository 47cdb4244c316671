"""Published heads: a log's position and head hash at a moment, one line to publish, sign and check against.

A checkpoint says "this log held N records, the last with hash H, at time T".
The hash of record N covers every record before it, so a log that still holds
the checkpoint has the same first N records. Someone who edits an old record
and recomputes the whole chain after it gets a log that verifies on its own,
but not against a checkpoint published before the edit (Certificate
Transparency's signed tree heads rest on the same idea). Publish one where
others keep a copy, signed (``ssh-keygen -Y sign``, ``gpg --detach-sign``),
and check the log against it with ``chronos verify --checkpoint FILE``.

A checkpoint is one line, in either of two forms::

    79 eaf260f9c01d...(64 hex digits) 2026-01-05T10:15:00Z
    {"chronos_checkpoint":1,"position":79,"hash":"eaf2...","time":"2026-01-05T10:15:00Z","store":"jsonl"}

The text form (`Checkpoint.to_text`) is position, hash and time, separated by
single spaces. The JSON form (`Checkpoint.to_json`), version 1, is a JSON
object with:

==================== =====================================================================
``chronos_checkpoint`` the format version, 1; a later version is refused, not misread
``position``          the number of records (0 for an empty log)
``hash``              the hash of the last record: 64 lower-case hex digits (``0`` * 64 if empty)
``time``              when the head was read, UTC, ``YYYY-MM-DDTHH:MM:SSZ``
``store``             the kind of store it was read from: ``jsonl``, ``sqlite``,
                      ``postgresql``, ``memory`` or another store's class name
==================== =====================================================================

Readers ignore keys they do not know, so version 1 can grow. Only position
and hash are checked: a copy of the log in another store (``chronos copy``)
has the same chain, so it verifies against the same checkpoints. A file of
checkpoints holds one per line (``chronos head --format json >> heads.jsonl``),
and a log is checked against every one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import attrs

from chronos.errors import RecordError
from chronos.stores.records import Head

__all__ = ["VERSION", "Checkpoint", "read_checkpoint_file", "read_checkpoints"]

#: The version of the JSON form this chronos writes and reads.
VERSION: Final = 1
_HASH: Final = re.compile(r"[0-9a-f]{64}")
_TIME: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_TEXT: Final = re.compile(r"(\d+) ([0-9a-f]{64}) (" + _TIME.pattern + ")")


def _utc(time: dt.datetime) -> dt.datetime:
    if time.tzinfo is None:
        raise RecordError(f"checkpoint time {time.isoformat()} has no time zone")
    return time.astimezone(dt.UTC).replace(microsecond=0)


@attrs.frozen
class Checkpoint:
    """A log's ``position`` and head ``hash`` at ``time`` (UTC, whole seconds), read from a ``store`` kind.

    ``origin`` says where it was read from (``file:line``), for messages; it is
    not part of the checkpoint.
    """

    position: int
    hash: str
    time: dt.datetime = attrs.field(converter=_utc)
    store: str = ""
    origin: str = attrs.field(default="", eq=False)

    def __attrs_post_init__(self) -> None:
        if type(self.position) is not int or self.position < 0:
            raise RecordError(f"checkpoint position {self.position!r} is not a whole number >= 0")
        if not isinstance(self.hash, str) or not _HASH.fullmatch(self.hash):
            raise RecordError(f"checkpoint hash {self.hash!r} is not 64 lower-case hex digits")
        if self.position == 0 and self.hash != Head().hash:
            raise RecordError(f"an empty log's head hash is {Head().hash[:12]}..., not {self.hash[:12]}...")

    @classmethod
    def of(cls, head: Head, *, store: str = "", time: dt.datetime | None = None) -> Checkpoint:
        """The checkpoint of ``head`` at ``time`` (default: now)."""
        return cls(head.position, head.hash, time or dt.datetime.now(dt.UTC), store)

    @property
    def head(self) -> Head:
        """The position and hash as a `Head`."""
        return Head(self.position, self.hash)

    @property
    def time_text(self) -> str:
        """The time as the checkpoint writes it: ``YYYY-MM-DDTHH:MM:SSZ``."""
        return self.time.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"

    def to_text(self) -> str:
        """Position, hash and time on one line (no newline)."""
        return f"{self.position} {self.hash} {self.time_text}"

    def to_json(self) -> str:
        """The JSON form, version 1, on one line (no newline)."""
        return json.dumps(
            {
                "chronos_checkpoint": VERSION,
                "position": self.position,
                "hash": self.hash,
                "time": self.time_text,
                "store": self.store,
            },
            separators=(",", ":"),
        )

    @classmethod
    def parse(cls, line: str, *, origin: str = "checkpoint") -> Checkpoint:
        """A checkpoint from one line in either form; `RecordError` naming ``origin`` and the fault."""
        text = line.strip()
        try:
            if text.startswith("{"):
                return cls._from_json(text, origin)
            match = _TEXT.fullmatch(text)
            if match is None:
                raise RecordError(
                    f"not a checkpoint: {_short(text)} (expected POSITION HASH TIME, or the JSON form)"
                )
            return cls(int(match[1]), match[2], _time(match[3]), "", origin)
        except RecordError as exc:
            raise RecordError(f"{origin}: {exc}") from None

    @classmethod
    def _from_json(cls, text: str, origin: str) -> Checkpoint:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecordError(f"malformed JSON: {exc}") from None
        if not isinstance(data, dict):
            raise RecordError("a checkpoint must be a JSON object")
        version = data.get("chronos_checkpoint")
        if version != VERSION:
            if type(version) is int and version > VERSION:
                raise RecordError(
                    f"checkpoint version {version} is newer than this chronos reads ({VERSION})"
                )
            raise RecordError(f"'chronos_checkpoint' must be {VERSION}, not {version!r}")
        position, digest, time = (
            _field(data, "position", int),
            _field(data, "hash", str),
            _field(data, "time", str),
        )
        store = data.get("store", "")
        if not isinstance(store, str):
            raise RecordError(f"'store' must be a string, not {store!r}")
        return cls(position, digest, _time(time), store, origin)


def _field(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if type(value) is not kind:
        raise RecordError(
            f"{key!r} missing or not {'a whole number' if kind is int else 'a string'}: {value!r}"
        )
    return value


def _time(text: str) -> dt.datetime:
    try:
        if not _TIME.fullmatch(text):
            raise ValueError(text)
        return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.UTC)
    except ValueError:
        raise RecordError(f"time {text!r} is not YYYY-MM-DDTHH:MM:SSZ (UTC)") from None


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def read_checkpoints(lines: Iterable[str], *, origin: str) -> list[Checkpoint]:
    """Every checkpoint in ``lines``, one per non-blank line; ``origin`` names the file in errors."""
    found = [
        Checkpoint.parse(line, origin=f"{origin}:{number}")
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]
    if not found:
        raise RecordError(f"{origin}: no checkpoint in it")
    return found


def read_checkpoint_file(path: str | Path) -> list[Checkpoint]:
    """Every checkpoint in the file at ``path`` (see `read_checkpoints`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return read_checkpoints(text.splitlines(), origin=str(path))
