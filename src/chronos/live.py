"""Live projections: follow a log as it grows and keep its `Chronology` current.

A `Follower` catches up from a position and keeps up. `Follower.poll` reads
what was appended since it last looked; `Follower.wait` blocks until something
is (PostgreSQL tells it at once through LISTEN/NOTIFY, a memory store through
a condition; JSON Lines and SQLite are polled); `Follower.start` does both in a
background thread. `Follower.chronology` answers from every event read so far.
The projections are pure folds over the events in valid-time order, so an
event learned late about an earlier date changes every answer it affects the
next time that answer is asked, exactly as if it had been in the log from the
start.

    >>> from chronos import Catalogue, EventLog, MemoryStore
    >>> follower = Follower(EventLog(MemoryStore(), Catalogue()))
    >>> follower.position, len(follower.poll())
    (0, 0)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from chronos.chronology import Chronology
from chronos.errors import ChronosError, UsageError
from chronos.events import Event
from chronos.log import EventLog, Recorded
from chronos.projections import Policy, sort_key

__all__ = ["Follower"]

#: How long the background thread waits for news before looking whether it should stop.
INTERVAL = 0.5


class Follower:
    """A reader that follows ``log``: the events read so far, their `Chronology`, and news as it comes.

    ``events`` are events already read (positions 1 to ``after``, by default
    all of them), so a follower can go on from where another left off; it then
    reads from position ``after``. ``on_event`` is called with each new
    `Recorded`, in log order, from whichever thread reads it.
    """

    def __init__(
        self,
        log: EventLog,
        *,
        events: Iterable[Event] = (),
        after: int | None = None,
        policy: Policy | str | None = None,
        on_event: Callable[[Recorded], None] | None = None,
    ):
        self.log = log
        self.policy = policy
        self.on_event = on_event
        self._events: list[Event] = list(events)
        self._position = len(self._events) if after is None else after
        self._chronology: Chronology | None = None
        self._changed = threading.Condition(threading.RLock())
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.error: ChronosError | None = None
        self._owns_log = False

    @classmethod
    def open(cls, location: str | Path, *, policy: Policy | str | None = None) -> Follower:
        """A follower of the existing log at ``location`` (a directory or URL), from the start.

        Its store is closed by `close` (or on leaving a ``with`` block).
        """
        follower = cls(EventLog.open(location, create=False), policy=policy)
        follower._owns_log = True
        return follower

    def __repr__(self) -> str:
        return f"Follower({self.log!r}, at {self._position})"

    # What has been read ---------------------------------------------------------

    @property
    def position(self) -> int:
        """The position of the last record read."""
        with self._changed:
            return self._position

    @property
    def events(self) -> tuple[Event, ...]:
        """The events read so far, in the order they were appended."""
        with self._changed:
            return tuple(self._events)

    def timeline(self) -> tuple[Event, ...]:
        """The events read so far in valid-time order (when they happened, not when they were learned)."""
        return tuple(sorted(self.events, key=sort_key))

    @property
    def chronology(self) -> Chronology:
        """The questions over every event read so far; a new `Chronology` once more were read."""
        with self._changed:
            if self._chronology is None:
                self._chronology = Chronology(self._events, self.log.catalogue, policy=self.policy)
            return self._chronology

    # Reading ------------------------------------------------------------------

    def poll(self) -> tuple[Recorded, ...]:
        """Read whatever was appended since the last look, without waiting; return it."""
        with self._changed:
            fresh = tuple(self.log.read(after=self._position))
            if fresh:
                self._events.extend(r.event for r in fresh)
                self._position = fresh[-1].position
                self._chronology = None
                self._changed.notify_all()
        if self.on_event is not None:
            for recorded in fresh:
                self.on_event(recorded)
        return fresh

    def wait(self, timeout: float) -> tuple[Recorded, ...]:
        """Read what was appended since the last look, waiting up to ``timeout`` seconds for something."""
        fresh = self.poll()
        if fresh or not self.log.store.wait(after=self.position, timeout=timeout):
            return fresh
        return self.poll()

    def wait_for(self, position: int, *, timeout: float) -> bool:
        """Block until the follower has read ``position`` records; False if ``timeout`` seconds pass first.

        With a background thread running (`start`), this waits for it;
        otherwise it reads itself.
        """
        deadline = time.monotonic() + timeout
        if self._thread is not None:
            with self._changed:
                return self._changed.wait_for(lambda: self._position >= position, timeout=timeout)
        while self.position < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.wait(remaining)
        return True

    # In the background ---------------------------------------------------------

    def start(self, *, interval: float = INTERVAL) -> Follower:
        """Keep up in a daemon thread until `stop`; return the follower.

        A store error (a database gone away) is kept in `error` and the thread
        tries again after ``interval`` seconds; it is cleared once reading works again.
        """
        if self._thread is not None:
            raise UsageError(f"{self!r}: already following")
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="chronos-follower", daemon=True
        )
        self._thread.start()
        return self

    def _run(self, interval: float) -> None:
        while not self._stopping.is_set():
            try:
                self.wait(interval)
                self.error = None
            except ChronosError as exc:
                self.error = exc
                self._stopping.wait(interval)

    def stop(self) -> None:
        """Stop the background thread (within about its ``interval``) and wait for it."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join()

    def close(self) -> None:
        """Stop following, and close the store if `open` opened it."""
        self.stop()
        if self._owns_log:
            self.log.store.close()

    def __enter__(self) -> Follower:
        """Start following in the background (unless already)."""
        return self.start() if self._thread is None else self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
