"""The fault-injection suite: failing writes, killed and racing writers, through the log, the CLI, imports.

- Every file-system call of an append (to the last segment and to a new one),
  of a catalogue change and of an import is made to fail in turn, once
  (ENOSPC: the disk is full; EIO) and for good (the disk stays full): the
  operation raises one `StoreError` line, and the log is exactly as it was,
  or (only when the failure came after the commit point) has the whole
  change, and verifies either way, after `repair` when the disk stays full.
- An import is killed at each of its file-system calls in turn, and the
  command line's ``append`` and ``import`` are killed at random moments: after
  `repair`, the log verifies and holds each batch whole or not at all.
- Four processes append and import at once, with segments rotating: every
  event lands once, every entity is kept, the chain and the catalogue's
  history verify.

`test_the_readme_tells_the_figures` keeps the README's figures true.
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pytest

from chronos import Appointed, Chronology, ChronosError, EventLog, Person, Source, StoreError
from chronos.interop import import_text
from chronos.stores import JsonlStore, _durable, _jsonl_catalogue, _jsonl_repair
from chronos.stores import jsonl as jsonl_module
from tests.strategies import small_catalogue
from tests.workers import import_csv, worker_event

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
#: How many records the dataset holds.
N = EventLog.open(EVENTS).position
CALLS: Final = ("write", "fsync", "replace", "truncate", "open")
ERRORS: Final = {"ENOSPC": errno.ENOSPC, "EIO": errno.EIO}
#: Random kills of the command line's append and import (each a new process).
KILLS: Final = 8
SRC = [Source(source="004_a82dc472c30e5f7b.txt", quote="q")]


#: Every module of the JSON Lines store that writes (each has its own name for ``os``).
STORE_MODULES: Final = (jsonl_module, _durable, _jsonl_catalogue, _jsonl_repair)


class _FailingOs:
    """``os`` as the JSON Lines store's modules see it, with the n-th call of some functions failing."""

    def __init__(self, fail_at: int | None, code: int, *, persistent: bool) -> None:
        self.calls = 0
        self.fail_at = fail_at
        self.code = code
        self.persistent = persistent
        self.failed = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name not in CALLS:
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            if name == "open" and not (args[1] & os.O_WRONLY):
                return real(*args, **kwargs)  # reading a directory to fsync it is not a write
            self.calls += 1
            due = self.fail_at is not None and (
                self.calls == self.fail_at or (self.persistent and self.calls > self.fail_at)
            )
            if due:
                self.failed += 1
                raise OSError(self.code, os.strerror(self.code))
            return real(*args, **kwargs)

        return call


@contextmanager
def failing(
    fail_at: int | None, code: int = errno.ENOSPC, *, persistent: bool = False
) -> Iterator[_FailingOs]:
    """Make the ``fail_at``-th write, fsync, replace, truncate or open-for-writing fail (None: count them)."""
    fake = _FailingOs(fail_at, code, persistent=persistent)
    for module in STORE_MODULES:
        setattr(module, "os", fake)  # noqa: B010 -- the module's own name for os, replaced for the test
    try:
        yield fake
    finally:
        for module in STORE_MODULES:
            setattr(module, "os", os)  # noqa: B010


def _snapshot(directory: Path) -> dict[str, bytes]:
    """Every file of a log that holds data (not the lock, not repair's backups)."""
    return {
        p.name: p.read_bytes()
        for p in directory.iterdir()
        if p.is_file() and p.name != ".lock" and ".torn-" not in p.name
    }


def _new_event() -> Appointed:
    return Appointed(person="karim-massimov", post="nsc/chairman", occurred="2023", known="2023", sources=SRC)


def _append(directory: Path) -> Callable[[], object]:
    log = EventLog.open(directory)
    return lambda: log.append([_new_event()], expected_position=N)


def _append_rotating(directory: Path) -> Callable[[], object]:
    log = EventLog(JsonlStore(directory, segment_bytes=1000), EventLog.open(directory).catalogue)
    return lambda: log.append([_new_event()], expected_position=N)


def _add_entities(directory: Path) -> Callable[[], object]:
    log = EventLog.open(directory)
    return lambda: log.add_entities([Person(id="new-person", name="New Person")], header="a test")


def _import(directory: Path) -> Callable[[], object]:
    log = EventLog.open(directory)
    return lambda: import_text(log, "csv", import_csv("fault"), label="fault/people.csv", known_at="2020")


