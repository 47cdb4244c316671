"""A projection extended as an overlay answers as one rebuilt from the same events, kept or not.

After several appends (each an overlay on the same base), a compaction, a
re-open of a kept overlay, and an append that reaches back (which rebuilds).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
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
from chronos import Catalogue, Chronology, Event, Policy, Retracted
from chronos.columnar import Columnar, open_columnar
from chronos.columnar._events import ListEvents, LogEvents
from chronos.columnar._extend import forward, grow
from chronos.columnar._overlay import materialise
from chronos.columnar._tables import FORMAT, Tables, load
from chronos.log import _recent
from tests.strategies import EPOCH, History, histories, small_catalogue
from tests.test_columnar import POLICIES, assert_same, assert_table, forward_split


def pieces(events: Sequence[Event], cuts: Sequence[float]) -> list[list[Event]]:
    """``events`` cut at the fractions ``cuts`` (sorted), each piece in order; empty pieces left out."""
    at = sorted({0, *(int(len(events) * c) for c in cuts), len(events)})
    return [list(events[a:b]) for a, b in itertools.pairwise(at) if b > a]


def grown(
    head: Sequence[Event], tail: Sequence[Event], cuts: Sequence[float], catalogue: Catalogue, policy: Policy
) -> Tables:
    """The projection of ``head``, grown by the pieces of ``tail`` one after another (`grow`)."""
    tables = Columnar.build(head, catalogue, policy=policy).tables
    so_far = list(head)
    for piece in pieces(tail, cuts):
        assert forward(tables, piece)
        engine = Columnar(tables, ListEvents(so_far), catalogue=lambda: catalogue)
        tables = grow(
            tables,
            piece,
            catalogue=lambda: catalogue,
            number=engine.number,
            decode=engine.event,
            policy=policy,
        )
        assert tables.base is not None  # an overlay, on the first projection: nothing was copied
        so_far += piece
    return tables


def assert_laid_out_alike(tables: Tables, rebuilt: Tables) -> None:
    """An overlay laid out whole (`materialise`) holds the rebuilt projection's rows, in its order."""
    full = materialise(tables)
    for name in ("tenures", "post_first", "state_order", "state_rank", "person_off", "person_rows"):
        assert np.array_equal(full[name], rebuilt[name]), name
    for name in ("custody_off", "death_off", "seat_events"):
        assert np.array_equal(full[name], rebuilt[name]), name
    for name, off in (("claims", "claims_off"), ("spell_claims", "spell_claims_off"), ("death_claims", None)):
        # Positions and flags (cause codes are numbered as met, so an extension may number them apart).
        assert np.array_equal(full[name][:, :2], rebuilt[name][:, :2]), name
        if off is not None:
            assert np.array_equal(full[off], rebuilt[off]), off


class TestGrow:
    """Several appends grown as overlays answer, and lay out, as the projection rebuilt from every event."""

    @settings(max_examples=8, deadline=None)
    @given(
        st.integers(0, 10_000),
        st.sampled_from(POLICIES),
        st.floats(0.3, 0.95),
        st.lists(st.floats(0, 1), min_size=1, max_size=4),
    )
    def test_generated_logs(self, seed: int, policy: Policy, cut: float, cuts: list[float]) -> None:
        world = generate(800, seed=seed)
        head, tail = forward_split(world.events, cut)
        tables = grown(head, tail, cuts, world.catalogue, policy)
        everything = [*head, *tail]
        rebuilt = Columnar.build(everything, world.catalogue, policy=policy)
        assert_laid_out_alike(tables, rebuilt.tables)
        ours = Columnar(tables, ListEvents(everything), catalogue=lambda: world.catalogue)
        theirs = Chronology(everything, world.catalogue, policy=policy)
        assert_same(
            ours, theirs, World(world.catalogue, everything, world.orgs, world.persons), random.Random(seed)
        )

    @given(
        histories(disputes=True, fuzzy=True, evidence=True),
        st.sampled_from(POLICIES),
        st.floats(0, 1),
        st.lists(st.floats(0, 1), min_size=1, max_size=4),
    )
    def test_small_histories(self, history_: History, policy: Policy, cut: float, cuts: list[float]) -> None:
        catalogue = small_catalogue()
        head, tail = forward_split(history_.events, cut)
        tables = grown(head, tail, cuts, catalogue, policy)
        everything = [*head, *tail]
        assert_laid_out_alike(tables, Columnar.build(everything, catalogue, policy=policy).tables)
        ours = Columnar(tables, ListEvents(everything), catalogue=lambda: catalogue)
        theirs = Chronology(everything, catalogue, policy=policy)
        for step in range(-35, history_.horizon + 40, 5):
            at = EPOCH + dt.timedelta(days=step)
            assert ours.rosters(["org", "org/unit"], at=at) == theirs.rosters(["org", "org/unit"], at=at)
            assert_table(ours, theirs, at)
            posts, persons, _c, _r, states = ours.roster_rows("org", at=at)
            assert len(posts) == len(persons) == len(states) == len(theirs.roster("org", at=at))
        for person in ("ann-abel", "ben-berg", "cem-cay", "dia-dorn", "eva-ek"):
            assert ours.history(person) == theirs.history(person)
        assert ours.tenures() == theirs.tenures()


