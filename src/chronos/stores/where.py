"""Whether a location holds a log: opening never makes one, and making one never overwrites.

`expect_log` is what `EventLog.open` asks before opening a path (a typo makes
no folder); `expect_new` what `EventLog.create` asks before making a log there.
Servers (``postgresql://``) and ``:memory:`` are the stores' to judge.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from chronos.errors import StoreError
from chronos.stores import SQLITE_SUFFIXES
from chronos.stores.jsonl import CATALOGUE_FILE, HEAD_FILE

__all__ = ["expect_log", "expect_new", "holds_log"]


def _path_of(location: str | Path) -> Path | None:
    """The file or directory a location names (``sqlite:///FILE`` included); None for servers and memory."""
    text = str(location)
    if text.lower().startswith("sqlite:///"):
        return Path(text[len("sqlite:///") :])
    return None if "://" in text or text == ":memory:" else Path(text)


def holds_log(directory: Path) -> bool:
    """True when ``directory`` has a log's files: a head, a catalogue or a segment."""
    names = {path.name for path in directory.iterdir()}
    return bool({HEAD_FILE, CATALOGUE_FILE} & names) or any(n.startswith("log-") for n in names)


def expect_log(location: str | Path) -> None:
    """Raise `StoreError` unless a path location holds a log (URLs are the store's to check)."""
    path = _path_of(location)
    if path is None:
        return
    hint = f"make one with `chronos init {shlex.quote(str(location))}` (or EventLog.create)"
    if not path.exists():
        raise StoreError(f"{location}: no such log ({hint})")
    if path.is_dir() and not holds_log(path):
        raise StoreError(
            f"{location}: not a chronos log, no HEAD, catalogue.toml or log-*.jsonl in it ({hint})"
        )


def expect_new(location: str | Path) -> None:
    """Raise `StoreError` when a path location is a directory holding other files, or an existing file."""
    path = _path_of(location)
    if path is None:
        return
    if path.is_dir():
        if any(path.iterdir()) and not holds_log(path):
            raise StoreError(f"{location}: not empty and not a log; give a new or empty directory")
    elif path.exists() and path.suffix.lower() not in SQLITE_SUFFIXES:
        raise StoreError(f"{location}: a file, not a log; give a new or empty directory or a new .db file")
