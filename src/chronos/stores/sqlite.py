"""A store that keeps records in one SQLite file: embedded, transactional, fit for millions of events.

Two tables, created on first use, so a log can live inside an application's own database::

    chronos_records   seq INTEGER PRIMARY KEY, v, id, event (JSON text), prev, hash
    chronos_meta      key TEXT PRIMARY KEY, value: the store format and the catalogue's TOML text
    chronos_catalogue_history   n INTEGER PRIMARY KEY, entry: the catalogue's chained history

A file that cannot be written (read-only) is opened read-only: every
question can be asked of it, and appends fail with a one-line error.

The file runs in WAL mode with ``synchronous=FULL``: readers never block the
writer, and a commit is on disk before `SqliteStore.append` returns. An append
is one ``BEGIN IMMEDIATE`` transaction, which takes SQLite's write lock (across
processes, waiting up to ``timeout`` seconds for another writer), checks the
position and inserts the batch; ``seq`` is the primary key, so two appends can
never both write a position. A writer killed mid-append leaves a transaction
that SQLite rolls back when the file is next opened: nothing to repair.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from chronos.errors import RecordError, StoreError
from chronos.stores.base import CatalogueChange, check_batch, record_from_row, stale, wait_by_polling
from chronos.stores.records import Head, Record

__all__ = ["SqliteStore"]

#: The layout of the tables; a file of another format is refused, not misread.
FORMAT: Final = "1"
#: Records fetched per query while reading.
PAGE: Final = 1000

_SCHEMA: Final = """
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS chronos_records (
    seq INTEGER PRIMARY KEY CHECK (seq > 0),
    v INTEGER NOT NULL CHECK (typeof(v) = 'integer'),
    id TEXT NOT NULL CHECK (typeof(id) = 'text'),
    event TEXT NOT NULL CHECK (typeof(event) = 'text'),
    prev TEXT NOT NULL CHECK (typeof(prev) = 'text'),
    hash TEXT NOT NULL CHECK (typeof(hash) = 'text')
);
CREATE TABLE IF NOT EXISTS chronos_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO chronos_meta (key, value) VALUES ('format', '1');
COMMIT;
"""
_HISTORY: Final = """
CREATE TABLE IF NOT EXISTS chronos_catalogue_history (
    n INTEGER PRIMARY KEY CHECK (n > 0),
    entry TEXT NOT NULL CHECK (typeof(entry) = 'text')
)
"""


class SqliteStore:
    """Records in the SQLite file ``path`` (created with its tables unless ``create`` is False).

    One connection, guarded by a lock, so threads can share a store; each
    process opens its own.
    """

    keeps_lines = False

    @property
    def catalogue_origin(self) -> str:
        """Where the catalogue is kept, as error messages name it."""
        return f"{self.path} (catalogue)"

    def __init__(self, path: str | Path, *, create: bool = True, timeout: float = 60.0):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise RecordError(f"{self.path}: no such log file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # A file we may not write is read as it is: no journal-mode change, no tables created.
        self.read_only = self.path.exists() and not os.access(self.path, os.W_OK)
        try:
            if self.read_only:
                # In a directory we may not write either, SQLite cannot make its -shm file: the file
                # is then read as immutable (no locks; nobody can be writing it).
                frozen = "&immutable=1" if not os.access(self.path.parent, os.W_OK) else ""
                self._db = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro{frozen}",
                    uri=True,
                    timeout=timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                self._db = sqlite3.connect(
                    self.path, timeout=timeout, isolation_level=None, check_same_thread=False
                )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the SQLite file: {exc}") from None
        try:
            with self._errors():
                self._setup()
        except BaseException:
            self._db.close()
            raise

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    def _setup(self) -> None:
        db = self._db
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if self.read_only:
            if not {"chronos_records", "chronos_meta"} <= tables:
                raise StoreError(f"{self.path}: not a chronos log (read-only, without chronos's tables)")
        else:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            if not {"chronos_records", "chronos_meta"} <= tables:
                db.executescript(_SCHEMA)  # one transaction, so concurrent creators wait for each other
            if "chronos_catalogue_history" not in tables:
                db.execute(_HISTORY)
        row = db.execute("SELECT value FROM chronos_meta WHERE key = 'format'").fetchone()
        if row is None or row[0] != FORMAT:
            found = "none" if row is None else repr(row[0])
            raise StoreError(
                f"{self.path}: unknown chronos store format {found} (this chronos reads {FORMAT})"
            )

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn SQLite's errors into one-line `ChronosError` naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction: SQLite's write lock from the start, rolled back on any error."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # Protocol ---------------------------------------------------------------

    def head(self) -> Head:
        """The current position and last hash."""
        with self._lock, self._errors():
            return self._head()

    def _head(self) -> Head:
        row = self._db.execute("SELECT seq, hash FROM chronos_records ORDER BY seq DESC LIMIT 1").fetchone()
        return Head() if row is None else Head(row[0], row[1])

    def append(self, records: Sequence[Record], *, expected_position: int) -> Head:
        """Append the batch in one transaction if the position is still ``expected_position``."""
        rows = [
            (r.seq, r.v, r.id, json.dumps(r.event, ensure_ascii=False, separators=(",", ":")), r.prev, r.hash)
            for r in records
        ]
        with self._lock, self._errors():
            try:
                with self._transaction():
                    head = self._head()
                    check_batch(head, records, expected_position)
                    if not rows:
                        return head
                    self._db.executemany(
                        "INSERT INTO chronos_records (seq, v, id, event, prev, hash) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        rows,
                    )
            except sqlite3.IntegrityError:
                # The primary key refused a position another writer took first.
                actual = self._head().position
                raise stale(expected_position, actual) from None
            last = records[-1]
            return Head(last.seq, last.hash)

    def read(self, *, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Records with ``after < seq <= until``, in order, a page of rows at a time."""
        stop = self.head().position if until is None else until
        position = max(after, 0)
        while position < stop:
            with self._lock, self._errors():
                rows = self._db.execute(
                    "SELECT seq, v, id, event, prev, hash FROM chronos_records "
                    "WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                    (position, stop, PAGE),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield record_from_row(row, f"{self.path} record {row[0]}")
            position = rows[-1][0]

    def wait(self, *, after: int, timeout: float) -> bool:
        """Poll until the log holds more than ``after`` records or ``timeout`` passes."""
        return wait_by_polling(self.head, after=after, timeout=timeout)

    def read_catalogue(self) -> str | None:
        """The catalogue's TOML text stored in the file, or None."""
        with self._lock, self._errors():
            row = self._db.execute("SELECT value FROM chronos_meta WHERE key = 'catalogue'").fetchone()
        return None if row is None else str(row[0])

    def write_catalogue(self, text: str) -> None:
        """Store the catalogue's TOML text in the file, replacing any before it."""
        with self._lock, self._errors(), self._transaction():
            self._db.execute(
                "INSERT INTO chronos_meta (key, value) VALUES ('catalogue', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (text,),
            )

    def read_catalogue_history(self) -> list[str]:
        """The catalogue's history entries, oldest first."""
        with self._lock, self._errors():
            try:
                rows = self._db.execute("SELECT entry FROM chronos_catalogue_history ORDER BY n").fetchall()
            except sqlite3.OperationalError:  # a read-only file from before the history table
                return []
        return [str(row[0]) for row in rows]

    def update_catalogue(self, change: CatalogueChange) -> None:
        """Change the catalogue and its history in one transaction (SQLite's write lock held throughout)."""
        with self._lock, self._errors(), self._transaction():
            row = self._db.execute("SELECT value FROM chronos_meta WHERE key = 'catalogue'").fetchone()
            rows = self._db.execute("SELECT n, entry FROM chronos_catalogue_history ORDER BY n").fetchall()
            result = change(None if row is None else str(row[0]), [str(r[1]) for r in rows])
            if result is None:
                return
            text, entries = result
            self._db.execute(
                "INSERT INTO chronos_meta (key, value) VALUES ('catalogue', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (text,),
            )
            self._db.executemany(
                "INSERT INTO chronos_catalogue_history (n, entry) VALUES (?, ?)",
                [(len(rows) + offset, entry) for offset, entry in enumerate(entries, start=1)],
            )
            # Noted once, never changed: a history that disappears later is then noticed.
            chained = self._db.execute(
                "SELECT 1 FROM chronos_meta WHERE key = 'catalogue_chained'"
            ).fetchone()
            if entries and chained is None:
                self._db.execute("INSERT INTO chronos_meta (key, value) VALUES ('catalogue_chained', '1')")

    def catalogue_history_problem(self) -> str | None:
        """Why the catalogue's history cannot be trusted (it was started, and is gone), or None."""
        with self._lock, self._errors():
            chained = self._db.execute(
                "SELECT 1 FROM chronos_meta WHERE key = 'catalogue_chained'"
            ).fetchone()
            try:
                count = self._db.execute("SELECT count(*) FROM chronos_catalogue_history").fetchone()[0]
            except sqlite3.OperationalError:
                count = 0
        if chained is not None and not count:
            return f"{self.path}: the catalogue's history was started, and its rows are gone (deleted)"
        return None

    def __del__(self) -> None:
        # A store dropped without `close` (Chronology.open keeps none) still hangs up.
        if "_db" in vars(self):
            self.close()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()
