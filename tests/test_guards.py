"""SQLite and PostgreSQL keep a log append-only themselves: triggers, checked on opening, and roles."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from psycopg import sql

from chronos import ChronosError, EventLog, IntegrityError, StoreError, cli
from chronos.stores import JsonlStore, PostgresStore, SqliteStore, copy_store, open_store
from chronos.stores._pgschema import BODY, guards
from chronos.stores.records import Head
from chronos.stores.sqlite import GUARDS
from chronos.testing import make_records
from tests import pg
from tests.cli_fixtures import CATALOGUE, small_events, write_small_log
from tests.strategies import LOG_TABLES, Tamper, tampering

REFUSED = "refused: a chronos log is append-only"
OLD_SQLITE = """
CREATE TABLE chronos_records (
    seq INTEGER PRIMARY KEY CHECK (seq > 0), v INTEGER NOT NULL, id TEXT NOT NULL,
    event TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE chronos_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO chronos_meta VALUES ('format', '1');
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def fill(store: Any) -> None:
    """The small story and two versions of its catalogue."""
    store.write_catalogue("# the first catalogue\n")
    store.write_catalogue(CATALOGUE)
    from chronos import Catalogue

    log = EventLog(store, Catalogue.from_toml(CATALOGUE))
    log.append(small_events(log.codec), expected_position=0)
    log.record_catalogue()  # the catalogue's history: a row of chronos_catalogue_history to tamper with


# SQLite ---------------------------------------------------------------------------------------------


def sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as db:
        rows = {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in LOG_TABLES}
    db.close()
    return rows


def sqlite_tampering(tamper: Tamper, keys: list[Any]) -> tuple[str, tuple[Any, ...]]:
    """The SQL of ``tamper`` for SQLite and its parameters."""
    table, column = tamper.table, tamper.column
    key_column, columns = LOG_TABLES[table][0], LOG_TABLES[table]
    value = (
        column
        if tamper.same
        else f"{column} + 1"
        if column in ("seq", "v", "version", "n")
        else f"{column} || 'x'"
    )
    where = f"WHERE {key_column} = ?"
    key = (keys[tamper.row % len(keys)],)
    # A row re-inserted under a new key is a new row, which an append-only table takes.
    picked = ", ".join(value if c == column and c != key_column else c for c in columns)
    return {
        "update": (f"UPDATE {table} SET {column} = {value} {where}", key),
        "update-all": (f"UPDATE {table} SET {column} = {value}", ()),
        "update-or-replace": (f"UPDATE OR REPLACE {table} SET {column} = {value} {where}", key),
        "delete": (f"DELETE FROM {table} {where}", key),
        "delete-all": (f"DELETE FROM {table}", ()),
        "replace": (f"INSERT OR REPLACE INTO {table} SELECT {picked} FROM {table} {where}", key),
        "upsert": (
            f"INSERT INTO {table} SELECT * FROM {table} {where} "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {column} = excluded.{column}",
            key,
        ),
    }[tamper.kind]


@pytest.fixture(scope="module")
def sqlite_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite log holding the small story: refused edits leave it as it is, so tests share it."""
    path = tmp_path_factory.mktemp("guards") / "log.db"
    store = SqliteStore(path)
    fill(store)
    store.close()
    return path


class TestSqliteRefuses:
    """Every UPDATE, DELETE and INSERT over a row of any table is refused, by SQLite itself."""

    @given(
        tampering(("update", "update-all", "update-or-replace", "delete", "delete-all", "replace", "upsert"))
    )
    def test_edits_are_refused(self, sqlite_log: Path, tamper: Tamper) -> None:
        before = sqlite_rows(sqlite_log)
        keys = [row[0] for row in before[tamper.table]]
        statement, parameters = sqlite_tampering(tamper, keys)
        with sqlite3.connect(sqlite_log) as db, pytest.raises(sqlite3.IntegrityError, match=REFUSED):
            db.execute(statement, parameters)
        db.close()
        assert sqlite_rows(sqlite_log) == before

    def test_appends_and_new_catalogues_still_work(self, tmp_path: Path) -> None:
        store = SqliteStore(tmp_path / "log.db")
        fill(store)
        store.write_catalogue(CATALOGUE)  # the same text again: no new version
        store.write_catalogue("# the third\n")
        store.write_catalogue(CATALOGUE)
        rows = sqlite_rows(tmp_path / "log.db")["chronos_catalogue"]
        assert [(version, text) for version, text, _ in rows] == [
            (1, "# the first catalogue\n"),
            (2, CATALOGUE),
            (3, "# the third\n"),
            (4, CATALOGUE),
        ]
        assert store.read_catalogue() == CATALOGUE
        assert EventLog(store).unguarded() is None
        store.close()


class TestSqliteChecked:
    """A dropped or altered trigger is found on opening, reported, blocks appends, and repair puts it back."""

    @pytest.mark.parametrize("name", sorted(GUARDS))
    def test_dropped_trigger(self, name: str, tmp_path: Path) -> None:
        path = tmp_path / "log.db"
        fill(SqliteStore(path))
        with sqlite3.connect(path) as db:
            db.execute(f"DROP TRIGGER {name}")
        db.close()
        store = SqliteStore(path)
        log = EventLog(store)
        message = f"{path}: the triggers that keep the log append-only are not all there ({name} dropped)"
        assert str(log.unguarded()).startswith(message)
        with pytest.raises(IntegrityError, match="^" + re.escape(message)):
            log.verify()
        with pytest.raises(IntegrityError, match=r"appends are refused until then$"):
            store.append(make_records(store.head(), 1), expected_position=store.head().position)
        assert store.reinstate() == [name]
        assert store.reinstate() == []
        assert log.verify().count == len(small_events())
        (_key, note), *_ = (
            row for row in sqlite_rows(path)["chronos_meta"] if row[0].startswith("reinstated")
        )
        assert note == f"{name} (were missing or altered); head {store.head().position} {store.head().hash}"
        store.append(make_records(store.head(), 1), expected_position=store.head().position)
        store.close()

    def test_a_repair_elsewhere_ends_the_refusal(self, tmp_path: Path) -> None:
        path = tmp_path / "log.db"
        SqliteStore(path).close()
        with sqlite3.connect(path) as db:
            db.execute("DROP TRIGGER chronos_records_no_update")
        db.close()
        writer = SqliteStore(path)  # a long-lived writer that opened the file unguarded
        with pytest.raises(IntegrityError, match="appends are refused"):
            writer.append(make_records(writer.head(), 1), expected_position=0)
        repairer = SqliteStore(path)
        assert repairer.reinstate() == ["chronos_records_no_update"]
        repairer.close()
        assert writer.append(make_records(writer.head(), 1), expected_position=0).position == 1
        writer.close()

    def test_altered_trigger(self, tmp_path: Path) -> None:
        path = tmp_path / "log.db"
        SqliteStore(path).close()
        with sqlite3.connect(path) as db:
            db.execute("DROP TRIGGER chronos_records_no_delete")
            db.execute(GUARDS["chronos_records_no_delete"].replace("\nBEGIN", " WHEN 0\nBEGIN"))
        db.close()
        store = SqliteStore(path)
        assert "(chronos_records_no_delete altered)" in str(store.unguarded())
        assert store.reinstate() == ["chronos_records_no_delete"]
        assert store.unguarded() is None
        store.close()

    def test_commands_report_and_repair(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "log.db"
        location = f"sqlite:///{path}"
        store = SqliteStore(path)
        copy_store(JsonlStore(write_small_log(tmp_path / "events")), store)
        store.close()
        with sqlite3.connect(path) as db:
            db.execute("DROP TRIGGER chronos_records_no_update")
        db.close()
        code, _, err = run(capsys, "--log", location, "verify")
        assert code == 1
        assert err.startswith(f"chronos: error: {path}: the triggers that keep the log append-only")
        code, out, _ = run(capsys, "--log", location, "check", "--format", "json")
        assert code == 1
        assert [f["rule"] for f in json.loads(out)["answer"] if f["severity"] == "error"] == [
            "unguarded-store"
        ]
        code, out, _ = run(capsys, "--log", location, "repair")
        assert code == 0
        assert out.startswith(
            f"reinstated chronos_records_no_update (noted in chronos_meta); head {len(small_events())} "
        )
        assert run(capsys, "--log", location, "verify")[0] == 0
        code, out, _ = run(capsys, "--log", location, "repair")
        assert out.startswith("nothing to repair")

    def test_dropped_table(self, tmp_path: Path) -> None:
        path = tmp_path / "log.db"
        SqliteStore(path).close()
        with sqlite3.connect(path) as db:
            db.execute("DROP TABLE chronos_records")
        db.close()
        with pytest.raises(IntegrityError, match=r"log.db: table chronos_records is missing \(dropped\?\)"):
            SqliteStore(path)


class TestSqliteUpgrade:
    """A file of format 1 (no triggers, the catalogue rewritten in place) becomes format 2 on opening."""

    def test_upgrade(self, tmp_path: Path) -> None:
        path = tmp_path / "old.db"
        records = make_records(Head(), 3)
        with sqlite3.connect(path) as db:
            db.executescript(OLD_SQLITE)
            db.execute("INSERT INTO chronos_meta VALUES ('catalogue', '# old\n')")
            db.executemany(
                "INSERT INTO chronos_records VALUES (?, ?, ?, ?, ?, ?)",
                [(r.seq, r.v, r.id, json.dumps(r.event), r.prev, r.hash) for r in records],
            )
        db.close()
        store = SqliteStore(path)
        assert not store.created
        assert list(store.read()) == records
        assert store.read_catalogue() == "# old\n"
        assert store.unguarded() is None
        assert sqlite_rows(path)["chronos_meta"] == [("format", "2")]
        store.close()
        with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError, match=REFUSED):
            db.execute("DELETE FROM chronos_records")
        db.close()


# PostgreSQL -------------------------------------------------------------------------------------------


def pg_rows(store: PostgresStore) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: store._db().execute(f"SELECT * FROM {store.schema}.{table} ORDER BY 1").fetchall()
        for table in ("chronos_records", "chronos_catalogue", "chronos_catalogue_history", "chronos_meta")
    }


def pg_tampering(tamper: Tamper, schema: str, keys: list[Any]) -> tuple[str, tuple[Any, ...]]:
    """The SQL of ``tamper`` for PostgreSQL and its parameters."""
    table, column = f"{schema}.{tamper.table}", tamper.column
    key_column = LOG_TABLES[tamper.table][0]
    changed = {
        "seq": "seq + 1",
        "v": "v + 1",
        "version": "version + 1",
        "event": "'{}'::json",
        "written": "now()",
        "n": "n + 1",
    }
    value = column if tamper.same else changed.get(column, f"{column} || 'x'")
    key = (keys[tamper.row % len(keys)],)
    return {
        "update": (f"UPDATE {table} SET {column} = {value} WHERE {key_column} = %s", key),
        "update-all": (f"UPDATE {table} SET {column} = {value}", ()),
        "delete": (f"DELETE FROM {table} WHERE {key_column} = %s", key),
        "delete-all": (f"DELETE FROM {table}", ()),
        "truncate": (f"TRUNCATE {table}", ()),
        "upsert": (
            f"INSERT INTO {table} SELECT * FROM {table} WHERE {key_column} = %s "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {column} = excluded.{column}",
            key,
        ),
    }[tamper.kind]


@pytest.fixture(scope="module")
def pg_log() -> Iterator[PostgresStore]:
    """A PostgreSQL log holding the small story, opened by the superuser: its edits are refused too."""
    store = PostgresStore(pg.fresh_url())
    fill(store)
    yield store
    store.close()


class TestPostgresRefuses:
    """Every UPDATE, DELETE and TRUNCATE of any table is refused by the server, for any role."""

    @settings(max_examples=40)
    @given(tampering(("update", "update-all", "delete", "delete-all", "truncate", "upsert")))
    def test_edits_are_refused(self, pg_log: PostgresStore, tamper: Tamper) -> None:
        before = pg_rows(pg_log)
        keys = [row[0] for row in before[tamper.table]]
        statement, parameters = pg_tampering(tamper, pg_log.schema, keys)
        with pytest.raises(psycopg.errors.RaiseException, match=REFUSED):
            pg_log._db().execute(statement, parameters)
        assert pg_rows(pg_log) == before

    def test_under_replication_role_too(self, pg_log: PostgresStore) -> None:
        db = pg_log._db()
        with pytest.raises(psycopg.errors.RaiseException, match=REFUSED), db.transaction():  # noqa: PT012
            db.execute("SET LOCAL session_replication_role = replica")
            db.execute(f"DELETE FROM {pg_log.schema}.chronos_records")


class TestPostgresChecked:
    """A dropped, disabled or altered trigger (or function) is found on opening; repair puts it back."""

    @pytest.mark.parametrize(
        ("how", "name", "said"),
        [
            ("DROP TRIGGER {name} ON {table}", "chronos_records_append_only", "dropped"),
            ("DROP TRIGGER {name} ON {table}", "chronos_meta_no_truncate", "dropped"),
            (
                "ALTER TABLE {table} DISABLE TRIGGER {name}",
                "chronos_catalogue_append_only",
                "altered or disabled",
            ),
            (
                "ALTER TABLE {table} ENABLE TRIGGER {name}",
                "chronos_records_no_truncate",
                "altered or disabled",
            ),
        ],
    )
    def test_trigger(self, how: str, name: str, said: str) -> None:
        url = pg.fresh_url()
        store = PostgresStore(url)
        fill(store)
        table = f"{store.schema}.{guards()[name][0]}"
        store._db().execute(how.format(name=name, table=table))
        store.close()
        store = PostgresStore(url)
        message = str(EventLog(store).unguarded())
        assert f"are not all there in schema {store.schema!r} ({name} {said})" in message
        with pytest.raises(IntegrityError, match="run `chronos repair` as the owner"):
            EventLog(store).verify()
        with pytest.raises(IntegrityError, match="appends are refused until then"):
            store.append(make_records(store.head(), 1), expected_position=store.head().position)
        assert store.reinstate() == [name]
        assert store.unguarded() is None
        notes = [row for row in pg_rows(store)["chronos_meta"] if row[0].startswith("reinstated")]
        assert [note for _key, note in notes] == [
            f"{name} (were missing or altered); head {store.head().position} {store.head().hash}"
        ]
        assert EventLog(store).verify().count == len(small_events())
        store.close()

    def test_function_replaced(self) -> None:
        store = PostgresStore(pg.fresh_url())
        fill(store)
        store._db().execute(
            f"CREATE OR REPLACE FUNCTION {store.schema}.chronos_refuse() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$"
        )
        # What the new body lets through:
        store._db().execute(f"DELETE FROM {store.schema}.chronos_catalogue WHERE version = 1")
        assert "function chronos_refuse() dropped or altered" in str(store.unguarded())
        assert store.reinstate()[0] == "chronos_refuse()"
        assert store.unguarded() is None
        with pytest.raises(psycopg.errors.RaiseException, match=REFUSED):
            store._db().execute(f"DELETE FROM {store.schema}.chronos_catalogue")
        store.close()

    def test_upgrade_from_format_1(self) -> None:
        url = pg.fresh_url()
        schema = url.rsplit("schema=", 1)[1]
        records = make_records(Head(), 2)
        with pg.superuser() as db:
            db.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            db.execute(f"SET search_path = {schema}")
            db.execute(
                OLD_SQLITE.replace("INTEGER PRIMARY", "BIGINT PRIMARY").replace("event TEXT", "event JSON")
            )
            db.execute("INSERT INTO chronos_meta VALUES ('catalogue', '# old')")
            for r in records:
                db.execute(
                    "INSERT INTO chronos_records VALUES (%s, %s, %s, %s, %s, %s)",
                    (r.seq, r.v, r.id, json.dumps(r.event), r.prev, r.hash),
                )
        store = PostgresStore(url)
        assert list(store.read()) == records
        assert store.read_catalogue() == "# old"
        assert store.unguarded() is None
        assert pg_rows(store)["chronos_meta"] == [("format", "2")]
        store.close()


# Roles ----------------------------------------------------------------------------------------------------


class Shared:
    """A log set up by an owner (no superuser) with ``chronos init --writer --reader``; a login for each."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.admin = pg.login_role(options="CREATEROLE")
        with pg.superuser() as db:
            db.execute(sql.SQL("GRANT CREATE ON DATABASE postgres TO {}").format(sql.Identifier(self.admin)))
        url = pg.fresh_url()
        self.schema = url.rsplit("schema=", 1)[1]
        self.writer, self.reader = f"{self.schema}_writer", f"{self.schema}_reader"
        self.url = pg.as_role(url, self.admin)
        self.code, self.out, self.err = run(
            capsys, "init", self.url, "--writer", self.writer, "--reader", self.reader
        )
        self.alice = pg.login_role(member_of=(self.writer,))
        self.bob = pg.login_role(member_of=(self.reader,))

    def as_(self, role: str) -> str:
        return pg.as_role(self.url, role)

    def connect(self, role: str) -> Any:
        from chronos.stores._pgurl import split_url as _split

        return psycopg.connect(_split(self.as_(role))[0], autocommit=True)


class TestRoles:
    """A writer appends and cannot edit; a reader reads and cannot write; the owner is neither."""

    def test_init_shares_the_log(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        shared = Shared(capsys)
        assert (shared.code, shared.err) == (0, "")
        assert shared.out.splitlines() == [
            f"created an empty log at {shared.url} "
            f"(schema {shared.schema!r}, owned by role {shared.admin!r})",
            f"writer role {shared.writer!r} (created, NOLOGIN): may read and append "
            "(no UPDATE, DELETE or TRUNCATE)",
            f"reader role {shared.reader!r} (created, NOLOGIN): may read only",
        ]
        with shared.connect(shared.admin) as db:
            owners = db.execute(
                "SELECT DISTINCT r.rolname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_roles r ON r.oid = c.relowner WHERE n.nspname = %s "
                "UNION SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s",
                (shared.schema, shared.schema),
            ).fetchall()
        assert owners == [(shared.admin,)]

        # The writer (alice) fills the log; the reader (bob) asks it everything.
        events = write_small_log(tmp_path / "events")
        code, out, err = run(capsys, "copy", str(events), shared.as_(shared.alice))
        assert (code, err) == (0, ""), err
        assert out.startswith(f"copied {len(small_events())} records")
        reader = shared.as_(shared.bob)
        said = {}
        for argv in (
            ["roster", "SA", "--at", "2022-01-10", "--format", "json"],
            ["verify"],
            ["head"],
            ["check"],
            ["events", "--format", "json"],
            ["diff", "SA", "2021-12-01", "2022-01-31"],
            ["history", "karim-massimov"],
            ["name", "SA", "--at", "2022-01-10"],
            ["export", "csv"],
        ):
            code, said[argv[0]], err = run(capsys, "--log", reader, *argv)
            assert (code, err) == (0, ""), (argv, err)
        roster = run(capsys, "--log", str(events), "roster", "SA", "--at", "2022-01-10", "--format", "json")
        assert said["roster"] == roster[1]
        assert said["verify"].startswith(f"ok: {len(small_events())} records")
        assert said["head"].startswith(f"{len(small_events())} {EventLog.open(events).head().hash} ")
        assert json.loads(said["events"]) == json.loads(
            run(capsys, "--log", str(events), "events", "--format", "json")[1]
        )

        # The reader's append fails in one line, naming the role.
        new = tmp_path / "new.jsonl"
        new.write_text(
            '{"type":"Died","person":"murat-nurtleu","occurred":"2023","known":"2023",'
            '"sources":[{"source":"s","quote":"q"}]}\n',
            encoding="utf-8",
        )
        code, _, err = run(capsys, "--log", reader, "append", str(new))
        assert code == 1
        assert err == (
            f"chronos: error: {reader}: role {shared.bob!r} may not append (it may only read this log: "
            "permission denied for table chronos_records)\n"
        )
        code, _, err = run(capsys, "--log", shared.as_(shared.alice), "append", str(new))
        assert (code, err) == (0, "")

    def test_what_each_role_may_do(self, capsys: pytest.CaptureFixture[str]) -> None:
        shared = Shared(capsys)
        store = PostgresStore(shared.as_(shared.alice))
        fill(store)
        store.close()
        denied = psycopg.errors.InsufficientPrivilege
        schema = shared.schema
        for role in (shared.alice, shared.bob):
            with shared.connect(role) as db:
                for statement in (
                    f"UPDATE {schema}.chronos_records SET id = 'x'",
                    f"DELETE FROM {schema}.chronos_records",
                    f"TRUNCATE {schema}.chronos_catalogue",
                    f"DELETE FROM {schema}.chronos_meta",
                    f"INSERT INTO {schema}.chronos_meta VALUES ('format', '3')",
                    f"CREATE TABLE {schema}.mine (x int)",
                ):
                    with pytest.raises(denied):
                        db.execute(statement)
                with pytest.raises(denied, match="must be owner of table chronos_records"):
                    db.execute(f"ALTER TABLE {schema}.chronos_records DISABLE TRIGGER ALL")
                assert db.execute(f"SELECT count(*) FROM {schema}.chronos_records").fetchone() == (
                    len(small_events()),
                )
        with shared.connect(shared.bob) as db, pytest.raises(denied):
            db.execute(f"INSERT INTO {schema}.chronos_catalogue (version, text) VALUES (9, 'x')")
        reader = PostgresStore(shared.as_(shared.bob))
        with pytest.raises(ChronosError, match=f"role {shared.bob!r} may not change the catalogue"):
            reader.write_catalogue("# mine\n")
        reader.close()
        # The owner may, by its privileges; the triggers refuse it all the same.
        with shared.connect(shared.admin) as db, pytest.raises(psycopg.errors.RaiseException, match=REFUSED):
            db.execute(f"DELETE FROM {schema}.chronos_records")

    def test_init_again_changes_nothing_but_roles(self, capsys: pytest.CaptureFixture[str]) -> None:
        shared = Shared(capsys)
        with pg.superuser() as db:  # more than a writer should have, given by hand
            db.execute(
                sql.SQL("GRANT ALL ON ALL TABLES IN SCHEMA {} TO {}").format(
                    sql.Identifier(shared.schema), sql.Identifier(shared.writer)
                )
            )
        code, out, err = run(capsys, "init", shared.url, "--writer", shared.writer)
        assert (code, err) == (0, "")
        assert out.splitlines() == [
            f"{shared.url} holds a log already (0 records); left as it is",
            f"writer role {shared.writer!r}: may read and append (no UPDATE, DELETE or TRUNCATE)",
        ]
        with shared.connect(shared.alice) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute(f"DELETE FROM {shared.schema}.chronos_records")

    @pytest.mark.parametrize("case", ["same", "owner", "member-of-owner", "superuser", "through-a-group"])
    def test_refused_roles_change_nothing(self, case: str, capsys: pytest.CaptureFixture[str]) -> None:
        shared = Shared(capsys)
        new = f"{shared.schema}_other"
        argv = {
            "same": ["--writer", new, "--reader", new],
            "owner": ["--writer", shared.admin],
            "member-of-owner": ["--reader", pg.login_role(member_of=(shared.admin,))],
            "superuser": ["--reader", "postgres"],
            "through-a-group": ["--writer", new],
        }[case]
        if case == "through-a-group":
            editors = pg.login_role()
            with pg.superuser() as db:
                db.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(new)))
                db.execute(
                    sql.SQL("GRANT DELETE ON {} TO {}").format(
                        sql.Identifier(shared.schema, "chronos_records"), sql.Identifier(editors)
                    )
                )
                db.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(editors), sql.Identifier(new)))
        code, _, err = run(capsys, "init", shared.url, *argv)
        assert code == 2  # a usage error: these roles cannot be what was asked
        expected = {
            "same": "the writer and the reader must be two roles",
            "owner": "owns the log's schema or tables",
            "member-of-owner": "owns the log's schema or tables (or belongs to",
            "superuser": "role 'postgres' is a superuser",
            "through-a-group": f"role {new!r} may still DELETE on {shared.schema}.chronos_records through",
        }[case]
        assert expected in err, err
        assert err.count("\n") == 1
        with pg.superuser() as db:
            exists = db.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (new,)).fetchone()
        assert exists == ((1,) if case == "through-a-group" else (0,))

    def test_roles_are_for_postgresql(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(capsys, "init", f"sqlite:///{tmp_path}/log.db", "--reader", "bob")
        assert code == 2
        assert "--writer and --reader are for PostgreSQL logs" in err
        assert not (tmp_path / "log.db").exists()


class TestReadReplica:
    """A hot standby serves readers: every query, verify and head, and waiting for appends (by polling)."""

    def test_reader_on_a_standby(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        with pg.replica() as (primary, standby):
            schema = "?schema=nsc"
            code, _, err = run(capsys, "init", primary + "&schema=nsc", "--reader", "nsc_reader")
            assert (code, err) == (0, ""), err
            with psycopg.connect(primary, autocommit=True) as db:
                db.execute("CREATE ROLE bob LOGIN IN ROLE nsc_reader")
            source = EventLog.open(write_small_log(tmp_path / "events"))
            log = EventLog.open(primary + "&schema=nsc")
            copy_store(source.store, log.store)
            reader = pg.as_role(standby, "bob").replace("?", schema + "&", 1)
            deadline = time.monotonic() + 30
            while True:  # the standby replays what the primary wrote, a moment later
                try:
                    replica = EventLog.open(reader)
                except ChronosError:
                    replica = None
                if replica is not None and replica.head() == log.head():
                    break
                assert time.monotonic() < deadline, "the standby did not catch up"
                time.sleep(0.1)
            code, out, err = run(capsys, "--log", reader, "roster", "SA", "--at", "2022-01-10")
            assert (code, err) == (0, ""), err
            assert (
                out == run(capsys, "--log", str(tmp_path / "events"), "roster", "SA", "--at", "2022-01-10")[1]
            )
            code, out, _ = run(capsys, "--log", reader, "verify")
            assert out.startswith(f"ok: {log.position} records, head {log.head().hash[:12]}; catalogue: ")
            code, out, _ = run(capsys, "--log", reader, "head")
            assert out.startswith(f"{log.position} {log.head().hash} ")
            with pytest.raises(StoreError, match="a read replica takes no writes; append to the primary"):
                replica.store.append(make_records(log.head(), 1), expected_position=log.position)

            def later() -> None:
                time.sleep(0.3)
                log.store.append(make_records(log.head(), 1, tag="late"), expected_position=log.position)

            writer = threading.Thread(target=later)
            writer.start()
            assert replica.store.wait(after=log.position, timeout=30)  # LISTEN is refused on a standby
            writer.join()
            replica.store.close()
            log.store.close()
            source.store.close()


class TestInit:
    """`chronos init` makes an empty log of any kind, and leaves an existing one as it is."""

    def test_directory(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        target = tmp_path / "new"
        code, out, _ = run(capsys, "init", str(target))
        assert (code, out) == (0, f"created an empty log at {target} (a directory of JSON Lines)\n")
        assert run(capsys, "--log", str(target), "verify")[1] == "ok: 0 records, head 000000000000\n"
        events = write_small_log(tmp_path / "events")
        code, out, _ = run(capsys, "init", str(events))
        assert out == f"{events} holds a log already ({len(small_events())} records); left as it is\n"
        (tmp_path / "notes").mkdir()
        (tmp_path / "notes" / "todo.txt").write_text("x", encoding="utf-8")
        code, _, err = run(capsys, "init", str(tmp_path / "notes"))
        assert code == 2
        assert "notes: not empty and not a log (1 other files); give a new or empty directory" in err

    def test_sqlite(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        location = f"sqlite:///{tmp_path}/log.db"
        assert run(capsys, "init", location)[1] == f"created an empty log at {location} (a SQLite file)\n"
        assert (
            run(capsys, "init", location)[1] == f"{location} holds a log already (0 records); left as it is\n"
        )
        assert SqliteStore(tmp_path / "log.db").unguarded() is None

    def test_memory(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(capsys, "init", ":memory:")
        assert code == 2
        assert "lives and dies with one process" in err

    def test_unguarded_log_is_reported(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "log.db"
        SqliteStore(path).close()
        with sqlite3.connect(path) as db:
            db.execute("DROP TRIGGER chronos_meta_no_delete")
        db.close()
        code, _, err = run(capsys, "init", f"sqlite:///{path}")
        assert code == 1
        assert "chronos_meta_no_delete dropped" in err


def test_body_is_what_the_server_keeps() -> None:
    """The function body compared on opening is byte for byte what PostgreSQL returns."""
    store = open_store(pg.fresh_url())
    assert isinstance(store, PostgresStore)
    row = (
        store._db()
        .execute(
            "SELECT prosrc FROM pg_proc WHERE oid = to_regprocedure(%s)",
            (f"{store.schema}.chronos_refuse()",),
        )
        .fetchone()
    )
    assert row == (BODY,)
    store.close()
