"""Live projections: a `Follower` keeps up with a writer, and late events change the answers they affect."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chronos import Appointed, Chronology, ChronosError, Dismissed, EventLog, MemoryStore, Source
from chronos.live import Follower
from chronos.log import Recorded
from chronos.projections import sort_key
from chronos.stores import SqliteStore
from tests import pg
from tests.strategies import small_catalogue
from tests.workers import story

ROOT = Path(__file__).resolve().parent.parent
SRC = [Source(source="a.txt", quote="q")]
#: The writer's events, and how long the follower may lag behind one (generous, for a busy CI machine).
COUNT = 40
MAX_LAG = 3.0


def location(kind: str, path: Path) -> str:
    if kind == "postgres":
        return pg.fresh_url()
    return {"jsonl": str(path / "log"), "sqlite": f"sqlite:///{path / 'log.db'}"}[kind]


def holders(chronology: Chronology, at: str, known_at: str | None = None) -> list[str]:
    return sorted(
        s.person for s in chronology.roster("org", at=at, known_at=known_at) if s.person is not None
    )


class TestFollowingAWriter:
    """A reader follows a writer in another process and sees every event, in valid-time order, in time."""

    @pytest.mark.parametrize("kind", ["jsonl", "sqlite", "postgres"])
    def test_keeps_up(self, kind: str, tmp_path: Path) -> None:
        where = location(kind, tmp_path)
        setup = EventLog.open(where, create=True)
        setup.store.write_catalogue(small_catalogue().to_toml())
        setup.store.close()
        seen: dict[int, float] = {}
        follower = Follower.open(where)

        def note(recorded: Recorded) -> None:
            seen.setdefault(recorded.position - 1, time.time())

        follower.on_event = note
        with follower:
            writer = subprocess.run(
                [sys.executable, "-m", "tests.workers", "story", where, str(COUNT), "0.02"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert writer.returncode == 0, writer.stderr
            assert follower.wait_for(COUNT, timeout=MAX_LAG)
        written = {int(n): float(t) for _, n, t in (line.split() for line in writer.stdout.splitlines()[:-1])}
        expected = story(COUNT)
        assert follower.events == tuple(expected)
        assert follower.timeline() == tuple(sorted(expected, key=sort_key))
        lags = [seen[n] - written[n] for n in range(COUNT)]
        assert max(lags) < MAX_LAG, lags
        reference = Chronology(expected, small_catalogue())
        for day in ("2010-01-05", "2010-03-01", "2010-06-01", "2011-01-01"):
            assert holders(follower.chronology, day) == holders(reference, day)

    def test_timeline_is_in_valid_time_order(self) -> None:
        follower = Follower(EventLog(MemoryStore(), small_catalogue()))
        follower.log.append(story(10), expected_position=0)
        follower.poll()
        days = [e.occurred.earliest for e in follower.timeline()]
        assert days == sorted(days)
        assert [e.occurred.earliest for e in follower.events] != days  # learned out of order


class TestLateEvents:
    """An event learned late about an earlier date changes exactly the answers it affects."""

    def test_late_dismissal(self, tmp_path: Path) -> None:
        log = EventLog(SqliteStore(tmp_path / "log.db"), small_catalogue())
        follower = Follower(log)
        appointed = Appointed(
            person="ann-abel", post="org/chair", occurred="2010-01-01", known="2010-01-01", sources=SRC
        )
        log.append([appointed], expected_position=0)
        assert [r.event for r in follower.poll()] == [appointed]
        before = follower.chronology
        assert holders(before, "2010-06-01") == ["ann-abel"]
        late = Dismissed(
            person="ann-abel", post="org/chair", occurred="2010-03-01", known="2012-05-01", sources=SRC
        )
        log.append([late], expected_position=1)
        assert [r.event for r in follower.wait(5)] == [late]
        after = follower.chronology
        assert after is not before
        assert holders(after, "2010-06-01") == []  # the answer it affects changed
        assert holders(after, "2010-02-01") == ["ann-abel"]  # an earlier day did not
        assert holders(after, "2010-06-01", known_at="2011-01-01") == [
            "ann-abel"
        ]  # nor what was known in 2011
        assert follower.chronology is after  # kept until something new arrives
        log.store.close()


class TestFollower:
    """Catching up from a position, waiting, callbacks and the background thread."""

    def test_from_a_position(self) -> None:
        log = EventLog(MemoryStore(), small_catalogue())
        events = story(12)
        log.append(events, expected_position=0)
        follower = Follower(log, events=events[:5])
        assert follower.position == 5
        fresh = follower.poll()
        assert [r.position for r in fresh] == list(range(6, 13))
        assert follower.events == tuple(events)
        assert "at 12" in repr(follower)
        only_news = Follower(log, after=12)
        assert only_news.poll() == ()
        assert only_news.events == ()

    def test_wait_times_out_empty(self) -> None:
        follower = Follower(EventLog(MemoryStore(), small_catalogue()))
        started = time.monotonic()
        assert follower.wait(0.1) == ()
        assert time.monotonic() - started >= 0.09
        assert not follower.wait_for(1, timeout=0.05)

    def test_memory_wakes_at_once(self) -> None:
        log = EventLog(MemoryStore(), small_catalogue())
        calls: list[Recorded] = []
        follower = Follower(log, on_event=calls.append)
        events = story(3)

        def write() -> None:
            for number, event in enumerate(events):
                time.sleep(0.05)
                log.append([event], expected_position=number)

        thread = threading.Thread(target=write)
        started = time.monotonic()
        with follower.start(interval=1.0):
            thread.start()
            assert follower.wait_for(3, timeout=5)
            # Three appends 0.05 s apart, each seen at once rather than after a 1 s wait.
            assert time.monotonic() - started < 0.9
        thread.join()
        assert [r.event for r in calls] == events
        with pytest.raises(ChronosError, match="already following"):
            follower.start().start()
        follower.stop()
        follower.stop()  # twice is harmless

    def test_a_failing_store_is_reported_and_retried(self, tmp_path: Path) -> None:
        store = SqliteStore(tmp_path / "log.db")
        follower = Follower(EventLog(store, small_catalogue()))
        store.close()
        follower.start(interval=0.05)
        deadline = time.monotonic() + 5
        while follower.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        follower.stop()
        assert isinstance(follower.error, ChronosError)
        assert "log.db" in str(follower.error)

    def test_open_needs_an_existing_log(self, tmp_path: Path) -> None:
        with pytest.raises(ChronosError, match="no such log"):
            Follower.open(tmp_path / "missing")
