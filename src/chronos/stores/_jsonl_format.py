"""What a JSON Lines log directory holds, byte for byte: file names, segment names, lines, HEAD.

`chronos.stores.jsonl` reads and writes these; `chronos.stores._jsonl_repair`
reads them to tell a torn end from an edited record.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

import orjson

from chronos.errors import IntegrityError, RecordError
from chronos.stores._durable import line_before
from chronos.stores.records import GENESIS, Head, Record

HEAD_FILE: Final = "HEAD"
LOCK_FILE: Final = ".lock"
CATALOGUE_FILE: Final = "catalogue.toml"
HISTORY_FILE: Final = "catalogue-history.jsonl"
SEGMENT_BYTES: Final = 64 * 1024 * 1024
#: What the last line of a batch ends with, in place of its closing ``}``: the batch mark.
END_MARK: Final = b',"end":true}\n'
_SEGMENT: Final = re.compile(r"log-([0-9]{6,})\.jsonl")
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
#: The files a log directory may hold besides its segments (and the backups `repair` leaves).
OWN: Final = frozenset({HEAD_FILE, LOCK_FILE, CATALOGUE_FILE, HISTORY_FILE})


def segment_name(number: int) -> str:
    return f"log-{number:06d}.jsonl"


def segment_number(name: str) -> int | None:
    """The number of a segment file's name (``log-000001.jsonl`` is 1), or None for any other name."""
    match = _SEGMENT.fullmatch(name)
    if match is None:
        return None
    number = int(match.group(1))
    return number if number > 0 and segment_name(number) == name else None


#: A line without its newline: what an interrupted write leaves.
TORN: Final = "a torn line (no newline at its end)"
_RECORD_TYPES = (int, int, str, dict, str, str)


def parse_line(line: bytes, origin: str) -> Record:
    """The record a segment line holds; `RecordError` naming ``origin`` when it is not one."""
    try:
        data = loads_line(line)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise RecordError(f"{origin}: malformed record: {str(exc)[:200]}") from None
    except ValueError as exc:  # an integer too long to convert
        raise RecordError(f"{origin}: malformed record: {str(exc)[:200]}") from None
    if not isinstance(data, dict):
        raise RecordError(f"{origin}: a record must be a JSON object")
    # The common case, checked in one expression; the field-by-field path below
    # only runs to name what is wrong.
    seq, v, event_id, event = data.get("seq"), data.get("v"), data.get("id"), data.get("event")
    prev, digest = data.get("prev"), data.get("hash")
    if (type(seq), type(v), type(event_id), type(event), type(prev), type(digest)) == _RECORD_TYPES:
        return Record(seq, v, event_id, event, prev, digest, origin)  # type: ignore[arg-type]
    try:
        return Record(
            seq=record_field(data, "seq", int),
            v=record_field(data, "v", int),
            id=record_field(data, "id", str),
            event=record_field(data, "event", dict),
            prev=record_field(data, "prev", str),
            hash=record_field(data, "hash", str),
            origin=origin,
        )
    except RecordError as exc:
        raise RecordError(f"{origin}: {exc}") from None


def parse_head(raw: bytes, path: Path) -> dict[str, Any]:
    """What ``HEAD`` says, checked field by field; `IntegrityError` naming ``path`` when unreadable."""
    try:
        data = json.loads(raw, object_pairs_hook=unique_keys)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        for key, kind in (("position", int), ("hash", str), ("segment", str), ("size", int)):
            value = data.get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"missing or bad {key!r}")
        if data["position"] < 0 or data["size"] < 0:
            raise ValueError("a negative position or size")
        if not _HEX64.fullmatch(data["hash"]):
            raise ValueError(f"bad hash {data['hash'][:80]!r}")
        if segment_number(data["segment"]) is None:
            raise ValueError(
                f"segment {data['segment'][:200]!r} is not a segment file of this log (log-NNNNNN.jsonl)"
            )
        catalogue = data.get("catalogue", 0)
        if not isinstance(catalogue, int) or isinstance(catalogue, bool) or catalogue < 0:
            raise ValueError("bad 'catalogue'")
        if data["position"] == 0 and (data["hash"] != GENESIS or data["size"] != 0):
            raise ValueError("position 0 with a hash or a size")
    except (ValueError, RecursionError) as exc:
        raise IntegrityError(f"{path}: unreadable head: {exc} (`chronos repair` rewrites it)") from None
    return data


