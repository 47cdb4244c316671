"""A columnar engine: the reconciled tenures of a log as memory-mapped arrays, kept beside the log.

`open_columnar` opens a log ready to answer without decoding it: the first
open builds the projection (the object engine's fold and policy, laid out as
NumPy arrays, `chronos.columnar._build`) and writes it atomically, keyed by the
log's head hash, its catalogue's hash, the policy and the chronos version;
later opens of the same log map those arrays and decode nothing until an
answer shows an event. `Columnar` answers `roster`, `rosters`, `diff`,
`history` and `tenures` from the arrays, and rosters as known on an earlier
day from a bitemporal index built on the first such question (and kept
beside the rest), equal to `Chronology` (the property tests in
tests/test_columnar.py hold them equal); it passes every other question to
`Chronology`.

After an append, the projection kept for the log as it was is extended when
the new events only add to history (`chronos.columnar._extend`: the posts and
people they touch are refolded and kept as an overlay beside the kept arrays,
`chronos.columnar._overlay`; nothing else is copied), and built anew
otherwise; the extended projection answers at once and is written in a
background thread (the overlay alone, or compacted into full arrays once it
has grown past a bound). Events this process appended itself are folded as
it holds them (`chronos.log._recent`). Its bitemporal index is extended on the first question
that needs it, from the one kept for the log as it was
(`chronos.columnar._versions_extend`: only the posts the new events can
change are refolded).

Where the arrays are kept: for a JSON Lines log, in ``.columns/`` inside the log
directory, so the cache moves, is copied and is deleted with its log, and
two logs never share one; a directory that cannot be written, and SQLite or
PostgreSQL logs, use ``columns/`` in the user cache directory
(`chronos._fast.cache.cache_dir`), where the key also names the location.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from chronos._fast.cache import cache_dir
from chronos.columnar._build import build
from chronos.columnar._events import LogEvents, jsonl_offsets, tail_offsets
from chronos.columnar._extend import forward, grow
from chronos.columnar._key import catalogue_digest
from chronos.columnar._overlay import View, materialise
from chronos.columnar._table import RosterTable
from chronos.columnar._tables import FORMAT, Tables, load, save
from chronos.columnar._versions import build_versions
from chronos.columnar._versions_extend import earlier_versions
from chronos.columnar.engine import Columnar
from chronos.entities import Catalogue
from chronos.log import EventLog, _recent
from chronos.projections import Policy
from chronos.stores import SQLITE_SUFFIXES, open_store
from chronos.stores.jsonl import JsonlStore
from chronos.stores.records import Head

__all__ = ["FOLDER", "Columnar", "RosterTable", "columns_dir", "open_columnar"]

#: Projections kept per log (older ones are removed when a new one is written).
KEEP = 2
#: The name of the cache folder inside a JSON Lines log directory.
FOLDER = ".columns"


@functools.cache
def _version() -> str:
    """The installed chronos version: a projection written by another version is never read."""
    try:
        return importlib.metadata.version("chronos-history")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def columns_dir(location: str | Path) -> Path | None:
    """Where the projections of the log at ``location`` are kept (None: nowhere, the cache is off)."""
    path = Path(location)
    if path.is_dir() and os.access(path, os.W_OK):
        return path / FOLDER
    where = cache_dir()
    if where is None:
        return None
    return where / "columns" / hashlib.sha256(_canonical(location).encode()).hexdigest()[:16]


def _canonical(location: str | Path) -> str:
    """One spelling per log (a SQLite file or a directory by its absolute path, a URL as given)."""
    text = str(location)
    if text.lower().startswith("sqlite:///"):
        return "sqlite:///" + str(Path(text[len("sqlite:///") :]).resolve())
    if "://" in text:
        return text
    path = Path(text)
    if path.suffix.lower() in SQLITE_SUFFIXES and not path.is_dir():
        return "sqlite:///" + str(path.resolve())
    return str(path.resolve())


def open_columnar(location: str | Path, *, policy: Policy | str | None = None) -> Columnar:
    """The log at ``location`` (see `EventLog.open`) as a `Columnar` engine under ``policy``.

    Reuses the projection written for this very log (same head, same
    catalogue text, same policy and version), else builds and writes it.
    """
    chosen = Policy.parse(policy)
    store = open_store(location, create=False)
    head = store.head()
    folder = columns_dir(location)
    catalogue_hash, catalogue_text = catalogue_digest(store, folder)
    key = hashlib.sha256(
        f"{FORMAT}|{_version()}|{head.position}|{head.hash}|{catalogue_hash}|{chosen}".encode()
    ).hexdigest()[:32]

    def catalogue() -> Catalogue:
        text = catalogue_text()
        return Catalogue() if text is None else Catalogue.from_toml(text, origin=store.catalogue_origin)

    tables = load(folder / key) if folder is not None else None
    if tables is not None and tables.meta.get("head") != head.hash:
        tables = None
    saving: threading.Thread | None = None
    log = EventLog(store, Catalogue())  # decoding needs the codec, not the catalogue
    events: LogEvents | None = None
    if tables is None and folder is not None:
        grown = _extended(log, folder, head, str(chosen), catalogue_hash, catalogue)
        if grown is not None:
            tables, events = grown
            tables.meta.update(head=head.hash, catalogue=catalogue_hash, version=_version())
            saving = _keep(tables, folder, folder / key)
    if tables is None:
        tables = _build(EventLog(store, catalogue()), chosen)
        tables.meta.update(head=head.hash, catalogue=catalogue_hash, version=_version())
        # An append landing between reading the head and reading the records would put events
        # past that head into its projection: such a build answers this open, and is not kept.
        if folder is not None and tables.meta["events"] == head.position:
            with contextlib.suppress(OSError):
                save(tables, folder / key)
                _prune(folder, keep=folder / key)
            # Answer from the mapped files, as every later open does: the built arrays are freed.
            tables = load(folder / key) or tables
    if events is None:
        events = _events(log, tables)
    source = events
    engine: Columnar

    def versions() -> Tables:
        """The bitemporal index, kept inside the projection's folder once built."""
        if saving is not None:
            saving.join()  # the folder it goes in is being written
        where = None if folder is None else folder / key / "versions"
        found = load(where) if where is not None else None
        kept = found is not None
        if found is None and folder is not None:
            # After an append, refold only the posts it can change, from the index kept for the head before.
            found = earlier_versions(folder, tables, source, engine.catalogue, chosen)
        if found is None:
            found = build_versions(source.all(), engine.catalogue, chosen)
        if where is not None and not kept:
            with contextlib.suppress(OSError):
                save(found, where)
                found = load(where) or found
        return found

    engine = Columnar(tables, events, catalogue=catalogue, versions=versions)
    return engine


