"""How often the near-match hints of a large catalogue are difflib's over every candidate.

    python -m benchmarks.hint_quality                    # --sizes 100000,1000000 --typos 300

Above `chronos._fast.nearest.SCAN_LIMIT` candidates the hints are ranked
exactly as difflib ranks them, but over a shortlist (the candidates sharing a
not-too-common word with the query, else the `SHORTLIST` sharing the most
three-byte pieces), not over every candidate. This measures what that costs:
over ``--typos`` misspellings of real names of the generated catalogue
(`benchmarks.names`, seed 1), each one edit of a random kind (insert, delete,
substitute or transpose a letter, at a random place; seed 7) that no longer
names anyone, it asks `Catalogue.suggest` as it is, and again with the scan
limit lifted (every candidate compared: difflib's own answer), and counts how
often the two answers are equal and how often the full scan's first hint is
among the shortlist's. Queries are grouped by the path they took: a rare
word shared (*words*), or none, for either form of the query (*pieces*).

``--paths pieces`` sends every query down the q-gram path (the word
narrowing is skipped), to measure the shortlist alone; ``--paths union``
ranks the union of both shortlists (a variant, not what chronos does).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import tempfile
import time

import attrs

from benchmarks.names import catalogue as generated
from chronos import AmbiguousName, Catalogue, LookupFailed
from chronos._fast import nearest
from chronos.names import name_key

#: Which candidates share a rare word with a query, as chronos finds them (whatever ``--paths`` says).
WORDS = nearest.Nearest._sharing_a_word


def typo(name: str, rng: random.Random) -> str:
    """``name`` with one letter inserted, deleted, replaced, or swapped with the next."""
    at = rng.randrange(len(name))
    letter = rng.choice(string.ascii_lowercase)
    edit = rng.choice(("insert", "delete", "substitute", "transpose"))
    if edit == "insert":
        return name[:at] + letter + name[at:]
    if edit == "delete":
        return name[:at] + name[at + 1 :]
    if edit == "substitute":
        return name[:at] + letter + name[at + 1 :]
    at = min(at, len(name) - 2)
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]


def resolves(catalogue: Catalogue, query: str) -> bool:
    try:
        catalogue.lookup(query, kind="person")
    except AmbiguousName:
        return True
    except LookupFailed:
        return False
    return True


@attrs.define
class Tally:
    """What the typos of one group got: how many, how often as a full scan, and how long."""

    typos: int = 0
    equal: int = 0
    first_in: int = 0
    ms: list[float] = attrs.field(factory=list)
    scan_ms: list[float] = attrs.field(factory=list)

    def line(self, group: str) -> str:
        """A line of the report."""
        n, ms, scan = self.typos, statistics.median(self.ms), statistics.median(self.scan_ms)
        return (
            f"{group:7} {n:4} typos  equal {self.equal / n:6.1%}  first in {self.first_in / n:6.1%}  "
            f"median {ms:7.1f} ms (a full scan {scan:.1f} ms)"
        )


def timed(catalogue: Catalogue, query: str) -> tuple[tuple[str, ...], float]:
    start = time.perf_counter()
    found = catalogue.suggest(query, kind="person")
    return found, (time.perf_counter() - start) * 1000


def measure(size: int, typos: int) -> dict[str, Tally]:
    catalogue, people = generated(size)
    rng = random.Random(7)
    near = catalogue._names_near("person")[1]  # which path a query takes
    tallies: dict[str, Tally] = {}
    while sum(t.typos for g, t in tallies.items() if g != "all") < typos:
        query = typo(rng.choice(people).name, rng)
        if resolves(catalogue, query):
            continue
        hints, took = timed(catalogue, query)
        limit = nearest.SCAN_LIMIT
        nearest.SCAN_LIMIT = 1 << 62
        try:
            exact, scan = timed(catalogue, query)
        finally:
            nearest.SCAN_LIMIT = limit
        shared = [bool(WORDS(near, q)) for q in (name_key(query), query.casefold())]
        path = "words" if all(shared) else "pieces" if not any(shared) else "both"
        for group in (path, "all"):
            tally = tallies.setdefault(group, Tally())
            tally.typos += 1
            tally.equal += hints == exact
            tally.first_in += not exact or exact[0] in hints
            tally.ms.append(took)
            tally.scan_ms.append(scan)
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated numbers of persons")
    parser.add_argument("--typos", type=int, default=300, help="misspelt names asked at each size")
    parser.add_argument("--paths", default="as-is", choices=("as-is", "pieces", "union"))
    args = parser.parse_args()
    words = nearest.Nearest._sharing_a_word
    if args.paths == "pieces":
        nearest.Nearest._sharing_a_word = lambda self, query: []  # type: ignore[method-assign]
    elif args.paths == "union":

        def union(self: nearest.Nearest, query: str) -> list[int]:
            return sorted({*words(self, query), *self._sharing_pieces(query)})

        nearest.Nearest._sharing_a_word = union  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["CHRONOS_CACHE_DIR"] = cache
        for size in (int(s) for s in args.sizes.split(",")):
            tallies = measure(size, args.typos)
            print(f"\n{size:,} persons: hints equal to a full scan's; its first hint among them; time")
            for group in ("words", "both", "pieces", "all"):
                if group in tallies:
                    print(tallies[group].line(group), flush=True)


if __name__ == "__main__":
    main()
