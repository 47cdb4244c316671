"""Several processes appending to one log at once: each append lands exactly once, the chain stays valid.

Four children (`tests.workers`) append 500 events each through their own
`EventLog`, retrying on `ConcurrencyError`, while this process verifies the
log again and again as it grows.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from chronos import EventLog
from tests import pg
from tests.strategies import small_catalogue
from tests.workers import worker_event

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
EACH = 500


def location(kind: str, path: Path) -> str:
    if kind == "postgres":
        return pg.fresh_url()
    return {"jsonl": str(path / "log"), "sqlite": f"sqlite:///{path / 'log.db'}"}[kind]


class TestConcurrentWriters:
    """Four processes, five hundred appends each, one log."""

    @pytest.mark.parametrize("kind", ["jsonl", "sqlite", "postgres"])
    def test_every_append_lands_once(self, kind: str, tmp_path: Path) -> None:
        where = location(kind, tmp_path)
        setup = EventLog.open(where, create=True)
        setup.store.write_catalogue(small_catalogue().to_toml())
        setup.store.close()
        children = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.workers", "events", where, str(worker), str(EACH)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for worker in range(WORKERS)
        ]
        reader = EventLog.open(where, create=False)
        seen = 0
        checks = 0
        try:
            # Verify while they write: a reader never sees a half-written append or a false tail.
            while any(child.poll() is None for child in children):
                verified = reader.verify()
                assert verified.count >= seen
                seen = verified.count
                checks += 1
                time.sleep(0.05)
            outputs = [child.communicate(timeout=300) for child in children]
        finally:
            for child in children:
                child.kill()
        for child, (out, err) in zip(children, outputs, strict=True):
            assert child.returncode == 0, err
            assert out.startswith("done ")
        retries = sum(int(out.split()[1]) for out, _ in outputs)

        verified = reader.verify()
        assert verified.count == WORKERS * EACH
        events = reader.events()
        ids = [event.id for event in events]
        assert len(set(ids)) == len(ids) == WORKERS * EACH
        assert set(ids) == {worker_event(w, n).id for w in range(WORKERS) for n in range(EACH)}
        for worker in range(WORKERS):
            mine = [e for e in events if e.sources[0].source == f"worker-{worker}"]
            assert mine == [worker_event(worker, n) for n in range(EACH)]
        reader.store.close()
        # Not asserted (it depends on scheduling), but shown with -s: how hard they fought.
        print(f"{kind}: {retries} retried appends, {checks} verifications while writing")
