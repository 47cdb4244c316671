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
import fcntl
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chronos.errors import IntegrityError, IntegrityWarning, RecordError, StoreError
from chronos.stores import _jsonl_catalogue, _jsonl_repair
from chronos.stores._durable import (
    fsync_path,
    replace_file,
    temporary_file,
    write_all,
    write_failed,
)
from chronos.stores._jsonl_format import (
    CATALOGUE_FILE,
    END_MARK,
    HEAD_FILE,
    HISTORY_FILE,
    LOCK_FILE,
    OWN,
    SEGMENT_BYTES,
    check_head,
    describe_tail,
    head_json,
    parse_head,
    parse_line,
    scan_without_head,
    segment_name,
    segment_number,
)
from chronos.stores._jsonl_repair import Repaired
from chronos.stores.base import check_batch, stale, wait_by_polling
from chronos.stores.records import Head, Lines, Record

__all__ = ["CATALOGUE_FILE", "HEAD_FILE", "HISTORY_FILE", "JsonlStore", "Repaired", "segment_number"]


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
            # exist_ok: two writers creating the same new log at once (concurrent imports) both go on.
            self.directory.mkdir(parents=True, exist_ok=True)
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
        if any(name in OWN or segment_number(name) is not None for name in names):
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
                    f"{self.directory / segment_name(expected)}: missing (the segments go on with {name}; "
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
        return parse_head(raw, path)

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
            position, last_hash, size = scan_without_head(segments)
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
            check_head(self.directory / HEAD_FILE, head, segment, data["size"])
        return head, segment, data["size"]

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
        return describe_tail(head, segment, extra, later)

    # Repair -----------------------------------------------------------------

    def repair(self) -> Repaired | None:
        """Mend what an interrupted append (or a damaged ``HEAD``) left, removing only what is provably torn.

        See `chronos.stores._jsonl_repair.repair`.
        """
        return _jsonl_repair.repair(self)

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
            if isinstance(records, Lines):  # made by `Chain.line`: the lines to write, and where they end
                if records.first != head.position + 1:
                    raise RecordError(f"record seq {records.first} does not follow position {head.position}")
                payload, new_head = records.payload(), records.head
            else:
                check_batch(head, records, expected_position)
                payload = b"".join([r.to_line() for r in records])
                new_head = Head(records[-1].seq, records[-1].hash)
            catalogue = 0 if head_file is None else int(head_file.get("catalogue", 0))
            if head_file is None:
                try:
                    segment = self._adopt(head, segment, size)
                except OSError as exc:
                    raise write_failed(HEAD_FILE, exc) from None
            payload = payload[:-2] + END_MARK  # the batch mark, on its last line
            new_segment = segment is None or (size > 0 and size + len(payload) > self.segment_bytes)
            if new_segment:
                number = len(self.segments()) + 1
                segment, size = self.directory / segment_name(number), 0
            assert segment is not None
            self._write_batch(segment, size, payload, new=new_segment)
            data = head_json(new_head, segment.name, size + len(payload), catalogue)
            try:
                temporary = temporary_file(self.directory, HEAD_FILE, data)
                try:
                    os.replace(temporary, self.directory / HEAD_FILE)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)
                    raise
            except OSError as exc:
                self._undo(segment, size, new=new_segment)
                raise write_failed(HEAD_FILE, exc) from None
            try:
                fsync_path(self.directory)
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
            raise write_failed(segment.name, exc) from None
        try:
            write_all(fd, payload)
            os.fsync(fd)
            if new:
                fsync_path(self.directory)
        except OSError as exc:
            os.close(fd)
            self._undo(segment, size, new=new)
            raise write_failed(segment.name, exc) from None
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
            fsync_path(self.directory)
        except OSError as exc:
            raise StoreError(
                f"{segment}: an append failed and its bytes could not be cut off ({exc.strerror}); "
                "until `chronos repair` (which adopts a whole batch and cuts a torn one) appends are refused"
            ) from None

    def _adopt(self, head: Head, segment: Path | None, size: int) -> Path:
        """Write a HEAD for a directory without one, so that an interrupted append shows as a tail."""
        if segment is None:
            segment = self.directory / segment_name(1)
            segment.touch()
        self._write_head(head, segment.name, size, catalogue=self._history_count())
        return segment

    def _write_head(self, head: Head, segment: str, size: int, *, catalogue: int = 0) -> None:
        replace_file(self.directory, HEAD_FILE, head_json(head, segment, size, catalogue))

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
                    record = parse_line(line, f"{where}{number}")
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

    def wait(self, *, after: int, timeout: float) -> bool:
        """Poll ``HEAD`` until the log holds more than ``after`` records or ``timeout`` passes."""
        return wait_by_polling(self.head, after=after, timeout=timeout)

    # The catalogue (chronos.stores._jsonl_catalogue) -------------------------

    def read_catalogue(self) -> str | None:
        """The text of ``catalogue.toml`` in the directory, or None when there is none."""
        return _jsonl_catalogue.read_catalogue(self)

    def write_catalogue(self, text: str) -> None:
        """Replace ``catalogue.toml`` atomically (a unique temporary file, fsync, rename, fsync)."""
        _jsonl_catalogue.write_catalogue(self, text)

    def read_catalogue_history(self) -> list[str]:
        """The entries of ``catalogue-history.jsonl``, oldest first (a torn last line is left out)."""
        return _jsonl_catalogue.read_catalogue_history(self)

    def catalogue_history_problem(self) -> str | None:
        """What is wrong with the history file as bytes (a torn last line, fewer entries than HEAD says)."""
        return _jsonl_catalogue.catalogue_history_problem(self)

    def update_catalogue(
        self, change: Callable[[str | None, list[str]], tuple[str, list[str]] | None]
    ) -> None:
        """Under the write lock: ``change(text, history)`` gives the new text and the entries to add.

        See `chronos.stores._jsonl_catalogue.update_catalogue`.
        """
        _jsonl_catalogue.update_catalogue(self, change)

    def _history_count(self) -> int:
        return len(self.read_catalogue_history())

    def close(self) -> None:
        """Nothing stays open between calls."""
