"""The ``chronos_tenures`` table: who held which post when, as known when, for any SQL client to ask.

A derived table beside the log's own tables, in the same SQLite file or
PostgreSQL schema::

    chronos_tenures        org_id, post_id, person_id,
                           start_first, start_last, end_first, end_last   (day numbers)
                           start_date, end_date                           (ISO 8601 text, NULL when open)
                           known_from, known_until                        (day numbers; NULL: still standing)
    chronos_tenures_head   position, hash, policy, latest_known, last_key (what the table reflects)

One row is one reconciled tenure (under the policy named in
``chronos_tenures_head``) over the knowledge dates ``known_from <= K <
known_until``: as the record certainly stood on K (`Chronology.roster` with
``known_at=K``, without the possibly-known refinement of undated articles). A
day number is the proleptic Gregorian day count that `datetime.date.toordinal`
gives (BCE dates too); open starts and ends are the smallest and largest day
numbers. A person certainly holds the post on day D when ``start_last <= D <
end_first``, possibly when ``start_first <= D < end_last``.

The table is derived: chronos builds and rebuilds it (`chronos.columnar.sql`),
and nothing in it is evidence. It is not one of the guarded tables (no
append-only triggers: rebuilding deletes its rows), and ``verify`` neither
checks nor trusts it: it checks the records, the catalogue and their
triggers. Its head row says which log head it reflects, so a reader can see
whether it is current.

Whoever holds the table keeps it current: after every append that wrote
records, a SQLite or PostgreSQL store holding ``chronos_tenures_head`` calls
`after_append`, which runs the keeper named ``chronos_tenures`` in the
``chronos.derived`` entry-point group (`chronos.columnar.sql.refresh_store`,
declared in pyproject.toml). The store layer thus calls the columnar engine
without importing it, and only for a store that keeps the table: a CLI append,
an import and ``EventLog.append`` in any program keep it current alike.

This module holds only the SQL; each store runs it on its own connection
(`DerivedStore`). Statements use ``?`` placeholders and ``{t}``/``{h}`` for the
table names; a store turns them into its own form.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any, Protocol

from chronos.errors import ConcurrencyError

__all__ = [
    "COLUMNS",
    "CREATE",
    "DROP",
    "GROUP",
    "HEAD_TABLE",
    "TABLE",
    "DerivedStore",
    "PostgresDerived",
    "SqliteDerived",
    "after_append",
    "expected_head",
    "named",
    "statements",
]

TABLE = "chronos_tenures"
HEAD_TABLE = "chronos_tenures_head"

COLUMNS = (
    "org_id",
    "post_id",
    "person_id",
    "start_first",
    "start_last",
    "end_first",
    "end_last",
    "start_date",
    "end_date",
    "known_from",
    "known_until",
)

#: The tables and the indexes an as-of question needs (by organisation, post or person, then
#: the knowledge interval and the start).
CREATE = (
    "CREATE TABLE IF NOT EXISTS {t} (org_id TEXT NOT NULL, post_id TEXT NOT NULL, person_id TEXT NOT NULL, "
    "start_first BIGINT NOT NULL, start_last BIGINT NOT NULL, end_first BIGINT NOT NULL, "
    "end_last BIGINT NOT NULL, start_date TEXT, end_date TEXT, "
    "known_from BIGINT NOT NULL, known_until BIGINT)",
    "CREATE INDEX IF NOT EXISTS {i}_org ON {t} (org_id, known_from, start_first)",
    "CREATE INDEX IF NOT EXISTS {i}_post ON {t} (post_id, known_from, start_first)",
    "CREATE INDEX IF NOT EXISTS {i}_person ON {t} (person_id, known_from)",
    "CREATE INDEX IF NOT EXISTS {i}_open ON {t} (person_id, post_id, known_until)",
    "CREATE TABLE IF NOT EXISTS {h} (position BIGINT NOT NULL, hash TEXT NOT NULL, policy TEXT NOT NULL, "
    "latest_known BIGINT NOT NULL, last_key TEXT NOT NULL)",
)

INSERT = f"INSERT INTO {{t}} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
#: Every row of one post (to insert the post's rows refolded).
DELETE_POST = "DELETE FROM {t} WHERE post_id = ?"
CLEAR = ("DELETE FROM {t}", "DELETE FROM {h}")
#: Stop keeping the table: the head table goes first, so that no append refreshes it meanwhile.
DROP = ("DROP TABLE IF EXISTS {h}", "DROP TABLE IF EXISTS {t}")
SET_HEAD = "INSERT INTO {h} (position, hash, policy, latest_known, last_key) VALUES (?, ?, ?, ?, ?)"
READ_HEAD = "SELECT position, hash, policy, latest_known, last_key FROM {h}"


#: The entry-point group of derived-table keepers; each is named after the table it keeps.
GROUP = "chronos.derived"

_keepers: dict[str, Callable[[Any], object]] = {}


class DerivedStore(Protocol):
    """A store that can hold derived tables: runs statements on its own connection, in one transaction."""

    #: Where the store is, as `chronos.stores.open_store` takes it (a SQLite file's absolute URL).
    location: str

    def derived(
        self,
        statements: Sequence[tuple[str, Sequence[Sequence[Any]]]],
        *,
        expect: tuple[int, str] | None = None,
    ) -> None:
        """Run each statement for each of its parameter rows, all in one transaction.

        With ``expect`` (a head position and hash), first check, inside the
        transaction, that the table still reflects that head, else raise
        `ConcurrencyError` and change nothing: statements that extend the table
        from one head must not land on a table another writer already moved.
        """
        ...

    def derived_query(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of one query on a derived table (``{t}``, ``{h}`` as above), or [] when there is none."""
        ...