def join_saving() -> None:
    for thread in threading.enumerate():
        if thread.name == "chronos-columns-save":
            thread.join()


def manifests(log: Path) -> dict[str, dict[str, object]]:
    return {
        p.name: json.loads((p / "manifest.json").read_text(encoding="utf-8"))
        for p in (log / ".columns").iterdir()
        if p.is_dir() and not p.name.startswith(".")
    }


class TestKept:
    """`open_columnar` keeps an extension as an overlay beside its base, re-opens it, and compacts it."""

    def test_appends_reopens_compaction_and_reaching_back(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = generate(1500, seed=21)
        head, tail = forward_split(world.events, 0.6)
        where = tmp_path / "log"
        log = write(World(world.catalogue, list(head), world.orgs, world.persons), where)
        open_columnar(where)
        builds: list[int] = []
        real_build = columnar_module._build

        def counted(*args: object, **kwargs: object) -> Tables:
            builds.append(1)
            return real_build(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(columnar_module, "_build", counted)
        decoded: list[int] = []
        real_read = LogEvents._read

        def read(self: LogEvents, position: int) -> Event:
            decoded.append(position)
            return real_read(self, position)

        monkeypatch.setattr(LogEvents, "_read", read)
        so_far = list(head)
        for step, piece in enumerate(pieces(tail, [0.3, 0.6, 0.8])):
            if step == 3:
                monkeypatch.setattr(columnar_module, "_large", lambda _view: True)
            before = log.position
            log.append(piece, expected_position=before)
            if step == 1:
                _recent.forget()  # as after another process's append: the new records are read from the log
            decoded.clear()
            ours = open_columnar(where)
            join_saving()
            so_far += piece
            if step == 1:
                assert set(range(before, log.position)) <= set(decoded)
            else:
                assert not [p for p in decoded if p >= before]  # taken as this process appended them
            world_now = World(world.catalogue, so_far, world.orgs, world.persons)
            theirs = Chronology.open(where)
            assert_same(ours, theirs, world_now, random.Random(step))
            kept = manifests(where)
            newest = max(kept.values(), key=lambda m: int(m["events"]))  # type: ignore[call-overload]
            assert ("base" in newest) == (step < 3)  # compacted when large
            assert all(m.get("base", name) in kept for name, m in kept.items())  # bases are kept
            again = open_columnar(where)  # the kept projection, overlay or compacted, re-opened
            assert (again.tables.base is not None) == (step < 3)
            assert_same(again, theirs, world_now, random.Random(step + 10))
        assert builds == []
        # A retraction reaches back: the projection is rebuilt, and answers as the object engine does.
        late = Retracted(
            target=head[-1].id, occurred=tail[-1].occurred, known=tail[-1].known, sources=head[-1].sources
        )
        log.append([late], expected_position=log.position)
        ours = open_columnar(where)
        assert builds == [1]
        theirs = Chronology.open(where)
        world_now = World(world.catalogue, [*so_far, late], world.orgs, world.persons)
        assert_same(ours, theirs, world_now, random.Random(99))

    def test_an_overlay_without_its_base_is_not_read(self, tmp_path: Path) -> None:
        world = generate(1000, seed=22)
        head, tail = forward_split(world.events, 0.7)
        where = tmp_path / "log"
        log = write(World(world.catalogue, list(head), world.orgs, world.persons), where)
        open_columnar(where)
        log.append(tail, expected_position=log.position)
        open_columnar(where)
        join_saving()
        kept = manifests(where)
        (overlay,) = [name for name, m in kept.items() if "base" in m]
        base = str(kept[overlay]["base"])
        assert load(where / ".columns" / overlay) is not None
        for path in (where / ".columns" / base).iterdir():
            path.unlink()
        (where / ".columns" / base).rmdir()
        assert load(where / ".columns" / overlay) is None
        world_now = World(world.catalogue, [*head, *tail], world.orgs, world.persons)
        assert_same(open_columnar(where), Chronology.open(where), world_now, random.Random(22))

    def test_a_projection_of_another_format_is_rebuilt(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = generate(600, seed=23)
        where = tmp_path / "log"
        write(world, where)
        open_columnar(where)
        for name, meta in manifests(where).items():
            assert meta["format"] == FORMAT
            meta["format"] = FORMAT - 1
            (where / ".columns" / name / "manifest.json").write_text(json.dumps(meta), encoding="utf-8")
            assert load(where / ".columns" / name) is None
        builds: list[int] = []
        real_build = columnar_module._build

        def counted(*args: object, **kwargs: object) -> Tables:
            builds.append(1)
            return real_build(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(columnar_module, "_build", counted)
        again = open_columnar(where)
        assert builds == [1]
        assert_same(again, Chronology.open(where), world, random.Random(23))
