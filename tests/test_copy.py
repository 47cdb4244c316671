"""Logs over every store: opened by URL with their catalogue, copied between any two, and the commands."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest

from chronos import Chronology, ChronosError, EventLog, IntegrityError, MemoryStore, StoreError, cli
from chronos.stores import PostgresStore, Store, copy_store, open_store
from tests import pg
from tests.cli_fixtures import CATALOGUE, small_events, write_small_log

KINDS = ("memory", "jsonl", "sqlite", "postgres")


def where(kind: str, path: Path, name: str = "log") -> str:
    """A new, empty place for a log of ``kind``."""
    return {
        "memory": ":memory:",
        "jsonl": str(path / name),
        "sqlite": f"sqlite:///{path / name}.db",
        "postgres": pg.fresh_url(),
    }[kind]


def filled(kind: str, path: Path, name: str = "source") -> Store:
    """A store of ``kind`` holding the small story and its catalogue."""
    store = open_store(where(kind, path, name))
    store.write_catalogue(CATALOGUE)
    log = EventLog(store, _catalogue(store))
    log.append(small_events(log.codec), expected_position=0)
    return store


def _catalogue(store: Store) -> Any:
    import tomllib

    from chronos import Catalogue

    text = store.read_catalogue()
    assert text is not None
    return Catalogue.from_dict(tomllib.loads(text))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestLogsOverStores:
    """`EventLog.open` and `Chronology.open` take any store's location, catalogue included."""

    @pytest.mark.parametrize("kind", ["jsonl", "sqlite", "postgres"])
    def test_open_by_location(self, kind: str, tmp_path: Path) -> None:
        location = where(kind, tmp_path)
        if kind != "postgres":  # a path that holds no log is never created by opening it
            with pytest.raises(StoreError, match="no such log"):
                EventLog.open(location)
        empty = EventLog.open(location, create=True)
        assert empty.position == 0
        assert len(empty.catalogue) == 0
        empty.store.write_catalogue(CATALOGUE)
        empty.store.close()
        log = EventLog.open(location, create=False)
        assert log.catalogue.lookup("Masimov").id == "karim-massimov"
        log.append(small_events(log.codec), expected_position=0)
        assert log.verify().count == len(small_events())
        log.store.close()
        chronology = Chronology.open(location)
        reference = Chronology(small_events(), chronology.catalogue)
        assert chronology.roster("SA", at="2022-01-10") == reference.roster("SA", at="2022-01-10")

    @pytest.mark.parametrize("kind", ["sqlite", "postgres"])
    def test_bad_catalogue_names_the_log(self, kind: str, tmp_path: Path) -> None:
        location = where(kind, tmp_path)
        store = open_store(location)
        store.write_catalogue("[[person]\n")
        store.close()
        with pytest.raises(ChronosError, match=r"\(catalogue\): "):
            EventLog.open(location)

    def test_edited_sqlite_row_fails_verification(self, tmp_path: Path) -> None:
        store = filled("sqlite", tmp_path)
        edit = "UPDATE chronos_records SET event = json_set(event, '$.note', 'edited') WHERE seq = 3"
        with sqlite3.connect(tmp_path / "source.db") as db:
            with pytest.raises(sqlite3.IntegrityError, match="UPDATE on chronos_records refused"):
                db.execute(edit)
            db.execute("DROP TRIGGER chronos_records_no_update")  # what it takes to edit a record now
            db.execute(edit)
        db.close()
        with pytest.raises(IntegrityError, match=r"source.db record 3: content does not match its hash"):
            EventLog(store).verify()

    def test_edited_postgres_row_fails_verification(self, tmp_path: Path) -> None:
        store = filled("postgres", tmp_path)
        assert isinstance(store, PostgresStore)
        edit = (
            f"UPDATE {store.schema}.chronos_records "
            """SET event = (event::jsonb || '{"note": "edited"}')::json WHERE seq = 3"""
        )
        with pytest.raises(psycopg.errors.RaiseException, match=r"UPDATE on t_\w+\.chronos_records refused"):
            store._db().execute(edit)
        store._db().execute(f"DROP TRIGGER chronos_records_append_only ON {store.schema}.chronos_records")
        store._db().execute(edit)
        with pytest.raises(IntegrityError, match=r"record 3: content does not match its hash"):
            EventLog(store).verify()
        store.close()


