"""The ``chronos_tenures`` SQL table: building it, asking it, and keeping it current on append.

    python -m benchmarks.tenures_table                 # --sizes 10000,100000 --queries 300

For each size, the generated log of `benchmarks.run` (seed 1) is copied into a
SQLite file and then, in this order:

- **build**: ``refresh_tenures`` from nothing (the columnar projection, the
  bitemporal index, the rows written), the columnar cache empty;
- **roster as of D, known on K**: the README's query (one organisation's
  holders on D as known on K, certain or possible) asked through ``sqlite3``,
  beside the same question asked of the columnar engine (`roster_rows`) and of
  `Chronology` in the same process;
- **append 1,000 events**: appointments and dismissals after the log's last
  day, made known on the last day anything in the log became known (news), by
  ``EventLog.append`` in batches of 100, to the file keeping the table and to a
  copy without it: the difference is what keeping the table current costs a
  writer. Then 100 more after those, each known on the day it happened, which
  is before much of what the log already holds (a researcher entering older
  articles).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import SOURCES
from benchmarks.run import log_dir, seconds, show
from chronos import Appointed, Chronology, Day, Dismissed, EventLog, FuzzyDate
from chronos.stores import JsonlStore, SqliteStore, copy_store

QUERY = """
SELECT post_id, person_id, start_last <= :d AND :d < end_first AS certain
FROM chronos_tenures
WHERE org_id = :org AND known_from <= :k AND (known_until IS NULL OR :k < known_until)
  AND start_first <= :d AND :d < end_last
"""


def forward_events(log: EventLog, last: dt.date, count: int, *, known: dt.date | None = None) -> list[Any]:
    """``count`` appointments and dismissals after ``last``, in turn, known then or from ``known`` on."""
    posts = [e.id for e in log.catalogue.values() if e.kind == "post"]
    persons = [e.id for e in log.catalogue.values() if e.kind == "person"]
    rng = random.Random(7)
    out: list[Any] = []
    for i in range(count // 2):
        # Each pair after the one before: a batch of them, however cut, only adds to history.
        day = last + dt.timedelta(days=30 + 20 * i)
        end = last + dt.timedelta(days=40 + 20 * i)
        said, ended = (day, end) if known is None else (max(day, known), max(end, known))
        person, post = rng.choice(persons), rng.choice(posts)
        out.append(
            Appointed(
                occurred=FuzzyDate.of(day),
                known=FuzzyDate.of(said),
                sources=SOURCES[:1],
                person=person,
                post=post,
            )
        )
        out.append(
            Dismissed(
                occurred=FuzzyDate.of(end),
                known=FuzzyDate.of(ended),
                sources=SOURCES[:1],
                person=person,
                post=post,
            )
        )
    return out


def median_of(calls: list[Any]) -> dict[str, float]:
    times = []
    for call in calls:
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return seconds(times)


def measure(size: int, queries: int, scratch: Path) -> dict[str, dict[str, Any]]:
    """Every measure at one size."""
    from chronos.columnar import open_columnar
    from chronos.columnar.sql import refresh_tenures

    os.environ["CHRONOS_CACHE_DIR"] = str(scratch / "cache")
    path, bare = scratch / "kept.db", scratch / "bare.db"
    copy_store(JsonlStore(log_dir(size)), SqliteStore(path))
    shutil.copy(path, bare)
    location = f"sqlite:///{path}"
    out: dict[str, dict[str, Any]] = {}

    began = time.perf_counter()
    refresh_tenures(location)
    out["build the table (refresh_tenures)"] = seconds([time.perf_counter() - began])

    log = EventLog.open(location)
    chronology = Chronology.from_log(log).prepare()
    engine = open_columnar(location)
    orgs = sorted(o for o in log.catalogue if o.startswith("org-") and "/" not in o)
    rng = random.Random(size)
    low = dt.date(1960, 1, 1)
    asked: list[tuple[str, dt.date, dt.date]] = []
    for _ in range(queries):
        # A day D, and a knowledge date K on or after it.
        d, k = sorted(rng.randrange(65 * 365) for _ in range(2))
        asked.append((rng.choice(orgs), low + dt.timedelta(days=d), low + dt.timedelta(days=k)))
    with sqlite3.connect(path) as db:
        out["roster as of D, known on K (SQL on chronos_tenures)"] = median_of(
            [
                lambda o=o, d=d, k=k: db.execute(
                    QUERY, {"org": o, "d": Day.from_date(d), "k": Day.from_date(k)}
                ).fetchall()
                for o, d, k in asked
            ]
        )
    out["roster as of D, known on K (columnar, rows)"] = median_of(
        [lambda o=o, d=d, k=k: engine.roster_rows(o, at=d, known_at=k) for o, d, k in asked]
    )
    out["roster as of D, known on K (Chronology)"] = median_of(
        [lambda o=o, d=d, k=k: chronology.roster(o, at=d, known_at=k) for o, d, k in asked]
    )

    last = Day(engine.tables.meta["last_key"][1]).date()
    latest = Day(engine.tables.meta["latest_known"]).date()
    news = forward_events(log, last, 1000, known=latest)
    # Then news of a later past: after the last day the news above reach, but known long before.
    history = forward_events(log, last + dt.timedelta(days=20 * 500 + 60), 100)
    for name, where in (("keeping chronos_tenures", path), ("without the table", bare)):
        target = EventLog.open(f"sqlite:///{where}")
        began = time.perf_counter()
        for i in range(0, len(news), 100):
            target.append(news[i : i + 100], expected_position=target.position)
        out[f"append 1,000 events learned now, 100 a time ({name})"] = seconds([time.perf_counter() - began])
    for name, where in (("keeping chronos_tenures", path), ("without the table", bare)):
        target = EventLog.open(f"sqlite:///{where}")
        began = time.perf_counter()
        target.append(history, expected_position=target.position)
        out[f"append 100 events known before the latest ({name})"] = seconds([time.perf_counter() - began])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated event counts")
    parser.add_argument("--queries", type=int, default=300, help="calls per query measure")
    args = parser.parse_args(argv)
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size:,} events", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="chronos-tenures-") as scratch:
            results[size] = measure(size, args.queries, Path(scratch))
    names = list(next(iter(results.values())))
    width = max(len(n) for n in names)
    print(f"{'measure':<{width}} | " + " | ".join(f"{s:>24,} events" for s in results))
    for name in names:
        print(f"{name:<{width}} | " + " | ".join(f"{show(results[s][name]):>31}" for s in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
