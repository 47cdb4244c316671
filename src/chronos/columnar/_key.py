"""The hash of a log's catalogue, the part of a projection's key that costs the most to find.

A projection is kept for one catalogue text (its SHA-256 is in the key). At a
million events the catalogue is about 23 MB: reading and hashing it took
longer than everything else a re-open does. So for a JSON Lines log the hash
is remembered beside the projections (``catalogue.json``) with the file's
identity (inode, size, modification and change times), and reused while the
file is unchanged. As git does for its index ("racily clean" files), the
hash is remembered only for a file that had not been modified for
`SETTLED_NS` when it was read and that did not change while it was read: an
edit made later gives the file a later modification time and a new change
time, so the remembered hash no longer matches; the text itself is read only
when an answer needs the catalogue, and then checked against the hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from chronos.errors import StoreError
from chronos.stores.base import Store
from chronos.stores.jsonl import JsonlStore

__all__ = ["MEMO", "SETTLED_NS", "catalogue_digest", "digest"]

#: The file, in a log's projection folder, that remembers its catalogue's hash.
MEMO = "catalogue.json"
#: How long a catalogue must have been left alone before its hash is remembered.
SETTLED_NS = 2_000_000_000


def digest(text: str | None) -> str:
    """The SHA-256 of a catalogue text (of "" when there is none)."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def catalogue_digest(store: Store, folder: Path | None) -> tuple[str, Callable[[], str | None]]:
    """The hash of the catalogue of ``store``, and a function that gives its text (read once, when asked).

    ``folder`` is where the log's projections are kept (None: nowhere, so nothing is remembered).
    """
    path = store.directory / "catalogue.toml" if isinstance(store, JsonlStore) else None
    if path is None or folder is None:
        text = store.read_catalogue()
        return digest(text), lambda: text
    before = _identity(path)
    memo = _read_memo(folder / MEMO)
    if before is not None and memo is not None and memo.get("stat") == before:
        remembered = str(memo["sha256"])
        return remembered, _checked(store, remembered, folder / MEMO)
    text = store.read_catalogue()
    found = digest(text)
    if before is not None and before == _identity(path) and before[2] < time.time_ns() - SETTLED_NS:
        with contextlib.suppress(OSError):
            _write_memo(folder, {"stat": before, "sha256": found})
    return found, lambda: text


def _checked(store: Store, expected: str, memo: Path) -> Callable[[], str | None]:
    """The catalogue text, read on first call and held to the hash the key was made with.

    A text that does not match is an error, and the memo is removed: the next open hashes the text.
    """
    kept: list[str | None] = []

    def text() -> str | None:
        if not kept:
            found = store.read_catalogue()
            if digest(found) != expected:
                with contextlib.suppress(OSError):
                    memo.unlink()
                raise StoreError(f"{store.catalogue_origin}: changed since the log was opened: open it again")
            kept.append(found)
        return kept[0]

    return text


def _identity(path: Path) -> list[int] | None:
    """What changes whenever the file does: inode, size, modification and change times (None: no file)."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return [found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns]


def _read_memo(path: Path) -> dict[str, object] | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and isinstance(found.get("sha256"), str) else None


def _write_memo(folder: Path, memo: dict[str, object]) -> None:
    """Write the memo atomically (a reader sees the old one or the new one)."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{MEMO}.{os.getpid()}"
    temporary.write_text(json.dumps(memo), encoding="utf-8")
    os.replace(temporary, folder / MEMO)
