"""The ``chronos_tenures`` table of a SQL log answers as `Chronology` does, kept current on append."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import World, generate

import chronos.columnar.sql as tenures_sql
from chronos import (
    Appointed,
    Chronology,
    Codec,
    ConcurrencyError,
    Died,
    Dismissed,
    EventLog,
    FuzzyDate,
    Moved,
    Policy,
    Retracted,
    SqliteStore,
    check,
)
from chronos.columnar.sql import keep_tenures, refresh_tenures
from chronos.dates import Day
from chronos.projections import span
from chronos.stores import _tenures, open_store
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
        # Appends that only add to history are folded onto the table: only the touched posts' rows change.
        log = EventLog.open(location)  # any program appending keeps the table current: nothing to ask
        done: list[str] = []
        refresh = tenures_sql._refresh

        def noted(*args: Any) -> str:
            done.append(refresh(*args))
            return done[-1]

        monkeypatch.setattr(tenures_sql, "_refresh", noted)
        log.append(tail[:50], expected_position=log.position)
        log.append(tail[50:], expected_position=log.position)
        assert done == ["extended", "extended"]  # only the posts the appends touched were replaced
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


class TestKeptByEveryWriter:
    """Once a log holds the table, every append keeps it current: CLI, import and any program alike."""

    def test_a_cli_append_in_a_new_process_keeps_it_current(self, kind: str, tmp_path: Path) -> None:
        """``chronos append`` never imports the columnar engine: the store finds the keeper by entry point."""
        world = generate(600, seed=31)
        head, _tail = forward_split(world.events, 1.0)
        tail = later(world, head, 40, seed=31)
        location = make_log(kind, world, head, tmp_path)
        assert run_cli("--log", location, "tenures-table").startswith("chronos_tenures rebuilt at head")
        codec = Codec()
        lines = tmp_path / "new.jsonl"
        lines.write_text("".join(codec.dumps(e) + "\n" for e in tail), encoding="utf-8")
        out = run_cli("--log", location, "append", str(lines), extra=PROBE)
        assert "appended 40 events" in out
        assert "chronos.columnar loaded: True" in out  # by the keeper, not by the command
        status = tenures_sql.tenures_status(location)
        assert (status.position, status.current) == (len(head) + len(tail), True)
        assert_table(location, world, [*head, *tail], 31)

    def test_status_and_drop(self, tmp_path: Path) -> None:
        world = generate(300, seed=32)
        location = sqlite_log(world, list(world.events), tmp_path / "log.db")
        assert "keeps no chronos_tenures table" in run_cli("--log", location, "tenures-table", "--status")
        built = json.loads(run_cli("--log", location, "tenures-table", "--format", "json"))
        assert built | {"rows": 0} == {
            "table": "chronos_tenures",
            "kept": True,
            "current": True,
            "position": len(world.events),
            "head": len(world.events),
            "policy": "cautious",
            "rows": 0,
            "done": "rebuilt",
        }
        with sqlite3.connect(tmp_path / "log.db") as db:
            (rows,), (standing,) = db.execute(
                "SELECT count(*) FROM chronos_tenures UNION ALL "
                "SELECT count(*) FROM chronos_tenures WHERE known_until IS NULL"
            ).fetchall()
        assert (built["rows"], standing) == (rows, len(Chronology(world.events, world.catalogue).tenures()))
        assert "is current at head" in run_cli("--log", location, "tenures-table", "--status")
        assert run_cli("--log", location, "tenures-table", "--drop").startswith("dropped chronos_tenures")
        # Dropped: an append no longer builds or keeps it, and the log itself is untouched.
        log = EventLog.open(location)
        assert not log.store.holds_derived()  # type: ignore[attr-defined]
        assert log.verify().count == len(world.events)
        assert "nothing to drop" in run_cli("--log", location, "tenures-table", "--drop")

    def test_a_behind_table_says_so(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        world = generate(300, seed=33)
        head, _tail = forward_split(world.events, 1.0)
        tail = later(world, head, 10, seed=33)
        location = sqlite_log(world, head, tmp_path / "log.db")
        refresh_tenures(location)

        def broken(*_args: object, **_kwargs: object) -> str:
            raise OSError("disk full")

        monkeypatch.setattr(tenures_sql, "refresh_tenures", broken)
        log = EventLog.open(location)
        with pytest.warns(
            UserWarning, match="chronos_tenures not refreshed: disk full; `chronos tenures-table`"
        ):
            log.append(tail, expected_position=log.position)
        monkeypatch.undo()
        status = tenures_sql.tenures_status(location)
        assert (status.position, status.head, status.current) == (len(head), len(head) + 10, False)
        assert "is behind: at position" in run_cli("--log", location, "tenures-table", "--status")
        behind = [
            f for f in check(Chronology.open(location), store=log.store) if f.rule == "tenures-table-behind"
        ]
        assert [(f.severity, f.message) for f in behind] == [
            (
                "warning",
                f"chronos_tenures reflects position {len(head)}, the log is at {len(head) + 10}: SQL clients "
                "read an older record (`chronos tenures-table` brings it current)",
            )
        ]
        assert "extended at head" in run_cli("--log", location, "tenures-table")
        assert not [
            f for f in check(Chronology.open(location), store=log.store) if f.rule == "tenures-table-behind"
        ]
        assert_table(location, world, [*head, *tail], 33)

    def test_a_json_lines_log_is_refused_in_one_line(self, tmp_path: Path) -> None:
        world = generate(100, seed=34)
        store = open_store(tmp_path / "log")
        store.write_catalogue(world.catalogue.to_toml())
        EventLog(store, world.catalogue).append(world.events, expected_position=0)
        result = subprocess.run(
            [sys.executable, "-m", "chronos", "--log", str(tmp_path / "log"), "tenures-table"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            f"chronos: error: {tmp_path / 'log'}: a tenures table needs a SQLite or PostgreSQL log"
        ]


class TestConcurrentRefreshes:
    def test_an_extension_computed_from_a_moved_head_is_refused_then_redone(
        self, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two writers extending from the same head: the later one finds it moved and starts again."""
        world = generate(600, seed=35)
        head, _tail = forward_split(world.events, 1.0)
        tail = later(world, head, 30, seed=35)
        location = make_log(kind, world, head, tmp_path)
        refresh_tenures(location)
        store = open_store(location, create=False)
        EventLog(store, world.catalogue).append(tail[:15], expected_position=len(head))
        # The keeper ran on that append; now apply, by hand, the very statements a second writer
        # computed from the old head: refused, nothing changed.
        found = store.derived_query(_tenures.READ_HEAD)  # type: ignore[attr-defined]
        assert found[0][0] == len(head) + 15
        stale = (len(head), "0" * 64)
        with pytest.raises(ConcurrencyError, match="chronos_tenures moved while it was being extended"):
            store.derived([("DELETE FROM {t}", [()])], expect=stale)  # type: ignore[attr-defined]
        assert_table(location, world, [*head, *tail[:15]], 35)
        # A refresh whose first attempt loses the race starts again from the new head.
        attempts: list[int] = []
        real = tenures_sql._refresh

        def racing(*args: Any) -> str:
            attempts.append(1)
            if len(attempts) == 1:
                raise ConcurrencyError("moved", expected=0, actual=1)
            return real(*args)

        monkeypatch.setattr(tenures_sql, "_refresh", racing)
        EventLog(store, world.catalogue).append(tail[15:], expected_position=len(head) + 15)
        assert len(attempts) == 2
        assert_table(location, world, [*head, *tail], 36)


#: Says, as the process ends, whether anything loaded the columnar engine.
PROBE = (
    "import sys, atexit\n"
    "atexit.register(lambda: print('chronos.columnar loaded:', 'chronos.columnar' in sys.modules))"
)


def run_cli(*argv: str, extra: str = "") -> str:
    """``chronos ARGV`` in a new process (``extra``: Python run first); its output, or fail with its error."""
    code = f"{extra}\nimport sys\nfrom chronos.cli import main\nsys.exit(main(sys.argv[1:]))"
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout
