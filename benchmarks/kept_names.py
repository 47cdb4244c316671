"""Name lookups in a new process on a catalogue read from TOML, 10^5 to 10^6 persons, with the alternatives.

    python -m benchmarks.kept_names                       # --sizes 100000,1000000 --repeat 20
    python -m benchmarks.kept_names --sizes 100000 --alternatives no

What a user does: open a log whose ``catalogue.toml`` holds many persons (the
parsed catalogue is read from the user cache, `chronos._fast.cache`), then
ask by name. Each size runs in two fresh interpreters sharing one new cache
directory: the first finds it empty (*cold*), the second finds what the
first kept (*kept*). Each times, in this order, the first and then the next
(median of ``--repeat``) of: a hit by the whole name, a hit by part of a name
(two words of three), a miss with suggestions (a typo: one letter changed),
and a miss that shares no word with any name (``Nobody Knownhere``).

The alternatives, also in a new process each, over the same names: SQLite
(an indexed ``key`` column for whole names, FTS5 for words; built once, then
opened), and rapidfuzz's ``process.extract`` over every name (loaded from a
file of names, a line each). Neither folds scripts or spellings, and FTS5
has no near matches; they show what the obvious ways cost.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.names import catalogue as generated
from chronos import AmbiguousName, Catalogue, LookupFailed
from chronos.entities import entities_toml

ASKS = ("hit by name", "hit by part", "miss, typo", "miss, no word shared")


def _ms(ask: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(LookupFailed, AmbiguousName):
        ask()
    return (time.perf_counter() - start) * 1000


def questions(names: list[str], repeat: int) -> dict[str, list[str]]:
    """The queries of each kind: the first is the one timed as "first"."""
    picked = names[:: max(1, len(names) // (repeat + 1))][: repeat + 1]
    return {
        "hit by name": picked,
        "hit by part": [" ".join(n.split()[1:]) for n in picked],
        "miss, typo": [n[:-1] + ("q" if n[-1] != "q" else "x") for n in picked],
        "miss, no word shared": ["Nobody Knownhere", *(f"Nobody Knownhere{i}" for i in range(repeat))],
    }


def chronos_child(path: str, repeat: int) -> dict[str, float]:
    start = time.perf_counter()
    catalogue = Catalogue.from_toml(Path(path).read_text(encoding="utf-8"))
    found = {"open": (time.perf_counter() - start) * 1000}
    names = [e.name for e in catalogue.values()]
    for label, asked in questions(names, repeat).items():
        found[f"{label}, first"] = _ms(lambda q=asked[0]: catalogue.lookup(q))
        found[f"{label}, next"] = statistics.median(_ms(lambda q=q: catalogue.lookup(q)) for q in asked[1:])
    return found


def sqlite_child(path: str, repeat: int) -> dict[str, float]:
    start = time.perf_counter()
    db = sqlite3.connect(path)
    names = [row[0] for row in db.execute("SELECT name FROM names WHERE rowid % 1000 = 1")]
    found = {"open": (time.perf_counter() - start) * 1000}
    asked = questions(names, repeat)
    for label in ("hit by name", "hit by part"):
        if label == "hit by name":

            def ask(q: str) -> object:
                return db.execute("SELECT id FROM names WHERE key = ?", (q.casefold(),)).fetchall()
        else:

            def ask(q: str) -> object:
                match = " ".join(f'"{w}"' for w in q.split())
                return db.execute("SELECT rowid FROM words WHERE words MATCH ?", (match,)).fetchall()

        found[f"{label}, first"] = _ms(lambda q=asked[label][0]: ask(q))
        found[f"{label}, next"] = statistics.median(_ms(lambda q=q: ask(q)) for q in asked[label][1:])
    return found


def rapidfuzz_child(path: str, repeat: int) -> dict[str, float]:
    from rapidfuzz import fuzz, process

    start = time.perf_counter()
    names = Path(path).read_text(encoding="utf-8").split("\n")
    found = {"open": (time.perf_counter() - start) * 1000}
    for label, asked in questions(names[::1000], repeat).items():

        def ask(q: str) -> object:
            return process.extract(q, names, scorer=fuzz.ratio, limit=3)

        found[f"{label}, first"] = _ms(lambda q=asked[0]: ask(q))
        found[f"{label}, next"] = statistics.median(_ms(lambda q=q: ask(q)) for q in asked[1 : 1 + 3])
    return found


CHILDREN = {"chronos": chronos_child, "sqlite": sqlite_child, "rapidfuzz": rapidfuzz_child}


def child(kind: str, path: Path, repeat: int, cache: str) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.kept_names",
        "--child",
        kind,
        str(path),
        "--repeat",
        str(repeat),
    ]
    env = {**os.environ, "CHRONOS_CACHE_DIR": cache}
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out)
    return result


def files(size: int, folder: Path, alternatives: bool) -> dict[str, Path]:
    """The catalogue's TOML, and for the alternatives an SQLite database and a file of names."""
    catalogue, people = generated(size)
    made = {"chronos": folder / "catalogue.toml"}
    made["chronos"].write_text(entities_toml(list(catalogue.values())), encoding="utf-8")
    if alternatives:
        names = [n for p in people for n in (p.name, *p.aliases)]
        made["rapidfuzz"] = folder / "names.txt"
        made["rapidfuzz"].write_text("\n".join(names), encoding="utf-8")
        made["sqlite"] = folder / "names.db"
        db = sqlite3.connect(made["sqlite"])
        db.execute("CREATE TABLE names (id TEXT, name TEXT, key TEXT)")
        db.executemany(
            "INSERT INTO names VALUES (?, ?, ?)",
            ((p.id, n, n.casefold()) for p in people for n in (p.name, *p.aliases)),
        )
        db.execute("CREATE INDEX names_key ON names (key)")
        db.execute("CREATE VIRTUAL TABLE words USING fts5(name, content='names', content_rowid='rowid')")
        db.execute("INSERT INTO words(words) VALUES ('rebuild')")
        db.commit()
        db.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated numbers of persons")
    parser.add_argument("--repeat", type=int, default=20, help="questions of each kind after the first")
    parser.add_argument("--alternatives", default="yes", choices=("yes", "no"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # KIND PATH: measure, print JSON
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        print(json.dumps(CHILDREN[kind](path, args.repeat)))
        return
    print("milliseconds; each column run in a new process (cold: empty cache; kept: the cold run's cache)")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as cache:
            made = files(size, Path(folder), args.alternatives == "yes")
            runs = {
                "chronos cold": child("chronos", made["chronos"], args.repeat, cache),
                "chronos kept": child("chronos", made["chronos"], args.repeat, cache),
            }
            for kind in ("sqlite", "rapidfuzz"):
                if kind in made:
                    runs[kind] = child(kind, made[kind], args.repeat, cache)
        rows = ["open", *(f"{a}, {w}" for a in ASKS for w in ("first", "next"))]
        print(f"\n{size:,} persons")
        print(f"{'':28}" + "".join(f"{name:>15}" for name in runs))
        for row in rows:
            cells = "".join(
                f"{runs[name][row]:>15.2f}" if row in runs[name] else f"{'-':>15}" for name in runs
            )
            print(f"{row:28}{cells}", flush=True)


if __name__ == "__main__":
    main()
