"""A store that keeps records in a PostgreSQL database (psycopg 3): one log shared by a team.

Four tables in the schema named by the URL's ``schema`` parameter (default
``public``), created on first use, so several logs can share a database::

    chronos_records             seq BIGINT PRIMARY KEY, v, id, event (json), prev, hash
    chronos_catalogue           version INTEGER PRIMARY KEY, text (the catalogue's TOML), written
    chronos_catalogue_history   n BIGINT PRIMARY KEY, entry: the catalogue's chained history
    chronos_meta                key TEXT PRIMARY KEY, value: the store format, and what `repair` did

All four are append-only, enforced by the server: triggers created with the
tables (`chronos.stores._pgschema`) refuse ``UPDATE``, ``DELETE`` and
``TRUNCATE`` from any role, the tables' owner included, and `PostgresStore.grant`
gives a writer role ``INSERT`` and ``SELECT`` only and a reader role ``SELECT``
only. A new catalogue is a new row of ``chronos_catalogue`` (the highest version
is the catalogue). Opening a log checks the triggers: `PostgresStore.unguarded`
says what is missing or altered, ``chronos verify`` and ``chronos check`` report
it, and appends are refused until `PostgresStore.reinstate` (``chronos repair``,
as the owner) puts them back, noting it in ``chronos_meta``.

An append is one transaction: it reads the position, refuses a stale one and
copies the batch in. ``seq`` is the primary key, so when two writers race for
the same position the server makes the second wait for the first and then
refuses it (a unique violation, raised as `ConcurrencyError`): no
check-then-write race. The same transaction sends a ``NOTIFY`` on the log's
channel, delivered only when it commits, which `PostgresStore.wait` LISTENs
for (on a read replica, where LISTEN is not allowed, it polls). A writer
killed mid-append leaves a transaction that the server rolls back.

A schema of format 1 (before the triggers and the catalogue table) is upgraded
in one transaction when a role that owns its tables opens it; so is a schema
of format 2 from before the catalogue's history (its table and triggers added).

Every parameter of the URL but ``schema`` goes to libpq as it is: a
``connect_timeout`` there is the one used (chronos's default, 10 seconds,
applies only without one).

psycopg is an optional dependency (``pip install 'chronos-history[postgres]'``),
imported only when a PostgreSQL log is opened.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, urlsplit

from chronos.errors import IntegrityError, StoreError
from chronos.stores import _tenures
from chronos.stores._pgroles import SETUP_LOCK as _SETUP_LOCK
from chronos.stores._pgroles import PostgresGuards
from chronos.stores._pgurl import first_line, load_psycopg, redact_url, split_url, with_schema
from chronos.stores._tenures import PostgresDerived
from chronos.stores.base import CatalogueChange, check_batch, record_from_row, stale, wait_by_polling
from chronos.stores.records import Head, Record

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresStore", "redact_url"]

#: Records fetched per query while reading.
PAGE: Final = 1000
_SCHEMA_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,39}")


class PostgresStore(PostgresGuards, PostgresDerived):
    """Records in the PostgreSQL database at ``url`` (``postgresql://user@host:port/dbname``).

    ``schema`` (or ``?schema=NAME`` in the URL) picks the schema holding the
    tables, created if missing. The database itself must exist. One
    connection, guarded by a lock, serves reads and appends; `wait` opens a
    second one to LISTEN on.
    """

    keeps_lines = False
    #: What kind of store this is, as a checkpoint names it (`chronos.stores.checkpoint`).
    kind = "postgresql"

    @property
    def catalogue_origin(self) -> str:
        """Where the catalogue is kept, as error messages name it."""
        return f"{self._display} (catalogue)"

    def __init__(self, url: str, *, schema: str | None = None, connect_timeout: int | None = None):
        self.url = url
        self._display = redact_url(url)
        self._psycopg = load_psycopg(self._display)
        self._conninfo, self._url_schema = split_url(url)
        self.schema = schema or self._url_schema or "public"
        if not _SCHEMA_NAME.fullmatch(self.schema):
            raise StoreError(
                f"{self._display}: bad schema name {self.schema!r} "
                "(lower-case letters, digits and _, at most 40)"
            )
        # A connect_timeout in the URL is the user's; the default (10 s) applies only without one.
        in_url = any(k == "connect_timeout" for k, _ in parse_qsl(urlsplit(self._conninfo).query))
        self._connect_timeout = connect_timeout if connect_timeout is not None else None if in_url else 10
        self._channel = f"chronos_{self.schema}"
        self._lock = threading.RLock()
        self._listen_lock = threading.Lock()
        self._listener: psycopg.Connection[tuple[Any, ...]] | None = None
        from psycopg import sql

        from chronos.stores import _pgschema

        self._sql = sql
        self._ddl = _pgschema
        self._records = sql.Identifier(self.schema, "chronos_records")
        self._meta = sql.Identifier(self.schema, "chronos_meta")
        self._catalogue = sql.Identifier(self.schema, "chronos_catalogue")
        self._history = sql.Identifier(self.schema, "chronos_catalogue_history")
        #: Whether opening made the tables.
        self.created = False
        self._unguarded: str | None = None
        self._standby: bool | None = None
        self._conn = self._connect()
        try:
            with self._lock, self._errors():
                self._setup()
        except BaseException:
            self._conn.close()
            raise

    @property
    def location(self) -> str:
        """The log as `open_store` takes it: the URL, naming the schema unless it is the URL's own."""
        return (
            self.url if self.schema == (self._url_schema or "public") else with_schema(self.url, self.schema)
        )

    @property
    def display(self) -> str:
        """The log as messages name it (no password)."""
        return self._display

    def __repr__(self) -> str:
        return f"PostgresStore({self._display!r})"

    # Connections --------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        extra: dict[str, Any] = {}
        if self._connect_timeout is not None:
            extra["connect_timeout"] = self._connect_timeout
        try:
            connection: psycopg.Connection[tuple[Any, ...]] = self._psycopg.connect(
                self._conninfo, autocommit=True, **extra
            )
        except self._psycopg.Error as exc:
            raise StoreError(f"{self._display}: cannot connect: {first_line(exc)}") from None
        return connection

    def _db(self) -> psycopg.Connection[tuple[Any, ...]]:
        """The connection, opened again if the server dropped it."""
        if self._conn.closed:
            self._conn = self._connect()
        return self._conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn psycopg's errors into one-line `StoreError` naming the log."""
        try:
            yield
        except self._psycopg.Error as exc:
            raise StoreError(f"{self._display}: {first_line(exc)}") from None

    def _setup(self) -> None:
        db = self._db()
        ddl = self._ddl
        if not self._tables() >= set(ddl.TABLES):
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
                tables = self._tables()
                if not tables & {"chronos_records", "chronos_meta"}:
                    ddl.create(db, self.schema)
                    self.created = True
                elif self._format() == "1" and "chronos_catalogue" not in tables:
                    try:
                        ddl.upgrade_from_1(db, self.schema)
                    except self._psycopg.errors.InsufficientPrivilege as exc:
                        raise StoreError(
                            f"{self._display}: schema {self.schema!r} holds a log of chronos store format 1; "
                            "open it once as the owner of its tables to upgrade it to format "
                            f"{ddl.FORMAT} ({first_line(exc)})"
                        ) from None
                elif self._format() == ddl.FORMAT and "chronos_catalogue_history" not in tables:
                    try:
                        ddl.add_history(db, self.schema)
                    except self._psycopg.errors.InsufficientPrivilege as exc:
                        raise StoreError(
                            f"{self._display}: schema {self.schema!r} holds a log from before the "
                            "catalogue's history; open it once as the owner of its tables to add it "
                            f"({first_line(exc)})"
                        ) from None
        found = self._format()
        if found != ddl.FORMAT:
            shown = "none" if found is None else repr(found)
            raise StoreError(
                f"{self._display}: unknown chronos store format {shown} in schema {self.schema!r} "
                f"(this chronos reads {ddl.FORMAT})"
            )
        missing = {"chronos_records", "chronos_catalogue"} - self._tables()
        if missing:
            raise IntegrityError(
                f"{self._display}: table {', '.join(sorted(missing))} is missing from schema "
                f"{self.schema!r} (dropped?)"
            )
        self._unguarded = ddl.check_guards(db, self.schema, self._display)

    def _tables(self) -> set[str]:
        rows = (
            self._db()
            .execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND c.relname = ANY(%s)",
                (self.schema, list(self._ddl.TABLES)),
            )
            .fetchall()
        )
        return {row[0] for row in rows}

    def _format(self) -> str | None:
        query = self._sql.SQL("SELECT value FROM {} WHERE key = 'format'").format(self._meta)
        try:
            with self._db().transaction():
                row = self._db().execute(query).fetchone()
        except self._psycopg.errors.UndefinedTable:
            return None
        return None if row is None else str(row[0])

    # Protocol ---------------------------------------------------------------

    def head(self) -> Head:
        """The current position and last hash."""
        with self._lock, self._errors():
            return self._head()

    def _head(self) -> Head:
        query = self._sql.SQL("SELECT seq, hash FROM {} ORDER BY seq DESC LIMIT 1").format(self._records)
        row = self._db().execute(query).fetchone()
        return Head() if row is None else Head(row[0], row[1])

    def append(self, records: Sequence[Record], *, expected_position: int) -> Head:
        """Append the batch in one transaction if the position is still ``expected_position``.

        Refused (`IntegrityError`) while the triggers found missing on opening
        are not reinstated, and (`StoreError`, one line) for a reader role.
        """
        # Looked at again only when opening found something missing: a repair elsewhere ends the refusal.
        if self._unguarded is not None and records and self.unguarded() is not None:
            raise IntegrityError(f"{self._unguarded}; appends are refused until then")
        sql = self._sql
        with self._lock, self._errors():
            db = self._db()
            try:
                with db.transaction():
                    head = self._head()
                    check_batch(head, records, expected_position)
                    if not records:
                        return head
                    copy_in = sql.SQL("COPY {} (seq, v, id, event, prev, hash) FROM STDIN").format(
                        self._records
                    )
                    with db.cursor() as cursor, cursor.copy(copy_in) as copy:
                        for r in records:
                            text = json.dumps(r.event, ensure_ascii=False, separators=(",", ":"))
                            copy.write_row((r.seq, r.v, r.id, text, r.prev, r.hash))
                    db.execute("SELECT pg_notify(%s, %s)", (self._channel, str(records[-1].seq)))
            except self._psycopg.errors.UniqueViolation:
                # Another writer committed this position first; the server made us wait, then refused.
                raise stale(expected_position, self._head().position) from None
            except self._psycopg.errors.InsufficientPrivilege as exc:
                raise self._refused(exc, "append") from None
            except self._psycopg.errors.ReadOnlySqlTransaction as exc:
                raise self._standby_refused(exc) from None
        _tenures.after_append(self)
        return Head(records[-1].seq, records[-1].hash)

    def read(self, *, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Records with ``after < seq <= until``, in order, a page of rows at a time."""
        stop = self.head().position if until is None else until
        position = max(after, 0)
        query = self._sql.SQL(
            "SELECT seq, v, id, event::text, prev, hash FROM {} WHERE seq > %s AND seq <= %s "
            "ORDER BY seq LIMIT %s"
        ).format(self._records)
        while position < stop:
            with self._lock, self._errors():
                rows = self._db().execute(query, (position, stop, PAGE)).fetchall()
            if not rows:
                return
            for row in rows:
                yield record_from_row(row, f"{self._display} record {row[0]}")
            position = rows[-1][0]

    def wait(self, *, after: int, timeout: float) -> bool:
        """LISTEN for appends until the log holds more than ``after`` records or ``timeout`` passes."""
        if self._on_standby():
            return wait_by_polling(self.head, after=after, timeout=timeout)
        deadline = time.monotonic() + timeout
        with self._listen_lock:
            try:
                listener = self._listening()
                # Listening before looking, so an append between the two is not missed.
                while self.head().position <= after:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    for _notice in listener.notifies(timeout=remaining, stop_after=1):
                        pass
            except self._psycopg.Error as exc:
                self._drop_listener()
                raise StoreError(f"{self._display}: {first_line(exc)}") from None
            return True

    def _on_standby(self) -> bool:
        """Whether the server is a read replica (a hot standby), where LISTEN is not allowed."""
        if self._standby is None:
            with self._lock, self._errors():
                row = self._db().execute("SELECT pg_is_in_recovery()").fetchone()
            self._standby = bool(row and row[0])
        return self._standby

    def _listening(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._listener is None or self._listener.closed:
            self._listener = self._connect()
            self._listener.execute(self._sql.SQL("LISTEN {}").format(self._sql.Identifier(self._channel)))
        return self._listener

    def _drop_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def read_catalogue(self) -> str | None:
        """The catalogue's TOML text stored in the database (its latest version), or None."""
        query = self._sql.SQL("SELECT text FROM {} ORDER BY version DESC LIMIT 1").format(self._catalogue)
        with self._lock, self._errors():
            row = self._db().execute(query).fetchone()
        return None if row is None else str(row[0])

    def write_catalogue(self, text: str) -> None:
        """Store ``text`` as the catalogue's next version, unless it is the latest already."""
        latest = self._sql.SQL("SELECT version, text FROM {} ORDER BY version DESC LIMIT 1").format(
            self._catalogue
        )
        insert = self._sql.SQL("INSERT INTO {} (version, text) VALUES (%s, %s)").format(self._catalogue)
        with self._lock, self._errors():
            db = self._db()
            for attempt in range(5):
                try:
                    with db.transaction():
                        last = db.execute(latest).fetchone()
                        if last is not None and last[1] == text:
                            return
                        db.execute(insert, (1 if last is None else last[0] + 1, text))
                    return
                except self._psycopg.errors.UniqueViolation:
                    # Another writer took that version first: look again.
                    if attempt == 4:
                        raise
                except self._psycopg.errors.InsufficientPrivilege as exc:
                    raise self._refused(exc, "change the catalogue") from None
                except self._psycopg.errors.ReadOnlySqlTransaction as exc:
                    raise self._standby_refused(exc) from None

    def read_catalogue_history(self) -> list[str]:
        """The catalogue's history entries, oldest first."""
        query = self._sql.SQL("SELECT entry FROM {} ORDER BY n").format(self._history)
        with self._lock, self._errors():
            rows = self._db().execute(query).fetchall()
        return [str(row[0]) for row in rows]

    def update_catalogue(self, change: CatalogueChange) -> None:
        """Change the catalogue and its history in one transaction, one writer at a time (advisory lock).

        The text becomes the catalogue's next version (unless it is the latest already); the entries
        are new rows of the history. Nothing is updated or deleted, so the triggers never object.
        """
        sql = self._sql
        with self._lock, self._errors():
            db = self._db()
            try:
                with db.transaction():
                    db.execute(
                        "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_SETUP_LOCK % 2**31, self.schema)
                    )
                    last = db.execute(
                        sql.SQL("SELECT version, text FROM {} ORDER BY version DESC LIMIT 1").format(
                            self._catalogue
                        )
                    ).fetchone()
                    rows = db.execute(
                        sql.SQL("SELECT entry FROM {} ORDER BY n").format(self._history)
                    ).fetchall()
                    result = change(None if last is None else str(last[1]), [str(r[0]) for r in rows])
                    if result is None:
                        return
                    text, entries = result
                    if last is None or last[1] != text:
                        db.execute(
                            sql.SQL("INSERT INTO {} (version, text) VALUES (%s, %s)").format(self._catalogue),
                            (1 if last is None else last[0] + 1, text),
                        )
                    insert = sql.SQL("INSERT INTO {} (n, entry) VALUES (%s, %s)").format(self._history)
                    for offset, entry in enumerate(entries, start=1):
                        db.execute(insert, (len(rows) + offset, entry))
                    # Noted once, never changed: a history that disappears later is then noticed.
                    chained = db.execute(
                        sql.SQL("SELECT 1 FROM {} WHERE key = 'catalogue_chained'").format(self._meta)
                    ).fetchone()
                    if entries and chained is None:
                        try:
                            with db.transaction():  # a savepoint: a writer role may not write chronos_meta
                                db.execute(
                                    sql.SQL(
                                        "INSERT INTO {} (key, value) VALUES ('catalogue_chained', '1')"
                                    ).format(self._meta)
                                )
                        except self._psycopg.errors.InsufficientPrivilege:
                            pass  # the owner's next change notes it; the triggers guard the history meanwhile
            except self._psycopg.errors.InsufficientPrivilege as exc:
                raise self._refused(exc, "change the catalogue") from None
            except self._psycopg.errors.ReadOnlySqlTransaction as exc:
                raise self._standby_refused(exc) from None

    def catalogue_history_problem(self) -> str | None:
        """Why the catalogue's history cannot be trusted (it was started, and is gone), or None."""
        sql = self._sql
        with self._lock, self._errors():
            db = self._db()
            chained = db.execute(
                sql.SQL("SELECT 1 FROM {} WHERE key = 'catalogue_chained'").format(self._meta)
            ).fetchone()
            row = db.execute(sql.SQL("SELECT count(*) FROM {}").format(self._history)).fetchone()
        if chained is not None and not (row and row[0]):
            return f"{self._display}: the catalogue's history was started, and its rows are gone (deleted)"
        return None

    def __del__(self) -> None:
        # A store dropped without `close` (Chronology.open keeps none) still hangs up.
        if "_conn" in vars(self):
            self.close()

    def close(self) -> None:
        """Close the connections."""
        with self._listen_lock:
            self._drop_listener()
        with self._lock:
            self._conn.close()