OPERATIONS: Final[dict[str, Callable[[Path], Callable[[], object]]]] = {
    "append": _append,
    "append to a new segment": _append_rotating,
    "catalogue change": _add_entities,
    "import": _import,
}


def _done(directory: Path, operation: str) -> bool:
    """Whether ``operation``'s whole effect is in the log."""
    log = EventLog.open(directory)
    if operation == "catalogue change":
        return "new-person" in log.catalogue
    events = log.events()
    if operation == "import":
        return sum(e.sources[0].source == "fault/people.csv" for e in events) == 6
    return events[-1] == _new_event()


def _calls(operation: str, tmp_path: Path) -> int:
    directory = tmp_path / "count"
    shutil.copytree(EVENTS, directory)
    run = OPERATIONS[operation](directory)
    with failing(None) as fake:
        run()
    assert _done(directory, operation)
    return fake.calls


def _injections() -> list[tuple[str, str, bool]]:
    return [
        (operation, code, persistent)
        for operation in OPERATIONS
        for code in ERRORS
        for persistent in (False, True)
    ]


#: Runs made by the tests, so that the figures need not make them again.
_SEEN: dict[object, int] = {}


def _inject(operation: str, code: str, persistent: bool, tmp_path: Path) -> int:
    """Fail each call of ``operation`` in turn; check the log after each; return how many runs."""
    key = (operation, code, persistent)
    if key in _SEEN:
        return _SEEN[key]
    total = _calls(operation, tmp_path)
    assert total >= 4
    failures = 0
    for step in range(1, total + 1):
        directory = tmp_path / f"{step}"
        shutil.copytree(EVENTS, directory)
        before = _snapshot(directory)
        run = OPERATIONS[operation](directory)
        message = None
        with failing(step, ERRORS[code], persistent=persistent) as fake:
            try:
                run()
            except ChronosError as exc:
                message = str(exc)
        failures += fake.failed
        assert fake.failed >= 1
        if message is not None:
            assert "\n" not in message
        log = EventLog.open(directory)
        if message is not None and "chronos repair" in message:
            log.repair()  # what the message says to do once the disk allows
        log.verify()
        if _snapshot(directory) == before:
            assert message is not None, step
        elif operation == "import" and message is not None:
            # The import's entities may have been added before its events failed (harmless, and chained);
            # its events are all there (an append whose outcome repair settled) or none.
            assert sum(e.sources[0].source == "fault/people.csv" for e in log.events()) in (0, 6)
        else:
            # Changed: only when the failure came after the change was made, and then wholly.
            assert _done(directory, operation), (step, message)
    assert failures >= total
    _SEEN[key] = total
    return total


@pytest.mark.parametrize(("operation", "code", "persistent"), _injections())
def test_failed_writes(operation: str, code: str, persistent: bool, tmp_path: Path) -> None:
    """Each call failing in turn: one error line, and the log as it was (or, past the commit, all of it)."""
    _inject(operation, code, persistent, tmp_path)


def test_a_failed_append_refuses_nothing_after(tmp_path: Path) -> None:
    """After a failed append the next one goes through: nothing torn was left to refuse it."""
    directory = tmp_path / "s"
    shutil.copytree(EVENTS, directory)
    log = EventLog.open(directory)
    with failing(1, errno.ENOSPC), pytest.raises(StoreError, match=r"the disk is full.*nothing was appended"):
        log.append([_new_event()], expected_position=N)
    assert log.append([_new_event()], expected_position=N).position == N + 1
    assert log.verify().count == N + 1


