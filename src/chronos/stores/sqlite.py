"""A store that keeps records in one SQLite file: embedded, transactional, fit for millions of events.

Four tables, created on first use, so a log can live inside an application's own database::

    chronos_records             seq INTEGER PRIMARY KEY, v, id, event (JSON text), prev, hash
    chronos_catalogue           version INTEGER PRIMARY KEY, text (the catalogue's TOML), written (UTC)
    chronos_catalogue_history   n INTEGER PRIMARY KEY, entry: the catalogue's chained history
    chronos_meta                key TEXT PRIMARY KEY, value: the store format, and what `repair` did

All four are append-only, and not only by chronos's own code: triggers
created with the tables refuse every ``UPDATE``, every ``DELETE`` and every
``INSERT`` over an existing row (``INSERT OR REPLACE``), whatever program
opened the file. A new catalogue is a new row of ``chronos_catalogue`` (the
highest version is the catalogue), so its history stays in the file too.
Opening the file checks that each trigger is there exactly as created:
`SqliteStore.unguarded` says what is missing or altered, ``chronos verify``
and ``chronos check`` report it, and appends are refused until
`SqliteStore.reinstate` (``chronos repair``) puts the triggers back and notes
in ``chronos_meta`` that it did. Whoever can write the file can still drop a
trigger; the hash chain, and a published head (`chronos.checkpoint`), catch
what was done meanwhile.

The file runs in WAL mode with ``synchronous=FULL``: readers never block the
writer, and a commit is on disk before `SqliteStore.append` returns. An append
is one ``BEGIN IMMEDIATE`` transaction, which takes SQLite's write lock (across
processes, waiting up to ``timeout`` seconds for another writer), checks the
position and inserts the batch; ``seq`` is the primary key, so two appends can
never both write a position. A writer killed mid-append leaves a transaction
that SQLite rolls back when the file is next opened: nothing to repair.

A file of format 1 (before the triggers and the catalogue table) is upgraded
in place, in one transaction, when it is first opened; a file of format 2 from
before the catalogue's history gets the history's table and triggers.

A file that cannot be written (read-only) is opened read-only: every question
can be asked of it, and appends fail with a one-line error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from chronos.errors import IntegrityError, RecordError, StoreError
from chronos.stores import _tenures
from chronos.stores._tenures import SqliteDerived
from chronos.stores.base import CatalogueChange, check_batch, record_from_row, stale, wait_by_polling
from chronos.stores.records import Head, Record

__all__ = ["GUARDS", "SqliteStore"]

#: The layout of the tables; a file of another format is refused, not misread.
FORMAT: Final = "2"
#: Records fetched per query while reading.
PAGE: Final = 1000

_TABLES: Final = (
    """
CREATE TABLE chronos_records (
    seq INTEGER PRIMARY KEY CHECK (seq > 0),
    v INTEGER NOT NULL CHECK (typeof(v) = 'integer'),
    id TEXT NOT NULL CHECK (typeof(id) = 'text'),
    event TEXT NOT NULL CHECK (typeof(event) = 'text'),
    prev TEXT NOT NULL CHECK (typeof(prev) = 'text'),
    hash TEXT NOT NULL CHECK (typeof(hash) = 'text')
)""",
    "CREATE TABLE chronos_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_CATALOGUE_TABLE: Final = """
CREATE TABLE chronos_catalogue (
    version INTEGER PRIMARY KEY CHECK (version > 0),
    text TEXT NOT NULL CHECK (typeof(text) = 'text'),
    written TEXT NOT NULL
);
"""
_HISTORY_TABLE: Final = """
CREATE TABLE chronos_catalogue_history (
    n INTEGER PRIMARY KEY CHECK (n > 0),
    entry TEXT NOT NULL CHECK (typeof(entry) = 'text')
)
"""
#: The guarded tables and the key an ``INSERT`` may not repeat.
_KEYS: Final = {
    "chronos_records": "seq",
    "chronos_catalogue": "version",
    "chronos_catalogue_history": "n",
    "chronos_meta": "key",
}
_NOW: Final = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def _guards() -> dict[str, str]:
    """Each trigger's name and the exact SQL that creates it (as `sqlite_master` keeps it)."""
    guards: dict[str, str] = {}
    for table, key in _KEYS.items():
        refused = "refused: a chronos log is append-only"
        guards[f"{table}_no_update"] = (
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}\n"
            f"BEGIN SELECT RAISE(ABORT, 'UPDATE on {table} {refused}'); END"
        )
        guards[f"{table}_no_delete"] = (
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}\n"
            f"BEGIN SELECT RAISE(ABORT, 'DELETE on {table} {refused}'); END"
        )
        # INSERT OR REPLACE deletes the old row without firing the DELETE trigger.
        guards[f"{table}_no_replace"] = (
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}\n"
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {key} = NEW.{key})\n"
            f"BEGIN SELECT RAISE(ABORT, 'INSERT over an existing row of {table} {refused}'); END"
        )
    return guards


