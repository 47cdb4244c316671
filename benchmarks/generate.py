"""A seeded generator of realistic chronologies for the benchmarks.

About one organisation per hundred events (10,000 at a million), each with up
to two units and about ten posts of 1 to 10 seats; a simulated clock from 1950
drives appointments, dismissals, resignations, moves, arrests, releases,
deaths and renames. About 10% of events are recorded late (known years after
they happened), 1% are corrected or retracted later, 1% are disputed by a
second source, and 5% are dated only to the month or the year.
"""

from __future__ import annotations

import collections
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import attrs

from chronos import (
    Appointed,
    Arrested,
    Catalogue,
    Corrected,
    Died,
    Dismissed,
    Event,
    EventLog,
    FuzzyDate,
    JsonlStore,
    Moved,
    Organisation,
    PartialDate,
    Person,
    Post,
    Released,
    Renamed,
    Resigned,
    Retracted,
    Source,
)

START = dt.date(1950, 1, 1)
SPAN_DAYS = 75 * 365
SOURCES = tuple(Source(source=f"archive-{i}.json", quote=f"record {i}") for i in range(50))
SECOND = tuple(Source(source=f"gazette-{i}.json", quote=f"notice {i}") for i in range(50))


@attrs.define
class World:
    """The catalogue and the generated events, in the order they were learned."""

    catalogue: Catalogue
    events: list[Event]
    orgs: list[str]
    persons: list[str]