#: An overlay is compacted into full tables when it holds more rows than this, or than an eighth of
#: its base's: answers and the next extension read it beside the base, and it is copied on extension.
COMPACT_ROWS = 20_000


def _keep(tables: Tables, folder: Path, target: Path) -> threading.Thread:
    """Write ``tables`` (an overlay) as ``target`` in the background: as they are, or compacted when large."""
    large = _large(View(tables))
    base_path = tables.base.path if tables.base is not None else None

    def keep() -> None:
        with contextlib.suppress(OSError):
            if not folder.is_dir():
                return  # the log went (a copy deleted meanwhile): nothing to keep
            if large:
                save(materialise(tables), target)
            elif base_path is not None and base_path.parent == folder and base_path.is_dir():
                save(tables, target)
            else:
                return  # its base was pruned meanwhile: the next open extends or builds again
            _prune(folder, keep=target)

    saving = threading.Thread(target=keep, name="chronos-columns-save")
    saving.start()
    return saving


def _large(view: View) -> bool:
    """True when an overlay has grown past the bound at which it is compacted (`COMPACT_ROWS`)."""
    return view.n_rows - view.n_base > max(COMPACT_ROWS, view.n_base // 8)


def _events(log: EventLog, tables: Tables) -> LogEvents:
    """The log's events by position, from the record offsets the tables keep (an overlay's besides)."""
    base = tables.base if tables.base is not None else tables
    return LogEvents(
        log,
        segments=tables.meta.get("segments", ()),
        offsets=base.arrays.get("ev_offsets"),
        more=tables.arrays.get("x_ev_offsets"),
    )


def _manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of the projection in ``path`` (read, not loaded), None when there is none."""
    try:
        found = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _extended(
    log: EventLog,
    folder: Path,
    head: Head,
    policy: str,
    catalogue_hash: str,
    catalogue: Callable[[], Catalogue],
) -> tuple[Tables, LogEvents] | None:
    """The newest projection kept for an earlier head of this log, extended to ``head``; None if none fits.

    It fits when written by this version for this catalogue text and policy,
    and the first record after it links to its head (the log grew; nothing
    before was changed); and when what was appended only adds to history
    (`chronos.columnar._extend.forward`). The events this process appended
    are taken as it holds them (`chronos.log._recent`); others are read from
    the log. The result is an overlay on the kept projection (or on its base).
    """
    kept: list[tuple[int, Path]] = []
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            meta = _manifest(path) if path.is_dir() and not path.name.startswith(".") else None
            if (
                meta is not None
                and meta.get("format") == FORMAT
                and meta.get("catalogue") == catalogue_hash
                and meta.get("policy") == policy
                and meta.get("version") == _version()
                and 0 < int(meta.get("events", 0)) < head.position
            ):
                kept.append((int(meta["events"]), path))
    base = None
    for _count, path in sorted(kept, reverse=True):
        base = load(path)
        if base is not None:
            break
    if base is None:
        return None
    count = int(base.meta["events"])
    store = log.store
    source = _events(log, base)
    new = _recent.recall(store, after=count, prev=str(base.meta.get("head")), head=head)
    segments = list(base.meta.get("segments", ()))
    if isinstance(store, JsonlStore) and source.offsets is not None:
        # Only the new lines are read: the known offsets stay where they are (the base's, the overlay's).
        old = base.arrays.get("x_ev_offsets")
        last = old if old is not None and len(old) else source.offsets
        grown = tail_offsets(store, segments, last, head.position, before=count - len(last))
        if grown is None:
            return None
        segments, more = grown
        more = np.concatenate((old, more)) if old is not None else more
        source = LogEvents(log, segments=segments, offsets=source.offsets, more=more)
    if new is None:
        if source.offsets is None:
            records = list(log.records(after=count))
            if not records or records[0].prev != base.meta.get("head"):
                return None
            new = [source.decoded(r) for r in records]
        else:
            first = source.record(count)
            if first is None or first.prev != base.meta.get("head"):
                return None
            new = [source.event(p) for p in range(count, head.position)]
    else:
        source.keep(count, new)
    if not forward(base, new):
        return None
    engine = Columnar(base, source, catalogue=catalogue)
    tables = grow(
        base, new, catalogue=catalogue, number=engine.number, decode=engine.event, policy=Policy.parse(policy)
    )
    if source.more is not None:
        tables.arrays["x_ev_offsets"], tables.meta["segments"] = source.more, segments
    return tables, source


def _build(log: EventLog, policy: Policy) -> Tables:
    """The projection of everything in ``log``, with the byte offsets of its records when it has lines."""
    from chronos.chronology import Chronology

    chronology = Chronology.from_log(log, policy=policy)
    tables = build(chronology.events, log.catalogue, policy, state=chronology.state(), versions=False)
    if isinstance(log.store, JsonlStore):
        found = jsonl_offsets(log.store, len(chronology.events))
        if found is not None:
            tables.meta["segments"], tables.arrays["ev_offsets"] = found
    return tables


def _prune(folder: Path, *, keep: Path) -> None:
    """Remove all but the `KEEP` newest projections in ``folder`` and the bases they overlay."""
    found = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    kept = {*found[:KEEP], keep}
    for path in list(kept):
        base = (_manifest(path) or {}).get("base")
        if base is not None:
            kept.add(folder / str(base))
    for old in found:
        if old not in kept:
            shutil.rmtree(old, ignore_errors=True)
