"""The tables of a PostgreSQL log, the triggers that keep them append-only, and the roles that share it.

Imported by `chronos.stores.postgres` once psycopg is known to be there.

Each of the three tables gets two triggers that call one function,
``chronos_refuse()``, in the log's schema: ``<table>_append_only`` (before
``UPDATE`` or ``DELETE``, for each row) and ``<table>_no_truncate`` (before
``TRUNCATE``, which fires no ``DELETE`` trigger). Both are enabled ``ALWAYS``,
so they fire under ``session_replication_role = replica`` too. They stop the
owner of the tables, and any role granted more than it should have; the
writer and reader roles (`grant`) are stopped before that, by their privileges.
"""

from __future__ import annotations

from typing import Any, Final

import psycopg
from psycopg import sql

from chronos.errors import UsageError

__all__ = [
    "FORMAT",
    "TABLES",
    "add_history",
    "check_guards",
    "create",
    "grant",
    "reinstate",
    "upgrade_from_1",
]

#: The layout of the tables; a schema of another format is refused, not misread.
FORMAT: Final = "2"
TABLES: Final = ("chronos_records", "chronos_catalogue", "chronos_catalogue_history", "chronos_meta")
FUNCTION: Final = "chronos_refuse"
#: The trigger function's body, compared with what the server holds when a log is opened.
BODY: Final = """
BEGIN
    RAISE EXCEPTION '% on %.% refused: a chronos log is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME;
END
"""
#: pg_trigger.tgtype of each trigger: ROW 1, BEFORE 2, DELETE 8, UPDATE 16, TRUNCATE 32.
_ROW_TYPE: Final = 1 | 2 | 8 | 16
_TRUNCATE_TYPE: Final = 2 | 32
_TABLE_SQL: Final = {
    "chronos_records": "seq BIGINT PRIMARY KEY CHECK (seq > 0), v INTEGER NOT NULL, id TEXT NOT NULL, "
    "event JSON NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL",
    "chronos_catalogue": "version INTEGER PRIMARY KEY CHECK (version > 0), text TEXT NOT NULL, "
    "written TIMESTAMPTZ NOT NULL DEFAULT now()",
    "chronos_catalogue_history": "n BIGINT PRIMARY KEY CHECK (n > 0), entry TEXT NOT NULL",
    "chronos_meta": "key TEXT PRIMARY KEY, value TEXT NOT NULL",
}

Connection = psycopg.Connection[tuple[Any, ...]]


def guards() -> dict[str, tuple[str, int]]:
    """Each trigger's name, with its table and its ``tgtype``."""
    found: dict[str, tuple[str, int]] = {}
    for table in TABLES:
        found[f"{table}_append_only"] = (table, _ROW_TYPE)
        found[f"{table}_no_truncate"] = (table, _TRUNCATE_TYPE)
    return found


def _function(schema: str) -> sql.Composed:
    return sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}").format(
        sql.Identifier(schema, FUNCTION), sql.Literal(BODY)
    )


def _create_trigger(db: Connection, schema: str, name: str) -> None:
    table, kind = guards()[name]
    when = "BEFORE UPDATE OR DELETE" if kind == _ROW_TYPE else "BEFORE TRUNCATE"
    each = "ROW" if kind == _ROW_TYPE else "STATEMENT"
    target = sql.Identifier(schema, table)
    db.execute(
        sql.SQL("CREATE TRIGGER {} " + when + " ON {} FOR EACH " + each + " EXECUTE FUNCTION {}()").format(
            sql.Identifier(name), target, sql.Identifier(schema, FUNCTION)
        )
    )
    db.execute(sql.SQL("ALTER TABLE {} ENABLE ALWAYS TRIGGER {}").format(target, sql.Identifier(name)))


def create(db: Connection, schema: str) -> None:
    """Create the schema, the tables, the format row and the triggers; inside the caller's transaction."""
    db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    for table in TABLES:
        db.execute(
            sql.SQL("CREATE TABLE {} (" + _TABLE_SQL[table] + ")").format(sql.Identifier(schema, table))
        )
    db.execute(
        sql.SQL("INSERT INTO {} (key, value) VALUES ('format', %s)").format(
            sql.Identifier(schema, "chronos_meta")
        ),
        (FORMAT,),
    )
    db.execute(_function(schema))
    for name in guards():
        _create_trigger(db, schema, name)


