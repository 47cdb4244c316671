"""One contract suite, run against every store (eventsourcing's recorder test cases)."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronos import (
    ChronosError,
    ConcurrencyError,
    IntegrityError,
    IntegrityWarning,
    JsonlStore,
    MemoryStore,
    RecordError,
    Store,
)
from chronos.stores import PostgresStore, SqliteStore, open_store
from chronos.stores._jsonl_format import loads_line
from chronos.stores.postgres import redact_url
from chronos.stores.records import Head, Record
from chronos.testing import StoreContract, StoreMachine, make_records
from tests import pg
from tests.strategies import json_values

StoreFactory = Callable[[Path], Store]
FACTORIES: dict[str, StoreFactory] = {
    "memory": lambda _path: MemoryStore(),
    "jsonl": lambda path: JsonlStore(path / "log"),
    "jsonl-small-segments": lambda path: JsonlStore(path / "log", segment_bytes=600),
    "sqlite": lambda path: SqliteStore(path / "log.db"),
    "postgres": lambda _path: PostgresStore(pg.fresh_url()),
}
#: The stores that outlive the object: reopened from the same place, they hold the same log.
DURABLE = ("jsonl", "sqlite", "postgres")


def location(kind: str, path: Path) -> str:
    """Where a durable store of ``kind`` lives, as `open_store` takes it."""
    return {"jsonl": str(path / "log"), "sqlite": f"sqlite:///{path / 'log.db'}", "postgres": pg.fresh_url()}[
        kind
    ]


class TestMemoryContract(StoreContract):
    def make_store(self, path: Path) -> Store:
        return MemoryStore()


class TestJsonlContract(StoreContract):
    def make_store(self, path: Path) -> Store:
        return JsonlStore(path / "log")


class TestJsonlSmallSegmentsContract(StoreContract):
    def make_store(self, path: Path) -> Store:
        return JsonlStore(path / "log", segment_bytes=600)


class TestSqliteContract(StoreContract):
    def make_store(self, path: Path) -> Store:
        return SqliteStore(path / "log.db")


class TestPostgresContract(StoreContract):
    def make_store(self, path: Path) -> Store:
        return PostgresStore(pg.fresh_url())


class TestDurable:
    """The stores on disk or on a server hold the log after they are closed and opened again."""

    @pytest.mark.parametrize("kind", DURABLE)
    def test_reopen(self, kind: str, tmp_path: Path) -> None:
        where = location(kind, tmp_path)
        first = open_store(where)
        records = make_records(first.head(), 4)
        first.append(records, expected_position=0)
        first.write_catalogue("# nothing yet\n")
        first.close()
        again = open_store(where, create=False)
        assert list(again.read()) == records
        assert again.head() == Head(4, records[-1].hash)
        assert again.read_catalogue() == "# nothing yet\n"
        again.close()

    @pytest.mark.parametrize("kind", ["jsonl", "sqlite"])
    def test_missing_log_is_not_created_without_create(self, kind: str, tmp_path: Path) -> None:
        where = location(kind, tmp_path)
        with pytest.raises(RecordError, match="no such log"):
            open_store(where, create=False)
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize("kind", ["sqlite", "postgres"])
    def test_position_is_a_primary_key(
        self, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two writers that both saw the same position: the database itself refuses the second."""
        where = location(kind, tmp_path)
        first, second = open_store(where), open_store(where)
        first.append(make_records(Head(), 2, tag="a"), expected_position=0)
        # The second writer's own check is fooled into passing; the primary key is not.
        monkeypatch.setattr(second, "_head", lambda: Head())
        with pytest.raises(ConcurrencyError, match="stale append: expected position 0"):
            second.append(make_records(Head(), 1, tag="b"), expected_position=0)
        monkeypatch.undo()
        assert [r.id for r in second.read()] == ["id-a-1", "id-a-2"]
        first.close()
        second.close()