#: The triggers that keep the tables append-only, by name: the SQL that creates each.
GUARDS: Final = _guards()


class SqliteStore(SqliteDerived):
    """Records in the SQLite file ``path`` (created with its tables unless ``create`` is False).

    One connection, guarded by a lock, so threads can share a store; each
    process opens its own. ``created`` says whether opening made the tables.
    """

    keeps_lines = False
    #: What kind of store this is, as a checkpoint names it (`chronos.stores.checkpoint`).
    kind = "sqlite"

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
        self.created = False
        self._unguarded: str | None = None
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

    @property
    def location(self) -> str:
        """The log as `open_store` takes it: the file's absolute ``sqlite:///`` URL."""
        return f"sqlite:///{self.path.resolve()}"

    @property
    def display(self) -> str:
        """The log as messages name it."""
        return str(self.path)

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    def _setup(self) -> None:
        db = self._db
        if self.read_only:
            if not {"chronos_records", "chronos_meta"} <= self._tables():
                raise StoreError(f"{self.path}: not a chronos log (read-only, without chronos's tables)")
            self._check_format()
            self._unguarded = self._check_guards()
            return
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        wanted = {"chronos_records", "chronos_meta", "chronos_catalogue", "chronos_catalogue_history"}
        if not wanted <= self._tables():
            # One transaction, so concurrent creators and upgraders wait for each other.
            with self._transaction():
                tables = self._tables()
                if not tables & {"chronos_records", "chronos_meta"}:
                    for sql in _TABLES:  # not executescript, which would commit first
                        db.execute(sql)
                    db.execute("INSERT INTO chronos_meta (key, value) VALUES ('format', ?)", (FORMAT,))
                    self._create_guarded()
                    self.created = True
                elif self._format() == "1" and "chronos_catalogue" not in tables:
                    self._upgrade_from_1()
                elif self._format() == FORMAT and "chronos_catalogue_history" not in tables:
                    self._add_history()
        self._check_format()
        missing = {"chronos_records", "chronos_catalogue"} - self._tables()
        if missing:
            raise IntegrityError(f"{self.path}: table {', '.join(sorted(missing))} is missing (dropped?)")
        self._unguarded = self._check_guards()

    def _check_format(self) -> None:
        found = self._format()
        if found != FORMAT:
            shown = "none" if found is None else repr(found)
            raise StoreError(
                f"{self.path}: unknown chronos store format {shown} (this chronos reads {FORMAT})"
            )

    def _tables(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _format(self) -> str | None:
        try:
            row = self._db.execute("SELECT value FROM chronos_meta WHERE key = 'format'").fetchone()
        except sqlite3.OperationalError:  # no chronos_meta
            return None
        return None if row is None else str(row[0])

    def _create_guarded(self) -> None:
        """The catalogue's tables and every trigger; inside the caller's transaction."""
        self._db.execute(_CATALOGUE_TABLE)
        self._db.execute(_HISTORY_TABLE)
        for sql in GUARDS.values():
            self._db.execute(sql)

    def _add_history(self) -> None:
        """A format-2 file from before the catalogue's history: its table and triggers, nothing else."""
        self._db.execute(_HISTORY_TABLE)
        for name, sql in GUARDS.items():
            if name.startswith("chronos_catalogue_history_"):
                self._db.execute(sql)

    def _upgrade_from_1(self) -> None:
        """Format 1 kept the catalogue as one row of ``chronos_meta``, rewritten in place, and no triggers."""
        db = self._db
        db.execute(_CATALOGUE_TABLE)
        db.execute(
            f"INSERT INTO chronos_catalogue (version, text, written) "
            f"SELECT 1, value, {_NOW} FROM chronos_meta WHERE key = 'catalogue'"
        )
        db.execute("DELETE FROM chronos_meta WHERE key = 'catalogue'")
        db.execute("UPDATE chronos_meta SET value = ? WHERE key = 'format'", (FORMAT,))
        db.execute(_HISTORY_TABLE)
        for sql in GUARDS.values():
            db.execute(sql)

    def _check_guards(self) -> str | None:
        found = dict(
            self._db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        )
        missing = [name for name in GUARDS if name not in found]
        altered = [name for name, sql in GUARDS.items() if name in found and found[name] != sql]
        if not missing and not altered:
            return None
        parts = []
        if missing:
            parts.append(f"{', '.join(missing)} dropped")
        if altered:
            parts.append(f"{', '.join(altered)} altered")
        return (
            f"{self.path}: the triggers that keep the log append-only are not all there "
            f"({'; '.join(parts)}), so rows could have been edited or deleted unrefused; "
            "run `chronos repair` to reinstate them"
        )

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn SQLite's errors into one-line `StoreError` naming the file."""
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

    # Guards -------------------------------------------------------------------

    def unguarded(self) -> str | None:
        """What is missing of the triggers that keep the tables append-only (looked up now), or None."""
        with self._lock, self._errors():
            self._unguarded = self._check_guards()
        return self._unguarded

    def reinstate(self) -> list[str]:
        """Put back the triggers that are missing or altered, noting it in ``chronos_meta``; name them.

        The note (key ``reinstated <UTC time>``) names the triggers and the head
        at that moment, so the file itself says when its protection was restored.
        """
        with self._lock, self._errors(), self._transaction():
            found = dict(
                self._db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
            )
            redo = [name for name, sql in GUARDS.items() if found.get(name) != sql]
            if not redo:
                return []
            for name in redo:
                if name in found:
                    self._db.execute(f"DROP TRIGGER {name}")
                self._db.execute(GUARDS[name])
            head = self._head()
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            self._db.execute(
                "INSERT INTO chronos_meta (key, value) VALUES (?, ?)",
                (
                    f"reinstated {stamp}",
                    f"{', '.join(redo)} (were missing or altered); head {head.position} {head.hash}",
                ),
            )
        self._unguarded = None
        return redo

    # Protocol ---------------------------------------------------------------

    def head(self) -> Head:
        """The current position and last hash."""
        with self._lock, self._errors():
            return self._head()

    def _head(self) -> Head:
        row = self._db.execute("SELECT seq, hash FROM chronos_records ORDER BY seq DESC LIMIT 1").fetchone()
        return Head() if row is None else Head(row[0], row[1])

    def append(self, records: Sequence[Record], *, expected_position: int) -> Head:
        """Append the batch in one transaction if the position is still ``expected_position``.

        Refused (`IntegrityError`) while the triggers found missing on opening are not reinstated.
        """
        # Looked at again only when opening found something missing: a repair elsewhere ends the refusal.
        if self._unguarded is not None and records and self.unguarded() is not None:
            raise IntegrityError(f"{self._unguarded}; appends are refused until then")
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
                # The primary key (or its trigger) refused a position another writer took first.
                actual = self._head().position
                raise stale(expected_position, actual) from None
        _tenures.after_append(self)
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
        """The catalogue's TOML text stored in the file (its latest version), or None."""
        with self._lock, self._errors():
            row = self._db.execute(
                "SELECT text FROM chronos_catalogue ORDER BY version DESC LIMIT 1"
            ).fetchone()
        return None if row is None else str(row[0])

    def write_catalogue(self, text: str) -> None:
        """Store ``text`` as the catalogue's next version, unless it is the latest already."""
        with self._lock, self._errors(), self._transaction():
            last = self._db.execute(
                "SELECT version, text FROM chronos_catalogue ORDER BY version DESC LIMIT 1"
            ).fetchone()
            if last is not None and last[1] == text:
                return
            self._db.execute(
                f"INSERT INTO chronos_catalogue (version, text, written) VALUES (?, ?, {_NOW})",
                (1 if last is None else last[0] + 1, text),
            )

    def read_catalogue_history(self) -> list[str]:
        """The catalogue's history entries, oldest first."""
        with self._lock, self._errors():
            try:
                rows = self._db.execute("SELECT entry FROM chronos_catalogue_history ORDER BY n").fetchall()
            except sqlite3.OperationalError:  # a read-only file from before the history's table
                return []
        return [str(row[0]) for row in rows]

    def update_catalogue(self, change: CatalogueChange) -> None:
        """Change the catalogue and its history in one transaction (SQLite's write lock held throughout).

        The text becomes the catalogue's next version (unless it is the latest already); the entries
        are new rows of the history. Nothing is updated or deleted, so the triggers never object.
        """
        with self._lock, self._errors(), self._transaction():
            last = self._db.execute(
                "SELECT version, text FROM chronos_catalogue ORDER BY version DESC LIMIT 1"
            ).fetchone()
            rows = self._db.execute("SELECT n, entry FROM chronos_catalogue_history ORDER BY n").fetchall()
            result = change(None if last is None else str(last[1]), [str(r[1]) for r in rows])
            if result is None:
                return
            text, entries = result
            if last is None or last[1] != text:
                self._db.execute(
                    f"INSERT INTO chronos_catalogue (version, text, written) VALUES (?, ?, {_NOW})",
                    (1 if last is None else last[0] + 1, text),
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