def upgrade_from_1(db: Connection, schema: str) -> None:
    """Format 1 kept the catalogue as one row of ``chronos_meta``, rewritten in place, and no triggers."""
    meta = sql.Identifier(schema, "chronos_meta")
    catalogue = sql.Identifier(schema, "chronos_catalogue")
    db.execute(sql.SQL("CREATE TABLE {} (" + _TABLE_SQL["chronos_catalogue"] + ")").format(catalogue))
    db.execute(
        sql.SQL("INSERT INTO {} (version, text) SELECT 1, value FROM {} WHERE key = 'catalogue'").format(
            catalogue, meta
        )
    )
    db.execute(sql.SQL("DELETE FROM {} WHERE key = 'catalogue'").format(meta))
    db.execute(sql.SQL("UPDATE {} SET value = %s WHERE key = 'format'").format(meta), (FORMAT,))
    history = sql.Identifier(schema, "chronos_catalogue_history")
    db.execute(sql.SQL("CREATE TABLE {} (" + _TABLE_SQL["chronos_catalogue_history"] + ")").format(history))
    db.execute(_function(schema))
    for name in guards():
        _create_trigger(db, schema, name)


def add_history(db: Connection, schema: str) -> None:
    """A format-2 schema from before the catalogue's history: its table and triggers; inside a transaction."""
    history = sql.Identifier(schema, "chronos_catalogue_history")
    db.execute(sql.SQL("CREATE TABLE {} (" + _TABLE_SQL["chronos_catalogue_history"] + ")").format(history))
    for name, (table, _kind) in guards().items():
        if table == "chronos_catalogue_history":
            _create_trigger(db, schema, name)


def _broken(db: Connection, schema: str) -> tuple[list[str], list[str], bool]:
    """The triggers missing, those altered (or disabled), and whether the function was altered."""
    rows = db.execute(
        "SELECT t.tgname, c.relname, t.tgtype, t.tgenabled, "
        "t.tgqual IS NULL AND cardinality(t.tgattr::int2[]) = 0, t.tgfoid = to_regprocedure(%s) "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND NOT t.tgisinternal AND c.relname = ANY(%s)",
        (f'"{schema}".{FUNCTION}()', schema, list(TABLES)),
    ).fetchall()
    found = {row[0]: row[1:] for row in rows}
    missing: list[str] = []
    altered: list[str] = []
    for name, (table, kind) in guards().items():
        if name not in found:
            missing.append(name)
        elif found[name] != (table, kind, "A", True, True):
            altered.append(name)
    function = db.execute(
        "SELECT p.prosrc, l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
        "WHERE p.oid = to_regprocedure(%s)",
        (f'"{schema}".{FUNCTION}()',),
    ).fetchone()
    return missing, altered, function != (BODY, "plpgsql")


def check_guards(db: Connection, schema: str, where: str) -> str | None:
    """What is missing or altered of the triggers (and their function), said in one line; None if nothing."""
    missing, altered, function = _broken(db, schema)
    parts = []
    if missing:
        parts.append(f"{', '.join(missing)} dropped")
    if altered:
        parts.append(f"{', '.join(altered)} altered or disabled")
    if function:
        parts.append(f"function {FUNCTION}() dropped or altered")
    if not parts:
        return None
    return (
        f"{where}: the triggers that keep the log append-only are not all there in schema {schema!r} "
        f"({'; '.join(parts)}), so rows could have been edited or deleted unrefused; "
        "run `chronos repair` as the owner of the tables to reinstate them"
    )


def reinstate(db: Connection, schema: str, head: tuple[int, str]) -> list[str]:
    """Put back what `check_guards` finds wrong and note it in ``chronos_meta``; inside a transaction.

    Returns the names put back (the function's too, if it was altered).
    """
    missing, altered, function = _broken(db, schema)
    redo = missing + altered
    if not redo and not function:
        return []
    db.execute(_function(schema))
    if function:
        # A new function body does not change which triggers use it, but a dropped one took them along.
        redo = list(guards())
    for name in redo:
        table, _kind = guards()[name]
        db.execute(
            sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(
                sql.Identifier(name), sql.Identifier(schema, table)
            )
        )
        _create_trigger(db, schema, name)
    names = ([f"{FUNCTION}()"] if function else []) + redo
    db.execute(
        sql.SQL(
            "INSERT INTO {} (key, value) "
            "VALUES ('reinstated ' || to_char(clock_timestamp() AT TIME ZONE 'UTC', "
            """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), %s)"""
        ).format(sql.Identifier(schema, "chronos_meta")),
        (f"{', '.join(names)} (were missing or altered); head {head[0]} {head[1]}",),
    )
    return names