def statements(
    *, clear: bool, rows: Sequence[Sequence[Any]] = (), head: Sequence[Any]
) -> list[tuple[str, Sequence[Sequence[Any]]]]:
    """The statements that bring the table to ``head``: create, clear (or only the head), insert, note it."""
    out: list[tuple[str, Sequence[Sequence[Any]]]] = [(sql, [()]) for sql in CREATE]
    out += [(sql, [()]) for sql in CLEAR] if clear else [("DELETE FROM {h}", [()])]
    if rows:
        out.append((INSERT, rows))
    out.append((SET_HEAD, [head]))
    return out


def expected_head(found: Sequence[tuple[Any, ...]], expect: tuple[int, str]) -> None:
    """Refuse (`ConcurrencyError`) when the head rows ``found`` are not the one head ``expect`` names."""
    if [tuple(row[:2]) for row in found] != [expect]:
        now = f"at {found[0][0]}" if found else "gone"
        raise ConcurrencyError(
            f"{TABLE} moved while it was being extended from position {expect[0]} (now {now})",
            expected=expect[0],
            actual=found[0][0] if found else -1,
        )


def after_append(store: Any) -> None:
    """After an append that wrote records: bring the store's ``chronos_tenures`` to its head, if it has one.

    The append has committed by now: a table that cannot be brought current
    stays behind (its head row says so) with a warning, rather than making the
    append look failed.
    """
    if not store.holds_derived():
        return
    try:
        keeper = _keepers.get(TABLE)
        if keeper is None:
            found = [e for e in entry_points(group=GROUP) if e.name == TABLE]
            if not found:
                raise LookupError(f"no keeper of {TABLE} is installed (entry point group {GROUP!r})")
            keeper = _keepers[TABLE] = found[0].load()
        keeper(store)
    except Exception as exc:  # whatever failed, the append stands; say so instead of raising
        warnings.warn(
            f"{store.display}: {TABLE} not refreshed: {exc}; `chronos tenures-table` brings it current",
            stacklevel=3,
        )


def named(sql: str, *, schema: str | None = None, placeholder: str = "?") -> str:
    """A statement with its table names (in ``schema`` when given) and the store's placeholders."""
    prefix = f'"{schema}".' if schema else ""
    text = sql.format(t=prefix + TABLE, h=prefix + HEAD_TABLE, i=TABLE)
    return text if placeholder == "?" else text.replace("?", placeholder)


class PostgresDerived:
    """`DerivedStore` for `PostgresStore` (its connection, lock and schema)."""

    schema: str

    def derived(
        self,
        statements: Sequence[tuple[str, Sequence[Sequence[Any]]]],
        *,
        expect: tuple[int, str] | None = None,
    ) -> None:
        """Run statements on the derived tables in one transaction (see `DerivedStore.derived`)."""
        store: Any = self
        with store._lock, store._errors():
            db = store._db()
            with db.transaction():
                if expect is not None:
                    # Writers extending the table from the same head queue here; the later one then
                    # finds the head moved and starts again from the new one.
                    db.execute(named("LOCK TABLE {h} IN SHARE ROW EXCLUSIVE MODE", schema=self.schema))
                    found = db.execute(named(READ_HEAD, schema=self.schema)).fetchall()
                    expected_head(found, expect)
                for sql, rows in statements:
                    text = named(sql, schema=self.schema, placeholder="%s")
                    if rows == [()]:
                        db.execute(text)
                    else:
                        with db.cursor() as cursor:
                            cursor.executemany(text, rows)

    def holds_derived(self) -> bool:
        """Whether this schema holds the ``chronos_tenures`` table (looked up now)."""
        store: Any = self
        with store._lock, store._errors():
            name = f'"{self.schema}".{HEAD_TABLE}'
            there = store._db().execute("SELECT to_regclass(%s)", (name,)).fetchone()
        return there is not None and there[0] is not None

    def derived_query(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of a query on the derived tables; [] when they are not there."""
        if not self.holds_derived():
            return []
        store: Any = self
        with store._lock, store._errors():
            return list(store._db().execute(named(sql, schema=self.schema, placeholder="%s")).fetchall())


class SqliteDerived:
    """`DerivedStore` for `SqliteStore` (its connection, lock and write transactions)."""

    def derived(
        self,
        statements: Sequence[tuple[str, Sequence[Sequence[Any]]]],
        *,
        expect: tuple[int, str] | None = None,
    ) -> None:
        """Run statements on the derived tables in one transaction (see `DerivedStore.derived`)."""
        store: Any = self
        # BEGIN IMMEDIATE takes the write lock first: a writer extending from the same head waits here.
        with store._lock, store._errors(), store._transaction():
            if expect is not None:
                expected_head(store._db.execute(named(READ_HEAD)).fetchall(), expect)
            for sql, rows in statements:
                if rows == [()]:
                    store._db.execute(named(sql))
                else:
                    store._db.executemany(named(sql), rows)

    def holds_derived(self) -> bool:
        """Whether this file holds the ``chronos_tenures`` table (looked up now)."""
        store: Any = self
        with store._lock, store._errors():
            found = store._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (HEAD_TABLE,)
            ).fetchone()
        return found is not None

    def derived_query(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of a query on the derived tables; [] when they are not there."""
        if not self.holds_derived():
            return []
        store: Any = self
        with store._lock, store._errors():
            return list(store._db.execute(named(sql)).fetchall())