class TestCopy:
    """A log copied between any two stores has the same records, catalogue and hash chain."""

    @pytest.mark.parametrize(("source_kind", "target_kind"), list(itertools.product(KINDS, KINDS)))
    def test_round_trip(self, source_kind: str, target_kind: str, tmp_path: Path) -> None:
        source = filled(source_kind, tmp_path)
        target = open_store(where(target_kind, tmp_path, "target"))
        copied = copy_store(source, target, batch=4)
        assert copied == source.head().position == len(small_events())
        assert list(target.read()) == list(source.read())
        assert target.head() == source.head()
        assert target.read_catalogue() == CATALOGUE
        assert EventLog(target).verify().head == source.head().hash
        assert copy_store(source, target) == 0  # nothing left to copy
        source.close()
        target.close()

    def test_an_interrupted_copy_goes_on(self, tmp_path: Path) -> None:
        source = filled("sqlite", tmp_path)
        target = MemoryStore(list(source.read(until=5)))
        progress: list[int] = []
        assert copy_store(source, target, batch=3, progress=progress.append) == source.head().position - 5
        assert progress[-1] == source.head().position - 5
        assert list(target.read()) == list(source.read())

    def test_a_different_log_is_not_overwritten(self, tmp_path: Path) -> None:
        source = filled("memory", tmp_path)
        records = list(source.read())
        target = MemoryStore([records[1].__class__(1, 1, "other", {}, "0" * 64, "f" * 64)])
        with pytest.raises(ChronosError, match="already holds 1 records that are not the first records"):
            copy_store(source, target)
        assert target.head().position == 1


@pytest.fixture
def events_dir(tmp_path: Path) -> Path:
    return write_small_log(tmp_path / "events")


class TestCommands:
    """``chronos copy`` and ``chronos repair``."""

    def test_copy_there_and_back(
        self, events_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        database = f"sqlite:///{tmp_path / 'copy.db'}"
        server = pg.fresh_url()
        code, out, err = run(capsys, "copy", str(events_dir), database)
        assert (code, err) == (0, "")
        count = len(small_events())
        assert out.startswith(
            f"copied {count} records from {events_dir} to {database} (now {count}); verified"
        )
        code, out, _ = run(capsys, "copy", database, server, "--batch", "5")
        assert code == 0
        assert "copied" in out
        assert "***" not in out or ":***@" in out
        back = tmp_path / "back"
        assert run(capsys, "copy", server, str(back))[0] == 0
        assert (back / "catalogue.toml").read_text(encoding="utf-8") == CATALOGUE
        assert (back / "log-000001.jsonl").read_bytes() == (events_dir / "log-000001.jsonl").read_bytes()
        answers = [
            run(capsys, "--log", log, "roster", "SA", "--at", "2022-01-10", "--format", "json")
            for log in (str(events_dir), database, server, str(back))
        ]
        assert all(a == answers[0] for a in answers)
        assert json.loads(answers[0][1])
        code, out, _ = run(capsys, "--log", server, "verify")
        assert code == 0
        assert out.startswith(f"ok: {count} records")

    def test_copy_refusals(
        self, events_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = run(capsys, "copy", str(events_dir), str(events_dir / "."))
        assert code == 2  # a usage error: a question that makes no sense as asked
        assert "SRC and DST are the same log" in err
        other = write_small_log(tmp_path / "other")
        (other / "HEAD").unlink()
        lines = (other / "log-000001.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        (other / "log-000001.jsonl").write_text(lines[1], encoding="utf-8")
        code, _, err = run(capsys, "copy", str(events_dir), str(other))
        assert code == 1
        assert "not the first records" in err
        code, _, err = run(capsys, "copy", str(tmp_path / "missing"), str(tmp_path / "x.db"))
        assert code == 1
        assert "no such log" in err
        assert not (tmp_path / "x.db").exists()
        code, _, err = run(capsys, "copy", str(events_dir), "sqlite:///x.db", "--batch", "0")
        assert code == 2
        assert "not a positive whole number" in err

    def test_repair(self, events_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        segment = events_dir / "log-000001.jsonl"
        acknowledged = segment.read_bytes()
        with segment.open("ab") as handle:
            handle.write(b'{"seq":99,"v":1,"id":"torn')
        code, _, err = run(capsys, "--log", str(events_dir), "verify")
        assert code == 1
        assert "26 bytes after position" in err
        assert "run `chronos repair`" in err
        code, out, _ = run(capsys, "--log", str(events_dir), "repair")
        assert code == 0
        assert out.startswith(f"cut 26 bytes after position {len(small_events())} (an interrupted append")
        backup = next(events_dir.glob("log-000001.jsonl.torn-*"))
        assert backup.read_bytes() == b'{"seq":99,"v":1,"id":"torn'
        assert segment.read_bytes() == acknowledged
        assert run(capsys, "--log", str(events_dir), "verify")[0] == 0
        code, out, _ = run(capsys, "--log", str(events_dir), "repair")
        assert (code, out.split(":")[0]) == (0, "nothing to repair")

    def test_repair_a_database(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        filled("sqlite", tmp_path).close()
        code, out, _ = run(capsys, "--log", f"sqlite:///{tmp_path / 'source.db'}", "repair")
        assert code == 0
        assert "rolls back an interrupted append itself" in out