def catalogue_for(n_events: int, rng: random.Random) -> tuple[Catalogue, list[str], list[Post], list[str]]:
    """Organisations (with units), posts and persons sized for ``n_events``."""
    n_orgs = max(10, n_events // 100)
    entities: list[object] = []
    orgs: list[str] = []
    posts: list[Post] = []
    for i in range(n_orgs):
        org = f"org-{i}"
        orgs.append(org)
        entities.append(Organisation(id=org, name=f"Organisation {i}", aliases=(f"O{i}",)))
        units = [org]
        for j in range(rng.choice((0, 1, 1, 2))):
            unit = f"{org}/unit-{j}"
            units.append(unit)
            entities.append(Organisation(id=unit, name=f"Unit {j} of Organisation {i}", parent=org))
        for k in range(rng.randint(8, 12)):
            unit = rng.choice(units)
            seats = rng.choice((1, 1, 1, 1, 1, 2, 2, 3, 5, 10))
            post = Post(id=f"{unit}/post-{k}", name=f"Post {k}", org=unit, seats=seats)
            posts.append(post)
            entities.append(post)
    n_persons = max(50, n_events // 4)
    persons = [f"person-{i}" for i in range(n_persons)]
    entities.extend(Person(id=p, name=f"Person {p[7:]}") for p in persons)
    return Catalogue(entities), orgs, posts, persons  # type: ignore[arg-type]


def _date(day: int, rng: random.Random) -> FuzzyDate:
    when = START + dt.timedelta(days=day)
    roll = rng.random()
    if roll < 0.03:
        return FuzzyDate(PartialDate(when.year, when.month), PartialDate(when.year, when.month))
    if roll < 0.05:
        return FuzzyDate(PartialDate(when.year), PartialDate(when.year))
    return FuzzyDate.of(when)


def _known(day: int, rng: random.Random) -> FuzzyDate:
    lag = rng.randint(365, 20 * 365) if rng.random() < 0.10 else rng.randint(0, 30)
    return FuzzyDate.of(START + dt.timedelta(days=day + lag))


def generate(n_events: int, *, seed: int = 1) -> World:
    """About ``n_events`` events over a world sized for them, reproducibly from ``seed``."""
    rng = random.Random(seed)
    catalogue, orgs, posts, persons = catalogue_for(n_events, rng)
    holders: dict[str, list[str]] = {p.id: [] for p in posts}
    seats = {p.id: p.seats for p in posts}
    held = _Held()
    custody: set[str] = set()
    dead: set[str] = set()
    shuffled = list(persons)
    rng.shuffle(shuffled)
    free = collections.deque(shuffled)  # popped on the right, returned on the left; the dead are skipped
    events: list[Event] = []
    step = SPAN_DAYS / n_events
    day = 0.0
    post_ids = [p.id for p in posts]
    renameable = orgs

    def emit(event: Event) -> None:
        events.append(event)
        roll = rng.random()
        if roll < 0.01:  # a second source dates it differently
            shift = rng.randint(1, 10)
            events.append(
                attrs.evolve(event, occurred=_date(int(day) + shift, rng), sources=(rng.choice(SECOND),))
            )
        elif roll < 0.015:
            events.append(
                Retracted(
                    target=event.id, occurred=event.known, known=_later(event), sources=(rng.choice(SECOND),)
                )
            )
        elif roll < 0.02:
            fixed = attrs.evolve(event, occurred=_date(int(day) + rng.randint(-20, 20), rng))
            events.append(
                Corrected(
                    target=event.id,
                    replacement=fixed,
                    occurred=event.known,
                    known=_later(event),
                    sources=(rng.choice(SECOND),),
                )
            )

    def _later(event: Event) -> FuzzyDate:
        return FuzzyDate.of(event.known.latest + dt.timedelta(days=rng.randint(1, 3 * 365)))

    while len(events) < n_events:
        day += step * rng.uniform(0.5, 1.5)
        d = int(day)
        occurred, known = _date(d, rng), _known(d, rng)
        source = (rng.choice(SOURCES),)
        action = rng.random()
        if action < 0.40 and free:
            post = rng.choice(post_ids)
            if len(holders[post]) >= seats[post]:
                continue
            person = free.pop()
            if person in dead:
                continue
            holders[post].append(person)
            held.put(person, post)
            emit(Appointed(person=person, post=post, occurred=occurred, known=known, sources=source))
        elif action < 0.70 and held:
            person = held.pick(rng)
            post = held.pop(person)
            holders[post].remove(person)
            cls = Dismissed if rng.random() < 0.8 else Resigned
            emit(cls(person=person, post=post, occurred=occurred, known=known, sources=source))
            free.appendleft(person)
        elif action < 0.80 and held:
            person = held.pick(rng)
            target = rng.choice(post_ids)
            post = held.post[person]
            if target == post or len(holders[target]) >= seats[target]:
                continue
            holders[post].remove(person)
            holders[target].append(person)
            held.post[person] = target
            emit(
                Moved(
                    person=person,
                    from_post=post,
                    to_post=target,
                    occurred=occurred,
                    known=known,
                    sources=source,
                )
            )
        elif action < 0.86:
            person = rng.choice(persons)
            if person in dead:
                continue
            if person in custody:
                custody.discard(person)
                emit(Released(person=person, occurred=occurred, known=known, sources=source))
            else:
                custody.add(person)
                emit(Arrested(person=person, occurred=occurred, known=known, sources=source))
        elif action < 0.90:
            person = rng.choice(persons)
            if person in dead or person in custody:
                continue
            dead.add(person)
            if person in held.post:
                holders[held.pop(person)].remove(person)
            emit(Died(person=person, occurred=occurred, known=known, sources=source))
        else:
            org = rng.choice(renameable)
            emit(
                Renamed(entity=org, name=f"{org} renamed {d}", occurred=occurred, known=known, sources=source)
            )
    return World(catalogue, events[:n_events], orgs, persons)


class _Held:
    """Who holds a post: O(1) random pick and removal."""

    def __init__(self) -> None:
        self.post: dict[str, str] = {}
        self._people: list[str] = []
        self._index: dict[str, int] = {}

    def __bool__(self) -> bool:
        return bool(self._people)

    def put(self, person: str, post: str) -> None:
        self.post[person] = post
        self._index[person] = len(self._people)
        self._people.append(person)

    def pick(self, rng: random.Random) -> str:
        return self._people[rng.randrange(len(self._people))]

    def pop(self, person: str) -> str:
        i = self._index.pop(person)
        last = self._people.pop()
        if last != person:
            self._people[i] = last
            self._index[last] = i
        return self.post.pop(person)


def write(world: World, directory: Path, *, batch: int = 50_000) -> EventLog:
    """Write the world as a JSON Lines log in ``directory``, with its catalogue."""
    directory.mkdir(parents=True, exist_ok=True)
    world.catalogue.save(directory / "catalogue.toml")
    log = EventLog(JsonlStore(directory), world.catalogue)
    for chunk in batches(world.events, batch):
        log.append(chunk, expected_position=log.position)
    return log


def batches(events: list[Event], size: int) -> Iterator[list[Event]]:
    """The events in slices of ``size``."""
    for start in range(0, len(events), size):
        yield events[start : start + size]
