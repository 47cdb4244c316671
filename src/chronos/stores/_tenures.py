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

This module holds only the SQL; each store runs it on its own connection
(`DerivedStore`). Statements use ``?`` placeholders and ``{t}``/``{h}`` for the
table names; a store turns them into its own form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

__all__ = [
    "COLUMNS",
    "CREATE",
    "HEAD_TABLE",
    "TABLE",
    "DerivedStore",
    "PostgresDerived",
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
#: Close what stood of one (person, post) pair from knowledge day ``?``.
CLOSE = "UPDATE {t} SET known_until = ? WHERE person_id = ? AND post_id = ? AND known_until IS NULL"
CLEAR = ("DELETE FROM {t}", "DELETE FROM {h}")
SET_HEAD = "INSERT INTO {h} (position, hash, policy, latest_known, last_key) VALUES (?, ?, ?, ?, ?)"
READ_HEAD = "SELECT position, hash, policy, latest_known, last_key FROM {h}"


class DerivedStore(Protocol):
    """A store that can hold derived tables: runs statements on its own connection, in one transaction."""

    def derived(self, statements: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        """Run each statement for each of its parameter rows, all in one transaction."""
        ...

    def derived_query(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of one query on a derived table (``{t}``, ``{h}`` as above), or [] when there is none."""
        ...


def statements(
    *,
    clear: bool,
    close: Sequence[tuple[int, str, str]] = (),
    rows: Sequence[Sequence[Any]] = (),
    head: Sequence[Any],
) -> list[tuple[str, Sequence[Sequence[Any]]]]:
    """The statements that bring the table to ``head``: create, clear or close, insert, note the head."""
    out: list[tuple[str, Sequence[Sequence[Any]]]] = [(sql, [()]) for sql in CREATE]
    if clear:
        out += [(sql, [()]) for sql in CLEAR]
    else:
        out.append(("DELETE FROM {h}", [()]))
    if close:
        out.append((CLOSE, close))
    if rows:
        out.append((INSERT, rows))
    out.append((SET_HEAD, [head]))
    return out


def named(sql: str, *, schema: str | None = None, placeholder: str = "?") -> str:
    """A statement with its table names (in ``schema`` when given) and the store's placeholders."""
    prefix = f'"{schema}".' if schema else ""
    text = sql.format(t=prefix + TABLE, h=prefix + HEAD_TABLE, i=TABLE)
    return text if placeholder == "?" else text.replace("?", placeholder)


class PostgresDerived:
    """`DerivedStore` for `PostgresStore` (its connection, lock and schema), and ``after_append`` hooks."""

    schema: str

    @property
    def after_append(self) -> list[Callable[[], None]]:
        """Called after each append that wrote records (`chronos.columnar.sql.keep_tenures`)."""
        found: list[Callable[[], None]] | None = self.__dict__.get("_after_append")
        if found is None:
            found = self.__dict__["_after_append"] = []
        return found

    def derived(self, statements: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        """Run statements on the derived tables in one transaction."""
        store: Any = self
        with store._lock, store._errors():
            db = store._db()
            with db.transaction():
                for sql, rows in statements:
                    text = named(sql, schema=self.schema, placeholder="%s")
                    if rows == [()]:
                        db.execute(text)
                    else:
                        with db.cursor() as cursor:
                            cursor.executemany(text, rows)

    def derived_query(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of a query on the derived tables; [] when they are not there."""
        store: Any = self
        with store._lock, store._errors():
            db = store._db()
            there = db.execute("SELECT to_regclass(%s)", (f'"{self.schema}".{HEAD_TABLE}',)).fetchone()
            if there is None or there[0] is None:
                return []
            return list(db.execute(named(sql, schema=self.schema, placeholder="%s")).fetchall())