def grant(db: Connection, schema: str, *, writer: str | None, reader: str | None, where: str) -> list[str]:
    """Give ``writer`` the right to read and append, ``reader`` the right to read; inside a transaction.

    A role that does not exist is created, without LOGIN (a group role: grant
    it to the people who log in). Each role loses any other right on the
    log's schema and tables first. Refused, with nothing changed (the caller
    rolls back), for a superuser, for a role that owns the tables or the
    schema (or belongs to their owner), and for a role that still could edit
    through some other role it belongs to. Returns one line per role.
    """
    if writer is not None and writer == reader:
        raise UsageError(f"{where}: the writer and the reader must be two roles, not both {writer!r}")
    owners = db.execute(
        "SELECT n.nspowner::regrole::text, c.relowner::regrole::text FROM pg_namespace n "
        "JOIN pg_class c ON c.relnamespace = n.oid WHERE n.nspname = %s AND c.relname = 'chronos_records'",
        (schema,),
    ).fetchone()
    assert owners is not None  # the store made the tables before granting
    said: list[str] = []
    for role, kind in ((writer, "writer"), (reader, "reader")):
        if role is None:
            continue
        said.append(_grant_one(db, schema, role, kind, owners, where))
    return said


def _grant_one(db: Connection, schema: str, role: str, kind: str, owners: tuple[str, str], where: str) -> str:
    found = db.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    created = found is None
    if found is None:
        db.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    elif found[0]:
        raise UsageError(f"{where}: role {role!r} is a superuser, which no trigger or privilege stops")
    for owner in dict.fromkeys(owners):
        member = db.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (role, owner)).fetchone()
        if member and member[0]:
            raise UsageError(
                f"{where}: role {role!r} owns the log's schema or tables (or belongs to {owner!r}, "
                f"their owner), so it could drop the triggers; give the {kind} a role of its own"
            )
    name = sql.Identifier(role)
    tables = sql.SQL(", ").join(sql.Identifier(schema, table) for table in TABLES)
    db.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(sql.Identifier(schema), name))
    db.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(tables, name))
    db.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), name))
    db.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(tables, name))
    if kind == "writer":
        appended = sql.SQL(", ").join(
            sql.Identifier(schema, table)
            for table in ("chronos_records", "chronos_catalogue", "chronos_catalogue_history")
        )
        db.execute(sql.SQL("GRANT INSERT ON TABLE {} TO {}").format(appended, name))
    _refuse_leftovers(db, schema, role, kind, where)
    may = "read and append (no UPDATE, DELETE or TRUNCATE)" if kind == "writer" else "read only"
    return f"{kind} role {role!r}{' (created, NOLOGIN)' if created else ''}: may {may}"


def _refuse_leftovers(db: Connection, schema: str, role: str, kind: str, where: str) -> None:
    """Refuse a role that can still edit through another role it belongs to, or PUBLIC."""
    for table in TABLES:
        allowed = {"SELECT"} | ({"INSERT"} if kind == "writer" and table != "chronos_meta" else set())
        for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"):
            if privilege in allowed:
                continue
            row = db.execute(
                "SELECT has_table_privilege(%s, %s, %s)", (role, f'"{schema}".{table}', privilege)
            ).fetchone()
            if row and row[0]:
                raise UsageError(
                    f"{where}: role {role!r} may still {privilege} on {schema}.{table} through another "
                    f"role it belongs to (or PUBLIC); revoke that there, then run this again"
                )
    row = db.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", (role, schema)).fetchone()
    if row and row[0]:
        raise UsageError(
            f"{where}: role {role!r} may still CREATE in schema {schema!r} through another role it "
            "belongs to (or PUBLIC); revoke that there, then run this again"
        )
