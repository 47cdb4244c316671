"""Child processes for the crash, concurrency and live tests: ``python -m tests.workers MODE ...``.

Each mode writes to a log given by its location and reports on standard
output, one flushed line per fact, so that a parent that kills it knows exactly
what it had acknowledged:

- ``append-loop LOCATION``: appends batches of 1 to 5 records forever, printing
  ``ack POSITION HASH`` after each acknowledged append;
- ``trap LOCATION STEP SEGMENT_BYTES``: appends one batch, then arms a trap on
  the file-system calls of a JSON Lines append (``os.write``, ``os.fsync``,
  ``os.replace``) and appends another; at call number STEP it prints
  ``trapped NAME`` and hangs (a ``write`` is torn in half first), waiting to be
  killed; ``count`` as STEP prints how many such calls one append makes;
- ``events LOCATION WORKER COUNT``: appends COUNT events one by one through an
  `EventLog`, retrying on `ConcurrencyError`, then prints ``done RETRIES``;
- ``story LOCATION COUNT PAUSE``: appends the events of `story` one by one, a
  PAUSE seconds apart, printing ``ack NUMBER TIME`` after each;
- ``trap-import LOCATION STEP``: imports `import_csv` (new entities and their
  events) into the log at LOCATION with the same trap armed on every
  file-system call (``os.truncate`` too); ``count`` as STEP prints how many;
- ``mixed LOCATION WORKER ROUNDS SEGMENT_BYTES``: ROUNDS times, appends an
  event and imports a small CSV of its own, through a JSON Lines store whose
  segments rotate every SEGMENT_BYTES, then prints ``done``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from chronos import Appointed, ConcurrencyError, Dismissed, Event, EventLog, Source
from chronos.stores import JsonlStore, open_store
from chronos.stores.records import Head
from chronos.testing import make_records

PEOPLE = ("ann-abel", "ben-berg", "cem-cay", "dia-dorn", "eva-ek")


def worker_event(worker: int, number: int) -> Appointed:
    """A distinct event per worker and number, valid against `tests.strategies.small_catalogue`."""
    day = dt.date(2000, 1, 1) + dt.timedelta(days=number)
    return Appointed(
        person=PEOPLE[worker % len(PEOPLE)],
        post="org/deputy",
        occurred=day.isoformat(),
        known=day.isoformat(),
        sources=[Source(source=f"worker-{worker}", quote=f"event {number}")],
    )


def story(count: int) -> list[Event]:
    """``count`` events learned in an order that is not their valid-time order.

    Every fifth is a dismissal learned late about an earlier date: it ends the
    tenure the appointment before it started.
    """
    events: list[Event] = []
    for number in range(count):
        day = dt.date(2010, 1, 1) + dt.timedelta(days=10 * number)
        person = PEOPLE[number % len(PEOPLE)]
        if number % 5 == 4:
            earlier = day - dt.timedelta(days=25)
            events.append(
                Dismissed(
                    person=PEOPLE[(number - 1) % len(PEOPLE)],
                    post="org/deputy",
                    occurred=earlier.isoformat(),
                    known=day.isoformat(),
                    sources=[Source(source="late", quote=f"dismissal {number}")],
                )
            )
        else:
            events.append(
                Appointed(
                    person=person,
                    post="org/deputy",
                    occurred=day.isoformat(),
                    known=day.isoformat(),
                    sources=[Source(source="story", quote=f"appointment {number}")],
                )
            )
    return events


def import_csv(label: str, people: int = 3) -> str:
    """A tenure CSV naming ``people`` new persons, each holding a new post for a year."""
    rows = [f"Person {label} {n},Post {label} {n},Club {label},{2000 + n},{2001 + n}" for n in range(people)]
    return "person,post,org,start,end\n" + "\n".join(rows) + "\n"


def say(*words: object) -> None:
    print(*words, flush=True)


def append_loop(location: str) -> None:
    store = open_store(location)
    batch = 0
    while True:
        batch += 1
        head = store.head()
        records = make_records(head, random.randint(1, 5), tag=f"{os.getpid()}-{batch}")
        new = store.append(records, expected_position=head.position)
        say("ack", new.position, new.hash)


def trap(location: str, step: str, segment_bytes: int) -> None:
    store = JsonlStore(location, segment_bytes=segment_bytes)
    first = store.append(make_records(Head(), 3, tag="first"), expected_position=0)
    say("ack", first.position, first.hash)
    calls: list[str] = []
    names = ("write", "fsync", "replace")
    originals: dict[str, Callable[..., Any]] = {name: getattr(os, name) for name in names}

    def trapped(name: str) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            calls.append(name)
            if step != "count" and len(calls) == int(step):
                if name == "write":
                    fd, data = args
                    originals["write"](fd, bytes(data)[: len(data) // 2])
                say("trapped", name)
                time.sleep(3600)
            return originals[name](*args)

        return call

    for name in originals:
        setattr(os, name, trapped(name))
    try:
        second = store.append(make_records(first, 4, tag="second"), expected_position=first.position)
    finally:
        for name, original in originals.items():
            setattr(os, name, original)
    if step == "count":
        say("calls", len(calls))
    say("ack", second.position, second.hash)


def trap_import(location: str, step: str) -> None:
    from chronos.interop import import_text

    log = EventLog.open(location, create=False)
    calls: list[str] = []
    names = ("write", "fsync", "replace", "truncate")
    originals: dict[str, Callable[..., Any]] = {name: getattr(os, name) for name in names}

    def trapped(name: str) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            calls.append(name)
            if step != "count" and len(calls) == int(step):
                if name == "write":
                    fd, data = args
                    originals["write"](fd, bytes(data)[: len(data) // 2])
                say("trapped", name)
                time.sleep(3600)
            return originals[name](*args)

        return call

    for name in originals:
        setattr(os, name, trapped(name))
    try:
        import_text(log, "csv", import_csv("trap"), label="trap/people.csv", known_at="2020")
    finally:
        for name, original in originals.items():
            setattr(os, name, original)
    if step == "count":
        say("calls", len(calls))
    say("done")


def mixed(location: str, worker: int, rounds: int, segment_bytes: int) -> None:
    from chronos import Catalogue
    from chronos.interop import import_text

    store = JsonlStore(location, segment_bytes=segment_bytes)
    text = store.read_catalogue()
    log = EventLog(store, Catalogue.from_toml(text) if text is not None else Catalogue())
    for number in range(rounds):
        event = worker_event(worker, number)
        while True:
            try:
                log.append([event], expected_position=log.position)
                break
            except ConcurrencyError:
                log.refresh_catalogue()
        label = f"w{worker}r{number}"
        import_text(log, "csv", import_csv(label, 2), label=f"{label}/people.csv", known_at="2020")
    say("done")


def events(location: str, worker: int, count: int) -> None:
    log = EventLog.open(location, create=False)
    retries = 0
    for number in range(count):
        event = worker_event(worker, number)
        while True:
            try:
                log.append([event], expected_position=log.position)
                break
            except ConcurrencyError:
                retries += 1
    log.store.close()
    say("done", retries)


def write_story(location: str, count: int, pause: float) -> None:
    log = EventLog.open(location, create=False)
    for number, event in enumerate(story(count)):
        log.append([event], expected_position=log.position)
        say("ack", number, time.time())
        time.sleep(pause)
    log.store.close()
    say("done")


def main(argv: list[str]) -> None:
    mode, location, *rest = argv
    if mode == "append-loop":
        append_loop(location)
    elif mode == "trap":
        trap(location, rest[0], int(rest[1]))
    elif mode == "events":
        events(location, int(rest[0]), int(rest[1]))
    elif mode == "story":
        write_story(location, int(rest[0]), float(rest[1]))
    elif mode == "trap-import":
        trap_import(location, rest[0])
    elif mode == "mixed":
        mixed(location, int(rest[0]), int(rest[1]), int(rest[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
