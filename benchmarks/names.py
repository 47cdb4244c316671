"""Name lookups on a catalogue of 10^6 generated names: exact, Cyrillic, part names, initials, misses.

    python -m benchmarks.names                 # 10^6 persons
    python -m benchmarks.names --size 100000

Names are made of syllables (a generated world, no real person); one person
in ten also has a Cyrillic alias written letter by letter from the Latin name.
Building the lookup index happens once, on the first lookup by name: it is
timed apart. Each kind of question is then asked over random persons, one call
at a time, and reported as median and max in milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(2)
    start = time.perf_counter()
    names, people = catalogue(args.size)
    print(f"{args.size:,} persons made in {time.perf_counter() - start:.1f} s")
    first = timed(lambda: names.lookup(people[0].name))
    print(f"first lookup by name (builds the name index): {first / 1000:.1f} s")
    first = timed(lambda: names.lookup("Nobody Knownhere"))
    print(f"first miss (builds the part-name and near-match indexes): {first / 1000:.1f} s")
    sample = [rng.choice(people) for _ in range(args.repeat)]
    cyr = [p for p in people[:: max(1, len(people) // args.repeat // 10)] if p.aliases][: args.repeat]
    questions: dict[str, list[Callable[[], object]]] = {
        "exact name": [lambda p=p: names.lookup(p.name) for p in sample],
        "word order, case": [
            lambda p=p: names.lookup(" ".join(reversed(p.name.upper().split()))) for p in sample
        ],
        "Cyrillic alias": [lambda p=p: names.lookup(p.aliases[0]) for p in cyr],
        "two words of three": [lambda p=p: names.lookup(" ".join(p.name.split()[1:])) for p in sample],
        "with an initial": [
            lambda p=p: names.lookup(f"{p.name.split()[0]} {p.name.split()[1][0]}. {p.name.split()[2]}")
            for p in sample
        ],
        "typo (miss, suggests)": [lambda p=p: names.lookup(p.name[:-1] + "q") for p in sample],
    }
    print(f"{'question':<24} {'median ms':>10} {'max ms':>10}")
    for label, asks in questions.items():
        times = [timed(ask) for ask in asks]
        print(f"{label:<24} {statistics.median(times):>10.2f} {max(times):>10.2f}")


if __name__ == "__main__":
    main()
