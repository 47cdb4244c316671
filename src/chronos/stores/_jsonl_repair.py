"""Mending a JSON Lines log after an interrupted append: adopt whole batches, cut only a torn end.

`JsonlStore.repair` is this module's `repair`. It reads every line of every
segment, finds the longest valid chain, and changes the directory only in the
ways a crash can have made necessary, refusing (and changing nothing) for
anything that looks like an edit.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from chronos.errors import IntegrityError, RecordError, StoreError
from chronos.stores._durable import fsync_path
from chronos.stores._jsonl_format import (
    CATALOGUE_FILE,
    END_MARK,
    HEAD_FILE,
    HISTORY_FILE,
    TORN,
    parse_line,
    segment_name,
)
from chronos.stores.records import GENESIS, Head, Record

if TYPE_CHECKING:
    from chronos.stores.jsonl import JsonlStore

__all__ = ["Repaired", "repair"]


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


def repair(store: JsonlStore) -> Repaired | None:
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
    with store._locked():
        try:
            data = store._read_head_file()
        except IntegrityError:
            data = None  # unreadable: rebuilt from the records below
            head_broken = True
        else:
            head_broken = False
        lines = list(_all_lines(store))
        good = _good_prefix(lines)
        acknowledged = _acknowledged(store, data, lines, good)
        adopt_to = acknowledged
        marked = any(line.marked for line in lines[:good])
        for index in range(acknowledged, good):
            if lines[index].marked or (data is None and not marked):
                adopt_to = index + 1
        if good < len(lines):
            bad = lines[good]
            if bad.problem != TORN or bad is not lines[-1]:
                raise IntegrityError(
                    f"{bad.segment}:{bad.number}: {bad.problem}; repair removes only a torn end, and "
                    "this line does not continue the log (an edited record, or lines from another copy "
                    "such as a git merge): nothing changed, restore the file from a copy"
                )
        history_cut = _cut_history_tail(store)
        _remove_temporaries(store)
        keep = lines[adopt_to - 1] if adopt_to else None
        cut_from = (keep.segment, keep.end) if keep else _first_position(store)
        cut, backup = _cut_after(store, *cut_from) if cut_from is not None else (0, None)
        position = keep.record.seq if keep is not None and keep.record is not None else 0
        last_hash = keep.record.hash if keep is not None and keep.record is not None else GENESIS
        new_head = Head(position, last_hash)
        wanted_segment = keep.segment.name if keep is not None else segment_name(1)
        wanted_size = keep.end if keep is not None else 0
        rewrite = (
            head_broken
            or data is None
            or (data["position"], data["hash"], data["segment"], data["size"])
            != (position, last_hash, wanted_segment, wanted_size)
        )
        if rewrite and (lines or data is not None or head_broken):
            if keep is None:
                (store.directory / wanted_segment).touch()
            try:
                store._write_head(new_head, wanted_segment, wanted_size, catalogue=store._history_count())
            except OSError as exc:
                raise StoreError(f"{HEAD_FILE}: cannot write: {exc.strerror}; run repair again") from None
        adopted = adopt_to - acknowledged if data is not None else 0
        if not (adopted or cut or rewrite or history_cut):
            return None
        return Repaired(position, adopted, cut, backup, rewrite, history_cut)


def _all_lines(store: JsonlStore) -> Iterator[_Line]:
    """Every line of every segment, parsed, with where it lies and whether it ends a batch."""
    for path in store.segments():
        offset = 0
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                start, offset = offset, offset + len(line)
                if not line.endswith(b"\n"):
                    yield _Line(path, number, start, offset, None, False, TORN)
                    continue
                try:
                    record = parse_line(line, f"{path}:{number}")
                except RecordError as exc:
                    yield _Line(path, number, start, offset, None, False, str(exc).split(": ", 1)[-1])
                    continue
                yield _Line(path, number, start, offset, record, line.endswith(END_MARK), None)


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


def _acknowledged(store: JsonlStore, data: dict[str, Any] | None, lines: list[_Line], good: int) -> int:
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
            f"{store.directory / HEAD_FILE}: acknowledges {position} records, but only the first {good} "
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
        f"{store.directory / HEAD_FILE}: names a last record ending in {data['hash'][:12]}, which the log "
        f"does not hold (record {position} is {there.segment}:{there.number}): records were rewritten, "
        "or HEAD edited; nothing changed (if it is HEAD that was edited, remove it and repair again)"
    )


def _first_position(store: JsonlStore) -> tuple[Path, int] | None:
    segments = store.segments()
    return (segments[0], 0) if segments else None


def _cut_after(store: JsonlStore, segment: Path, size: int) -> tuple[int, Path | None]:
    """Cut everything after ``size`` bytes of ``segment`` (and later segments), after a backup."""
    later = store._later_segments(segment)
    extra = segment.stat().st_size - size
    if extra <= 0 and not later:
        return 0, None
    total = max(extra, 0) + sum(path.stat().st_size for path in later)
    return total, _cut(store, segment, size, later)


def _cut(store: JsonlStore, segment: Path, size: int, later: list[Path]) -> Path:
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
    fsync_path(store.directory)
    with segment.open("r+b") as handle:
        handle.truncate(size)
        handle.flush()
        os.fsync(handle.fileno())
    for path in later:
        path.unlink()
    fsync_path(store.directory)
    return backup


def _remove_temporaries(store: JsonlStore) -> None:
    """Remove what a writer killed before its rename left (under the lock, so no writer is mid-way)."""
    for name in (HEAD_FILE, CATALOGUE_FILE):
        for path in store.directory.glob(f".{name}.*.tmp"):
            with contextlib.suppress(OSError):
                path.unlink()


def _cut_history_tail(store: JsonlStore) -> int:
    path = store.directory / HISTORY_FILE
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
    fsync_path(store.directory)
    return len(data) - keep
