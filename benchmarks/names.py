"""Name lookups on catalogues of 10^4 to 10^6 generated names: exact, Cyrillic, part names, initials, misses.

    python -m benchmarks.names                          # 10^4, 10^5 and 10^6 persons
    python -m benchmarks.names --sizes 100000 --repeat 20

Names are made of syllables (a generated world, no real person); one person
in ten also has a Cyrillic alias written letter by letter from the Latin name.
Each size is measured in two fresh interpreters sharing one new cache
directory: the first finds the cache empty ("cold"), the second finds the
indexes the first one kept there ("kept"). In each, the first lookup by name
(which folds every name) and the first miss (which indexes the words of the
names and of the near-match candidates) are timed apart; then each kind of
question is asked over random persons, one call at a time, and reported as
the median in milliseconds (the "warm" columns, from the cold run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from chronos import Catalogue, LookupFailed, Person

SYLLABLES = (
    "ka",
    "ri",
    "ma",
    "sim",
    "nur",
    "sul",
    "tan",
    "a",
    "bek",
    "ar",
    "man",
    "zhan",
    "er",
    "gul",
    "dos",
)
CYRILLIC = dict(zip("abdegiklmnorstuz", "абдегиклмнорстуз", strict=True)) | {"zh": "ж", "h": "х"}
QUESTIONS = (
    "exact name",
    "word order, case",
    "Cyrillic alias",
    "two words of three",
    "with an initial",
    "typo (miss, suggests)",
)


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def cyrillic(latin: str) -> str:
    text = latin.lower().replace("zh", "ж")
    return "".join(CYRILLIC.get(c, c) for c in text)


def catalogue(size: int, seed: int = 1) -> tuple[Catalogue, list[Person]]:
    rng = random.Random(seed)
    people = []
    for n in range(size):
        name = f"{word(rng)} {word(rng)} {word(rng)}"
        aliases = [cyrillic(name)] if n % 10 == 0 else []
        people.append(Person(id=f"p{n}", name=name, aliases=aliases))
    return Catalogue(people), people


def timed(ask: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(LookupFailed):
        ask()
    return (time.perf_counter() - start) * 1000


def measure(size: int, repeat: int) -> dict[str, float]:
    """Milliseconds: the first lookup, the first miss, and the median of each kind of question."""
    rng = random.Random(2)
    names, people = catalogue(size)
    found = {
        "first lookup": timed(lambda: names.lookup(people[0].name)),
        "first miss": timed(lambda: names.lookup("Nobody Knownhere")),
    }
    sample = [rng.choice(people) for _ in range(repeat)]
    cyr = [p for p in people[:: max(1, len(people) // repeat // 10)] if p.aliases][:repeat]
    asks: list[list[Callable[[], object]]] = [
        [lambda p=p: names.lookup(p.name) for p in sample],
        [lambda p=p: names.lookup(" ".join(reversed(p.name.upper().split()))) for p in sample],
        [lambda p=p: names.lookup(p.aliases[0]) for p in cyr],
        [lambda p=p: names.lookup(" ".join(p.name.split()[1:])) for p in sample],
        [
            lambda p=p: names.lookup(f"{p.name.split()[0]} {p.name.split()[1][0]}. {p.name.split()[2]}")
            for p in sample
        ],
        [lambda p=p: names.lookup(p.name[:-1] + "q") for p in sample],
    ]
    for label, questions in zip(QUESTIONS, asks, strict=True):
        found[label] = statistics.median(timed(ask) for ask in questions)
    return found


def in_a_fresh_process(size: int, repeat: int, cache: str) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.names", "--one", str(size), "--repeat", str(repeat)]
    out = subprocess.run(
        command, env={**os.environ, "CHRONOS_CACHE_DIR": cache}, check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated numbers of persons")
    parser.add_argument("--repeat", type=int, default=50, help="questions of each kind")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: measure, print JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.repeat)))
        return
    header = f"{'persons':>9} | {'first lookup':>15} | {'first miss':>15} | " + " | ".join(
        f"{q:>10.10}" for q in QUESTIONS
    )
    print("first lookup and first miss: s, cold cache / indexes kept; each question: median ms (warm)")
    print(header)
    print("-" * len(header))
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as cache:
            cold = in_a_fresh_process(size, args.repeat, cache)
            kept = in_a_fresh_process(size, args.repeat, cache)
        first = f"{cold['first lookup'] / 1000:6.2f} / {kept['first lookup'] / 1000:5.2f}"
        miss = f"{cold['first miss'] / 1000:6.2f} / {kept['first miss'] / 1000:5.2f}"
        warm = " | ".join(f"{cold[q]:>10.2f}" for q in QUESTIONS)
        print(f"{size:>9,} | {first:>15} | {miss:>15} | {warm}", flush=True)


if __name__ == "__main__":
    main()
