"""A store that keeps records as JSON Lines files in a directory: the embedded default.

Layout of the directory (``events/`` in this repository)::

    log-000001.jsonl    records, one compact JSON object per line, in order
    log-000002.jsonl    the next segment, once the previous one is full
    HEAD                {"position", "hash", "segment", "size"} of the last acknowledged append
    catalogue.toml      the entity catalogue (`JsonlStore.read_catalogue`)
    .lock               taken (flock) by writers, and shared by `JsonlStore.tail`; never holds data

An append takes the lock, writes its whole batch to the last segment (or a
new one), fsyncs it, then replaces ``HEAD`` atomically (write, fsync, rename,
fsync the directory). The append is acknowledged only once ``HEAD`` is
replaced, so a crash at any point leaves either the old head or the new one.
Readers read up to ``HEAD``'s size and never see a half-written batch; bytes
beyond it, or a segment after ``HEAD``'s, are an interrupted append, reported
by `JsonlStore.tail` and cut off (after a backup) by `JsonlStore.repair`,
never silently loaded or dropped. A directory without ``HEAD`` (written by
hand) is read line by line; its first append writes ``HEAD`` before anything
else, so that append too is protected.

The lock is ``flock`` on ``.lock``, taken for each append by a fresh open
file, so it excludes other threads and other processes alike, and the kernel
drops it when a writer dies.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import orjson

from chronos.errors import IntegrityError, RecordError
from chronos.stores.base import check_batch, stale, wait_by_polling
from chronos.stores.records import Head, Record

__all__ = ["CATALOGUE_FILE", "JsonlStore"]

HEAD_FILE: Final = "HEAD"
LOCK_FILE: Final = ".lock"
CATALOGUE_FILE: Final = "catalogue.toml"
SEGMENT_BYTES: Final = 64 * 1024 * 1024


def _segment_name(number: int) -> str:
    return f"log-{number:06d}.jsonl"


class JsonlStore:
    """Records in JSON Lines segment files under ``directory``."""

    keeps_lines = True
    #: What kind of store this is, as a checkpoint names it (`chronos.stores.checkpoint`).
    kind = "jsonl"

    @property
    def catalogue_origin(self) -> str:
        """Where the catalogue is kept, as error messages name it."""
        return str(self.directory / CATALOGUE_FILE)

    def __init__(self, directory: str | Path, *, segment_bytes: int = SEGMENT_BYTES, create: bool = True):
        self.directory = Path(directory)
        if not self.directory.is_dir():
            if not create:
                raise RecordError(f"{self.directory}: no such log directory")
            self.directory.mkdir(parents=True)
        self.segment_bytes = segment_bytes

    def __repr__(self) -> str:
        return f"JsonlStore({str(self.directory)!r})"

    # Files ------------------------------------------------------------------

    def segments(self) -> list[Path]:
        """The segment files, in order."""
        return sorted(self.directory.glob("log-*.jsonl"))

    def _read_head_file(self) -> dict[str, Any] | None:
        path = self.directory / HEAD_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            for key, kind in (("position", int), ("hash", str), ("segment", str), ("size", int)):
                if not isinstance(data.get(key), kind):
                    raise ValueError(f"missing or bad {key!r}")
        except ValueError as exc:
            raise IntegrityError(f"{path}: unreadable head: {exc}") from None
        return data

    def _state(self) -> tuple[Head, Path | None, int]:
        """The acknowledged head, the last segment and the acknowledged size of that segment."""
        return self._state_of(self._read_head_file())

    def _state_of(self, data: dict[str, Any] | None) -> tuple[Head, Path | None, int]:
        """`_state`, given what ``HEAD`` holds (`_read_head_file`)."""
        if data is None:
            segments = self.segments()
            if not segments:
                return Head(), None, 0
            # A directory written by hand or by an older tool: every complete
            # line counts, and a last line without its newline is torn.
            position, last_hash, size = self._scan_without_head(segments)
            return Head(position, last_hash), segments[-1], size
        segment = self.directory / data["segment"]
        if not segment.exists():
            raise IntegrityError(f"{segment}: missing (HEAD names it as the last segment)")
        # Segments after the head's are an interrupted append's, reported by `tail`.
        actual = segment.stat().st_size
        if actual < data["size"]:
            raise IntegrityError(
                f"{segment}: truncated: {actual} bytes, the head says {data['size']} "
                f"(position {data['position']})"
            )
        return Head(data["position"], data["hash"]), segment, data["size"]

    def _scan_without_head(self, segments: list[Path]) -> tuple[int, str, int]:
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
                    last_hash = self._parse(line, f"{path}:{number}").hash
        return position, last_hash, size

    def _later_segments(self, segment: Path) -> list[Path]:
        return [path for path in self.segments() if path.name > segment.name]

    def tail(self) -> str | None:
        """A description of bytes beyond the acknowledged head (an interrupted append), or None.

        Waits for an append in progress (a shared lock), so it never mistakes
        a live writer's batch for an interrupted one.
        """
        with self._locked(shared=True):
            return self._tail()

    def _tail(self) -> str | None:
        data = self._read_head_file()
        if data is None:
            return None  # without HEAD, a torn last line is reported by `_state`
        return self._tail_of(*self._state_of(data))

    def _tail_of(self, head: Head, segment: Path | None, size: int) -> str | None:
        """`_tail`, given the state (`_state`) of a directory with ``HEAD``."""
        assert segment is not None
        extra = segment.stat().st_size - size
        later = self._later_segments(segment)
        if extra <= 0 and not later:
            return None
        where = segment if extra > 0 else later[0]
        total = max(extra, 0) + sum(path.stat().st_size for path in later)
        files = f" (and {len(later)} later segment file{'s' * (len(later) > 1)})" if later else ""
        return (
            f"{where}: {total} bytes after position {head.position}{files} belong to an interrupted "
            "append (never acknowledged); run `chronos repair` to cut them off after a backup"
        )

    def repair(self) -> Path | None:
        """Cut off an interrupted append, saving the cut bytes beside the segment first.

        Returns the backup's path, or None when there was nothing to repair.
        """
        with self._locked():
            if self._read_head_file() is None:
                return self._repair_headless()
            _head, segment, size = self._state()
            assert segment is not None
            later = self._later_segments(segment)
            if segment.stat().st_size <= size and not later:
                return None
            return self._cut(segment, size, later)

    def _repair_headless(self) -> Path | None:
        segments = self.segments()
        if not segments:
            return None
        last = segments[-1]
        data = last.read_bytes()
        keep = data.rfind(b"\n") + 1
        if keep == len(data):
            return None
        return self._cut(last, keep, [])

    def _cut(self, segment: Path, size: int, later: list[Path]) -> Path:
        # The backup is durable before anything is cut, so a crash here loses nothing.
        stamp = time.strftime("%Y%m%dT%H%M%S")
        backup = segment.with_name(f"{segment.name}.torn-{stamp}")
        number = 1
        while backup.exists():
            number += 1
            backup = segment.with_name(f"{segment.name}.torn-{stamp}-{number}")
        with backup.open("wb") as out:
            with segment.open("rb") as source:
                source.seek(size)
                out.write(source.read())
            for path in later:
                out.write(path.read_bytes())
            out.flush()
            os.fsync(out.fileno())
        _fsync_path(self.directory)
        with segment.open("r+b") as handle:
            handle.truncate(size)
            handle.flush()
            os.fsync(handle.fileno())
        for path in later:
            path.unlink()
        _fsync_path(self.directory)
        return backup

    @contextmanager
    def _locked(self, *, shared: bool = False) -> Iterator[None]:
        try:
            lock = (self.directory / LOCK_FILE).open("a")
        except OSError:
            if not shared:
                raise
            yield  # a read-only directory has no writers to wait for
            return
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    # Protocol ---------------------------------------------------------------

    def head(self) -> Head:
        """The acknowledged position and last hash."""
        return self._state()[0]

    def append(self, records: Sequence[Record], *, expected_position: int) -> Head:
        """Append the batch atomically if the position is still ``expected_position``."""
        with self._locked():
            # HEAD is read once: the lock keeps other writers out until the new one replaces it.
            head_file = self._read_head_file()
            head, segment, size = self._state_of(head_file)
            if expected_position != head.position:
                raise stale(expected_position, head.position)
            if not records:
                return head
            problem = None if head_file is None else self._tail_of(head, segment, size)
            if problem is not None:
                raise IntegrityError(problem)
            check_batch(head, records, expected_position)
            if head_file is None:
                segment = self._adopt(head, segment, size)
            payload = b"".join([r.to_line() for r in records])
            new_segment = segment is None or (size > 0 and size + len(payload) > self.segment_bytes)
            if new_segment:
                number = len(self.segments()) + 1
                segment, size = self.directory / _segment_name(number), 0
            assert segment is not None
            fd = os.open(segment, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                _write_all(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)
            if new_segment:
                _fsync_path(self.directory)
            last = records[-1]
            new_head = Head(last.seq, last.hash)
            self._write_head(new_head, segment.name, size + len(payload))
            return new_head

    def _adopt(self, head: Head, segment: Path | None, size: int) -> Path:
        """Write a HEAD for a directory without one, so that an interrupted append shows as a tail."""
        if segment is None:
            segment = self.directory / _segment_name(1)
            segment.touch()
        self._write_head(head, segment.name, size)
        return segment

    def _write_head(self, head: Head, segment: str, size: int) -> None:
        data = {"position": head.position, "hash": head.hash, "segment": segment, "size": size}
        temporary = self.directory / f"{HEAD_FILE}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            _write_all(fd, (json.dumps(data, indent=2) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, self.directory / HEAD_FILE)
        _fsync_path(self.directory)

    def read(self, *, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Records with ``after < position <= until``, in order, up to the acknowledged head."""
        head, last_segment, last_size = self._state()
        stop = head.position if until is None else min(until, head.position)
        position = 0
        for path in self.segments():
            limit = last_size if path == last_segment else None
            where = f"{path}:"  # each record's origin is where plus its line number
            with path.open("rb") as handle:
                consumed = 0
                for number, line in enumerate(handle, start=1):
                    consumed += len(line)
                    if limit is not None and consumed > limit:
                        if consumed - len(line) != limit:
                            raise IntegrityError(
                                f"{path}:{number}: the head ends inside this record "
                                "(records before the head were edited)"
                            )
                        break
                    position += 1
                    if position > stop:
                        return
                    if position <= after:
                        continue
                    yield self._parse(line, f"{where}{number}")
            if path == last_segment:
                break

    @staticmethod
    def _parse(line: bytes, origin: str) -> Record:
        try:
            data = _loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RecordError(f"{origin}: malformed record: {exc}") from None
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
                seq=_field(data, "seq", int),
                v=_field(data, "v", int),
                id=_field(data, "id", str),
                event=_field(data, "event", dict),
                prev=_field(data, "prev", str),
                hash=_field(data, "hash", str),
                origin=origin,
            )
        except RecordError as exc:
            raise RecordError(f"{origin}: {exc}") from None

    def wait(self, *, after: int, timeout: float) -> bool:
        """Poll ``HEAD`` until the log holds more than ``after`` records or ``timeout`` passes."""
        return wait_by_polling(self.head, after=after, timeout=timeout)

    def read_catalogue(self) -> str | None:
        """The text of ``catalogue.toml`` in the directory, or None when there is none."""
        try:
            # newline="": the text exactly as written, carriage returns included.
            with (self.directory / CATALOGUE_FILE).open(encoding="utf-8", newline="") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def write_catalogue(self, text: str) -> None:
        """Replace ``catalogue.toml`` atomically (write, fsync, rename, fsync the directory)."""
        temporary = self.directory / f"{CATALOGUE_FILE}.tmp"
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.directory / CATALOGUE_FILE)
        _fsync_path(self.directory)

    def close(self) -> None:
        """Nothing stays open between calls."""


_RECORD_TYPES = (int, int, str, dict, str, str)


def _loads(line: bytes) -> Any:
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


def _field(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RecordError(f"record field {key!r} missing or not a {kind.__name__}: {value!r}")
    return value


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
