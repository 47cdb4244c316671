"""A store that keeps records in a PostgreSQL database (psycopg 3): one log shared by a team.

Two tables in the schema named by the URL's ``schema`` parameter (default
``public``), created on first use, so several logs can share a database::

    chronos_records   seq BIGINT PRIMARY KEY, v, id, event (json), prev, hash
    chronos_meta      key TEXT PRIMARY KEY, value: the store format and the catalogue's TOML text
    chronos_catalogue_history   n BIGINT PRIMARY KEY, entry: the catalogue's chained history

An append is one transaction: it reads the position, refuses a stale one and
copies the batch in. ``seq`` is the primary key, so when two writers race for
the same position the server makes the second wait for the first and then
refuses it (a unique violation, raised as `ConcurrencyError`): no
check-then-write race. The same transaction sends a ``NOTIFY`` on the log's
channel, delivered only when it commits, which `PostgresStore.wait` LISTENs
for. A writer killed mid-append leaves a transaction that the server rolls back.

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
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from chronos.errors import StoreError
from chronos.stores.base import CatalogueChange, check_batch, record_from_row, stale
from chronos.stores.records import Head, Record

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresStore", "redact_url"]

#: The layout of the tables; a schema of another format is refused, not misread.
FORMAT: Final = "1"
#: Records fetched per query while reading.
PAGE: Final = 1000
#: The advisory lock that makes concurrent first openings create the tables once.
_SETUP_LOCK: Final = 0x6368726F6E6F73  # "chronos"
_SCHEMA_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,39}")


def redact_url(url: str) -> str:
    """The URL without its password (for messages and ``repr``)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        # Too malformed to find a password in: show only what comes before any "@".
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}" if "@" in rest else url
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = urlencode(
        [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        safe="/:*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _split(url: str) -> tuple[str, str | None]:
    """The URL for libpq (without chronos's ``schema`` parameter) and that parameter."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- a bad port raises here, not later inside libpq
    except ValueError as exc:
        raise StoreError(f"{redact_url(url)}: not a PostgreSQL URL: {exc}") from None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in pairs if k == "schema"]
    rest = urlencode([(k, v) for k, v in pairs if k != "schema"], safe="/:")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), (
        schemas[-1] if schemas else None
    )


def _psycopg(where: str) -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            f"{where}: PostgreSQL logs need psycopg: pip install 'chronos-history[postgres]'"
        ) from None
    return psycopg


class PostgresStore:
    """Records in the PostgreSQL database at ``url`` (``postgresql://user@host:port/dbname``).

    ``schema`` (or ``?schema=NAME`` in the URL) picks the schema holding the
    tables, created if missing. The database itself must exist. One
    connection, guarded by a lock, serves reads and appends; `wait` opens a
    second one to LISTEN on.
    """

    keeps_lines = False

    @property
    def catalogue_origin(self) -> str:
        """Where the catalogue is kept, as error messages name it."""
        return f"{self._display} (catalogue)"

    def __init__(self, url: str, *, schema: str | None = None, connect_timeout: int | None = None):
        self.url = url
        self._display = redact_url(url)
        self._psycopg = _psycopg(self._display)
        self._conninfo, url_schema = _split(url)
        self.schema = schema or url_schema or "public"
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

        self._sql = sql
        self._records = sql.Identifier(self.schema, "chronos_records")
        self._meta = sql.Identifier(self.schema, "chronos_meta")
        self._history = sql.Identifier(self.schema, "chronos_catalogue_history")
        self._conn = self._connect()
        try:
            with self._lock, self._errors():
                self._setup()
        except BaseException:
            self._conn.close()
            raise

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
            raise StoreError(f"{self._display}: cannot connect: {_first_line(exc)}") from None
        return connection

    def _db(self) -> psycopg.Connection[tuple[Any, ...]]:
        """The connection, opened again if the server dropped it."""
        if self._conn.closed:
            self._conn = self._connect()
        return self._conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn psycopg's errors into one-line `ChronosError` naming the log."""
        try:
            yield
        except self._psycopg.Error as exc:
            raise StoreError(f"{self._display}: {_first_line(exc)}") from None

    def _setup(self) -> None:
        db = self._db()
        sql = self._sql
        exists = db.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL "
            "AND to_regclass(%s) IS NOT NULL",
            (
                f'"{self.schema}".chronos_records',
                f'"{self.schema}".chronos_meta',
                f'"{self.schema}".chronos_catalogue_history',
            ),
        ).fetchone()
        if not (exists and exists[0]):
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
                db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
                db.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} ("
                        "seq BIGINT PRIMARY KEY CHECK (seq > 0), v INTEGER NOT NULL, id TEXT NOT NULL, "
                        "event JSON NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL)"
                    ).format(self._records)
                )
                db.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                    ).format(self._meta)
                )
                db.execute(
                    sql.SQL(
                        "INSERT INTO {} (key, value) VALUES ('format', %s) ON CONFLICT DO NOTHING"
                    ).format(self._meta),
                    (FORMAT,),
                )
                db.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} "
                        "(n BIGINT PRIMARY KEY CHECK (n > 0), entry TEXT NOT NULL)"
                    ).format(self._history)
                )
        row = db.execute(sql.SQL("SELECT value FROM {} WHERE key = 'format'").format(self._meta)).fetchone()
        if row is None or row[0] != FORMAT:
            found = "none" if row is None else repr(row[0])
            raise StoreError(
                f"{self._display}: unknown chronos store format {found} in schema {self.schema!r} "
                f"(this chronos reads {FORMAT})"
            )

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
        """Append the batch in one transaction if the position is still ``expected_position``."""
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
            last = records[-1]
            return Head(last.seq, last.hash)

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
                raise StoreError(f"{self._display}: {_first_line(exc)}") from None
            return True

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
        """The catalogue's TOML text stored in the database, or None."""
        query = self._sql.SQL("SELECT value FROM {} WHERE key = 'catalogue'").format(self._meta)
        with self._lock, self._errors():
            row = self._db().execute(query).fetchone()
        return None if row is None else str(row[0])

    def write_catalogue(self, text: str) -> None:
        """Store the catalogue's TOML text in the database, replacing any before it."""
        query = self._sql.SQL(
            "INSERT INTO {} (key, value) VALUES ('catalogue', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        ).format(self._meta)
        with self._lock, self._errors():
            self._db().execute(query, (text,))

    def read_catalogue_history(self) -> list[str]:
        """The catalogue's history entries, oldest first."""
        query = self._sql.SQL("SELECT entry FROM {} ORDER BY n").format(self._history)
        with self._lock, self._errors():
            rows = self._db().execute(query).fetchall()
        return [str(row[0]) for row in rows]

    def update_catalogue(self, change: CatalogueChange) -> None:
        """Change the catalogue and its history in one transaction, one writer at a time (advisory lock)."""
        sql = self._sql
        with self._lock, self._errors():
            db = self._db()
            with db.transaction():
                db.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_SETUP_LOCK % 2**31, self.schema)
                )
                row = db.execute(
                    sql.SQL("SELECT value FROM {} WHERE key = 'catalogue'").format(self._meta)
                ).fetchone()
                rows = db.execute(sql.SQL("SELECT entry FROM {} ORDER BY n").format(self._history)).fetchall()
                result = change(None if row is None else str(row[0]), [str(r[0]) for r in rows])
                if result is None:
                    return
                text, entries = result
                db.execute(
                    sql.SQL(
                        "INSERT INTO {} (key, value) VALUES ('catalogue', %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                    ).format(self._meta),
                    (text,),
                )
                insert = sql.SQL("INSERT INTO {} (n, entry) VALUES (%s, %s)").format(self._history)
                for offset, entry in enumerate(entries, start=1):
                    db.execute(insert, (len(rows) + offset, entry))
                # Noted once, never changed: a history that disappears later is then noticed.
                chained = db.execute(
                    sql.SQL("SELECT 1 FROM {} WHERE key = 'catalogue_chained'").format(self._meta)
                ).fetchone()
                if entries and chained is None:
                    db.execute(
                        sql.SQL("INSERT INTO {} (key, value) VALUES ('catalogue_chained', '1')").format(
                            self._meta
                        )
                    )

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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
