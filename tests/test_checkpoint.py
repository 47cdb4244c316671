"""Published heads: the checkpoint line, and logs checked against it, even when rewritten whole."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import ChronosError, EventLog, IntegrityError, JsonlStore, MemoryStore, cli
from chronos.events import content_id
from chronos.stores import PostgresStore, SqliteStore, copy_store, open_store
from chronos.stores.checkpoint import Checkpoint, read_checkpoint_file, read_checkpoints
from chronos.stores.records import GENESIS, Chain, Head, Record, event_json
from chronos.stores.sqlite import GUARDS
from tests import pg
from tests.cli_fixtures import write_small_log
from tests.strategies import checkpoints, histories, small_catalogue

HASH = "eaf260f9c01d" + "0123456789abcdef" * 3 + "0123"
NOON = dt.datetime(2026, 1, 5, 10, 15, tzinfo=dt.UTC)


def rewritten(records: list[Record], index: int) -> list[Record]:
    """The records with the event at ``index`` edited and its id and every hash after it computed again.

    A forgery as good as one can make without the checkpoint: it verifies on its own.
    """
    before = records[index - 1] if index else None
    chain = Chain(Head(before.seq, before.hash) if before else Head(), records[0].v)
    forged = records[:index]
    for offset, record in enumerate(records[index:]):
        data = record.event
        if offset == 0:
            data = dict(data, note=f"{data.get('note') or ''} (rewritten)")
        canonical, compact = event_json(data)
        forged.append(
            chain.link(content_id(canonical) if offset == 0 else record.id, data, canonical, compact)
        )
    return forged


class TestFormat:
    """A checkpoint is one documented line, text or JSON, read back exactly."""

    def test_golden(self) -> None:
        checkpoint = Checkpoint(79, HASH, NOON, "jsonl")
        assert checkpoint.to_text() == f"79 {HASH} 2026-01-05T10:15:00Z"
        assert checkpoint.to_json() == (
            '{"chronos_checkpoint":1,"position":79,"hash":"' + HASH + '",'
            '"time":"2026-01-05T10:15:00Z","store":"jsonl"}'
        )

    @given(checkpoints())
    def test_round_trip(self, checkpoint: Checkpoint) -> None:
        line = checkpoint.to_json()
        assert "\n" not in line
        assert Checkpoint.parse(line) == checkpoint
        assert set(json.loads(line)) == {"chronos_checkpoint", "position", "hash", "time", "store"}
        assert Checkpoint.parse(checkpoint.to_text()) == attrs.evolve(checkpoint, store="")
        assert checkpoint.time.tzinfo == dt.UTC
        assert checkpoint.time.microsecond == 0

    def test_time_is_utc_to_the_second(self) -> None:
        later = dt.datetime(2026, 1, 5, 13, 15, 0, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=3)))
        assert Checkpoint(1, HASH, later).time == NOON
        with pytest.raises(ChronosError, match="has no time zone"):
            Checkpoint(1, HASH, dt.datetime(2026, 1, 5))

    def test_unknown_keys_are_ignored(self) -> None:
        data = json.loads(Checkpoint(79, HASH, NOON, "sqlite").to_json()) | {"signed_by": "ann"}
        assert Checkpoint.parse(json.dumps(data)) == Checkpoint(79, HASH, NOON, "sqlite")

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            (
                '{"chronos_checkpoint":2,"position":1}',
                "checkpoint version 2 is newer than this chronos reads",
            ),
            ('{"position":1}', "'chronos_checkpoint' must be 1, not None"),
            ('{"chronos_checkpoint":1,"position":"1"}', "'position' missing or not a whole number: '1'"),
            ('{"chronos_checkpoint":1,"position":1,"hash":"ab"}', "'time' missing or not a string"),
            (
                '{"chronos_checkpoint":1,"position":1,"hash":"ab","time":"2026-01-05T10:15:00Z"}',
                "checkpoint hash 'ab' is not 64 lower-case hex digits",
            ),
            (
                '{"chronos_checkpoint":1,"position":-1,"hash":"' + HASH + '","time":"2026-01-05T10:15:00Z"}',
                "checkpoint position -1 is not a whole number >= 0",
            ),
            (
                '{"chronos_checkpoint":1,"position":1,"hash":"' + HASH + '","time":"2026-01-05 10:15"}',
                "time '2026-01-05 10:15' is not YYYY-MM-DDTHH:MM:SSZ",
            ),
            (f"0 {HASH} 2026-01-05T10:15:00Z", "an empty log's head hash is 000000000000"),
            (f"79 {HASH.upper()} 2026-01-05T10:15:00Z", "not a checkpoint: '79 EAF260F9C01D"),
            ("[1, 2]", "not a checkpoint"),
            ("{1: 2}", "malformed JSON"),
            (f"79 {HASH} 2026-02-30T10:15:00Z", "time '2026-02-30T10:15:00Z' is not"),
        ],
    )
    def test_bad_lines_say_why(self, line: str, message: str) -> None:
        with pytest.raises(ChronosError) as info:
            Checkpoint.parse(line, origin="heads.jsonl:3")
        assert str(info.value).startswith("heads.jsonl:3: ")
        assert message in str(info.value)

    @given(st.text(max_size=80) | st.builds(lambda c: c.to_json()[:-3], checkpoints()))
    def test_anything_else_is_one_chronos_error(self, line: str) -> None:
        try:
            parsed = Checkpoint.parse(line, origin="f:1")
        except ChronosError as exc:
            message = str(exc)
        else:
            assert Checkpoint.parse(parsed.to_json()) == parsed
            return
        assert message.startswith("f:1: ")

    def test_a_file_of_checkpoints(self, tmp_path: Path) -> None:
        first, second = Checkpoint(0, GENESIS, NOON), Checkpoint(79, HASH, NOON, "jsonl")
        path = tmp_path / "heads.jsonl"
        path.write_text(f"{first.to_text()}\n\n{second.to_json()}\n", encoding="utf-8")
        found = read_checkpoint_file(path)
        assert found == [first, second]
        assert [c.origin for c in found] == [f"{path}:1", f"{path}:3"]
        with pytest.raises(ChronosError, match=r"empty\.txt: no checkpoint in it"):
            read_checkpoints(["", "  "], origin="empty.txt")


class TestVerifyAgainstCheckpoints:
    """A log holds every checkpoint taken of it; a history rewritten before one does not."""

    @given(histories(max_steps=12), st.data())
    def test_rewritten_history_fails_against_an_earlier_checkpoint(
        self, history: object, data: st.DataObject
    ) -> None:
        events = list(history.events)  # type: ignore[attr-defined]
        log = EventLog(MemoryStore(), small_catalogue())
        cut = data.draw(st.integers(0, len(events)))
        log.append(events[:cut], expected_position=0)
        checkpoint = log.checkpoint()
        log.append(events[cut:], expected_position=log.position)
        records = list(log.store.read())
        assert log.verify(checkpoints=[checkpoint]).count == len(records)
        if not records:
            return
        index = data.draw(st.integers(0, len(records) - 1))
        forged = EventLog(MemoryStore(rewritten(records, index)), small_catalogue())
        targeted = {getattr(r.event, "target", None) for r in log.read()}
        if records[index].id in targeted:
            # The rewritten event was retracted or corrected later: its new id leaves that claim aiming
            # at no earlier event, which verify names even without a checkpoint.
            with pytest.raises(IntegrityError, match=r"targets .*, no earlier event"):
                forged.verify()
            return
        assert forged.verify().count == len(records)  # the forgery verifies on its own
        if index < checkpoint.position:
            with pytest.raises(IntegrityError) as info:
                forged.verify(checkpoints=[checkpoint])
            assert info.value.position == checkpoint.position
            assert f"record {checkpoint.position} differs from the checkpoint" in str(info.value)
        else:  # a checkpoint pins only the records it counts
            assert forged.verify(checkpoints=[checkpoint]).count == len(records)

    @given(histories(max_steps=8), st.data())
    def test_truncated_below_a_checkpoint(self, history: object, data: st.DataObject) -> None:
        log = EventLog(MemoryStore(), small_catalogue())
        log.append(history.events, expected_position=0)  # type: ignore[attr-defined]
        checkpoint = log.checkpoint()
        records = list(log.store.read())
        keep = data.draw(st.integers(0, len(records)))
        short = EventLog(MemoryStore(records[:keep]), small_catalogue())
        if keep < checkpoint.position:
            with pytest.raises(IntegrityError, match=f"truncated: the checkpoint has {len(records)} records"):
                short.verify(checkpoints=[checkpoint])
        else:
            assert short.verify(checkpoints=[checkpoint]).count == keep

    def test_checkpoint_says_where_it_came_from(self) -> None:
        log = EventLog(MemoryStore(), small_catalogue())
        checkpoint = attrs.evolve(log.checkpoint(time=NOON), origin="heads.jsonl:2")
        assert checkpoint.store == "memory"
        assert checkpoint.head == Head()
        wrong = Checkpoint(1, HASH, NOON, origin="heads.jsonl:2")
        with pytest.raises(IntegrityError, match=r"^heads.jsonl:2: truncated: the checkpoint has 1 records"):
            log.verify(checkpoints=[checkpoint, wrong])


# A whole log forged in place, in each store, as someone with the file or the owner's login could.


def _forge_jsonl(location: str, forged: list[Record]) -> None:
    directory = Path(location)
    for path in [*directory.glob("log-*.jsonl"), directory / "HEAD"]:
        path.unlink()
    JsonlStore(directory).append(forged, expected_position=0)


def _forge_sqlite(location: str, forged: list[Record]) -> None:
    path = location.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        for name in GUARDS:
            if name.startswith("chronos_records"):
                db.execute(f"DROP TRIGGER {name}")
        db.execute("DELETE FROM chronos_records")
        db.executemany(
            "INSERT INTO chronos_records VALUES (?, ?, ?, ?, ?, ?)",
            [(r.seq, r.v, r.id, json.dumps(r.event), r.prev, r.hash) for r in forged],
        )
        for name, sql in GUARDS.items():  # put back exactly as they were, so nothing shows
            if name.startswith("chronos_records"):
                db.execute(sql)
    db.close()


def _forge_postgres(location: str, forged: list[Record]) -> None:
    store = PostgresStore(location)
    table = f"{store.schema}.chronos_records"
    db = store._db()
    with db.transaction():
        db.execute(f"ALTER TABLE {table} DISABLE TRIGGER chronos_records_append_only")
        db.execute(f"DELETE FROM {table}")
        db.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER chronos_records_append_only")
    store.append(forged, expected_position=0)
    store.close()


FORGERS = {"jsonl": _forge_jsonl, "sqlite": _forge_sqlite, "postgres": _forge_postgres}


class TestCommands:
    """`chronos head` prints a checkpoint; `verify --checkpoint` catches a log forged whole since."""

    def run(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    @pytest.mark.parametrize("kind", sorted(FORGERS))
    def test_forged_log_is_caught(
        self, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        source = write_small_log(tmp_path / "source")
        location = {
            "jsonl": str(source),
            "sqlite": f"sqlite:///{tmp_path / 'log.db'}",
            "postgres": pg.fresh_url(),
        }[kind]
        if kind != "jsonl":
            target = open_store(location)
            copy_store(JsonlStore(source), target)
            target.close()
        code, line, err = self.run(capsys, "--log", location, "head")
        assert (code, err) == (0, "")
        assert re.fullmatch(r"\d+ [0-9a-f]{64} \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n", line)
        code, out, _ = self.run(capsys, "--log", location, "head", "--format", "json")
        published = Checkpoint.parse(out)
        assert published.store == {"postgres": "postgresql"}.get(kind, kind)
        assert published.head == Checkpoint.parse(line).head
        heads = tmp_path / "heads.jsonl"
        heads.write_text(line + out, encoding="utf-8")

        code, out, _ = self.run(capsys, "--log", location, "verify", "--checkpoint", str(heads))
        assert code == 0
        assert f"holds the 2 checkpoints of {heads} (the latest: position {published.position}" in out

        store = open_store(location)
        records = list(store.read())
        store.close()
        FORGERS[kind](location, rewritten(records, 3))
        code, out, err = self.run(capsys, "--log", location, "verify")
        assert (code, err) == (0, "")  # the forgery verifies on its own...
        code, out, err = self.run(capsys, "--log", location, "verify", "--checkpoint", str(heads))
        assert code == 1  # ...but not against the head published before
        forged_hash = rewritten(records, 3)[-1].hash[:12]
        assert err == (
            f"chronos: error: {heads}:1: record {published.position} differs from the checkpoint: "
            f"its hash is {forged_hash}, the checkpoint's {published.hash[:12]} (history rewritten)\n"
        )

    def test_bad_checkpoint_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        log = write_small_log(tmp_path / "log")
        heads = tmp_path / "heads.txt"
        heads.write_text("79 abc\n", encoding="utf-8")
        code, _, err = self.run(capsys, "--log", str(log), "verify", "--checkpoint", str(heads))
        assert code == 1
        assert err.startswith(f"chronos: error: {heads}:1: not a checkpoint: '79 abc'")
        code, _, err = self.run(capsys, "--log", str(log), "verify", "--checkpoint", str(tmp_path / "none"))
        assert code == 1
        assert "none: No such file or directory" in err

    def test_checkpoint_records_what_it_verified_and_checks_what_it_had(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        log = write_small_log(tmp_path / "log")
        heads = tmp_path / "heads.jsonl"
        code, out, err = self.run(capsys, "--log", str(log), "checkpoint", str(heads))
        assert (code, err) == (0, "")
        (first,) = read_checkpoint_file(heads)
        assert first.head == EventLog.open(log).head()
        assert out.startswith(f"recorded position {first.position}, head {first.hash[:12]} (")
        code, out, _ = self.run(capsys, "--log", str(log), "checkpoint", str(heads))
        assert code == 0
        assert out.endswith("; the log still holds the 1 earlier\n")
        assert len(read_checkpoint_file(heads)) == 2
        code, out, _ = self.run(capsys, "--log", str(log), "verify", "--checkpoint", str(heads))
        assert (code, "holds the 2 checkpoints") == (0, out[out.index("holds") : out.index(" of ")])

        # A log rewritten with its chain computed again no longer holds them: nothing is recorded.
        records = list(JsonlStore(log).read())
        _forge_jsonl(str(log), rewritten(records, 3))
        before = heads.read_bytes()
        code, _, err = self.run(capsys, "--log", str(log), "checkpoint", str(heads))
        assert code == 1
        assert "differs from the checkpoint" in err
        assert heads.read_bytes() == before

    def test_checkpoint_file_inside_the_log_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        log = write_small_log(tmp_path / "log")
        code, _, err = self.run(capsys, "--log", str(log), "checkpoint", str(log / "heads.jsonl"))
        assert code == 2
        assert "inside the log" in err
        assert not (log / "heads.jsonl").exists()

    def test_sqlite_store_kind(self, tmp_path: Path) -> None:
        log = EventLog(SqliteStore(tmp_path / "log.db"))
        assert log.checkpoint(time=NOON) == Checkpoint(0, GENESIS, NOON, "sqlite")
        log.store.close()