def head_json(head: Head, segment: str, size: int, catalogue: int) -> bytes:
    """What ``HEAD`` holds: the acknowledged position, hash, last segment and its size (and history count)."""
    data: dict[str, Any] = {"position": head.position, "hash": head.hash, "segment": segment, "size": size}
    if catalogue:
        data["catalogue"] = catalogue
    return (json.dumps(data, indent=2) + "\n").encode()


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a dict, refusing a key given twice (``object_pairs_hook``)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key[:80]!r} twice")
        found[key] = value
    return found


def loads_line(line: bytes) -> Any:
    """``json.loads(line)``, parsed by orjson (about four times faster) whenever it gives the same.

    orjson refuses what the standard library accepts beyond RFC 8259 (NaN,
    lone surrogates, a byte order mark, out-of-range floats): those lines go to
    `json.loads`, which gives the value, or the error, that reading always gave.
    The one input both accept but decode differently is an integer beyond 64
    bits, which orjson turns into a float: a line with a run of 19 or more
    digits (the hex of a hash, now and then) goes to `json.loads` too.
    tests/test_stores.py checks that the two agree on generated JSON.
    """
    if _LONG_DIGITS in line.translate(_DIGITS_AS_ZERO):
        return json.loads(line)
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


_DIGITS_AS_ZERO: Final = bytes(ord("0") if chr(c).isdigit() and c < 128 else ord(" ") for c in range(256))
_LONG_DIGITS: Final = b"0" * 19


def record_field(data: dict[str, Any], key: str, kind: type) -> Any:
    """``data[key]`` when it is a ``kind`` (never a bool), else a `RecordError` naming the field."""
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RecordError(f"record field {key!r} missing or not a {kind.__name__}: {str(value)[:80]!r}")
    return value


def check_head(head_path: Path, head: Head, segment: Path, size: int) -> None:
    """The record ending at ``size`` bytes of ``segment`` must be the one HEAD names."""
    line, number = line_before(segment, size)
    where = f"{segment}:{number}" if number else str(segment)
    if line is None:
        raise IntegrityError(
            f"{head_path}: its size {size} falls inside a line of {segment.name} "
            "(HEAD edited, or records before it changed)"
        )
    try:
        record = parse_line(line, where)
    except RecordError:
        raise IntegrityError(
            f"{where}: the record HEAD ends on does not parse (records before the head were edited)"
        ) from None
    if (record.seq, record.hash) != (head.position, head.hash):
        raise IntegrityError(
            f"{head_path}: says position {head.position} ending in {head.hash[:12]}, "
            f"but the record it ends on ({where}) is position {record.seq} ending in {record.hash[:12]} "
            "(HEAD edited or rolled back: `chronos repair` rewrites it from the records)"
        )


def scan_without_head(segments: list[Path]) -> tuple[int, str, int]:
    """Position, last hash and last segment size of a directory without ``HEAD``, line by line."""
    position = 0
    last_hash = Head().hash
    size = 0
    for path in segments:
        size = 0
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.endswith(b"\n"):
                    raise IntegrityError(
                        f"{path}:{number}: torn last record ({len(line)} bytes without a newline); "
                        "run `chronos repair` to cut it off after a backup"
                    )
                size += len(line)
                position += 1
                last_hash = parse_line(line, f"{path}:{number}").hash
    return position, last_hash, size


def describe_tail(head: Head, segment: Path, extra: int, later: list[Path]) -> str:
    """What bytes after the head (``extra`` in ``segment``, and ``later`` files) are, in one line."""
    where = segment if extra > 0 else later[0]
    total = max(extra, 0) + sum(path.stat().st_size for path in later)
    files = f" (and {len(later)} later segment file{'s' * (len(later) > 1)})" if later else ""
    return (
        f"{where}: {total} bytes after position {head.position}{files} belong to an interrupted "
        "append (never acknowledged); run `chronos repair` to adopt a whole batch or cut a torn one "
        "after a backup"
    )
