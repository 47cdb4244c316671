"""A store that keeps records as JSON Lines files in a directory: the embedded default.

Layout of the directory (``events/`` in this repository)::

    log-000001.jsonl         records, one compact JSON object per line, in order
    log-000002.jsonl         the next segment, once the previous one is full
    HEAD                     {"position", "hash", "segment", "size"} of the last acknowledged append
    catalogue.toml           the entity catalogue (`JsonlStore.read_catalogue`)
    catalogue-history.jsonl  the catalogue's chained history (`chronos.catalogue_history`)
    .lock                    taken (flock) by writers, and shared by readers; never holds data

An append takes the lock, writes its whole batch to the last segment (or a
new one), fsyncs it, then replaces ``HEAD`` atomically (write, fsync, rename,
fsync the directory). The append is acknowledged only once ``HEAD`` is
replaced. The last line of every batch carries ``"end":true`` after the
record's own fields (outside what its hash covers), so the bytes an
interrupted append leaves after ``HEAD`` tell what they are: complete lines
that follow the chain and end with that mark are a whole batch (written, but
``HEAD`` never named it: `JsonlStore.repair` adopts it by moving ``HEAD``
forward); anything after the last mark is a torn batch, which `repair` cuts
off after a backup. Complete lines that do not follow the chain are never
cut: `repair` refuses and says why.

``HEAD`` is a hint, never trusted: its segment must be one of this
directory's segment files (``log-NNNNNN.jsonl``, numbered from 1 with no
gap), and the record ending at its size must be the one it names (position
and hash). Every read checks that, checks each record's position and link to
the one before it (cheap: no hashing, which `chronos verify` does), and warns
(`chronos.errors.IntegrityWarning`) of stray files and of bytes after the
head. A directory without ``HEAD`` (written by hand) is read line by line,
with a warning: it cannot tell whether records were removed from its end.

The lock is ``flock`` on ``.lock``, taken for each append by a fresh open
file, so it excludes other threads and other processes alike, and the kernel
drops it when a writer dies. A directory is taken for a log only when it is
empty or holds a log's files: ``--log /`` is refused, not made a log.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from chronos.errors import IntegrityError, IntegrityWarning, RecordError, StoreError
from chronos.stores.base import check_batch, stale, wait_by_polling
from chronos.stores.records import GENESIS, Head, Record

__all__ = ["CATALOGUE_FILE", "HISTORY_FILE", "JsonlStore", "Repaired", "segment_number"]

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
_OWN: Final = frozenset({HEAD_FILE, LOCK_FILE, CATALOGUE_FILE, HISTORY_FILE})


def _segment_name(number: int) -> str:
    return f"log-{number:06d}.jsonl"


def segment_number(name: str) -> int | None:
    """The number of a segment file's name (``log-000001.jsonl`` is 1), or None for any other name."""
    match = _SEGMENT.fullmatch(name)
    if match is None:
        return None
    number = int(match.group(1))
    return number if number > 0 and _segment_name(number) == name else None


@attrs.frozen
class Repaired:
    """What `JsonlStore.repair` did: records adopted, bytes cut (saved in ``backup``), HEAD rewritten."""

    position: int
    adopted: int = 0
    cut: int = 0
    backup: Path | None = None
    head_rewritten: bool = False
    history_cut: int = 0

    def __str__(self) -> str:
        parts = []
        if self.adopted:
            parts.append(
                f"adopted {self.adopted} complete record{'s' * (self.adopted != 1)} that HEAD did not name "
                "(a whole batch, written but never acknowledged, or HEAD rolled back)"
            )
        if self.cut:
            parts.append(
                f"cut {self.cut} bytes after position {self.position} (an interrupted append, never "
                f"acknowledged); saved them to {self.backup}"
            )
        if self.history_cut:
            parts.append(f"cut a torn last line of {HISTORY_FILE} ({self.history_cut} bytes)")
        if self.head_rewritten and not self.adopted:
            parts.append(f"wrote HEAD from the records (position {self.position})")
        return "; ".join(parts)


