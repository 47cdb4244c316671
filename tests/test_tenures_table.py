"""The ``chronos_tenures`` table of a SQL log answers as `Chronology` does, kept current on append."""

from __future__ import annotations

import datetime as dt
import random
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import World, generate

import chronos.columnar.sql as tenures_sql
from chronos import (
    Appointed,
    Chronology,
    Died,
    Dismissed,
    EventLog,
    FuzzyDate,
    Moved,
    Policy,
    Retracted,
    SqliteStore,
)
from chronos.columnar.sql import keep_tenures, refresh_tenures
from chronos.dates import Day
from chronos.projections import span
from chronos.stores import open_store
from chronos.stores._pgurl import split_url
from tests.pg import fresh_url
from tests.strategies import SRC
from tests.test_columnar import forward_split, some_dates, span_of

#: Who held which post of an organisation on day D as known on day K, certainly or possibly.
QUERY = """
SELECT post_id, person_id, start_last <= :d AND :d < end_first AS certain
FROM chronos_tenures
WHERE org_id = :org AND known_from <= :k AND (known_until IS NULL OR :k < known_until)
  AND start_first <= :d AND :d < end_last
"""


def later(world: World, events: list[Any], count: int, seed: int) -> list[Any]:
    """Appointments, dismissals, moves and deaths after the last day of ``events``, made public later.

    They become known in runs of a few a day, from the last knowledge date of ``events`` on, so
    each append (and each day within one) extends the table.
    """
    rng = random.Random(seed)
    last = max(e.occurred.last for e in events)
    known = max(e.known.last for e in events)
    posts = [p.id for p in world.catalogue.values() if p.kind == "post"]
    out: list[Any] = []
    held: list[tuple[str, str]] = []
    for n in range(count):
        day = FuzzyDate.of(Day(last + 1 + n).isoformat())
        public = FuzzyDate.of(Day(known + (n // 15) * 3).isoformat())
        kind = rng.choice(["appoint", "appoint", "end", "move", "die"]) if held else "appoint"
        if kind == "appoint":
            person, post = rng.choice(world.persons), rng.choice(posts)
            out.append(Appointed(occurred=day, known=public, sources=SRC, person=person, post=post))
            held.append((person, post))
        elif kind == "end":
            person, post = held.pop(rng.randrange(len(held)))
            out.append(Dismissed(occurred=day, known=public, sources=SRC, person=person, post=post))
        elif kind == "move":
            person, post = held.pop(rng.randrange(len(held)))
            to = rng.choice(posts)
            out.append(
                Moved(occurred=day, known=public, sources=SRC, person=person, from_post=post, to_post=to)
            )
            held.append((person, to))
        else:
            person, _post = held.pop(rng.randrange(len(held)))
            out.append(Died(occurred=day, known=public, sources=SRC, person=person))
            held = [h for h in held if h[0] != person]
    return out


def sqlite_log(world: World, events: list[Any], path: Path) -> str:
    store = SqliteStore(path)
    store.write_catalogue(world.catalogue.to_toml())
    log = EventLog(store, world.catalogue)
    log.append(events, expected_position=0)
    store.close()
    return f"sqlite:///{path}"


def postgres_log(world: World, events: list[Any]) -> str:
    location = fresh_url()
    store = open_store(location)
    store.write_catalogue(world.catalogue.to_toml())
    EventLog(store, world.catalogue).append(events, expected_position=0)
    return location


def make_log(kind: str, world: World, events: list[Any], tmp_path: Path) -> str:
    """A SQLite or PostgreSQL log holding ``events`` (its location)."""
    return sqlite_log(world, events, tmp_path / "log.db") if kind == "sqlite" else postgres_log(world, events)


def expected(
    chronology: Chronology, world: World, org: str, at: Day, known_at: Day
) -> Counter[tuple[Any, ...]]:
    """The tenures at ``org``'s own posts certainly known on ``known_at`` that hold on ``at``."""
    posts = {p.id for p in world.catalogue.posts(org, recursive=False)}
    found: Counter[tuple[Any, ...]] = Counter()
    for tenure in chronology.tenures(known_at=known_at):
        if tenure.post in posts:
            holds = tenure.holds(at)
            if holds is not None:
                found[(tenure.post, tenure.person, holds == "certain")] += 1
    return found


def asked(location: str, org: str, at: Day, known_at: Day) -> Counter[tuple[Any, ...]]:
    """`QUERY` asked by the database's own client library, as any other program would."""
    values = {"org": org, "d": int(at), "k": int(known_at)}
    if location.startswith("sqlite:///"):
        with sqlite3.connect(location.removeprefix("sqlite:///")) as db:
            rows = db.execute(QUERY, values).fetchall()
    else:
        import psycopg

        url, schema = split_url(location)
        with psycopg.connect(url, options=f"-c search_path={schema}") as db:
            rows = db.execute(re.sub(r":(\w+)", r"%(\1)s", QUERY), values).fetchall()
    return Counter((post, person, bool(certain)) for post, person, certain in rows)


def assert_table(path: str, world: World, events: list[Any], seed: int) -> None:
    chronology = Chronology(events, world.catalogue)
    rng = random.Random(seed)
    low, high = span_of(World(world.catalogue, list(events), world.orgs, world.persons))
    days = [d for d in some_dates(rng, low, high, 12) if isinstance(d, dt.date)]
    for at, known_at in zip(days, reversed(days), strict=True):
        for org in rng.sample(world.orgs, 5):
            day, known = span(Day.from_date(at))[0], Day.from_date(known_at)
            assert asked(path, org, day, known) == expected(chronology, world, org, day, known)


@pytest.fixture(params=["sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestTable:
    def test_built_then_kept_current_on_append(
        self, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = generate(1200, seed=21)
        head, _tail = forward_split(world.events, 1.0)
        tail = later(world, head, 120, seed=21)
        location = make_log(kind, world, head, tmp_path)
        assert refresh_tenures(location) == "rebuilt"
        assert refresh_tenures(location) == "current"
        assert_table(location, world, head, 21)
        # Appends that only add to history (and became known no earlier) are folded onto the table.
        log = keep_tenures(location)

        def no_rebuild(*_args: object) -> None:
            raise AssertionError("rebuilt a table that could be extended")

        monkeypatch.setattr(tenures_sql, "_version_rows", no_rebuild)
        log.append(tail[:50], expected_position=log.position)
        log.append(tail[50:], expected_position=log.position)
        assert log.store.derived_query("SELECT position FROM {h}") == [(len(head) + len(tail),)]  # type: ignore[attr-defined]
        assert_table(location, world, [*head, *tail], 22)
        assert refresh_tenures(location) == "current"

    def test_what_reaches_back_rebuilds(self, kind: str, tmp_path: Path) -> None:
        world = generate(800, seed=23)
        head, _tail = forward_split(world.events, 1.0)
        location = make_log(kind, world, head, tmp_path)
        log = keep_tenures(location)
        late = Retracted(target=head[-1].id, occurred=head[-1].occurred, known=head[-1].known, sources=SRC)
        log.append([late], expected_position=log.position)
        assert refresh_tenures(location) == "current"  # the hook rebuilt it
        assert_table(location, world, [*head, late], 23)

    def test_another_policy_rebuilds(self, kind: str, tmp_path: Path) -> None:
        world = generate(400, seed=24)
        location = make_log(kind, world, list(world.events), tmp_path)
        assert refresh_tenures(location) == "rebuilt"
        assert refresh_tenures(location, policy=Policy("latest")) == "rebuilt"
        assert refresh_tenures(location, policy="latest") == "current"


class TestSqlite:
    def test_the_guarded_tables_stay_guarded(self, tmp_path: Path) -> None:
        """The derived table has no triggers of its own, and the log's triggers are all still there."""
        world = generate(400, seed=25)
        location = sqlite_log(world, list(world.events), tmp_path / "log.db")
        refresh_tenures(location)
        store = SqliteStore(tmp_path / "log.db")
        assert store.unguarded() is None
        assert EventLog(store, world.catalogue).verify().count == len(world.events)
        with sqlite3.connect(tmp_path / "log.db") as db, pytest.raises(sqlite3.DatabaseError):
            db.execute("DELETE FROM chronos_records")

    def test_a_failed_refresh_leaves_the_append_standing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The append has committed when the hook runs: a failed refresh warns, the table stays behind."""
        world = generate(400, seed=26)
        head, _tail = forward_split(world.events, 1.0)
        location = sqlite_log(world, head[:-1], tmp_path / "log.db")
        log = keep_tenures(location)

        def broken(*_args: object, **_kwargs: object) -> str:
            raise OSError("disk full")

        monkeypatch.setattr(tenures_sql, "refresh_tenures", broken)
        with pytest.warns(UserWarning, match="chronos_tenures not refreshed: disk full"):
            log.append(head[-1:], expected_position=log.position)
        assert log.position == len(head)
        assert log.store.derived_query("SELECT position FROM {h}") == [(len(head) - 1,)]  # type: ignore[attr-defined]
