"""Indexed answers equal the plain fold of every event, on logs with late, corrected and disputed claims."""

from __future__ import annotations

import datetime as dt
import random

from benchmarks.generate import World, generate
from hypothesis import given, settings
from hypothesis import strategies as st

from chronos import Chronology, FuzzyDate, Policy
from chronos.projections import When, diff, history, name_at, project, reconcile, roster, rosters
from chronos.projections.sweep import Sweep
from tests import reference
from tests.strategies import EPOCH, History, histories, small_catalogue


def dates(rng: random.Random, low: dt.date, high: dt.date, count: int) -> list[dt.date]:
    span = (high - low).days
    return [low + dt.timedelta(days=rng.randint(0, span)) for _ in range(count)]


def generated(seed: int) -> tuple[World, Chronology, random.Random, dt.date, dt.date]:
    """A generated log of 800 events, its chronology, a random source, and the span of its dates."""
    world = generate(800, seed=seed)
    low = min(e.occurred.earliest for e in world.events)
    high = max(e.known.latest for e in world.events)
    return world, Chronology(world.events, world.catalogue), random.Random(seed), low, high


class TestIndexedEqualsFold:
    """Every question answered through the index matches folding the whole log."""

    @settings(max_examples=15, deadline=None)
    @given(st.integers(0, 10_000))
    def test_generated_logs(self, seed: int) -> None:
        world, ours, rng, low, high = generated(seed)
        for known_at in [*dates(rng, low, high, 4), None]:
            everything = project(world.events, world.catalogue, known_at=known_at)
            maybe = ours.possibly_known_state(known_at)
            for org in rng.sample(world.orgs, 3):
                for at in dates(rng, low, high, 3):
                    assert ours.roster(org, at=at, known_at=known_at) == roster(
                        everything, world.catalogue, org, at=at, possibly_known=maybe
                    )
                a, b = sorted(dates(rng, low, high, 2))
                assert ours.diff(org, a, b, known_at=known_at) == diff(
                    everything, world.catalogue, org, a, b, possibly_known=maybe
                )
                assert (
                    ours.name(org, at=b, known_at=known_at).name
                    == name_at(everything, world.catalogue, org, at=b).name
                )
            for person in rng.sample(world.persons, 5):
                assert ours.history(person, known_at=known_at) == history(everything, person)

    @given(histories(disputes=True, fuzzy=True, evidence=True), st.integers(0, 400))
    def test_small_histories(self, history_: History, offset: int) -> None:
        known_at = EPOCH + dt.timedelta(days=offset)
        ours = Chronology(history_.events, small_catalogue())
        everything = project(history_.events, small_catalogue(), known_at=known_at)
        for day in range(0, history_.horizon, 7):
            at = EPOCH + dt.timedelta(days=day)
            assert ours.roster("org", at=at, known_at=known_at) == roster(
                everything,
                small_catalogue(),
                "org",
                at=at,
                possibly_known=ours.possibly_known_state(known_at),
            )


POLICIES = [Policy(), Policy("earliest"), Policy("latest")]


def when(rng: random.Random, day: dt.date) -> When:
    """A query date: the day itself, its month or its year."""
    form = rng.choice(["day", "day", "month", "year"])
    if form == "month":
        return FuzzyDate.of(f"{day.year:04d}-{day.month:02d}")
    if form == "year":
        return FuzzyDate.of(f"{day.year:04d}")
    return day


class TestRostersEqualScan:
    """Timelines, the sweep and shared vacant seats give the rosters a scan of every tenure gives."""

    @settings(max_examples=10, deadline=None)
    @given(st.integers(0, 10_000))
    def test_generated_logs(self, seed: int) -> None:
        world, ours, rng, low, high = generated(seed)
        # Every organisation, units too: a unit's roster shows its own posts, its parent's shows them as well.
        units = [org.id for org in world.catalogue.of_kind("organisation")]
        assert len(units) > len(world.orgs)
        for known_at in [*dates(rng, low, high, 2), None]:
            state = project(world.events, world.catalogue, known_at=known_at)
            maybe = ours.possibly_known_state(known_at)
            for at in (when(rng, d) for d in dates(rng, low, high, 4)):
                policy = rng.choice(POLICIES)
                everyone = rosters(state, world.catalogue, units, at=at, policy=policy, possibly_known=maybe)
                assert list(everyone) == units
                for org in units:
                    expected = reference.scanned_roster(
                        state, world.catalogue, org, at=at, policy=policy, possibly_known=maybe
                    )
                    assert (
                        roster(state, world.catalogue, org, at=at, policy=policy, possibly_known=maybe)
                        == expected
                    )
                    assert everyone[org] == expected
            assert ours.rosters(at=high, known_at=known_at) == {
                org: ours.roster(org, at=high, known_at=known_at) for org in ours.rosters(at=high)
            }

    @given(
        histories(disputes=True, fuzzy=True, evidence=True), st.integers(0, 400), st.sampled_from(POLICIES)
    )
    def test_small_histories(self, history_: History, offset: int, policy: Policy) -> None:
        catalogue = small_catalogue()
        known_at = EPOCH + dt.timedelta(days=offset)
        ours = Chronology(history_.events, catalogue)
        state = project(history_.events, catalogue, known_at=known_at)
        maybe = ours.possibly_known_state(known_at)
        rng = random.Random(offset)
        for day in range(0, history_.horizon, 5):
            at = when(rng, EPOCH + dt.timedelta(days=day))
            expected = reference.scanned_roster(
                state, catalogue, "org", at=at, policy=policy, possibly_known=maybe
            )
            assert roster(state, catalogue, "org", at=at, policy=policy, possibly_known=maybe) == expected
            assert rosters(state, catalogue, ["org"], at=at, policy=policy, possibly_known=maybe) == {
                "org": expected
            }

    def test_sweep_checkpoints_cover_long_logs(self) -> None:
        """More tenures than checkpoints: queries between and on the checkpoints still find everyone."""
        world = generate(3000, seed=7)
        state = project(world.events, world.catalogue)
        starts = sorted({t.start.earliest for p in state.tenures for t in [reconcile(p, Policy())]})
        assert len(starts) > 4 * Sweep.CHECKPOINTS
        for at in [starts[0], *starts[:: len(starts) // 50], starts[-1] + dt.timedelta(days=1)]:
            everyone = rosters(state, world.catalogue, world.orgs, at=at)
            for org in world.orgs:
                assert everyone[org] == reference.scanned_roster(state, world.catalogue, org, at=at)