class Child:
    """A process whose output goes to a file, so that it never blocks on a full pipe."""

    def __init__(self, directory: Path, args: list[str]):
        self.output = directory / f"child-{time.monotonic_ns()}.out"
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                args,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"},
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8")

    def wait_for(self, word: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while word not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                self.process.wait(timeout=30)
                pytest.fail(f"the child never said {word!r}: {self.text()}")
            time.sleep(0.005)
        return self.text()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def _import_steps(tmp_path: Path) -> int:
    if "import steps" in _SEEN:
        return _SEEN["import steps"]
    directory = tmp_path / "count"
    shutil.copytree(EVENTS, directory)
    child = Child(tmp_path, [sys.executable, "-m", "tests.workers", "trap-import", str(directory), "count"])
    text = child.wait_for("done")
    child.process.wait(timeout=30)
    match = re.search(r"calls (\d+)", text)
    assert match is not None
    steps = _SEEN["import steps"] = int(match.group(1))
    return steps


def _whole_or_nothing(directory: Path, label: str, rows: int) -> int:
    """After `repair`, the log verifies and holds all of an import's events or none; return how many."""
    log = EventLog.open(directory)
    log.repair()
    log.verify()
    found = sum(e.sources[0].source == label for e in log.events())
    assert found in (0, 2 * rows), found
    return found


def test_an_import_killed_at_every_step(tmp_path: Path) -> None:
    """An import killed at each of its file-system calls in turn (a write torn in half first)."""
    steps = _import_steps(tmp_path)
    assert steps >= 8  # the catalogue's temporary file, history, rename; the batch; HEAD ...
    landed = 0
    for step in range(1, steps + 1):
        directory = tmp_path / f"log-{step}"
        shutil.copytree(EVENTS, directory)
        child = Child(
            tmp_path, [sys.executable, "-m", "tests.workers", "trap-import", str(directory), str(step)]
        )
        child.wait_for("trapped")
        child.kill()
        landed += bool(_whole_or_nothing(directory, "trap/people.csv", 3))
    assert 0 < landed < steps


def _cli(directory: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "chronos", "--log", str(directory), *args]


def test_the_command_line_killed_at_random(tmp_path: Path) -> None:
    """``chronos append`` and ``chronos import``, killed at random moments, one after the other on one log."""
    directory = tmp_path / "s"
    shutil.copytree(EVENTS, directory)
    rng = random.Random(13)
    for trial in range(KILLS):
        label = f"kill{trial}"
        if trial % 2:
            path = tmp_path / label / "people.csv"
            path.parent.mkdir()
            path.write_text(import_csv(label), encoding="utf-8")
            args = _cli(directory, "import", "csv", str(path), "--known-at", "2020")
            source, rows = f"{label}/people.csv", 3
        else:
            path = tmp_path / f"{label}.jsonl"
            lines = [
                '{"type":"Appointed","person":"karim-massimov","post":"nsc/chairman",'
                f'"occurred":"{1900 + trial * 10 + n}","known":"2023",'
                f'"sources":[{{"source":"{label}","quote":"q"}}]}}'
                for n in range(5)
            ]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            args = _cli(directory, "append", str(path))
            source, rows = label, 5
        child = Child(tmp_path, args)
        time.sleep(rng.uniform(0.2, 1.5))
        child.kill()
        log = EventLog.open(directory)
        log.repair()
        log.verify()
        found = sum(e.sources[0].source == source for e in log.events())
        assert found in (0, rows if source == label else 2 * rows), (trial, found)


def test_concurrent_appends_and_imports_with_rotation(tmp_path: Path) -> None:
    """Four processes append and import at once into a log whose segments rotate every 4 KiB."""
    directory = tmp_path / "log"
    setup = EventLog.create(directory, require_sources=False)
    setup.add_entities(small_catalogue().values(), header="the test's world")
    workers, rounds = 4, 6
    children = [
        Child(
            tmp_path,
            [sys.executable, "-m", "tests.workers", "mixed", str(directory), str(w), str(rounds), "4096"],
        )
        for w in range(workers)
    ]
    for child in children:
        child.wait_for("done", timeout=600)
        child.process.wait(timeout=60)
    log = EventLog.open(directory)
    verified = log.verify()
    assert verified.count == workers * rounds * (1 + 2 * 2)
    assert len(list(directory.glob("log-*.jsonl"))) > 3
    events = log.events()
    assert len({e.id for e in events}) == len(events)
    for worker in range(workers):
        mine = [e for e in events if e.sources[0].source == f"worker-{worker}"]
        assert mine == [worker_event(worker, n) for n in range(rounds)]
    persons = [e for e in log.catalogue.values() if e.kind == "person"]
    assert len(persons) == 5 + workers * rounds * 2
    assert len(Chronology.open(directory).events) == verified.count


def test_the_readme_tells_the_figures(tmp_path: Path) -> None:
    """The README says how many writes were failed and writers killed: what this suite does."""
    failed = sum(
        _inject(operation, code, persistent, tmp_path / f"{n}")
        for n, (operation, code, persistent) in enumerate(_injections())
    )
    steps = _import_steps(tmp_path)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(r"\| writes made to fail \(ENOSPC, EIO\) \| (\d+) \|", readme)
    assert row is not None
    assert int(row.group(1)) == failed, failed
    row = re.search(r"\| imports killed at each file-system call \| (\d+) \|", readme)
    assert row is not None
    assert int(row.group(1)) == steps, steps
    row = re.search(r"\| `chronos append` and `import` killed at random \| (\d+) \|", readme)
    assert row is not None
    assert int(row.group(1)) == KILLS
