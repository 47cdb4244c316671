"""`chronos.log._recent`: appended events handed back only when they are what the log holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.generate import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronos import EventLog, JsonlStore, MemoryStore, SqliteStore
from chronos.log import _recent

ROOT = Path(__file__).resolve().parent.parent
WORLD = generate(300, seed=5)


def new_log(directory: Path) -> EventLog:
    directory.mkdir(parents=True, exist_ok=True)
    WORLD.catalogue.save(directory / "catalogue.toml")
    return EventLog(JsonlStore(directory), WORLD.catalogue)


class TestRecall:
    """What `recall` gives is the log's own events, from any position to the head, or nothing."""

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.integers(1, 60), min_size=1, max_size=6), st.integers(0, 250), st.data())
    def test_batches_with_repeats(
        self, tmp_path_factory: pytest.TempPathFactory, sizes: list[int], repeat: int, data: st.DataObject
    ) -> None:
        directory = tmp_path_factory.mktemp("log")
        log = new_log(directory)
        _recent.forget()
        events = WORLD.events[:250]
        at = 0
        heads = [log.head()]
        for size in sizes:
            batch = events[at : at + size]
            # Events already in the log, and repeats within a batch, are skipped: they are not noted twice.
            log.append([*batch, *batch[:1], *events[repeat : repeat + 2]], expected_position=log.position)
            heads.append(log.head())
            at += size
        written = log.events()
        head = log.head()
        for before in heads[:-1]:
            found = _recent.recall(log.store, after=before.position, prev=before.hash, head=head)
            assert found == written[before.position :]
        start = data.draw(st.sampled_from(heads[:-1]))
        reopened = JsonlStore(directory)  # another store object on the same log
        assert _recent.recall(reopened, after=start.position, prev=start.hash, head=head) is not None

    def test_a_link_that_does_not_hold_is_nothing(self, tmp_path: Path) -> None:
        log = new_log(tmp_path / "log")
        log.append(WORLD.events[:50], expected_position=0)
        middle = log.head()
        log.append(WORLD.events[50:80], expected_position=log.position)
        head = log.head()
        assert _recent.recall(log.store, after=50, prev=middle.hash, head=head) == WORLD.events[50:80]
        assert _recent.recall(log.store, after=50, prev=head.hash, head=head) is None  # the wrong link
        assert _recent.recall(log.store, after=50, prev=middle.hash, head=middle) is None  # nothing after
        _recent.forget()
        assert _recent.recall(log.store, after=50, prev=middle.hash, head=head) is None

    def test_another_process_appending_is_nothing(self, tmp_path: Path) -> None:
        log = new_log(tmp_path / "log")
        log.append(WORLD.events[:100], expected_position=0)
        middle = log.head()
        assert _recent.recall(log.store, after=0, prev=middle.hash, head=middle) is None
        code = (
            "import sys; from benchmarks.generate import generate; from chronos import EventLog; "
            "log = EventLog.open(sys.argv[1]); "
            "log.append(generate(300, seed=5).events[100:120], expected_position=log.position)"
        )
        subprocess.run([sys.executable, "-c", code, str(tmp_path / "log")], check=True, cwd=ROOT)
        head = log.store.head()
        assert head.position == 120
        assert _recent.recall(log.store, after=50, prev=middle.hash, head=head) is None
        log.append(WORLD.events[120:130], expected_position=120)  # a new run, from the other's head
        ours = log.head()
        assert _recent.recall(log.store, after=120, prev=head.hash, head=ours) == WORLD.events[120:130]

    def test_only_the_last_events_of_a_few_logs_are_kept(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(_recent, "KEEP", 40)
        log = new_log(tmp_path / "log")
        heads = [log.head()]
        for start in range(0, 100, 20):
            log.append(WORLD.events[start : start + 20], expected_position=log.position)
            heads.append(log.head())
        head = log.head()
        found = [_recent.recall(log.store, after=h.position, prev=h.hash, head=head) for h in heads[:-1]]
        assert [f is not None for f in found] == [False, False, False, True, True]
        others = [new_log(tmp_path / f"other-{n}") for n in range(_recent.LOGS)]
        for other in others:
            other.append(WORLD.events[:5], expected_position=0)
        assert _recent.recall(log.store, after=heads[-2].position, prev=heads[-2].hash, head=head) is None

    def test_logs_in_memory_and_in_sqlite(self, tmp_path: Path) -> None:
        memory = EventLog(MemoryStore(), WORLD.catalogue)
        memory.append(WORLD.events[:10], expected_position=0)
        first = memory.head()
        memory.append(WORLD.events[10:20], expected_position=10)
        assert _recent.recall(memory.store, after=10, prev=first.hash, head=memory.head()) is None
        store = SqliteStore(tmp_path / "log.db")
        store.write_catalogue(WORLD.catalogue.to_toml())
        sqlite = EventLog(store, WORLD.catalogue)
        sqlite.append(WORLD.events[:10], expected_position=0)
        first = sqlite.head()
        sqlite.append(WORLD.events[10:20], expected_position=10)
        assert _recent.recall(store, after=10, prev=first.hash, head=sqlite.head()) == WORLD.events[10:20]
        store.close()
