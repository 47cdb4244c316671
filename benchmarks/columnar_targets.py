"""Two measures of `benchmarks.run` alone, repeated: a columnar roster as rows, and an append then an answer.

    python -m benchmarks.columnar_targets --sizes 100000,1000000 --repeat 5

Each is the very measure `python -m benchmarks.run` takes ("roster of one org
(columnar, rows)": the same 300 organisations and dates, one call at a time;
"append 1,000 events, then answer (columnar)": `benchmarks.run.append_then_answer`),
without the rest of the run, so that the two can be compared before and after
a change in one sitting (put the other checkout's ``src`` first on
``PYTHONPATH``). It prints the median of each repeat and the load average
beside it: on a shared machine compare medians taken under like load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
from pathlib import Path

from benchmarks.run import append_then_answer, day_between, log_dir, timed

QUERIES = 300


def roster_rows(size: int, repeat: int) -> list[float]:
    """The median seconds of `Columnar.roster_rows` over the run's sample, once per repeat."""
    from chronos.columnar import open_columnar

    engine = open_columnar(log_dir(size))
    orgs = sorted(o for o in engine.catalogue if o.startswith("org-") and "/" not in o)
    rng = random.Random(size)  # as `benchmarks.run.measure_size` draws its sample
    low, high = dt.date(1960, 1, 1), dt.date(2024, 12, 31)
    sample = [(rng.choice(orgs), day_between(rng, low, high)) for _ in range(QUERIES)]
    return [
        statistics.median(timed([lambda o=o, d=d: engine.roster_rows(o, at=d) for o, d in sample]))
        for _ in range(repeat)
    ]


def appends(size: int, repeat: int) -> list[float]:
    """Seconds of `append_then_answer`, once per repeat (each on a fresh copy of the log)."""
    directory = log_dir(size)
    return [
        append_then_answer(directory, Path(tempfile.mkdtemp(prefix="chronos-bench-"))) for _ in range(repeat)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated event counts")
    parser.add_argument("--repeat", type=int, default=5, help="repeats of each measure")
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",")):
        log_dir(size)
        for name, measure, unit, scale in (
            ("roster of one org (columnar, rows)", roster_rows, "us", 1e6),
            ("append 1,000 events, then answer (columnar)", appends, "ms", 1e3),
        ):
            found = measure(size, args.repeat)
            load = os.getloadavg()[0]
            runs = ", ".join(f"{v * scale:.1f}" for v in found)
            print(
                f"{size:>9,}  {name:<44} median {statistics.median(found) * scale:7.1f} {unit}"
                f"  [{runs}]  load {load:.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
