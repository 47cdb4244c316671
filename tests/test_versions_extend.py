"""The bitemporal index extended with appended events equals the index built from the whole log."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from benchmarks.generate import World, generate, write
from hypothesis import given, settings
from hypothesis import strategies as st

import chronos.columnar as columnar_module
from chronos import Catalogue, Chronology, Event, EventLog, Policy
from chronos.columnar import open_columnar
from chronos.columnar._build import roster_order
from chronos.columnar._extend import forward
from chronos.columnar._tables import Tables
from chronos.columnar._versions import build_versions
from chronos.columnar._versions_extend import extend_versions
from tests.strategies import History, histories, small_catalogue
from tests.test_columnar import POLICIES, forward_split, span_of


def extended_versions(
    head: Sequence[Event], tail: Sequence[Event], catalogue: Catalogue, policy: Policy
) -> tuple[Tables, list[int]]:
    """The index of ``head`` extended with ``tail`` (`extend_versions`)."""
    everything = [*head, *tail]
    ids = list(catalogue)
    number = {entity_id: n for n, entity_id in enumerate(ids)}
    post_ids = [ids[n] for n in roster_order(catalogue, number)]
    return extend_versions(
        build_versions(head, catalogue, policy),
        tail,
        base=len(head),
        decode=everything.__getitem__,
        catalogue=catalogue,
        post_ids=post_ids,
        number=number,
        policy=policy,
    )


def assert_equal_index(ours: Tables, built: Tables) -> None:
    """Every array equal, claims' causes compared by name (each index numbers causes as it meets them)."""
    assert sorted(ours.arrays) == sorted(built.arrays)
    for name, array in built.arrays.items():
        if name != "vclaims":
            assert np.array_equal(ours.arrays[name], array), name
    assert named_causes(ours) == named_causes(built)
    assert ours.meta["policy"] == built.meta["policy"]


def named_causes(index: Tables) -> list[tuple[int, int, str, int]]:
    causes = index.meta["causes"]
    return [(p, flags, causes[cause], ident) for p, flags, cause, ident in index.arrays["vclaims"].tolist()]


class TestExtendedIndex:
    @settings(max_examples=8, deadline=None)
    @given(st.integers(0, 10_000), st.sampled_from(POLICIES), st.floats(0.3, 0.99))
    def test_generated_logs(self, seed: int, policy: Policy, cut: float) -> None:
        """Late news too: what is appended may have become known before what the log already holds."""
        world = generate(600, seed=seed)
        head, tail = forward_split(world.events, cut)
        ours, touched = extended_versions(head, tail, world.catalogue, policy)
        assert_equal_index(ours, build_versions([*head, *tail], world.catalogue, policy))
        assert len(touched) < len(ours.arrays["versions_first"]) - 1 or not tail

    @given(histories(disputes=True, fuzzy=True, evidence=True), st.sampled_from(POLICIES), st.floats(0, 1))
    def test_small_histories(self, history_: History, policy: Policy, cut: float) -> None:
        catalogue = small_catalogue()
        head, tail = forward_split(history_.events, cut)
        ours, _touched = extended_versions(head, tail, catalogue, policy)
        assert_equal_index(ours, build_versions([*head, *tail], catalogue, policy))

    def test_appends_in_turn(self) -> None:
        """Extended again and again, it stays the index of everything appended so far."""
        world = generate(900, seed=41)
        events, _ = forward_split(world.events, 1.0)
        cuts = [0, 300, 301, 420, 700, len(events)]
        policy = Policy()
        ids = list(world.catalogue)
        number = {entity_id: n for n, entity_id in enumerate(ids)}
        post_ids = [ids[n] for n in roster_order(world.catalogue, number)]
        index = build_versions(events[: cuts[1]], world.catalogue, policy)
        for start, stop in itertools.pairwise(cuts[1:]):
            index, _ = extend_versions(
                index,
                events[start:stop],
                base=start,
                decode=events.__getitem__,
                catalogue=world.catalogue,
                post_ids=post_ids,
                number=number,
                policy=policy,
            )
            assert_equal_index(index, build_versions(events[:stop], world.catalogue, policy))


class TestKeptIndex:
    def test_an_append_extends_the_kept_index(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """After an append, the first question as known earlier refolds only what the append touched."""
        world = generate(1500, seed=42)
        head, tail = forward_split(world.events, 0.7)
        assert forward(open_columnar_built(head, world, tmp_path).tables, tail)
        log = open_log(tmp_path)
        low, high = span_of(World(world.catalogue, list(head), world.orgs, world.persons))
        first = open_columnar(tmp_path / "log")
        first.roster(world.orgs[0], at=high, known_at=low)  # builds and keeps the index
        wait_for_saves()
        log.append(tail, expected_position=log.position)

        def no_build(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("built the whole index again after an append that adds to history")

        monkeypatch.setattr(columnar_module, "build_versions", no_build)
        ours = open_columnar(tmp_path / "log")
        theirs = Chronology.open(tmp_path / "log")
        everything = World(world.catalogue, [*head, *tail], world.orgs, world.persons)
        low, high = span_of(everything)
        rng = random.Random(42)
        for _ in range(30):
            org = rng.choice(world.orgs)
            at, known = sorted(low + dt.timedelta(days=rng.randrange((high - low).days)) for _ in range(2))
            assert ours.roster(org, at=at, known_at=known) == theirs.roster(org, at=at, known_at=known)
        assert 0 < len(ours.versions.meta["refolded"]) < len(ours.versions["versions_first"]) - 1
        wait_for_saves()
        assert open_columnar(tmp_path / "log").versions.meta["extended_from"] == len(head)  # kept


def open_columnar_built(head: Sequence[Event], world: World, tmp_path: Path) -> columnar_module.Columnar:
    write(World(world.catalogue, list(head), world.orgs, world.persons), tmp_path / "log")
    return open_columnar(tmp_path / "log")


def open_log(tmp_path: Path) -> EventLog:
    return EventLog.open(tmp_path / "log")


def wait_for_saves() -> None:
    for thread in threading.enumerate():
        if thread.name == "chronos-columns-save":
            thread.join()
