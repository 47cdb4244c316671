"""A writer killed (SIGKILL) during an append leaves a log that opens and holds every acknowledged append.

Children (`tests.workers`) append in a loop and say what was acknowledged;
the test kills them at random moments, and, for the JSON Lines store, at every
file-system call of an append in turn. A torn tail is reported, never loaded,
and `repair` cuts it after a backup.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chronos import JsonlStore
from chronos.stores import open_store
from chronos.stores.jsonl import Repaired
from chronos.stores.records import GENESIS, Head
from tests import pg

ROOT = Path(__file__).resolve().parent.parent
#: Random kills per store: enough to land in every phase of an append, few enough to stay fast.
TRIALS = 10
SEGMENT_BYTES = 64 * 1024 * 1024


class Child:
    """A worker process whose output goes to a file, so it never blocks on a full pipe."""

    def __init__(self, directory: Path, *args: str):
        self.output = directory / f"child-{time.monotonic_ns()}.out"
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.workers", *args],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.PIPE,
                text=True,
            )

    def lines(self) -> list[str]:
        """Every complete line printed so far (a line cut short by the kill is not counted)."""
        text = self.output.read_text(encoding="utf-8")
        return text.splitlines() if text.endswith("\n") else text.splitlines()[:-1]

    def wait_for(self, prefix: str, *, count: int = 1, timeout: float = 60) -> list[str]:
        """Wait until ``count`` lines start with ``prefix``; return every line."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            if sum(line.startswith(prefix) for line in lines) >= count:
                return lines
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                _out, err = self.process.communicate(timeout=30)
                pytest.fail(f"the child never said {prefix!r}: {lines} {err}")
            time.sleep(0.005)

    def kill(self) -> list[str]:
        """SIGKILL the child; return every complete line it printed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=30)
        return self.lines()


def acknowledged(lines: list[str]) -> list[tuple[int, str]]:
    rows = [line.split() for line in lines if line.startswith("ack ")]
    assert all(len(row) == 3 for row in rows), lines
    return [(int(p), h) for _, p, h in rows]


def check_after_crash(location: str, acks: list[tuple[int, str]]) -> Repaired | None:
    """The log opens, holds every acknowledged append and a valid chain; return what repair did."""
    store = open_store(location, create=False)
    try:
        repaired = None
        if isinstance(store, JsonlStore):
            problem = store.tail()
            if problem is not None:
                assert "interrupted append (never acknowledged)" in problem
                repaired = store.repair()
                assert repaired is not None
                # A whole batch is adopted, or a torn one cut: never both, never a part of a batch.
                assert bool(repaired.adopted) != bool(repaired.cut)
                assert store.tail() is None
        # A dead client's last COMMIT may still be landing on the server: note the head first.
        head = store.head()
        records = list(store.read(until=head.position))
        prev = GENESIS
        for count, record in enumerate(records, start=1):
            assert (record.seq, record.prev) == (count, prev)
            assert record.hash == record.expected_hash()
            prev = record.hash
        assert head == Head(len(records), prev)
        for position, digest in acks:
            assert records[position - 1].hash == digest
        return repaired
    finally:
        store.close()


class TestKilledAtRandom:
    """A child appending in a loop is killed at random moments, again and again, on one log."""

    @pytest.mark.parametrize("kind", ["jsonl", "sqlite", "postgres"])
    def test_random_kills(self, kind: str, tmp_path: Path) -> None:
        location = {
            "jsonl": str(tmp_path / "log"),
            "sqlite": f"sqlite:///{tmp_path / 'log.db'}",
            "postgres": pg.fresh_url() if kind == "postgres" else "",
        }[kind]
        rng = random.Random(20220105)
        every: list[tuple[int, str]] = []
        for _trial in range(TRIALS):
            child = Child(tmp_path, "append-loop", location)
            child.wait_for("ack ")
            time.sleep(rng.uniform(0.0, 0.15))
            acks = acknowledged(child.kill())
            assert acks
            every += acks
            check_after_crash(location, acks)
        check_after_crash(location, every)
        store = open_store(location, create=False)
        assert store.head().position >= every[-1][0]
        store.close()


class TestKilledAtEveryStep:
    """A JSON Lines append killed at each of its writes, fsyncs and renames, a torn write included."""

    @pytest.mark.parametrize("segment_bytes", [SEGMENT_BYTES, 600], ids=["same-segment", "new-segment"])
    def test_every_step(self, segment_bytes: int, tmp_path: Path) -> None:
        child = Child(tmp_path, "trap", str(tmp_path / "count"), "count", str(segment_bytes))
        lines = child.wait_for("calls ")
        child.process.communicate(timeout=30)
        assert child.process.returncode == 0
        steps = int(next(line.split()[1] for line in lines if line.startswith("calls ")))
        assert steps >= 5  # write, fsync the segment, fsync HEAD's temporary, replace, fsync the directory
        cut = adopted = 0
        for step in range(1, steps + 1):
            location = str(tmp_path / f"log-{step}")
            child = Child(tmp_path, "trap", location, str(step), str(segment_bytes))
            child.wait_for("trapped ")
            acks = acknowledged(child.kill())
            assert [position for position, _ in acks] == [3]
            repaired = check_after_crash(location, acks)
            cut += bool(repaired and repaired.cut)
            adopted += bool(repaired and repaired.adopted)
            store = JsonlStore(location)
            # Whatever the step, the second append is all there or not there at all.
            assert store.head().position in (3, 7)
            if store.head().position == 3:
                assert [r.id for r in store.read()] == ["id-first-1", "id-first-2", "id-first-3"]
            backups = list(Path(location).glob("*.torn-*"))
            assert len(backups) == bool(repaired and repaired.cut)
            assert not list(Path(location).glob(".*.tmp"))  # repair leaves no temporary file behind
        # Killed in the middle of the write, the batch is torn and cut; killed after the whole batch was
        # written but before HEAD named it, the batch is whole (it ends with its mark) and adopted.
        assert cut >= 1
        assert adopted >= 3
