"""Parquet export: every tenure, event and entity, typed, read back as written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from benchmarks.generate import generate, write

from chronos import Chronology
from chronos.cli import main
from chronos.dates import MAX_DAY, MIN_DAY
from chronos.interop.parquet import write_parquet

pq = pytest.importorskip("pyarrow.parquet")


def bound(day: dt.date) -> dt.date | None:
    return None if day in (MIN_DAY, MAX_DAY) else day


class TestParquet:
    """The three tables hold what the chronology holds."""

    def test_generated_log(self, tmp_path: Path) -> None:
        world = generate(1500, seed=21)
        chronology = Chronology(world.events, world.catalogue)
        write_parquet(chronology, tmp_path / "out")
        tenures = pq.read_table(tmp_path / "out" / "tenures.parquet").to_pylist()
        expected = chronology.tenures(policy="cautious")
        assert len(tenures) == len(expected)
        for row, tenure in zip(tenures, expected, strict=True):
            assert (row["person_id"], row["post_id"]) == (tenure.person, tenure.post)
            for side, resolved in (("start", tenure.start), ("end", tenure.end)):
                dated = resolved.date is not None
                assert row[f"{side}_earliest"] == (bound(resolved.earliest) if dated else None)
                assert row[f"{side}_latest"] == (bound(resolved.latest) if dated else None)
                assert row[f"{side}_disputed"] == resolved.disputed
            assert row["events"] == [e.id for e in tenure.events]
        events = pq.read_table(tmp_path / "out" / "events.parquet").to_pylist()
        assert [e["id"] for e in events] == [e.id for e in chronology.events]
        assert [e["position"] for e in events] == list(range(1, len(events) + 1))
        assert all(
            e["known_latest"] == bound(x.known.latest) for e, x in zip(events, chronology.events, strict=True)
        )
        entities = pq.read_table(tmp_path / "out" / "entities.parquet").to_pylist()
        assert [e["id"] for e in entities] == list(world.catalogue)

    def test_holders_by_sql_are_the_certain_holders(self, tmp_path: Path) -> None:
        """`start_latest <= D < end_earliest` finds exactly the certain holders of the roster."""
        import duckdb

        world = generate(1500, seed=22)
        chronology = Chronology(world.events, world.catalogue)
        write_parquet(chronology, tmp_path)
        day = dt.date(1990, 6, 1)
        relation = duckdb.sql(
            f"SELECT post_id, person_id FROM '{tmp_path / 'tenures.parquet'}' "
            "WHERE start_latest <= $day AND coalesce(end_earliest, DATE '9999-12-31') > $day",
            params={"day": day},
        )
        assert relation is not None
        found = relation.fetchall()
        certain = {
            (s.post.id, s.person)
            for seats in chronology.rosters(at=day).values()
            for s in seats
            if s.certainty == "certain" and s.person is not None
        }
        assert set(found) == certain

    def test_command(self, tmp_path: Path) -> None:
        write(generate(300, seed=23), tmp_path / "log")
        assert main(["--log", str(tmp_path / "log"), "export", "parquet", str(tmp_path / "tables")]) == 0
        assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == [
            "entities.parquet",
            "events.parquet",
            "tenures.parquet",
        ]
        assert main(["--log", str(tmp_path / "log"), "export", "parquet"]) == 2
        assert main(["--log", str(tmp_path / "log"), "export", "csv", "somewhere"]) == 2
