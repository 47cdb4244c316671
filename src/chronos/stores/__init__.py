"""Where a log's records live: one module per backend, all behind the `Store` protocol.

`open_store` opens a log by its location:

==================================================  ==============================================
``events/`` (any directory)                         `JsonlStore`: JSON Lines segments, for git
``sqlite:///log.db``, ``sqlite:////abs/log.db``,    `SqliteStore`: one SQLite file (WAL)
or a path ending ``.db``, ``.sqlite``, ``.sqlite3``
``postgresql://user@host:5432/db?schema=name``      `PostgresStore`: a PostgreSQL database
``:memory:``                                        `MemoryStore`: gone when the process ends
==================================================  ==============================================

`copy_store` copies a whole log, records and catalogue, between any two.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Final

from chronos.errors import StoreError
from chronos.stores.base import Store
from chronos.stores.jsonl import JsonlStore
from chronos.stores.memory import MemoryStore
from chronos.stores.postgres import PostgresStore, redact_url
from chronos.stores.records import Record
from chronos.stores.sqlite import SqliteStore

__all__ = [
    "SQLITE_SUFFIXES",
    "JsonlStore",
    "MemoryStore",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "copy_store",
    "display",
    "open_store",
]

#: A path with one of these endings names a SQLite file rather than a directory.
SQLITE_SUFFIXES: Final = (".db", ".sqlite", ".sqlite3")
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def open_store(location: str | Path, *, create: bool = True) -> Store:
    """The store at ``location``: a directory, ``sqlite:///PATH``, ``postgresql://...`` or ``:memory:``.

    Without ``create``, a missing directory or SQLite file is an error rather
    than a new empty log. A PostgreSQL database must exist; its tables are
    created on first use either way. ``sqlite:///log.db`` is relative to the
    working directory and ``sqlite:////srv/log.db`` absolute (SQLAlchemy's rule).
    """
    text = str(location)
    if text == ":memory:":
        return MemoryStore()
    scheme = _SCHEME.match(text)
    if scheme is not None:
        name = scheme.group(1).lower()
        if name in ("postgresql", "postgres"):
            return PostgresStore(text)
        if name == "sqlite":
            path = text[len("sqlite:///") :] if text.lower().startswith("sqlite:///") else ""
            if not path:
                raise StoreError(
                    f"{text}: a SQLite URL names a file: sqlite:///log.db or sqlite:////abs/log.db"
                )
            return SqliteStore(path, create=create)
        raise StoreError(
            f"{display(text)}: unknown kind of log {name!r} "
            "(give a directory, sqlite:///FILE.db or postgresql://USER@HOST/DB)"
        )
    directory = Path(text)
    if directory.suffix.lower() in SQLITE_SUFFIXES and not directory.is_dir():
        return SqliteStore(directory, create=create)
    return JsonlStore(directory, create=create)


def display(location: str | Path) -> str:
    """A log's location as it may be shown: a URL's password is hidden."""
    text = str(location)
    scheme = _SCHEME.match(text)
    return redact_url(text) if scheme and scheme.group(1).lower() in ("postgresql", "postgres") else text


def copy_store(
    source: Store, target: Store, *, batch: int = 1000, progress: Callable[[int], None] | None = None
) -> int:
    """Copy the catalogue and every record of ``source`` that ``target`` lacks; return how many.

    Records are copied exactly as stored, so the copy has the same hash chain.
    ``target`` must be empty or hold a copy of the source's first records (an
    earlier, perhaps interrupted, copy), which this continues. ``progress`` is
    called with the number of records copied after each batch.
    """
    have = target.head()
    stop = source.head().position
    if have.position:
        theirs = next(iter(source.read(after=have.position - 1, until=have.position)), None)
        if theirs is None or theirs.hash != have.hash:
            raise StoreError(
                f"{target!r} already holds {have.position} records that are not the first records of "
                f"{source!r}; copy into an empty log"
            )
    text = source.read_catalogue()
    entries = source.read_catalogue_history()

    def catalogue(old_text: str | None, old: list[str]) -> tuple[str, list[str]] | None:
        if old != entries[: len(old)]:
            raise StoreError(
                f"{target!r} holds another catalogue history than {source!r}; copy into an empty log"
            )
        if text is None or (old_text == text and len(old) == len(entries)):
            return None
        return text, entries[len(old) :]

    target.update_catalogue(catalogue)
    position = have.position
    chunk: list[Record] = []
    for record in source.read(after=position, until=stop):
        chunk.append(record)
        if len(chunk) >= batch:
            position = target.append(chunk, expected_position=position).position
            chunk = []
            if progress is not None:
                progress(position - have.position)
    if chunk:
        position = target.append(chunk, expected_position=position).position
        if progress is not None:
            progress(position - have.position)
    return position - have.position