class TestOpenStore:
    """A log is opened by a directory, a file or a URL."""

    def test_kinds(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        cases = {
            "events": JsonlStore,
            str(tmp_path / "dir"): JsonlStore,
            "sqlite:///relative.db": SqliteStore,
            f"sqlite:///{tmp_path}/absolute.sqlite": SqliteStore,
            "plain.db": SqliteStore,
            "plain.sqlite3": SqliteStore,
            ":memory:": MemoryStore,
        }
        for where, kind in cases.items():
            made = open_store(where)
            assert isinstance(made, kind), where
            made.close()
        assert (tmp_path / "relative.db").is_file()
        assert (tmp_path / "absolute.sqlite").is_file()
        assert (tmp_path / "plain.db").is_file()

    def test_a_directory_named_like_a_file_stays_a_directory(self, tmp_path: Path) -> None:
        (tmp_path / "old.db").mkdir()
        assert isinstance(open_store(tmp_path / "old.db"), JsonlStore)

    def test_postgres_url(self) -> None:
        made = open_store(pg.fresh_url())
        assert isinstance(made, PostgresStore)
        assert made.schema.startswith("t_")
        made.close()

    @pytest.mark.parametrize(
        ("where", "message"),
        [
            ("mysql://db/x", "unknown kind of log 'mysql'"),
            ("sqlite://", "a SQLite URL names a file"),
            ("postgresql://u@/db?host=/nonexistent-chronos&schema=Bad-Name", "bad schema name 'Bad-Name'"),
        ],
    )
    def test_bad_locations(self, where: str, message: str) -> None:
        with pytest.raises(ChronosError, match=message):
            open_store(where)

    def test_unreachable_server_is_one_line_without_password(self) -> None:
        with pytest.raises(ChronosError) as info:
            open_store("postgresql://ann:secret@/db?host=/nonexistent-chronos-socket&connect_timeout=2")
        message = str(info.value)
        assert "cannot connect" in message
        assert "secret" not in message
        assert "\n" not in message

    def test_redact(self) -> None:
        assert redact_url("postgresql://ann:secret@db:5432/x?sslmode=require") == (
            "postgresql://ann:***@db:5432/x?sslmode=require"
        )
        assert (
            redact_url("postgresql://db/x?password=secret&host=/tmp")
            == "postgresql://db/x?password=***&host=/tmp"
        )
        assert redact_url("postgresql://ann@db/x") == "postgresql://ann@db/x"

    def test_postgres_without_psycopg(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "psycopg", None)
        with pytest.raises(ChronosError, match=r"need psycopg: pip install 'chronos-history\[postgres\]'"):
            open_store("postgresql://ann:secret@db/x")


class TestSqlite:
    """The SQLite store refuses files it does not understand, in one line."""

    def test_not_a_database(self, tmp_path: Path) -> None:
        path = tmp_path / "junk.db"
        path.write_bytes(b"this is not a database file at all" * 100)
        with pytest.raises(ChronosError, match=r"junk.db: file is not a database"):
            SqliteStore(path)

    def test_other_format(self, tmp_path: Path) -> None:
        path = tmp_path / "log.db"
        SqliteStore(path).close()
        with sqlite3.connect(path) as db:
            db.execute("DROP TRIGGER chronos_meta_no_update")  # as a later chronos might
            db.execute("UPDATE chronos_meta SET value = '9' WHERE key = 'format'")
        db.close()
        with pytest.raises(ChronosError, match="unknown chronos store format '9'"):
            SqliteStore(path)


class TestJsonlDurability:
    """The JSON Lines store survives reopening and reports interrupted appends."""

    def test_reopen(self, tmp_path: Path) -> None:
        store = JsonlStore(tmp_path / "log", segment_bytes=600)
        records: list[Record] = []
        for batch in range(6):
            more = make_records(store.head(), 2, tag=str(batch))
            store.append(more, expected_position=len(records))
            records.extend(more)
        again = JsonlStore(tmp_path / "log")
        assert list(again.read()) == records
        assert len(again.segments()) > 1

    def test_interrupted_append_is_reported_not_loaded(self, tmp_path: Path) -> None:
        store = JsonlStore(tmp_path / "log")
        records = make_records(store.head(), 3)
        store.append(records, expected_position=0)
        segment = store.segments()[-1]
        with segment.open("ab") as handle:
            handle.write(b'{"seq": 4, "v": 1, "id": "half')  # a torn write
        with pytest.warns(IntegrityWarning, match="interrupted append"):
            assert list(store.read()) == records
        problem = store.tail()
        assert problem is not None
        assert "interrupted append" in problem
        with pytest.raises(IntegrityError, match="interrupted append"):
            store.append(make_records(store.head(), 1), expected_position=3)
        repaired = store.repair()
        assert repaired is not None
        assert (repaired.adopted, repaired.cut) == (0, 30)
        assert repaired.backup is not None
        assert repaired.backup.read_bytes() == b'{"seq": 4, "v": 1, "id": "half'
        assert store.tail() is None
        assert store.repair() is None
        store.append(make_records(store.head(), 1, tag="after"), expected_position=3)
        assert store.head().position == 4

    def test_interrupted_rotation_is_a_tail(self, tmp_path: Path) -> None:
        """A new segment written before HEAD named it is an interrupted append, not a broken log."""
        store = JsonlStore(tmp_path / "log", segment_bytes=600)
        records = make_records(store.head(), 3)
        store.append(records, expected_position=0)
        orphan = tmp_path / "log" / "log-000002.jsonl"
        orphan.write_bytes(make_records(store.head(), 1)[0].to_json().encode() + b"\n")
        with pytest.warns(IntegrityWarning, match="interrupted append"):
            assert list(store.read()) == records
        problem = store.tail()
        assert problem is not None
        assert "log-000002.jsonl" in problem
        assert "later segment file" in problem
        repaired = store.repair()
        assert repaired is not None
        # A complete record without the batch mark is the start of a torn batch: cut, not adopted.
        assert repaired.adopted == 0
        assert repaired.backup is not None
        assert repaired.backup.read_bytes().startswith(b'{"seq":4')
        assert not orphan.exists()
        assert store.tail() is None
        store.append(make_records(store.head(), 1, tag="after"), expected_position=3)
        assert store.head().position == 4

    def test_torn_line_without_head(self, tmp_path: Path) -> None:
        directory = tmp_path / "log"
        directory.mkdir()
        lines = [r.to_json() for r in make_records(Head(), 2)]
        (directory / "log-000001.jsonl").write_text(lines[0] + "\n" + lines[1][:20], encoding="utf-8")
        store = JsonlStore(directory)
        with pytest.raises(IntegrityError, match=r"log-000001.jsonl:2: torn last record"):
            store.head()
        assert store.repair() is not None
        assert store.head().position == 1

    def test_first_append_to_a_directory_without_head_writes_head_first(self, tmp_path: Path) -> None:
        directory = tmp_path / "log"
        directory.mkdir()
        first = make_records(Head(), 2)
        (directory / "log-000001.jsonl").write_text(
            "".join(r.to_json() + "\n" for r in first), encoding="utf-8"
        )
        store = JsonlStore(directory)
        store.append(make_records(store.head(), 1, tag="new"), expected_position=2)
        assert (directory / "HEAD").is_file()
        assert store.head().position == 3
        assert store.tail() is None

    def test_catalogue_file(self, tmp_path: Path) -> None:
        store = JsonlStore(tmp_path / "log")
        store.write_catalogue("# empty\n")
        assert (tmp_path / "log" / "catalogue.toml").read_text(encoding="utf-8") == "# empty\n"
        assert not (tmp_path / "log" / "catalogue.toml.tmp").exists()


def parsed(parse: Callable[[bytes], object], line: bytes) -> tuple[str, str]:
    """A parse's value (its repr tells 1, 1.0 and True apart) or its error, comparably."""
    try:
        return ("value", repr(parse(line)))
    except (ValueError, UnicodeDecodeError) as exc:
        return (type(exc).__name__, str(exc))


class TestJsonlParsing:
    """Lines parsed through orjson decode exactly as the standard library decodes them."""

    @given(json_values, st.booleans(), st.sampled_from(["", " ", "\n", "\r\n"]))
    def test_same_values(self, value: object, ascii_only: bool, after: str) -> None:
        line = (json.dumps(value, ensure_ascii=ascii_only) + after).encode()
        assert parsed(loads_line, line) == parsed(json.loads, line)

    @given(st.binary(max_size=40) | json_values.map(lambda v: json.dumps(v).encode()[:-1]))
    def test_same_errors(self, line: bytes) -> None:
        assert parsed(loads_line, line) == parsed(json.loads, line)

    @pytest.mark.parametrize(
        "line",
        [
            b'{"a": NaN, "b": -Infinity}',
            b'"\\ud800"',
            b"\xef\xbb\xbf{}",
            b"[18446744073709551616, -9223372036854775809, 1e400]",
            b'{"a": 1, "a": 2}',
            '{"q": "\u00e9\\u00e9\\ud83d\\ude00 \\" \\\\ \\n"}'.encode(),
            "\ud800".encode("utf-8", "surrogatepass"),
            b'{"a": "\x01"}',
            b"",
        ],
    )
    def test_what_orjson_refuses_or_reads_otherwise(self, line: bytes) -> None:
        assert parsed(loads_line, line) == parsed(json.loads, line)


#: Stores on disk or on a server: fewer, shorter runs keep the suite fast.
DURABLE_SETTINGS = settings(max_examples=25, stateful_step_count=20, deadline=None)


class TestMemoryMachine(StoreMachine.TestCase):  # type: ignore[misc,valid-type]
    """The memory store against the list model."""


class JsonlMachine(StoreMachine):
    factory = staticmethod(FACTORIES["jsonl-small-segments"])


class TestJsonlMachine(JsonlMachine.TestCase):  # type: ignore[misc,valid-type]
    """The JSON Lines store (small segments, so rotation is exercised) against the list model."""

    settings = DURABLE_SETTINGS


class SqliteMachine(StoreMachine):
    factory = staticmethod(FACTORIES["sqlite"])


class TestSqliteMachine(SqliteMachine.TestCase):  # type: ignore[misc,valid-type]
    """The SQLite store against the list model."""

    settings = DURABLE_SETTINGS


class PostgresMachine(StoreMachine):
    factory = staticmethod(FACTORIES["postgres"])


class TestPostgresMachine(PostgresMachine.TestCase):  # type: ignore[misc,valid-type]
    """The PostgreSQL store (a fresh schema per run) against the list model."""

    settings = DURABLE_SETTINGS
