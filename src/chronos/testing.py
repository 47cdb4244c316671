"""The store contract, for anyone writing a store: test cases to subclass, and test records.

chronos's own four stores prove themselves with these (tests/test_stores.py); a new
backend passes the same tests or it is not done (eventsourcing's recorder test cases).
Needs pytest and Hypothesis (``pip install 'chronos-history[test]'``).
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chronos.errors import ConcurrencyError, RecordError
from chronos.stores import MemoryStore, Store
from chronos.stores.records import GENESIS, Head, Record, record_hash

__all__ = ["StoreContract", "StoreMachine", "make_records"]


def make_records(head: Head, count: int, tag: str = "x") -> list[Record]:
    """``count`` test records that follow ``head``, their ids and content marked with ``tag``."""
    records = []
    prev = head.hash
    for offset in range(1, count + 1):
        seq = head.position + offset
        event = {"type": "Test", "n": seq, "tag": tag, "text": "ünïcode ✓"}
        digest = record_hash(seq, 1, f"id-{tag}-{seq}", event, prev)
        records.append(Record(seq, 1, f"id-{tag}-{seq}", event, prev, digest))
        prev = digest
    return records


class StoreContract:
    """The contract every store keeps: subclass it, define `make_store`, and pytest runs it.

    Every store appends atomically, reads in order and refuses stale appends::

        class TestMyStore(StoreContract):
            def make_store(self, path: Path) -> Store:
                return MyStore(path / "log")
    """

    def make_store(self, path: Path) -> Store:
        """A new, empty store kept under the temporary folder ``path``."""
        raise NotImplementedError("subclasses say how to make their store")

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        """A new store from `make_store`, closed after the test."""
        made = self.make_store(tmp_path)
        yield made
        made.close()

    def test_protocol(self, store: Store) -> None:
        """Protocol."""
        assert isinstance(store, Store)

    def test_empty(self, store: Store) -> None:
        """Empty."""
        assert store.head() == Head(0, GENESIS)
        assert list(store.read()) == []

    def test_append_and_read(self, store: Store) -> None:
        """Append and read."""
        records = make_records(store.head(), 5)
        head = store.append(records, expected_position=0)
        assert head == Head(5, records[-1].hash)
        assert list(store.read()) == records
        assert list(store.read(after=2)) == records[2:]
        assert list(store.read(after=1, until=3)) == records[1:3]
        assert list(store.read(until=0)) == []
        assert list(store.read(after=5)) == []
        assert list(store.read(after=3, until=99)) == records[3:]

    def test_stale_append_writes_nothing(self, store: Store) -> None:
        """Stale append writes nothing."""
        store.append(make_records(store.head(), 3), expected_position=0)
        before = list(store.read())
        with pytest.raises(ConcurrencyError) as info:
            store.append(make_records(Head(2, before[1].hash), 1), expected_position=2)
        assert (info.value.expected, info.value.actual) == (2, 3)
        with pytest.raises(ConcurrencyError):
            store.append(make_records(Head(7, GENESIS), 1), expected_position=7)
        assert list(store.read()) == before
        assert store.head().position == 3

    def test_records_must_follow_the_position(self, store: Store) -> None:
        """Records must follow the position."""
        with pytest.raises(RecordError, match="record seq 2 does not follow position 0"):
            store.append(make_records(Head(1, GENESIS), 1), expected_position=0)
        assert store.head() == Head()

    def test_empty_batch(self, store: Store) -> None:
        """Empty batch."""
        assert store.append([], expected_position=0) == Head()
        with pytest.raises(ConcurrencyError):
            store.append([], expected_position=1)

    def test_many_batches(self, store: Store) -> None:
        """Many batches."""
        expected: list[Record] = []
        for batch in range(8):
            records = make_records(store.head(), batch % 3 + 1, tag=str(batch))
            store.append(records, expected_position=len(expected))
            expected.extend(records)
        assert list(store.read()) == expected

    def test_read_is_bounded_by_the_head_when_it_starts(self, store: Store) -> None:
        """Read is bounded by the head when it starts."""
        store.append(make_records(store.head(), 3), expected_position=0)
        reading = store.read()
        first = next(reading)
        store.append(make_records(store.head(), 2, tag="later"), expected_position=3)
        assert [first.seq, *(r.seq for r in reading)] == [1, 2, 3]

    def test_catalogue(self, store: Store) -> None:
        """Catalogue."""
        assert store.read_catalogue() is None
        store.write_catalogue('[[person]]\nid = "ann"\nname = "Ann ✓"\n')
        store.write_catalogue('[[person]]\nid = "ben"\nname = "Ben"\n')
        assert store.read_catalogue() == '[[person]]\nid = "ben"\nname = "Ben"\n'

    def test_catalogue_history(self, store: Store) -> None:
        """Catalogue history."""
        assert store.read_catalogue_history() == []

        def first(text: str | None, history: list[str]) -> tuple[str, list[str]]:
            assert (text, history) == (None, [])
            return "# one\n", ['{"n": 1}']

        def second(text: str | None, history: list[str]) -> tuple[str, list[str]]:
            assert (text, history) == ("# one\n", ['{"n": 1}'])
            return "# two ✓\n", ['{"n": 2}', '{"n": 3}']

        store.update_catalogue(first)
        store.update_catalogue(lambda _text, _history: None)  # no change
        store.update_catalogue(second)
        assert store.read_catalogue() == "# two ✓\n"
        assert store.read_catalogue_history() == ['{"n": 1}', '{"n": 2}', '{"n": 3}']

    def test_a_failed_catalogue_change_changes_nothing(self, store: Store) -> None:
        """A failed catalogue change changes nothing."""
        store.update_catalogue(lambda _text, _history: ("# kept\n", ["kept"]))

        def fail(_text: str | None, _history: list[str]) -> tuple[str, list[str]]:
            raise RecordError("refused")

        with pytest.raises(RecordError, match="refused"):
            store.update_catalogue(fail)
        assert store.read_catalogue() == "# kept\n"
        assert store.read_catalogue_history() == ["kept"]

    def test_catalogue_changes_exclude_each_other(self, store: Store) -> None:
        """Catalogue changes exclude each other: none is lost."""

        def add(text: str | None, history: list[str]) -> tuple[str, list[str]]:
            time.sleep(0.001)  # between reading and writing, where a lost update would happen
            return (text or "") + "x", [str(len(history) + 1)]

        def five() -> None:
            for _ in range(5):
                store.update_catalogue(add)

        threads = [threading.Thread(target=five) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert store.read_catalogue() == "x" * 20
        assert store.read_catalogue_history() == [str(n) for n in range(1, 21)]

    def test_wait(self, store: Store) -> None:
        """Wait."""
        assert not store.wait(after=0, timeout=0.05)
        store.append(make_records(store.head(), 1), expected_position=0)
        assert store.wait(after=0, timeout=0)

        def later() -> None:
            time.sleep(0.2)
            store.append(make_records(store.head(), 1, tag="late"), expected_position=1)

        writer = threading.Thread(target=later)
        started = time.monotonic()
        writer.start()
        assert store.wait(after=1, timeout=10)
        writer.join()
        assert time.monotonic() - started < 5
        assert store.head().position == 2


class StoreMachine(RuleBasedStateMachine):
    """A store behaves like a plain list, stale appends included (a Hypothesis state machine).

    Subclass it with a `factory` (a function of a temporary folder), then run its ``TestCase``::

        class MyStoreMachine(StoreMachine):
            factory = staticmethod(lambda path: MyStore(path / "log"))

        TestMyStoreMachine = MyStoreMachine.TestCase
    """

    factory: Callable[[Path], Store] = staticmethod(lambda _path: MemoryStore())

    def __init__(self) -> None:
        super().__init__()
        self._tmp = tempfile.TemporaryDirectory()
        self.store = self.factory(Path(self._tmp.name))
        self.model: list[Record] = []
        self.catalogue: str | None = None
        self.batches = 0

    def teardown(self) -> None:
        """Close the store and remove its folder."""
        self.store.close()
        self._tmp.cleanup()

    def head(self) -> Head:
        """The head the model says the store has."""
        return Head(len(self.model), self.model[-1].hash if self.model else GENESIS)

    @rule(count=st.integers(0, 4))
    def append(self, count: int) -> None:
        """Append a batch at the right position."""
        self.batches += 1
        records = make_records(self.head(), count, tag=str(self.batches))
        self.store.append(records, expected_position=len(self.model))
        self.model.extend(records)

    @precondition(lambda self: len(self.model) > 0)
    @rule(back=st.integers(1, 5))
    def stale_append(self, back: int) -> None:
        """An append at an old position is refused."""
        position = max(len(self.model) - back, 0)
        with pytest.raises(ConcurrencyError):
            self.store.append(
                make_records(Head(position, GENESIS), 1, tag="stale"), expected_position=position
            )

    # A PostgreSQL text cannot hold NUL, nor can a TOML file; a lone surrogate is not text a file can hold.
    @rule(
        text=st.sampled_from(["", "# one\n", "# two ✓\r\n"])
        | st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=20)
    )
    def write_catalogue(self, text: str) -> None:
        """Keep a new catalogue text, perhaps the same as the last."""
        self.store.write_catalogue(text)
        self.catalogue = text

    @rule(after=st.integers(0, 30), span=st.integers(0, 30) | st.none())
    def read_range(self, after: int, span: int | None) -> None:
        """Any range reads as the model's slice."""
        until = None if span is None else after + span
        assert list(self.store.read(after=after, until=until)) == self.model[after:until]

    @invariant()
    def head_matches(self) -> None:
        """The store's head is the model's."""
        assert self.store.head() == self.head()

    @invariant()
    def catalogue_is_the_last_written(self) -> None:
        """The catalogue reads back exactly as last written."""
        assert self.store.read_catalogue() == self.catalogue
