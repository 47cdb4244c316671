"""The catalogue files of a JSON Lines log: ``catalogue.toml`` and its chained history.

`JsonlStore`'s catalogue methods are these functions. Every change goes
through `update_catalogue`, under the log's write lock: the history entry is
durable before the new text is renamed into place, so a crash between them
leaves something `chronos repair` can complete.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from chronos.errors import IntegrityError, StoreError
from chronos.stores._durable import fsync_path, replace_file, temporary_file, write_all, write_failed
from chronos.stores._jsonl_format import CATALOGUE_FILE, HISTORY_FILE, segment_name
from chronos.stores.records import Head

if TYPE_CHECKING:
    from chronos.stores.jsonl import JsonlStore


def read_catalogue(store: JsonlStore) -> str | None:
    """The text of ``catalogue.toml`` in the directory, or None when there is none."""
    path = store.directory / CATALOGUE_FILE
    try:
        # newline="": the text exactly as written, carriage returns included.
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def write_catalogue(store: JsonlStore, text: str) -> None:
    """Replace ``catalogue.toml`` atomically (a unique temporary file, fsync, rename, fsync)."""
    with store._locked():
        try:
            replace_file(store.directory, CATALOGUE_FILE, text.encode("utf-8"))
        except OSError as exc:
            raise write_failed(CATALOGUE_FILE, exc, what="changed") from None


def read_catalogue_history(store: JsonlStore) -> list[str]:
    """The entries of ``catalogue-history.jsonl``, oldest first (a torn last line is left out)."""
    path = store.directory / HISTORY_FILE
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


def catalogue_history_problem(store: JsonlStore) -> str | None:
    """What is wrong with the history file as bytes (a torn last line, fewer entries than HEAD says)."""
    path = store.directory / HISTORY_FILE
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
    head = store._read_head_file()
    expected = 0 if head is None else int(head.get("catalogue", 0))
    count = data.count(b"\n")
    if count < expected:
        return (
            f"{path}: holds {count} entr{'ies' if count != 1 else 'y'}, HEAD says {expected} "
            "(the catalogue's history was truncated or removed)"
        )
    return None


def update_catalogue(
    store: JsonlStore, change: Callable[[str | None, list[str]], tuple[str, list[str]] | None]
) -> None:
    """Under the write lock: ``change(text, history)`` gives the new text and the entries to add.

    The new text is written to a unique temporary file and fsynced, the
    entries are appended to the history and fsynced, then the text is
    renamed over ``catalogue.toml`` and ``HEAD`` counts the entries. A
    crash between the two leaves an entry whose text never landed, which
    `chronos.catalogue_history` recognises (the text is the one the entry
    replaced) and `chronos repair` completes.
    """
    with store._locked():
        problem = catalogue_history_problem(store)
        if problem is not None:
            raise IntegrityError(problem)
        result = change(read_catalogue(store), read_catalogue_history(store))
        if result is None:
            return
        text, entries = result
        try:
            temporary = temporary_file(store.directory, CATALOGUE_FILE, text.encode("utf-8"))
        except OSError as exc:
            raise write_failed(CATALOGUE_FILE, exc, what="changed") from None
        path = store.directory / HISTORY_FILE
        kept = path.stat().st_size if path.exists() else None
        try:
            if entries:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                try:
                    write_all(fd, "".join(entry + "\n" for entry in entries).encode("utf-8"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
            os.replace(temporary, store.directory / CATALOGUE_FILE)
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
            raise write_failed(CATALOGUE_FILE, exc, what="changed") from None
        with contextlib.suppress(OSError):
            # Only a hint that makes a removed history noticed: a change that landed stands.
            fsync_path(store.directory)
            _count_history(store)


def _history_count(store: JsonlStore) -> int:
    return len(read_catalogue_history(store))


def _count_history(store: JsonlStore) -> None:
    """Note in HEAD how many entries the catalogue's history holds (a removed history is then noticed)."""
    head_file = store._read_head_file()
    count = store._history_count()
    if head_file is None:
        head, segment, size = store._state_of(None)
        if segment is None:
            segment = store.directory / segment_name(1)
            segment.touch()
        store._write_head(head, segment.name, size, catalogue=count)
        return
    store._write_head(
        Head(head_file["position"], head_file["hash"]),
        head_file["segment"],
        head_file["size"],
        catalogue=count,
    )
