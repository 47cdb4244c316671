"""The columnar engine answers exactly as the object engine does, persisted or built in memory."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import numpy as np
import pytest
from benchmarks.generate import World, generate, write
from hypothesis import given, settings
from hypothesis import strategies as st

import chronos.columnar as columnar_module
from chronos import (
    Appointed,
    Catalogue,
    Chronology,
    Corrected,
    Day,
    Event,
    EventLog,
    FuzzyDate,
    Identified,
    Policy,
    Retracted,
    Source,
    SqliteStore,
)
from chronos.columnar import Columnar, columns_dir, open_columnar
from chronos.columnar._events import ListEvents
from chronos.columnar._extend import extend, forward
from chronos.errors import LookupFailed
from chronos.projections import Seat, sort_key
from tests.strategies import EPOCH, SRC, History, day, histories, small_catalogue
from tests.test_bce import DAYS, moved_events

POLICIES = [Policy(), Policy("earliest"), Policy("latest")]


def span_of(world: World) -> tuple[dt.date, dt.date]:
    return min(e.occurred.earliest for e in world.events), max(e.known.latest for e in world.events)


def some_dates(rng: random.Random, low: dt.date, high: dt.date, count: int) -> list[dt.date | FuzzyDate]:
    """Days, months and years between ``low`` and ``high``."""
    out: list[dt.date | FuzzyDate] = []
    for _ in range(count):
        day = low + dt.timedelta(days=rng.randint(0, (high - low).days))
        form = rng.choice(["day", "day", "month", "year"])
        if form == "month":
            out.append(FuzzyDate.of(f"{day.year:04d}-{day.month:02d}"))
        elif form == "year":
            out.append(FuzzyDate.of(f"{day.year:04d}"))
        else:
            out.append(day)
    return out


STATES = {"held": 0, "vacant": 1, "unknown": 2}


def as_rows(seats: tuple[Seat, ...]) -> list[tuple[str, str | None, bool, int]]:
    """What `Columnar.roster_rows` says of each seat: post, person, certain, state."""
    return [(s.post.id, s.person, s.certainty == "certain", STATES[s.state]) for s in seats]


def assert_rows(ours: Columnar, org: str, at: object, known_at: object = None) -> None:
    """`roster_rows` (numbers, no objects) says what `roster` (`Seat` objects) says, seat for seat."""
    posts, persons, certain, _rows, states = ours.roster_rows(org, at=at, known_at=known_at)  # type: ignore[arg-type]
    found = [
        (ours.post_id(p), ours.entity_id(n) if n >= 0 else None, c, s)
        for p, n, c, s in zip(posts, persons, certain, states, strict=True)
    ]
    assert found == as_rows(ours.roster(org, at=at, known_at=known_at))  # type: ignore[arg-type]


def assert_table(ours: Columnar, theirs: Chronology, at: object) -> None:
    """The vectorised table of every organisation holds each roster's rows and gives `Chronology`'s seats."""
    table = ours.roster_table(at=at)  # type: ignore[arg-type]
    expected = theirs.rosters(at=at)  # type: ignore[arg-type]
    assert table.as_dict() == expected
    for which, org in enumerate(table.orgs):
        mine = table.org == which
        found = [
            (ours.post_id(int(p)), ours.entity_id(int(n)) if n >= 0 else None, bool(c), int(s))
            for p, n, c, s in zip(
                table.post[mine], table.person[mine], table.certain[mine], table.state[mine], strict=True
            )
        ]
        assert found == as_rows(expected[org])


def ordered(
    a: dt.date | FuzzyDate, b: dt.date | FuzzyDate
) -> tuple[dt.date | FuzzyDate, dt.date | FuzzyDate]:
    """Two query dates, the earlier first (a diff refuses a reversed pair)."""

    def first(d: dt.date | FuzzyDate) -> dt.date:
        return d if isinstance(d, dt.date) else d.earliest

    return (a, b) if first(a) <= first(b) else (b, a)


def assert_same(ours: Columnar, theirs: Chronology, world: World, rng: random.Random) -> None:
    """Every question the columns answer, asked of both engines on random dates."""
    low, high = span_of(world)
    units = [o.id for o in world.catalogue.of_kind("organisation")]
    for at in some_dates(rng, low, high, 3):
        assert ours.rosters(at=at) == theirs.rosters(at=at)
        assert ours.rosters(units, at=at) == theirs.rosters(units, at=at)
        assert_table(ours, theirs, at)
    for org in rng.sample(units, min(len(units), 12)):
        for at in some_dates(rng, low, high, 3):
            assert ours.roster(org, at=at) == theirs.roster(org, at=at)
            assert_rows(ours, org, at)
        a, b = ordered(*some_dates(rng, low, high, 2))
        assert ours.diff(org, a, b) == theirs.diff(org, a, b)
    for person in rng.sample(world.persons, min(len(world.persons), 12)):
        assert ours.history(person) == theirs.history(person)
    assert ours.tenures() == theirs.tenures()


def on_calendar(history_: History, bce: bool) -> tuple[list[Event], Callable[[int], Day]]:
    """The history's events, moved 2,400 years back (into the fourth century BCE) when ``bce``.

    Also the day ``n`` days after the history's epoch, on the same calendar.
    """
    epoch = Day.from_date(EPOCH) + (DAYS if bce else 0)
    events = moved_events(history_.events) if bce else list(history_.events)
    return events, lambda n: Day(epoch + n)


class TestEqualsObjectEngine:
    """Built in memory, the columns answer as `Chronology` does."""

    @settings(max_examples=10, deadline=None)
    @given(st.integers(0, 10_000), st.sampled_from(POLICIES))
    def test_generated_logs(self, seed: int, policy: Policy) -> None:
        world = generate(800, seed=seed)
        ours = Columnar.build(world.events, world.catalogue, policy=policy)
        theirs = Chronology(world.events, world.catalogue, policy=policy)
        assert_same(ours, theirs, world, random.Random(seed))

    @given(
        histories(disputes=True, fuzzy=True, evidence=True),
        st.sampled_from(POLICIES),
        st.integers(0, 400),
        st.booleans(),
    )
    def test_small_histories(self, history_: History, policy: Policy, offset: int, bce: bool) -> None:
        """Seat states and reasons, horizons, foundings and dissolutions, vacancies, declarations, BCE."""
        catalogue = small_catalogue()
        events, when = on_calendar(history_, bce)
        ours = Columnar.build(events, catalogue, policy=policy)
        theirs = Chronology(events, catalogue, policy=policy)
        for offset_ in range(-35, history_.horizon + 40, 5):
            at = when(offset_)
            for org in ("org", "org/unit"):
                assert ours.roster(org, at=at) == theirs.roster(org, at=at)
                assert_rows(ours, org, at)
                b = when(offset_ + offset)
                assert ours.diff(org, at, b) == theirs.diff(org, at, b)
            assert ours.rosters(at=at) == theirs.rosters(at=at)
            assert ours.rosters(["org/unit", "org"], at=at) == theirs.rosters(["org/unit", "org"], at=at)
            assert_table(ours, theirs, at)
        for person in ("ann-abel", "ben-berg", "cem-cay", "dia-dorn", "eva-ek"):
            assert ours.history(person) == theirs.history(person)
        assert ours.tenures() == theirs.tenures()

    @settings(max_examples=10, deadline=None)
    @given(st.integers(0, 10_000), st.sampled_from(POLICIES))
    def test_earlier_knowledge_of_generated_logs(self, seed: int, policy: Policy) -> None:
        """Rosters as known on any earlier day come from the bitemporal index, equal to the object engine."""
        world = generate(800, seed=seed)
        ours = Columnar.build(world.events, world.catalogue, policy=policy)
        theirs = Chronology(world.events, world.catalogue, policy=policy)
        rng = random.Random(seed)
        low, high = span_of(world)
        # Knowledge dates inside undated articles' ranges, where what may have been known weighs in.
        ranged = [e.known for e in world.events if e.known.earliest < e.known.latest]
        inside = [r.earliest + (r.latest - r.earliest) / 2 for r in rng.sample(ranged, min(3, len(ranged)))]
        for known_at in [*(d for d in some_dates(rng, low, high, 3) if isinstance(d, dt.date)), *inside]:
            for at in some_dates(rng, low, high, 2):
                for org in rng.sample(world.orgs, 4):
                    assert ours.roster(org, at=at, known_at=known_at) == theirs.roster(
                        org, at=at, known_at=known_at
                    )
            assert ours.rosters(at=at, known_at=known_at) == theirs.rosters(at=at, known_at=known_at)

    @given(
        histories(disputes=True, fuzzy=True, evidence=True),
        st.sampled_from(POLICIES),
        st.integers(0, 400),
        st.booleans(),
    )
    def test_earlier_knowledge_of_small_histories(
        self, history_: History, policy: Policy, offset: int, bce: bool
    ) -> None:
        catalogue = small_catalogue()
        events, when = on_calendar(history_, bce)
        ours = Columnar.build(events, catalogue, policy=policy)
        theirs = Chronology(events, catalogue, policy=policy)
        known_at = when(offset)
        for step in range(-35, history_.horizon + 40, 7):
            at = when(step)
            for org in ("org", "org/unit"):
                assert ours.roster(org, at=at, known_at=known_at) == theirs.roster(
                    org, at=at, known_at=known_at
                )
                assert_rows(ours, org, at, known_at)
            assert ours.rosters(at=at, known_at=known_at) == theirs.rosters(at=at, known_at=known_at)

    @given(histories(disputes=True, fuzzy=True), st.integers(0, 2**32), st.integers(0, 400))
    def test_undated_knowledge(self, history_: History, seed: int, offset: int) -> None:
        """Events known only to the month (an undated article): what may have been known weighs in."""
        rng = random.Random(seed)
        targets = {getattr(e, "target", None) for e in history_.events}
        events = [
            attrs.evolve(e, known=FuzzyDate.of(e.known.earliest.isoformat()[:7]))
            if e.id not in targets and rng.random() < 0.5
            else e
            for e in history_.events
        ]
        ours = Columnar.build(events, small_catalogue())
        theirs = Chronology(events, small_catalogue())
        known_at = EPOCH + dt.timedelta(days=offset)
        for step in range(0, history_.horizon, 7):
            at = EPOCH + dt.timedelta(days=step)
            assert ours.roster("org", at=at, known_at=known_at) == theirs.roster(
                "org", at=at, known_at=known_at
            )
            assert ours.rosters(at=at, known_at=known_at) == theirs.rosters(at=at, known_at=known_at)

    @given(histories(disputes=True, fuzzy=True), st.integers(0, 400))
    def test_earlier_knowledge_and_other_policies(self, history_: History, offset: int) -> None:
        """What the columns do not hold (an earlier knowledge date, another policy) Chronology answers."""
        catalogue = small_catalogue()
        ours = Columnar.build(history_.events, catalogue)
        theirs = Chronology(history_.events, catalogue)
        known_at = EPOCH + dt.timedelta(days=offset)
        at = EPOCH + dt.timedelta(days=offset // 2)
        assert ours.roster("org", at=at, known_at=known_at) == theirs.roster("org", at=at, known_at=known_at)
        assert ours.rosters(at=at, known_at=known_at) == theirs.rosters(at=at, known_at=known_at)
        assert ours.roster("org", at=at, policy="latest") == theirs.roster("org", at=at, policy="latest")
        assert ours.history("ann-abel", known_at=known_at) == theirs.history("ann-abel", known_at=known_at)

    def test_rows_need_no_events(self) -> None:
        """Rows and tables come from the arrays alone: no event is decoded until a seat shows its tenure."""
        world = generate(800, seed=5)
        built = Columnar.build(world.events, world.catalogue)
        decoded: list[int] = []

        class Counting:
            def event(self, position: int) -> object:
                decoded.append(position)
                return world.events[position]

            def all(self) -> list[object]:
                return list(world.events)

        ours = Columnar(built.tables, Counting(), catalogue=lambda: world.catalogue)  # type: ignore[arg-type]
        low, high = span_of(world)
        middle = low + (high - low) / 2
        table = ours.roster_table(at=middle)
        rows = ours.roster_rows(world.orgs[0], at=middle)
        assert len(table) > 0
        assert rows[0]
        assert decoded == []
        seats = table.seats(world.orgs[0])
        assert seats == Chronology(world.events, world.catalogue).roster(world.orgs[0], at=middle)
        assert decoded or all(s.vacant for s in seats)

    def test_names_and_aliases(self) -> None:
        """Ids are found in the arrays; names and aliases through the catalogue; unknown names fail alike."""
        source = (Source(source="test", quote="made up for this test"),)
        events = [
            Appointed(occurred=day(3), known=day(4), sources=source, person="ann-abel", post="org/chair"),
            Appointed(occurred=day(5), known=day(6), sources=source, person="ben-berg", post="org/unit/head"),
        ]
        ours = Columnar.build(events, small_catalogue())
        theirs = Chronology(events, small_catalogue())
        at = EPOCH + dt.timedelta(days=10)
        assert ours.roster("ORG", at=at) == theirs.roster("org", at=at)
        assert not all(seat.vacant for seat in ours.roster("ORG", at=at))
        assert ours.history("Ann Abel") == theirs.history("ann-abel")
        assert ours.roster("orgg", at=at) == theirs.roster("orgg", at=at)  # a near miss the catalogue takes
        with pytest.raises(LookupFailed) as expected:
            theirs.roster("nobody-at-all", at=at)
        with pytest.raises(LookupFailed, match=str(expected.value)):
            ours.roster("nobody-at-all", at=at)
        with pytest.raises(LookupFailed):
            ours.roster("ann-abel", at=at)  # a person, not an organisation

    def test_other_questions_go_to_the_object_engine(self) -> None:
        world = generate(400, seed=2)
        ours = Columnar.build(world.events, world.catalogue)
        theirs = Chronology(world.events, world.catalogue)
        org = world.orgs[0]
        assert ours.name(org, at="2000") == theirs.name(org, at="2000")
        assert ours.disputes() == theirs.disputes()


class TestPersisted:
    """`open_columnar` writes the projection beside the log once and maps it on every later open."""

    def test_reopen_maps_what_the_first_open_wrote(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = generate(1500, seed=11)
        write(world, tmp_path / "log")
        first = open_columnar(tmp_path / "log")
        assert [p.name for p in (tmp_path / "log" / ".columns").iterdir()] != []

        def no_build(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("rebuilt a projection that was cached")

        monkeypatch.setattr(columnar_module, "_build", no_build)
        again = open_columnar(tmp_path / "log")
        theirs = Chronology.open(tmp_path / "log")
        assert_same(again, theirs, world, random.Random(11))
        assert first.tables.meta == again.tables.meta

    def test_earlier_knowledge_is_built_once_and_kept(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = generate(1500, seed=17)
        write(world, tmp_path / "log")
        theirs = Chronology.open(tmp_path / "log")
        rng = random.Random(17)
        low, high = span_of(world)
        asked = [
            (org, at, known)
            for org in rng.sample(world.orgs, 5)
            for at, known in [sorted(some_dates(rng, low, high, 2), key=str)]
        ]
        first = open_columnar(tmp_path / "log")
        assert not list((tmp_path / "log" / ".columns").glob("*/versions"))  # not until asked
        for org, at, known in asked:
            known_day = known if isinstance(known, dt.date) else known.latest
            assert first.roster(org, at=at, known_at=known_day) == theirs.roster(
                org, at=at, known_at=known_day
            )
        assert list((tmp_path / "log" / ".columns").glob("*/versions"))

        def no_build(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("rebuilt the bitemporal index that was kept")

        monkeypatch.setattr(columnar_module, "build_versions", no_build)
        again = open_columnar(tmp_path / "log")
        for org, at, known in asked:
            known_day = known if isinstance(known, dt.date) else known.latest
            assert again.roster(org, at=at, known_at=known_day) == theirs.roster(
                org, at=at, known_at=known_day
            )

    def test_an_append_changes_the_key(self, tmp_path: Path) -> None:
        world = generate(1500, seed=12)
        head, tail = world.events[:1000], world.events[1000:]
        log = write(World(world.catalogue, head, world.orgs, world.persons), tmp_path / "log")
        before = open_columnar(tmp_path / "log")
        log.append(tail, expected_position=log.position)
        after = open_columnar(tmp_path / "log")
        assert before.tables.meta["head"] != after.tables.meta["head"]
        assert_same(after, Chronology.open(tmp_path / "log"), world, random.Random(12))
        assert len(list((tmp_path / "log" / ".columns").iterdir())) == columnar_module.KEEP

    def test_a_changed_catalogue_changes_the_key(self, tmp_path: Path) -> None:
        world = generate(600, seed=13)
        write(world, tmp_path / "log")
        open_columnar(tmp_path / "log")
        renamed = Catalogue(
            [
                *(e for e in world.catalogue.values() if e.id != world.orgs[0]),
                type(world.catalogue[world.orgs[0]])(id=world.orgs[0], name="Renamed"),
            ]
        )
        renamed.save(tmp_path / "log" / "catalogue.toml")
        again = open_columnar(tmp_path / "log")
        assert again.lookup("Renamed").id == world.orgs[0]
        assert len(list((tmp_path / "log" / ".columns").iterdir())) == 2

    def test_a_damaged_projection_is_rebuilt(self, tmp_path: Path) -> None:
        world = generate(600, seed=14)
        write(world, tmp_path / "log")
        open_columnar(tmp_path / "log")
        for folder in (tmp_path / "log" / ".columns").iterdir():
            (folder / "manifest.json").write_text("{", encoding="utf-8")
        again = open_columnar(tmp_path / "log")
        assert_same(again, Chronology.open(tmp_path / "log"), world, random.Random(14))

    def test_sqlite_logs_keep_theirs_in_the_user_cache(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CHRONOS_CACHE_DIR", str(tmp_path / "cache"))
        world = generate(800, seed=15)
        location = f"sqlite:///{tmp_path / 'log.db'}"
        store = SqliteStore(tmp_path / "log.db")
        store.write_catalogue(world.catalogue.to_toml())
        log = EventLog(store, world.catalogue)
        log.append(world.events, expected_position=0)
        store.close()
        folder = columns_dir(location)
        assert folder is not None
        assert folder.is_relative_to(tmp_path / "cache")
        open_columnar(location)
        ours = open_columnar(location)
        assert any(folder.iterdir())
        assert_same(ours, Chronology.open(location), world, random.Random(15))

    def test_cache_off_builds_in_memory(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CHRONOS_CACHE_DIR", "off")
        world = generate(400, seed=16)
        location = f"sqlite:///{tmp_path / 'log.db'}"
        store = SqliteStore(tmp_path / "log.db")
        store.write_catalogue(world.catalogue.to_toml())
        EventLog(store, world.catalogue).append(world.events, expected_position=0)
        store.close()
        assert columns_dir(location) is None
        assert_same(open_columnar(location), Chronology.open(location), world, random.Random(16))


def forward_split(events: Sequence[Event], cut: float) -> tuple[list[Event], list[Event]]:
    """A log without withdrawals or identifications, in valid-time order, cut in two at ``cut``."""
    plain = sorted(
        (
            e
            for e in events
            if not isinstance(e, Retracted | Corrected | Identified)
            and not any(str(getattr(e, f, "")).startswith("unnamed/") for f in type(e).references)
        ),
        key=sort_key,
    )
    at = int(len(plain) * cut)
    return plain[:at], plain[at:]


def extended(head: Sequence[Event], tail: Sequence[Event], catalogue: Catalogue, policy: Policy) -> Columnar:
    """The projection of ``head`` extended with ``tail`` (`chronos.columnar._extend`)."""
    built = Columnar.build(head, catalogue, policy=policy)
    assert forward(built.tables, tail)
    tables = extend(
        built.tables,
        tail,
        catalogue=lambda: catalogue,
        number=built.number,
        decode=built.event,
        policy=policy,
    )
    everything = [*head, *tail]
    return Columnar(tables, ListEvents(everything), catalogue=lambda: catalogue)


class TestExtending:
    """A projection extended with appended events equals the projection built from scratch."""

    @settings(max_examples=8, deadline=None)
    @given(st.integers(0, 10_000), st.sampled_from(POLICIES), st.floats(0.3, 0.99))
    def test_generated_logs(self, seed: int, policy: Policy, cut: float) -> None:
        world = generate(800, seed=seed)
        head, tail = forward_split(world.events, cut)
        ours = extended(head, tail, world.catalogue, policy)
        rebuilt = Columnar.build([*head, *tail], world.catalogue, policy=policy)
        assert np.array_equal(ours.tables["tenures"], rebuilt.tables["tenures"])
        assert np.array_equal(ours.tables["state_order"], rebuilt.tables["state_order"])
        theirs = Chronology([*head, *tail], world.catalogue, policy=policy)
        everything = World(world.catalogue, [*head, *tail], world.orgs, world.persons)
        assert_same(ours, theirs, everything, random.Random(seed))

    @given(histories(disputes=True, fuzzy=True, evidence=True), st.sampled_from(POLICIES), st.floats(0, 1))
    def test_small_histories(self, history_: History, policy: Policy, cut: float) -> None:
        catalogue = small_catalogue()
        head, tail = forward_split(history_.events, cut)
        ours = extended(head, tail, catalogue, policy)
        theirs = Chronology([*head, *tail], catalogue, policy=policy)
        for step in range(-35, history_.horizon + 40, 5):
            at = EPOCH + dt.timedelta(days=step)
            assert ours.rosters(["org", "org/unit"], at=at) == theirs.rosters(["org", "org/unit"], at=at)
            assert_table(ours, theirs, at)
        for person in ("ann-abel", "ben-berg", "cem-cay", "dia-dorn", "eva-ek"):
            assert ours.history(person) == theirs.history(person)
        assert ours.tenures() == theirs.tenures()

    def test_what_reaches_back_is_rebuilt(self) -> None:
        """A retraction, or an event dated before the log's last, is not folded on: `forward` says so."""
        world = generate(400, seed=3)
        head, tail = forward_split(world.events, 0.8)
        built = Columnar.build(head, world.catalogue)
        assert forward(built.tables, tail)
        assert not forward(built.tables, [head[0]])  # dated before the last event of the log
        late = Retracted(target=head[-1].id, occurred=tail[-1].occurred, known=tail[-1].known, sources=SRC)
        assert not forward(built.tables, [*tail, late])

    def test_an_append_that_adds_to_history_extends_the_kept_projection(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = generate(1500, seed=18)
        head, tail = forward_split(world.events, 0.7)
        log = write(World(world.catalogue, list(head), world.orgs, world.persons), tmp_path / "log")
        open_columnar(tmp_path / "log")
        log.append(tail[:40], expected_position=log.position)
        log.append(tail[40:], expected_position=log.position)

        def no_build(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("rebuilt a projection that could be extended")

        with monkeypatch.context() as patched:
            patched.setattr(columnar_module, "_build", no_build)
            ours = open_columnar(tmp_path / "log")
            for thread in threading.enumerate():
                if thread.name == "chronos-columns-save":
                    thread.join()
            everything = World(world.catalogue, [*head, *tail], world.orgs, world.persons)
            theirs = Chronology.open(tmp_path / "log")
            assert_same(ours, theirs, everything, random.Random(18))
            again = open_columnar(tmp_path / "log")  # the extended projection was kept
            assert_same(again, theirs, everything, random.Random(19))
        # As known earlier: the bitemporal index is built anew for the extended projection.
        low, high = span_of(everything)
        middle = low + (high - low) / 2
        org = world.orgs[0]
        assert again.roster(org, at=middle, known_at=middle) == theirs.roster(org, at=middle, known_at=middle)