@attrs.frozen
class _Line:
    """A line of a segment as `repair` found it."""

    segment: Path
    number: int
    start: int
    end: int
    record: Record | None
    marked: bool
    problem: str | None


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
        if not self.directory.exists():
            if not create:
                raise RecordError(f"{self.directory}: no such log directory")
            self.directory.mkdir(parents=True)
        elif not self.directory.is_dir():
            raise StoreError(f"{self.directory}: not a directory")
        else:
            self._check_is_log()
        self.segment_bytes = segment_bytes
        self._warned: set[str] = set()

    def __repr__(self) -> str:
        return f"JsonlStore({str(self.directory)!r})"

    def _check_is_log(self) -> None:
        """Refuse a directory that holds other things and none of a log's files."""
        try:
            names = os.listdir(self.directory)
        except OSError as exc:
            raise StoreError(f"{self.directory}: cannot list the directory: {exc.strerror}") from None
        if any(name in _OWN or segment_number(name) is not None for name in names):
            return
        if names:
            raise StoreError(
                f"{self.directory}: not a chronos log (no HEAD, log-NNNNNN.jsonl or {CATALOGUE_FILE}, "
                f"and {len(names)} other entr{'ies' if len(names) > 1 else 'y'}); give a log directory, "
                "or a new or empty one to create a log in"
            )

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            warnings.warn(message, IntegrityWarning, stacklevel=3)

    # Files ------------------------------------------------------------------

    def segments(self) -> list[Path]:
        """The segment files, in order; a gap in their numbers is an `IntegrityError`."""
        numbered = []
        for name in os.listdir(self.directory):
            number = segment_number(name)
            if number is not None:
                numbered.append((number, name))
        numbered.sort()
        for expected, (number, name) in enumerate(numbered, start=1):
            if number != expected:
                raise IntegrityError(
                    f"{self.directory / _segment_name(expected)}: missing (the segments go on with {name}; "
                    "a removed segment cannot be repaired: restore it from a copy)"
                )
        return [self.directory / name for _, name in numbered]

    def strays(self) -> list[Path]:
        """Files named like segments that are not this log's (``log-000001 copy.jsonl``): never read."""
        found = []
        for name in sorted(os.listdir(self.directory)):
            if name.startswith("log-") and segment_number(name) is None and ".jsonl.torn-" not in name:
                found.append(self.directory / name)
        return found

    def _read_head_file(self) -> dict[str, Any] | None:
        path = self.directory / HEAD_FILE
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{path}: cannot read: {exc.strerror}") from None
        try:
            data = json.loads(raw, object_pairs_hook=_unique_keys)
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

    def _state(self) -> tuple[Head, Path | None, int]:
        """The acknowledged head, the last segment and the acknowledged size of that segment."""
        return self._state_of(self._read_head_file())

    def _state_of(self, data: dict[str, Any] | None) -> tuple[Head, Path | None, int]:
        """`_state`, given what ``HEAD`` holds (`_read_head_file`), checked against the records."""
        segments = self.segments()
        if data is None:
            if not segments:
                return Head(), None, 0
            # A directory written by hand or by an older tool: every complete
            # line counts, and a last line without its newline is torn.
            position, last_hash, size = self._scan_without_head(segments)
            return Head(position, last_hash), segments[-1], size
        segment = self.directory / data["segment"]
        if data["position"] == 0 and not segments:
            return Head(), None, 0
        if segment not in segments:
            raise IntegrityError(
                f"{self.directory / HEAD_FILE}: names {data['segment']}, which does not exist "
                f"(the log has {len(segments)} segment{'s' * (len(segments) != 1)}; removed?)"
            )
        actual = segment.stat().st_size
        if actual < data["size"]:
            raise IntegrityError(
                f"{segment}: truncated: {actual} bytes, the head says {data['size']} "
                f"(position {data['position']})"
            )
        head = Head(data["position"], data["hash"])
        if head.position > 0:
            self._check_head(head, segment, data["size"])
        return head, segment, data["size"]

    def _check_head(self, head: Head, segment: Path, size: int) -> None:
        """The record ending at ``size`` bytes of ``segment`` must be the one HEAD names."""
        line, number = _line_before(segment, size)
        where = f"{segment}:{number}" if number else str(segment)
        if line is None:
            raise IntegrityError(
                f"{self.directory / HEAD_FILE}: its size {size} falls inside a line of {segment.name} "
                "(HEAD edited, or records before it changed)"
            )
        try:
            record = self._parse(line, where)
        except RecordError:
            raise IntegrityError(
                f"{where}: the record HEAD ends on does not parse (records before the head were edited)"
            ) from None
        if (record.seq, record.hash) != (head.position, head.hash):
            raise IntegrityError(
                f"{self.directory / HEAD_FILE}: says position {head.position} ending in {head.hash[:12]}, "
                f"but the record it ends on ({where}) is position {record.seq} ending in {record.hash[:12]} "
                "(HEAD edited or rolled back: `chronos repair` rewrites it from the records)"
            )

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
        number = segment_number(segment.name) or 0
        return [path for path in self.segments() if (segment_number(path.name) or 0) > number]

    def head_problem(self) -> str | None:
        """Why the head cannot be trusted to say where the log ends (no ``HEAD`` beside records), or None."""
        if (self.directory / HEAD_FILE).exists() or not any(path.stat().st_size for path in self.segments()):
            return None
        return (
            f"{self.directory}: no {HEAD_FILE} beside the records, so records removed from the end cannot be "
            "noticed; `chronos repair` writes one from the records (check it against a saved head with "
            "`chronos verify --checkpoint`)"
        )

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
        if segment is None:
            return None
        extra = segment.stat().st_size - size
        later = self._later_segments(segment)
        if extra <= 0 and not later:
            return None
        return self._describe_tail(head, segment, extra, later)

    @staticmethod
    def _describe_tail(head: Head, segment: Path, extra: int, later: list[Path]) -> str:
        where = segment if extra > 0 else later[0]
        total = max(extra, 0) + sum(path.stat().st_size for path in later)
        files = f" (and {len(later)} later segment file{'s' * (len(later) > 1)})" if later else ""
        return (
            f"{where}: {total} bytes after position {head.position}{files} belong to an interrupted "
            "append (never acknowledged); run `chronos repair` to adopt a whole batch or cut a torn one "
            "after a backup"
        )

    # Repair -----------------------------------------------------------------

    def repair(self) -> Repaired | None:
        """Mend what an interrupted append (or a damaged ``HEAD``) left, removing only what is provably torn.

        Every line of every segment is read and checked (position, link and
        hash). Complete records after the acknowledged head that form whole
        batches (the last line carries the batch mark) are adopted: ``HEAD``
        moves forward to them. What follows the last whole batch (a torn line,
        or the first lines of a batch whose last line never landed) is cut off
        after a backup beside the segment. ``HEAD`` is rewritten from the
        records when it is missing or unreadable. A torn last line of the
        catalogue's history is cut too.

        Raises `IntegrityError`, changing nothing, for anything else: a record
        that is not a valid continuation of the ones before it (an edit, a
        git merge), records missing before ``HEAD``'s position, or a missing
        segment. Returns None when there was nothing to do.
        """
        with self._locked():
            try:
                data = self._read_head_file()
            except IntegrityError:
                data = None  # unreadable: rebuilt from the records below
                head_broken = True
            else:
                head_broken = False
            lines = list(self._all_lines())
            good = self._good_prefix(lines)
            acknowledged = self._acknowledged(data, lines, good)
            adopt_to = acknowledged
            marked = any(line.marked for line in lines[:good])
            for index in range(acknowledged, good):
                if lines[index].marked or (data is None and not marked):
                    adopt_to = index + 1
            if good < len(lines):
                bad = lines[good]
                if bad.problem != _TORN or bad is not lines[-1]:
                    raise IntegrityError(
                        f"{bad.segment}:{bad.number}: {bad.problem}; repair removes only a torn end, and "
                        "this line does not continue the log (an edited record, or lines from another copy "
                        "such as a git merge): nothing changed, restore the file from a copy"
                    )
            history_cut = self._cut_history_tail()
            self._remove_temporaries()
            keep = lines[adopt_to - 1] if adopt_to else None
            cut_from = (keep.segment, keep.end) if keep else self._first_position()
            cut, backup = self._cut_after(*cut_from) if cut_from is not None else (0, None)
            position = keep.record.seq if keep is not None and keep.record is not None else 0
            last_hash = keep.record.hash if keep is not None and keep.record is not None else GENESIS
            new_head = Head(position, last_hash)
            wanted_segment = keep.segment.name if keep is not None else _segment_name(1)
            wanted_size = keep.end if keep is not None else 0
            rewrite = (
                head_broken
                or data is None
                or (data["position"], data["hash"], data["segment"], data["size"])
                != (position, last_hash, wanted_segment, wanted_size)
            )
            if rewrite and (lines or data is not None or head_broken):
                if keep is None:
                    (self.directory / wanted_segment).touch()
                try:
                    self._write_head(new_head, wanted_segment, wanted_size, catalogue=self._history_count())
                except OSError as exc:
                    raise StoreError(f"{HEAD_FILE}: cannot write: {exc.strerror}; run repair again") from None
            adopted = adopt_to - acknowledged if data is not None else 0
            if not (adopted or cut or rewrite or history_cut):
                return None
            return Repaired(position, adopted, cut, backup, rewrite, history_cut)

    def _all_lines(self) -> Iterator[_Line]:
        """Every line of every segment, parsed, with where it lies and whether it ends a batch."""
        for path in self.segments():
            offset = 0
            with path.open("rb") as handle:
                for number, line in enumerate(handle, start=1):
                    start, offset = offset, offset + len(line)
                    if not line.endswith(b"\n"):
                        yield _Line(path, number, start, offset, None, False, _TORN)
                        continue
                    try:
                        record = self._parse(line, f"{path}:{number}")
                    except RecordError as exc:
                        yield _Line(path, number, start, offset, None, False, str(exc).split(": ", 1)[-1])
                        continue
                    yield _Line(path, number, start, offset, record, line.endswith(END_MARK), None)

    @staticmethod
    def _good_prefix(lines: list[_Line]) -> int:
        """How many lines from the first form a valid chain (position, link, hash)."""
        prev = GENESIS
        for index, line in enumerate(lines):
            record = line.record
            if record is None:
                return index
            problem = None
            if record.seq != index + 1:
                problem = f"position {record.seq} where {index + 1} belongs"
            elif record.prev != prev:
                problem = "does not follow the record before it"
            elif record.hash != record.expected_hash():
                problem = "content does not match its hash (edited record)"
            if problem is not None:
                lines[index] = attrs.evolve(line, record=None, problem=problem)
                return index
            prev = record.hash
        return len(lines)

    def _acknowledged(self, data: dict[str, Any] | None, lines: list[_Line], good: int) -> int:
        """How many records HEAD acknowledges, found by its hash among the valid ones.

        HEAD's hash must be that of one of the valid records (its position and
        size are then only hints); a HEAD past the valid records, or naming a
        record the log does not hold, is refused.
        """
        if data is None:
            return 0
        position = data["position"]
        if position > good:
            first_bad = lines[good] if good < len(lines) else None
            where = f" ({first_bad.segment}:{first_bad.number}: {first_bad.problem})" if first_bad else ""
            raise IntegrityError(
                f"{self.directory / HEAD_FILE}: acknowledges {position} records, but only the first {good} "
                f"are valid{where}: acknowledged records were removed or damaged, which repair cannot "
                "undo; nothing changed (restore the log from a copy)"
            )
        if position == 0:
            return 0
        for index in range(good):
            record = lines[index].record
            if record is not None and record.hash == data["hash"]:
                return index + 1
        there = lines[position - 1]
        raise IntegrityError(
            f"{self.directory / HEAD_FILE}: names a last record ending in {data['hash'][:12]}, which the log "
            f"does not hold (record {position} is {there.segment}:{there.number}): records were rewritten, "
            "or HEAD edited; nothing changed (if it is HEAD that was edited, remove it and repair again)"
        )

    def _first_position(self) -> tuple[Path, int] | None:
        segments = self.segments()
        return (segments[0], 0) if segments else None

    def _cut_after(self, segment: Path, size: int) -> tuple[int, Path | None]:
        """Cut everything after ``size`` bytes of ``segment`` (and later segments), after a backup."""
        later = self._later_segments(segment)
        extra = segment.stat().st_size - size
        if extra <= 0 and not later:
            return 0, None
        total = max(extra, 0) + sum(path.stat().st_size for path in later)
        return total, self._cut(segment, size, later)

    def _cut(self, segment: Path, size: int, later: list[Path]) -> Path:
        # The backup is durable before anything is cut, so a crash here loses nothing.
        stamp = time.strftime("%Y%m%dT%H%M%S")
        backup = segment.with_name(f"{segment.name}.torn-{stamp}")
        number = 1
        while backup.exists():
            number += 1
            backup = segment.with_name(f"{segment.name}.torn-{stamp}-{number}")
        with backup.open("xb") as out:
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

    def _remove_temporaries(self) -> None:
        """Remove what a writer killed before its rename left (under the lock, so no writer is mid-way)."""
        for name in (HEAD_FILE, CATALOGUE_FILE):
            for path in self.directory.glob(f".{name}.*.tmp"):
                with contextlib.suppress(OSError):
                    path.unlink()

    def _cut_history_tail(self) -> int:
        path = self.directory / HISTORY_FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return 0
        keep = data.rfind(b"\n") + 1
        if keep == len(data):
            return 0
        backup = path.with_name(f"{path.name}.torn-{time.strftime('%Y%m%dT%H%M%S')}")
        with backup.open("wb") as out:
            out.write(data[keep:])
            out.flush()
            os.fsync(out.fileno())
        with path.open("r+b") as handle:
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_path(self.directory)
        return len(data) - keep

    @contextmanager
    def _locked(self, *, shared: bool = False) -> Iterator[None]:
        try:
            lock = (self.directory / LOCK_FILE).open("a")
        except OSError as exc:
            if not shared:
                raise StoreError(
                    f"{self.directory / LOCK_FILE}: cannot take the lock: {exc.strerror}"
                ) from None
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
        """Append the batch atomically if the position is still ``expected_position``.

        A write that fails (a full disk, a file-size limit, an I/O error) is
        undone: the segment is cut back to its last acknowledged byte, and the
        error is raised as a `StoreError` saying nothing was appended.
        """
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
            catalogue = 0 if head_file is None else int(head_file.get("catalogue", 0))
            if head_file is None:
                try:
                    segment = self._adopt(head, segment, size)
                except OSError as exc:
                    raise _failed(HEAD_FILE, exc) from None
            payload = b"".join([r.to_line() for r in records])
            payload = payload[:-2] + END_MARK  # the batch mark, on its last line
            new_segment = segment is None or (size > 0 and size + len(payload) > self.segment_bytes)
            if new_segment:
                number = len(self.segments()) + 1
                segment, size = self.directory / _segment_name(number), 0
            assert segment is not None
            self._write_batch(segment, size, payload, new=new_segment)
            last = records[-1]
            new_head = Head(last.seq, last.hash)
            data = _head_json(new_head, segment.name, size + len(payload), catalogue)
            try:
                temporary = _temporary(self.directory, HEAD_FILE, data)
                try:
                    os.replace(temporary, self.directory / HEAD_FILE)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)
                    raise
            except OSError as exc:
                self._undo(segment, size, new=new_segment)
                raise _failed(HEAD_FILE, exc) from None
            try:
                _fsync_path(self.directory)
            except OSError as exc:
                # HEAD was replaced: the append is there for every reader, only not yet durable.
                raise StoreError(
                    f"{self.directory}: appended, but the directory could not be synced ({exc.strerror}): "
                    "the append may not survive a crash; `chronos verify` says whether it is there"
                ) from None
            return new_head

    def _write_batch(self, segment: Path, size: int, payload: bytes, *, new: bool) -> None:
        try:
            fd = os.open(segment, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise _failed(segment.name, exc) from None
        try:
            _write_all(fd, payload)
            os.fsync(fd)
            if new:
                _fsync_path(self.directory)
        except OSError as exc:
            os.close(fd)
            self._undo(segment, size, new=new)
            raise _failed(segment.name, exc) from None
        os.close(fd)

    def _undo(self, segment: Path, size: int, *, new: bool) -> None:
        """Cut a failed append's bytes off, so that a failed append leaves the log as it was."""
        try:
            if new:
                with contextlib.suppress(FileNotFoundError):
                    segment.unlink()
            else:
                os.truncate(segment, size)
                fd = os.open(segment, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            _fsync_path(self.directory)
        except OSError as exc:
            raise StoreError(
                f"{segment}: an append failed and its bytes could not be cut off ({exc.strerror}); "
                "until `chronos repair` (which adopts a whole batch and cuts a torn one) appends are refused"
            ) from None

    def _adopt(self, head: Head, segment: Path | None, size: int) -> Path:
        """Write a HEAD for a directory without one, so that an interrupted append shows as a tail."""
        if segment is None:
            segment = self.directory / _segment_name(1)
            segment.touch()
        self._write_head(head, segment.name, size, catalogue=self._history_count())
        return segment

    def _write_head(self, head: Head, segment: str, size: int, *, catalogue: int = 0) -> None:
        data: dict[str, Any] = {
            "position": head.position,
            "hash": head.hash,
            "segment": segment,
            "size": size,
        }
        if catalogue:
            data["catalogue"] = catalogue
        _replace(self.directory, HEAD_FILE, (json.dumps(data, indent=2) + "\n").encode())

    def read(self, *, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Records with ``after < position <= until``, in order, up to the acknowledged head.

        Each record's position and link to the one before it are checked as it
        is read: a removed, repeated or reordered record is an `IntegrityError`
        naming its file and line. A whole read (from the start) warns of bytes
        after the head and of stray files.
        """
        head_file = self._read_head_file()
        head, last_segment, last_size = self._state_of(head_file)
        if after <= 0:
            self._notice(head_file, head, last_segment, last_size)
        stop = head.position if until is None else min(until, head.position)
        position = 0
        prev: str | None = None
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
                    record = self._parse(line, f"{where}{number}")
                    if record.seq != position:
                        raise IntegrityError(
                            f"{where}{number}: position {record.seq} where {position} belongs "
                            "(removed, repeated or reordered records)"
                        )
                    if prev is not None and record.prev != prev:
                        raise IntegrityError(
                            f"{where}{number}: does not follow the record before it "
                            "(removed or reordered records)"
                        )
                    prev = record.hash
                    yield record
            if path == last_segment:
                break
        if position < stop:
            raise IntegrityError(
                f"{self.directory}: the segments hold {position} records, HEAD says {head.position} "
                "(records removed)"
            )

    def _notice(self, head_file: dict[str, Any] | None, head: Head, segment: Path | None, size: int) -> None:
        """Warn of what a reader should know but need not stop for: a tail, strays, no HEAD."""
        for stray in self.strays():
            self._warn(f"{stray}: not a segment of this log (segments are log-NNNNNN.jsonl); ignored")
        if head_file is None:
            if head.position:
                self._warn(
                    f"{self.directory}: no {HEAD_FILE}, so records removed from the end cannot be noticed "
                    "(`chronos repair` writes one from the records)"
                )
            return
        problem = self._tail_of(head, segment, size) if segment is not None else None
        if problem is not None:
            # Most likely a live writer's batch: ask again once it is done (a shared lock waits for it).
            problem = self.tail()
        if problem is not None:
            self._warn(problem.replace("; run", ", not read; run"))

    @staticmethod
    def _parse(line: bytes, origin: str) -> Record:
        try:
            data = _loads(line)
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

    # The catalogue ------------------------------------------------------------

    def read_catalogue(self) -> str | None:
        """The text of ``catalogue.toml`` in the directory, or None when there is none."""
        path = self.directory / CATALOGUE_FILE
        try:
            # newline="": the text exactly as written, carriage returns included.
            with path.open(encoding="utf-8", newline="") as handle:
                return handle.read()
        except FileNotFoundError:
            return None
        except UnicodeDecodeError as exc:
            raise StoreError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None

    def write_catalogue(self, text: str) -> None:
        """Replace ``catalogue.toml`` atomically (a unique temporary file, fsync, rename, fsync)."""
        with self._locked():
            try:
                _replace(self.directory, CATALOGUE_FILE, text.encode("utf-8"))
            except OSError as exc:
                raise _failed(CATALOGUE_FILE, exc, what="changed") from None

    def read_catalogue_history(self) -> list[str]:
        """The entries of ``catalogue-history.jsonl``, oldest first (a torn last line is left out)."""
        path = self.directory / HISTORY_FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        try:
            # Split on newlines only: an entry may hold U+2028 or U+0085, which splitlines() breaks at.
            return complete.decode("utf-8").split("\n")[:-1]
        except UnicodeDecodeError as exc:
            raise IntegrityError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None

    def catalogue_history_problem(self) -> str | None:
        """What is wrong with the history file as bytes (a torn last line, fewer entries than HEAD says)."""
        path = self.directory / HISTORY_FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        if data and not data.endswith(b"\n"):
            torn = len(data) - data.rfind(b"\n") - 1
            return (
                f"{path}: torn last entry ({torn} bytes without a newline: "
                "an interrupted catalogue write); run `chronos repair` to cut it off after a backup"
            )
        head = self._read_head_file()
        expected = 0 if head is None else int(head.get("catalogue", 0))
        count = data.count(b"\n")
        if count < expected:
            return (
                f"{path}: holds {count} entr{'ies' if count != 1 else 'y'}, HEAD says {expected} "
                "(the catalogue's history was truncated or removed)"
            )
        return None

    def update_catalogue(
        self, change: Callable[[str | None, list[str]], tuple[str, list[str]] | None]
    ) -> None:
        """Under the write lock: ``change(text, history)`` gives the new text and the entries to add.

        The new text is written to a unique temporary file and fsynced, the
        entries are appended to the history and fsynced, then the text is
        renamed over ``catalogue.toml`` and ``HEAD`` counts the entries. A
        crash between the two leaves an entry whose text never landed, which
        `chronos.catalogue_history` recognises (the text is the one the entry
        replaced) and `chronos repair` completes.
        """
        with self._locked():
            problem = self.catalogue_history_problem()
            if problem is not None:
                raise IntegrityError(problem)
            result = change(self.read_catalogue(), self.read_catalogue_history())
            if result is None:
                return
            text, entries = result
            try:
                temporary = _temporary(self.directory, CATALOGUE_FILE, text.encode("utf-8"))
            except OSError as exc:
                raise _failed(CATALOGUE_FILE, exc, what="changed") from None
            path = self.directory / HISTORY_FILE
            kept = path.stat().st_size if path.exists() else None
            try:
                if entries:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                    try:
                        _write_all(fd, "".join(entry + "\n" for entry in entries).encode("utf-8"))
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                os.replace(temporary, self.directory / CATALOGUE_FILE)
            except OSError as exc:
                # Undo what landed, so that a failed change leaves catalogue and history as they were.
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                try:
                    if kept is None:
                        path.unlink(missing_ok=True)
                    elif entries:
                        os.truncate(path, kept)
                except OSError:
                    raise StoreError(
                        f"{CATALOGUE_FILE}: cannot write: {exc.strerror}, and the history's new entry could "
                        "not be taken back: `chronos repair` completes the change once the disk allows"
                    ) from None
                raise _failed(CATALOGUE_FILE, exc, what="changed") from None
            with contextlib.suppress(OSError):
                # Only a hint that makes a removed history noticed: a change that landed stands.
                _fsync_path(self.directory)
                self._count_history()

    def _history_count(self) -> int:
        return len(self.read_catalogue_history())

    def _count_history(self) -> None:
        """Note in HEAD how many entries the catalogue's history holds (a removed history is then noticed)."""
        head_file = self._read_head_file()
        count = self._history_count()
        if head_file is None:
            head, segment, size = self._state_of(None)
            if segment is None:
                segment = self.directory / _segment_name(1)
                segment.touch()
            self._write_head(head, segment.name, size, catalogue=count)
            return
        self._write_head(
            Head(head_file["position"], head_file["hash"]),
            head_file["segment"],
            head_file["size"],
            catalogue=count,
        )

    def close(self) -> None:
        """Nothing stays open between calls."""


_RECORD_TYPES = (int, int, str, dict, str, str)
#: The process's umask, read once (setting it is the only way to read it).
_UMASK: Final = os.umask(0o022)
os.umask(_UMASK)
_TORN: Final = "a torn line (no newline at its end)"


def _head_json(head: Head, segment: str, size: int, catalogue: int) -> bytes:
    """What ``HEAD`` holds: the acknowledged position, hash, last segment and its size (and history count)."""
    data: dict[str, Any] = {"position": head.position, "hash": head.hash, "segment": segment, "size": size}
    if catalogue:
        data["catalogue"] = catalogue
    return (json.dumps(data, indent=2) + "\n").encode()


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key[:80]!r} twice")
        found[key] = value
    return found


def _line_before(path: Path, size: int) -> tuple[bytes | None, int]:
    """The complete line ending at byte ``size`` of ``path`` (None when ``size`` is not a line's end).

    Reads backwards in growing chunks, so it costs one small read for the usual line.
    """
    with path.open("rb") as handle:
        chunk = 4096
        while True:
            start = max(0, size - chunk)
            handle.seek(start)
            data = handle.read(size - start)
            if not data.endswith(b"\n"):
                return None, 0
            cut = data.rfind(b"\n", 0, len(data) - 1)
            if cut >= 0:
                return data[cut + 1 :], 0
            if start == 0:
                return data, 1
            chunk *= 4


def _failed(name: str, exc: OSError, *, what: str = "appended") -> StoreError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = f"{reason} (the disk is full)"
    elif exc.errno == errno.EFBIG:
        reason = f"{reason} (a file-size limit)"
    return StoreError(f"{name}: cannot write: {reason}; nothing was {what}, the log is as it was")


def _temporary(directory: Path, name: str, data: bytes) -> str:
    """Write ``data`` to a new, uniquely named file beside ``name`` and fsync it; return its path.

    The file gets the mode of the one it will replace, or the usual one for a new file (mkstemp's
    own is private to the owner). Raises `OSError`, leaving nothing behind.
    """
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        try:
            mode = (directory / name).stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o666 & ~_UMASK
        os.fchmod(fd, mode)
        _write_all(fd, data)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    os.close(fd)
    return temporary


def _replace(directory: Path, name: str, data: bytes) -> None:
    """Replace ``directory / name`` by ``data`` atomically: a unique temporary file, fsync, rename, fsync.

    Raises `OSError` (the temporary file removed) for the caller to undo what came before it.
    """
    temporary = _temporary(directory, name, data)
    try:
        os.replace(temporary, directory / name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_path(directory)


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
        raise RecordError(f"record field {key!r} missing or not a {kind.__name__}: {str(value)[:80]!r}")
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
