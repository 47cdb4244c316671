"""Only the append measures of `benchmarks.run`, repeated: durable batches of 1,000 and single events.

    python -m benchmarks.appends                       # 10^5 and 10^6, three runs each
    python -m benchmarks.appends --sizes 100000 --runs 5

Each run is `benchmarks.run.measure_appends` itself: the first 20,000 events of
the generated log of that size (as `benchmarks.run` reads them), appended in
batches of 1,000 to a fresh JSON Lines log with its catalogue, then 300 single
appends. Prints one line per run with the load average beside it: on a shared
machine an fsync can take milliseconds, so compare runs made in one sitting.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmarks import run
from chronos import EventLog

#: The events a run takes: 20 batches of 1,000 and the 300 single appends after them.
EVENTS = 20_300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated event counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per size")
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",")):
        directory = run.log_dir(size)
        log = EventLog.open(directory)
        events = [recorded.event for recorded in log.read(until=EVENTS)]
        log.store.close()
        for _ in range(args.runs):
            load = os.getloadavg()[0]
            with tempfile.TemporaryDirectory(prefix="chronos-bench-") as scratch:
                results = run.measure_appends(
                    log_dir_catalogue=directory, events=events, scratch=Path(scratch)
                )
            batches = results["append, batches of 1,000 (chronos, JSON Lines)"]["events_per_s"]
            single = results["append one event (chronos, JSON Lines)"]["median_s"]
            print(
                f"{size:>9,} events: {batches:>9,.0f} events/s in batches of 1,000, "
                f"one event {single * 1e3:.2f} ms (load {load:.1f})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
