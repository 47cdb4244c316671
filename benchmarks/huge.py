"""One run at a size too big for `benchmarks.run` (10^7 events): each step alone, its time and memory.

    python -m benchmarks.huge                          # 10^7 events, every step
    python -m benchmarks.huge --size 2000000 --steps generate,build,reopen

`benchmarks.run` holds the object engine's whole projection in its own
process while it measures everything else, which at 10^7 events (about 12 GB)
leaves no room for the columnar build beside it. Here each step runs in a new
interpreter, one after another, and is reported with its wall time, its CPU
time (user + system, which a busy machine inflates far less than wall time)
and its peak resident memory (``ru_maxrss``). A step that fails (killed,
out of memory) is reported as such, and the run goes on with the next one
that does not need it.

Steps, in order:

- ``generate``: the log of `benchmarks.run.log_dir` (seed 1), written once and reused;
- ``build``: the columnar projection built from nothing (`open_columnar`), then one roster;
- ``reopen``: a new process opening the kept projection, then one roster (and its memory growth);
- ``queries``: one roster of an organisation, the bitemporal index (built on first use), a roster
  as known earlier, every organisation's roster as one table, a person's history;
- ``append``: 1,000 events appended to a copy, then opened and answered (`append_then_answer`);
- ``objects``: the object engine's open (`Chronology.prepare`), the reference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.run import (
    ROOT,
    append_then_answer,
    columnar_open_in_this_process,
    log_dir,
    open_in_this_process,
)

STEPS = ("generate", "build", "reopen", "queries", "append", "objects")


def step(name: str, directory: Path, size: int) -> dict[str, Any]:
    """Run one step in this process; what it measured."""
    from chronos.columnar import FOLDER, open_columnar

    if name == "generate":
        log_dir(size)
        return {}
    if name == "build":
        shutil.rmtree(directory / FOLDER, ignore_errors=True)
        return columnar_open_in_this_process(directory)
    if name == "reopen":
        return columnar_open_in_this_process(directory)
    if name == "append":
        return {"answered_s": append_then_answer(directory, Path(tempfile.mkdtemp(prefix="chronos-huge-")))}
    if name == "objects":
        return open_in_this_process(directory)
    engine = open_columnar(directory)
    orgs = [engine.entity_id(int(o)) for o in engine.tables["org_top"][:2000]]
    persons = [p for p in engine.catalogue if p.startswith("person-")][:2000]
    rng = random.Random(size)
    days = [dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(65 * 365)) for _ in range(300)]

    def median(calls: list[Any]) -> float:
        times = []
        for call in calls:
            began = time.perf_counter()
            call()
            times.append(time.perf_counter() - began)
        return statistics.median(times)

    out: dict[str, Any] = {}
    pick = [(rng.choice(orgs), d) for d in days]
    out["roster_s"] = median([lambda o=o, d=d: engine.roster_rows(o, at=d) for o, d in pick])
    began = time.perf_counter()
    engine.roster_rows(pick[0][0], at=pick[0][1], known_at=days[-1])
    out["bitemporal_index_s"] = time.perf_counter() - began
    earlier = [(o, d, rng.choice(days)) for o, d in pick]
    out["roster_known_earlier_s"] = median(
        [lambda o=o, d=d, k=k: engine.roster_rows(o, at=d, known_at=k) for o, d, k in earlier]
    )
    out["roster_table_s"] = median([lambda d=d: engine.roster_table(at=d) for d in days[:3]])
    out["history_s"] = median([lambda p=p: engine.history(p) for p in rng.sample(persons, 100)])
    return out


def run_step(name: str, size: int) -> dict[str, Any]:
    """One step in a new interpreter: what it measured, with wall and CPU seconds and peak memory."""
    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.huge", "--size", str(size), "--step", name],
        cwd=ROOT.parent,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "CHRONOS_CACHE_DIR": "off"},
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    out: dict[str, Any] = {
        "wall_s": time.perf_counter() - began,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_gb": usage.ru_maxrss * 1024 / 1e9,
        "exit": child.returncode,
    }
    if child.returncode == 0:
        out.update(json.loads(output.strip().splitlines()[-1]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10_000_000, help="events (default 10^7)")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated, of: " + ", ".join(STEPS))
    parser.add_argument("--step", help=argparse.SUPPRESS)  # the worker
    parser.add_argument("--out", type=Path, default=ROOT / "huge.json", help="where to write the JSON")
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.step, log_dir(args.size), args.size)))
        return 0
    results: dict[str, Any] = {"size": args.size, "started": dt.datetime.now(dt.UTC).isoformat()}
    for name in args.steps.split(","):
        print(f"{name} ...", file=sys.stderr, flush=True)
        results[name] = run_step(name, args.size)
        results[name]["load_average"] = os.getloadavg()
        print(f"{name}: {json.dumps(results[name])}", file=sys.stderr, flush=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
