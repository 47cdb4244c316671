"""Run every benchmark, beside the alternatives, and print (and save) the table.

    python -m benchmarks.run                       # 10^4, 10^5 and 10^6 events
    python -m benchmarks.run --sizes 10000 --repeat 3
    python -m benchmarks.run --sizes 5000000       # when asked

Logs are generated once per size and seed under ``benchmarks/.data/`` and
reused. Opening is timed in a fresh process each time (nothing warm); queries
are timed one call at a time over random organisations, people and dates, and
reported as median, min and max.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import alternatives as alt
from benchmarks.generate import generate, write
from chronos import Chronology, EventLog, JsonlStore

ROOT = Path(__file__).resolve().parent
DATA = ROOT / ".data"
SEED = 1
FORMAT_VERSION = 2  # bump when the generator changes, so old data is regenerated


def page_rss() -> int:
    """Resident memory of this process in bytes (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def log_dir(size: int) -> Path:
    """The generated log of ``size`` events (made on first use)."""
    directory = DATA / f"log-{size}-seed{SEED}-v{FORMAT_VERSION}"
    if not (directory / "HEAD").exists():
        shutil.rmtree(directory, ignore_errors=True)
        print(f"  generating {size:,} events ...", file=sys.stderr, flush=True)
        write(generate(size, seed=SEED), directory)
    return directory


# Opening, in a fresh process --------------------------------------------------------------------


def open_in_this_process(directory: Path) -> dict[str, float]:
    """Open a log and make it ready to answer: read, decode, project, index. Timings and memory."""
    before = page_rss()
    began = time.perf_counter()
    log = EventLog.open(directory)
    chronology = Chronology.from_log(log)
    events = chronology.events
    read = time.perf_counter()
    chronology.prepare()
    ready = time.perf_counter()
    return {
        "events": len(events),
        "read_s": read - began,
        "ready_s": ready - began,
        "rss_bytes": page_rss() - before,
    }


def open_cold(directory: Path, cache: str) -> dict[str, float]:
    """`open_in_this_process` in a new interpreter, with ``cache`` as its `chronos._fast.cache` directory."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--open", str(directory)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        env={**os.environ, "CHRONOS_CACHE_DIR": cache},
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def columnar_open_in_this_process(directory: Path) -> dict[str, float]:
    """Open a log with the columnar engine, ready to answer (one roster asked); timings and memory."""
    from chronos.columnar import open_columnar

    before = page_rss()
    began = time.perf_counter()
    engine = open_columnar(directory)
    ready = time.perf_counter()
    engine.roster_rows(engine.entity_id(int(engine.tables["org_top"][0])), at="2000-01-01")
    answered = time.perf_counter()
    return {
        "events": engine.tables.meta["events"],
        "ready_s": ready - began,
        "answered_s": answered - began,
        "rss_bytes": page_rss() - before,
    }


def columnar_cold(directory: Path) -> dict[str, float]:
    """`columnar_open_in_this_process` in a new interpreter."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--columnar-open", str(directory)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        env={**os.environ, "CHRONOS_CACHE_DIR": "off"},
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def snapshot_reopen(chronology: Chronology, directory: Path) -> float:
    """Seconds to re-open from a pickled snapshot of the decoded events (the obvious persisted cache)."""
    path = directory / "snapshot.pickle"
    with path.open("wb") as handle:
        pickle.dump((chronology.events, chronology.catalogue), handle, protocol=pickle.HIGHEST_PROTOCOL)
    began = time.perf_counter()
    with path.open("rb") as handle:
        events, catalogue = pickle.load(handle)
    Chronology(events, catalogue)
    elapsed = time.perf_counter() - began
    path.unlink()
    return elapsed


# Queries -----------------------------------------------------------------------------------------


def timed(calls: Sequence[Callable[[], object]]) -> list[float]:
    """Seconds per call."""
    out = []
    for call in calls:
        began = time.perf_counter()
        call()
        out.append(time.perf_counter() - began)
    return out


def day_between(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def measure_size(size: int, repeat: int, queries: int, *, light: bool = False) -> dict[str, dict[str, Any]]:
    """Every measure at one size (``light``: without eventsourcing, appends and the pickled snapshot)."""
    directory = log_dir(size)
    results: dict[str, dict[str, Any]] = {}
    rng = random.Random(size)

    opens = [open_cold(directory, cache="off") for _ in range(repeat)]
    results["open (chronos, JSON Lines)"] = per_event([o["ready_s"] for o in opens], size)
    results["memory after opening"] = {
        "bytes_per_event": statistics.median(o["rss_bytes"] for o in opens) / size
    }
    with tempfile.TemporaryDirectory() as cache:
        open_cold(directory, cache=cache)  # parses the catalogue and caches it
        reopens = [open_cold(directory, cache=cache) for _ in range(max(1, repeat // 2))]
    results["re-open, catalogue cached (chronos)"] = per_event([o["ready_s"] for o in reopens], size)

    log = EventLog.open(directory)
    chronology = Chronology.from_log(log).prepare()  # as when opening (see open_in_this_process)
    catalogue = chronology.catalogue
    if not light:
        results["re-open from a pickled snapshot"] = seconds([snapshot_reopen(chronology, directory)])
    orgs = sorted(o for o in catalogue if o.startswith("org-") and "/" not in o)
    persons = sorted(p for p in catalogue if p.startswith("person-"))
    low, high = dt.date(1960, 1, 1), dt.date(2024, 12, 31)

    sample = [(rng.choice(orgs), day_between(rng, low, high)) for _ in range(queries)]
    results["roster of one org (chronos)"] = seconds(
        timed([lambda o=o, d=d: chronology.roster(o, at=d) for o, d in sample])
    )
    known = [(o, d, day_between(rng, low, high)) for o, d in sample]
    results["roster as known earlier (chronos)"] = seconds(
        timed([lambda o=o, d=d, k=k: chronology.roster(o, at=d, known_at=k) for o, d, k in known])
    )
    pairs = [(o, *sorted((d, day_between(rng, low, high)))) for o, d in sample]
    results["diff of one org (chronos)"] = seconds(
        timed([lambda o=o, a=a, b=b: chronology.diff(o, a, b) for o, a, b in pairs])
    )
    people = [rng.choice(persons) for _ in range(queries)]
    results["history of one person (chronos)"] = seconds(
        timed([lambda p=p: chronology.history(p) for p in people])
    )
    everywhere = [day_between(rng, low, high) for _ in range(max(3, repeat))]
    results["roster of every org (chronos)"] = seconds(
        timed([lambda d=d: chronology.rosters(orgs, at=d) for d in everywhere])
    )
    results["roster of every org, one call per org (chronos)"] = seconds(
        timed([lambda d=d: [chronology.roster(o, at=d) for o in orgs] for d in everywhere])
    )

    results.update(
        measure_columnar(
            directory,
            size,
            repeat,
            sample=sample,
            known=known,
            pairs=pairs,
            people=people,
            everywhere=everywhere,
        )
    )

    roots = {p.id: (p.org.split("/")[0]) for p in (e for e in catalogue.values() if e.kind == "post")}
    rows = alt.tenure_rows(chronology, roots)
    with tempfile.TemporaryDirectory() as scratch:
        for name, connect in (("SQLite", alt.sqlite_database), ("DuckDB", alt.duckdb_database)):
            db = connect(rows, Path(scratch) / f"tenures.{name.lower()}")
            results[f"roster of one org ({name})"] = seconds(
                timed([lambda o=o, d=d, db=db: alt.sql_roster(db, o, d) for o, d in sample])
            )
            results[f"roster as known earlier ({name})"] = seconds(
                timed([lambda o=o, d=d, k=k, db=db: alt.sql_roster_known(db, o, d, k) for o, d, k in known])
            )
            results[f"diff of one org ({name})"] = seconds(
                timed([lambda o=o, a=a, b=b, db=db: alt.sql_diff(db, o, a, b) for o, a, b in pairs])
            )
            results[f"history of one person ({name})"] = seconds(
                timed([lambda p=p, db=db: alt.sql_history(db, p) for p in people])
            )
            results[f"roster of every org ({name})"] = seconds(
                timed([lambda d=d, db=db: alt.sql_everywhere(db, d) for d in everywhere])
            )
            db.close()

        if not light:
            events = list(chronology.events)
            results.update(measure_eventsourcing(events, Path(scratch), repeat))
            results.update(measure_appends(log_dir_catalogue=directory, events=events, scratch=Path(scratch)))
    return results


def measure_columnar(
    directory: Path,
    size: int,
    repeat: int,
    *,
    sample: list[tuple[str, dt.date]],
    known: list[tuple[str, dt.date, dt.date]],
    pairs: list[tuple[str, dt.date, dt.date]],
    people: list[str],
    everywhere: list[dt.date],
) -> dict[str, dict[str, Any]]:
    """The columnar engine (`chronos.columnar`) on the same log and the same questions."""
    from chronos.columnar import FOLDER, open_columnar

    results: dict[str, dict[str, Any]] = {}
    shutil.rmtree(directory / FOLDER, ignore_errors=True)
    first = columnar_cold(directory)  # builds and writes the projection
    results["first open, building the projection (columnar)"] = per_event([first["answered_s"]], size)
    reopens = [columnar_cold(directory) for _ in range(repeat)]
    results["re-open, projection cached (columnar)"] = seconds([o["answered_s"] for o in reopens])
    results["memory after re-opening (columnar)"] = {
        "bytes_per_event": statistics.median(o["rss_bytes"] for o in reopens) / size
    }
    engine = open_columnar(directory)
    results["roster of one org (columnar, rows)"] = seconds(
        timed([lambda o=o, d=d: engine.roster_rows(o, at=d) for o, d in sample])
    )
    results["roster of one org (columnar, Seats)"] = seconds(
        timed([lambda o=o, d=d: engine.roster(o, at=d) for o, d in sample])
    )
    began = time.perf_counter()
    engine.roster_rows(sample[0][0], at=sample[0][1], known_at=known[0][2])
    results["bitemporal index, built on first use (columnar)"] = per_event(
        [time.perf_counter() - began], size
    )
    results["roster as known earlier (columnar, rows)"] = seconds(
        timed([lambda o=o, d=d, k=k: engine.roster_rows(o, at=d, known_at=k) for o, d, k in known])
    )
    results["roster as known earlier (columnar, Seats)"] = seconds(
        timed([lambda o=o, d=d, k=k: engine.roster(o, at=d, known_at=k) for o, d, k in known])
    )
    results["diff of one org (columnar)"] = seconds(
        timed([lambda o=o, a=a, b=b: engine.diff(o, a, b) for o, a, b in pairs])
    )
    results["history of one person (columnar)"] = seconds(
        timed([lambda p=p: engine.history(p) for p in people])
    )
    results["roster of every org (columnar, table)"] = seconds(
        timed([lambda d=d: engine.roster_table(at=d) for d in everywhere])
    )
    results["roster of every org (columnar, Seats)"] = seconds(
        timed([lambda d=d: engine.rosters(at=d) for d in everywhere])
    )
    results["append 1,000 events, then answer (columnar)"] = seconds(
        [append_then_answer(directory, Path(tempfile.mkdtemp(prefix="chronos-bench-")))]
    )
    return results


def append_then_answer(directory: Path, scratch: Path) -> float:
    """Seconds to answer a roster after appending 1,000 events to a copy of a log whose projection is cached.

    The events extend history (appointments and dismissals after the last
    day in the log, known at once): nothing reaches back, so the kept
    projection is extended (`chronos.columnar._extend`), not rebuilt.
    """
    from benchmarks.generate import SOURCES
    from chronos import Appointed, Day, Dismissed, FuzzyDate
    from chronos.columnar import open_columnar

    copy = scratch / "log"
    try:
        shutil.copytree(directory, copy)
        log = EventLog.open(copy)
        chronology_posts = [e.id for e in log.catalogue.values() if e.kind == "post"]
        persons = [e.id for e in log.catalogue.values() if e.kind == "person"]
        # The day of the log's last event in valid time, as the kept projection notes it.
        last = Day(open_columnar(copy).tables.meta["last_key"][1]).date()
        rng = random.Random(7)
        extra = []
        for i in range(500):
            day = FuzzyDate.of(last + dt.timedelta(days=30 + i))
            person, post = rng.choice(persons), rng.choice(chronology_posts)
            extra.append(Appointed(occurred=day, known=day, sources=SOURCES[:1], person=person, post=post))
            later = FuzzyDate.of(last + dt.timedelta(days=40 + i))
            extra.append(
                Dismissed(occurred=later, known=later, sources=SOURCES[:1], person=person, post=post)
            )
        log.append(extra, expected_position=log.position)
        began = time.perf_counter()
        engine = open_columnar(copy)
        engine.roster_rows(engine.entity_id(int(engine.tables["org_top"][0])), at=last)
        return time.perf_counter() - began
    finally:
        # The extended projection is written in the background: let it finish (untimed) before the
        # copy goes, so that it neither writes into a deleted folder nor runs into the next measure.
        for thread in threading.enumerate():
            if thread.name == "chronos-columns-save":
                thread.join()
        shutil.rmtree(scratch, ignore_errors=True)


def measure_eventsourcing(events: list[Any], scratch: Path, repeat: int) -> dict[str, dict[str, Any]]:
    """Eventsourcing storing the same events and rebuilding them, with SQLite and in memory."""
    results: dict[str, dict[str, Any]] = {}
    for kind in ("sqlite", "popo"):
        where = scratch / f"es-{kind}"
        where.mkdir()
        with alt.eventsourcing_app(kind, where) as app:
            ids = alt.eventsourcing_store(app, events)
            runs = []
            for _ in range(max(1, repeat // 2)):
                began = time.perf_counter()
                alt.eventsourcing_rebuild(app, ids)
                runs.append(time.perf_counter() - began)
            results[f"open (eventsourcing, {kind})"] = per_event(runs, len(events))
            if kind == "sqlite":
                batch = alt.eventsourcing_append(app, events[:20_000], batch=1000)
                results["append, batches of 1,000 (eventsourcing, sqlite)"] = rate(batch, 1000)
                single = alt.eventsourcing_append(app, events[:300], batch=1)
                results["append one event (eventsourcing, sqlite)"] = seconds(single)
    return results


def measure_appends(
    *, log_dir_catalogue: Path, events: list[Any], scratch: Path
) -> dict[str, dict[str, Any]]:
    """Durable appends to a fresh JSON Lines log: batches of 1,000 and single events."""
    from chronos import Catalogue

    catalogue = Catalogue.load(log_dir_catalogue / "catalogue.toml")
    directory = scratch / "append"
    log = EventLog(JsonlStore(directory), catalogue)
    batches = []
    # Up to 20 full batches, leaving 300 events the batches did not append for the singles
    # (an event already in the log would be skipped, not written).
    chunk = events[: 1000 * min(20, (len(events) - 300) // 1000)]
    for start in range(0, len(chunk), 1000):
        part = chunk[start : start + 1000]
        began = time.perf_counter()
        log.append(part, expected_position=log.position)
        batches.append(time.perf_counter() - began)
    singles = []
    for event in events[len(chunk) : len(chunk) + 300]:
        began = time.perf_counter()
        result = log.append([event], expected_position=log.position)
        singles.append(time.perf_counter() - began)
        assert result.appended, "a single append must write"
    return {
        "append, batches of 1,000 (chronos, JSON Lines)": rate(batches, 1000),
        "append one event (chronos, JSON Lines)": seconds(singles),
    }


# Summaries -----------------------------------------------------------------------------------------


def seconds(values: Sequence[float]) -> dict[str, float]:
    return {
        "median_s": statistics.median(values),
        "min_s": min(values),
        "max_s": max(values),
        "n": len(values),
    }


def per_event(values: Sequence[float], count: int) -> dict[str, float]:
    out = seconds(values)
    out["us_per_event"] = out["median_s"] / count * 1e6
    return out


def rate(values: Sequence[float], batch: int) -> dict[str, float]:
    out = seconds(values)
    out["events_per_s"] = batch / out["median_s"]
    return out


def show(value: dict[str, Any]) -> str:
    if "events_per_s" in value:
        return f"{value['events_per_s']:>12,.0f} ev/s"
    if "us_per_event" in value:
        return f"{value['us_per_event']:>9.2f} us/ev ({value['median_s']:.2f} s)"
    if "bytes_per_event" in value:
        return f"{value['bytes_per_event']:>9.0f} B/ev"
    median = value["median_s"]
    spread = f"[{_t(value['min_s'])} .. {_t(value['max_s'])}]"
    return f"{_t(median):>10} {spread}"


def _t(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def table(all_results: dict[int, dict[str, dict[str, Any]]]) -> str:
    sizes = sorted(all_results)
    names: list[str] = []
    for result in all_results.values():
        names.extend(n for n in result if n not in names)
    width = max(len(n) for n in names)
    head = f"{'measure':<{width}} | " + " | ".join(f"{f'{s:,} events':>36}" for s in sizes)
    lines = [head, "-" * len(head)]
    for name in names:
        cells = [show(all_results[s][name]) if name in all_results[s] else "" for s in sizes]
        lines.append(f"{name:<{width}} | " + " | ".join(f"{c:>36}" for c in cells))
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "?")
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "date": dt.date.today().isoformat(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated event counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per whole-log measure")
    parser.add_argument("--queries", type=int, default=500, help="calls per query measure")
    parser.add_argument("--out", type=Path, default=ROOT / "results.json", help="where to write the JSON")
    parser.add_argument(
        "--light",
        dest="only_columnar",
        action="store_true",
        help="skip eventsourcing, appends and the snapshot",
    )
    parser.add_argument("--open", type=Path, help=argparse.SUPPRESS)  # the cold-open worker
    parser.add_argument("--columnar-open", type=Path, help=argparse.SUPPRESS)  # the same, columnar
    args = parser.parse_args(argv)
    if args.open is not None:
        print(json.dumps(open_in_this_process(args.open)))
        return 0
    if args.columnar_open is not None:
        print(json.dumps(columnar_open_in_this_process(args.columnar_open)))
        return 0
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size:,} events", file=sys.stderr, flush=True)
        repeat = args.repeat if size <= 100_000 else max(1, min(args.repeat, 3))
        results[size] = measure_size(size, repeat, args.queries, light=args.only_columnar)
    text = table(results)
    print(text)
    args.out.write_text(json.dumps({"machine": machine(), "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
