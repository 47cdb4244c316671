"""One contract suite, run against every store (eventsourcing's recorder test cases)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chronos import ConcurrencyError, JsonlStore, MemoryStore, Store
from chronos.records import GENESIS, Head, Record, record_hash

StoreFactory = Callable[[Path], Store]
FACTORIES: dict[str, StoreFactory] = {
    "memory": lambda _path: MemoryStore(),
    "jsonl": lambda path: JsonlStore(path / "log"),
    "jsonl-small-segments": lambda path: JsonlStore(path / "log", segment_bytes=600),
}


def make_records(head: Head, count: int, tag: str = "x") -> list[Record]:
    records = []
    prev = head.hash
    for offset in range(1, count + 1):
        seq = head.position + offset
        event = {"type": "Test", "n": seq, "tag": tag}
        digest = record_hash(seq, 1, f"id-{tag}-{seq}", event, prev)
        records.append(Record(seq, 1, f"id-{tag}-{seq}", event, prev, digest))
        prev = digest
    return records


@pytest.fixture(params=sorted(FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made = FACTORIES[request.param](tmp_path)
    yield made
    made.close()


class TestContract:
    """Every store appends atomically, reads in order and refuses stale appends."""

    def test_protocol(self, store: Store) -> None:
        assert isinstance(store, Store)

    def test_empty(self, store: Store) -> None:
        assert store.head() == Head(0, GENESIS)
        assert list(store.read()) == []

    def test_append_and_read(self, store: Store) -> None:
        records = make_records(store.head(), 5)
        head = store.append(records, expected_position=0)
        assert head == Head(5, records[-1].hash)
        assert list(store.read()) == records
        assert list(store.read(after=2)) == records[2:]
        assert list(store.read(after=1, until=3)) == records[1:3]
        assert list(store.read(until=0)) == []

    def test_stale_append_writes_nothing(self, store: Store) -> None:
        store.append(make_records(store.head(), 3), expected_position=0)
        before = list(store.read())
        with pytest.raises(ConcurrencyError) as info:
            store.append(make_records(Head(2, before[1].hash), 1), expected_position=2)
        assert (info.value.expected, info.value.actual) == (2, 3)
        assert list(store.read()) == before
        assert store.head().position == 3

    def test_empty_batch(self, store: Store) -> None:
        assert store.append([], expected_position=0) == Head()

    def test_many_batches(self, store: Store) -> None:
        expected: list[Record] = []
        for batch in range(8):
            records = make_records(store.head(), batch % 3 + 1, tag=str(batch))
            store.append(records, expected_position=len(expected))
            expected.extend(records)
        assert list(store.read()) == expected


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
        assert list(store.read()) == records
        problem = store.tail()
        assert problem is not None
        assert "interrupted append" in problem
        from chronos import IntegrityError

        with pytest.raises(IntegrityError, match="interrupted append"):
            store.append(make_records(store.head(), 1), expected_position=3)
        backup = store.repair()
        assert backup is not None
        assert backup.read_bytes() == b'{"seq": 4, "v": 1, "id": "half'
        assert store.tail() is None
        store.append(make_records(store.head(), 1, tag="after"), expected_position=3)
        assert store.head().position == 4

    def test_torn_line_without_head(self, tmp_path: Path) -> None:
        from chronos import IntegrityError

        directory = tmp_path / "log"
        directory.mkdir()
        lines = [r.to_json() for r in make_records(Head(), 2)]
        (directory / "log-000001.jsonl").write_text(lines[0] + "\n" + lines[1][:20], encoding="utf-8")
        store = JsonlStore(directory)
        with pytest.raises(IntegrityError, match=r"log-000001.jsonl:2: torn last record"):
            store.head()
        assert store.repair() is not None
        assert store.head().position == 1


class StoreMachine(RuleBasedStateMachine):
    """A store behaves like a plain list, stale appends included."""

    factory = staticmethod(FACTORIES["memory"])

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self._tmp = tempfile.TemporaryDirectory()
        self.store = self.factory(Path(self._tmp.name))
        self.model: list[Record] = []
        self.batches = 0

    def teardown(self) -> None:
        self.store.close()
        self._tmp.cleanup()

    def head(self) -> Head:
        return Head(len(self.model), self.model[-1].hash if self.model else GENESIS)

    @rule(count=st.integers(0, 4))
    def append(self, count: int) -> None:
        self.batches += 1
        records = make_records(self.head(), count, tag=str(self.batches))
        self.store.append(records, expected_position=len(self.model))
        self.model.extend(records)

    @precondition(lambda self: len(self.model) > 0)
    @rule(back=st.integers(1, 5))
    def stale_append(self, back: int) -> None:
        position = max(len(self.model) - back, 0)
        with pytest.raises(ConcurrencyError):
            self.store.append(
                make_records(Head(position, GENESIS), 1, tag="stale"), expected_position=position
            )

    @rule(after=st.integers(0, 30), span=st.integers(0, 30) | st.none())
    def read_range(self, after: int, span: int | None) -> None:
        until = None if span is None else after + span
        assert list(self.store.read(after=after, until=until)) == self.model[after:until]

    @invariant()
    def head_matches(self) -> None:
        assert self.store.head() == self.head()


class TestMemoryMachine(StoreMachine.TestCase):  # type: ignore[name-defined]
    """The memory store against the list model."""


class JsonlMachine(StoreMachine):
    factory = staticmethod(FACTORIES["jsonl-small-segments"])


class TestJsonlMachine(JsonlMachine.TestCase):  # type: ignore[name-defined]
    """The JSON Lines store (small segments, so rotation is exercised) against the list model."""

    settings = __import__("hypothesis").settings(max_examples=30, stateful_step_count=20, deadline=None)
