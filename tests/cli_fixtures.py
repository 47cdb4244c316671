"""Logs on disk for the command-line, render and timeline tests (plain helpers, no conftest).

`write_small_log` builds a small, fully known story: an agency with a unit,
posts of one and two seats, five people, a disputed dismissal, a move, an
arrest, a death, a retracted appointment and a renamed city. `write_large_log`
builds a generated log of a few thousand events for the progress and
performance paths.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from chronos import Catalogue, Chronology, Codec, Event, EventLog

CATALOGUE = """\
[[organisation]]
id = "agency"
name = "State Agency"
aliases = ["SA", "Agentstvo"]

[[organisation]]
id = "agency/border"
name = "Border Service"
parent = "agency"
aliases = ["Frontier Guard"]

[[post]]
id = "agency/chair"
name = "Chair of the State Agency"
org = "agency"
seats = 1

[[post]]
id = "agency/deputy"
name = "Deputy Chair of the State Agency"
org = "agency"
seats = 2

[[post]]
id = "agency/border/head"
name = "Head of the Border Service"
org = "agency/border"
seats = 1

[[person]]
id = "karim-massimov"
name = "Karim Massimov"
aliases = ["Karim Masimov", "Massimov Karim"]

[[person]]
id = "samat-abish"
name = "Samat Abish"

[[person]]
id = "ermek-sagimbayev"
name = "Ermek Sagimbayev"

[[person]]
id = "anuar-sadykulov"
name = "Anuar Sadykulov"

[[person]]
id = "murat-nurtleu"
name = "Murat Nurtleu"

[[person]]
id = "erlan-bekov"
name = "Erlan Bekov"

[[place]]
id = "nur-sultan"
name = "Nur-Sultan"
aliases = ["Astana"]
"""


def _src(number: int, quote: str) -> list[dict[str, str]]:
    return [{"source": f"fixture-{number:03d}.txt", "quote": quote}]


#: The story, in the codec's dict form, in the order it is appended.
EVENTS: list[dict[str, Any]] = [
    {
        "type": "Appointed",
        "person": "karim-massimov",
        "post": "agency/chair",
        "occurred": "2016",
        "known": "2016-09-09",
        "sources": _src(1, "Massimov has chaired the agency since 2016"),
    },
    {
        "type": "Appointed",
        "person": "samat-abish",
        "post": "agency/deputy",
        "occurred": "2015-06",
        "known": "2015-06-30",
        "sources": _src(1, "Abish became deputy chair in June 2015"),
    },
    {
        "type": "Appointed",
        "person": "anuar-sadykulov",
        "post": "agency/deputy",
        "occurred": "2019-03-01",
        "known": "2019-03-01",
        "sources": _src(2, "Sadykulov was appointed deputy chair on 1 March 2019"),
    },
    {
        "type": "Appointed",
        "person": "erlan-bekov",
        "post": "agency/border/head",
        "occurred": "2018-04-02",
        "known": "2018-04-02",
        "sources": _src(2, "Bekov heads the border service from 2 April 2018"),
    },
    {
        "type": "Died",
        "person": "erlan-bekov",
        "occurred": "2021-11-30",
        "known": "2021-12-01",
        "sources": _src(2, "Bekov died on 30 November 2021"),
    },
    {
        "type": "Dismissed",
        "person": "karim-massimov",
        "post": "agency/chair",
        "occurred": "2022-01-05",
        "known": "2022-01-05",
        "sources": _src(3, "Massimov was dismissed on 5 January"),
    },
    {
        "type": "Dismissed",
        "person": "karim-massimov",
        "post": "agency/chair",
        "occurred": "2022-01-06",
        "known": "2022-01-07",
        "sources": _src(4, "the decree of 6 January dismissed Massimov"),
    },
    {
        "type": "Arrested",
        "person": "karim-massimov",
        "occurred": "2022-01-06",
        "known": "2022-01-08",
        "sources": _src(3, "Massimov was detained on 6 January"),
    },
    {
        "type": "Appointed",
        "person": "ermek-sagimbayev",
        "post": "agency/chair",
        "occurred": "2022-01-06",
        "known": "2022-01-06",
        "sources": _src(3, "Sagimbayev was appointed chair on 6 January"),
    },
    {
        "type": "Moved",
        "person": "anuar-sadykulov",
        "from_post": "agency/deputy",
        "to_post": "agency/border/head",
        "occurred": "2022-01-10",
        "known": "2022-01-10",
        "sources": _src(4, "Sadykulov moved to head the border service"),
    },
    {
        "type": "Appointed",
        "person": "murat-nurtleu",
        "post": "agency/deputy",
        "occurred": "2022-01-12",
        "known": "2022-01-12",
        "sources": _src(4, "Nurtleu was named deputy chair"),
    },
    {
        "type": "Dismissed",
        "person": "samat-abish",
        "post": "agency/deputy",
        "occurred": "2022-01-17",
        "known": "2022-01-17",
        "sources": _src(4, "Abish was relieved of his post on 17 January"),
    },
    {
        "type": "Renamed",
        "entity": "nur-sultan",
        "name": "Nur-Sultan",
        "former": "Astana",
        "occurred": "2019-03-23",
        "known": "2019-03-23",
        "sources": _src(5, "the capital was renamed Nur-Sultan"),
    },
]

#: The appointment the story later retracts (see `write_small_log`).
RETRACTED_INDEX = 10


def write_catalogue(directory: Path, text: str = CATALOGUE) -> Path:
    """Write a catalogue.toml into ``directory`` (created) and return the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "catalogue.toml").write_text(text, encoding="utf-8")
    return directory


def small_events(codec: Codec | None = None) -> list[Event]:
    """Decode the story above, with Nurtleu's appointment retracted at the end."""
    codec = codec or Codec()
    events = [codec.from_dict(data) for data in EVENTS]
    retraction = {
        "type": "Retracted",
        "target": events[RETRACTED_INDEX].id,
        "reason": "confused with another Nurtleu",
        "occurred": "2022-01-20",
        "known": "2022-01-20",
        "sources": _src(5, "the report about Nurtleu was wrong"),
    }
    return [*events, codec.from_dict(retraction)]


def small_chronology() -> Chronology:
    """Build the story above in memory, without a log on disk."""
    return Chronology(small_events(), Catalogue.from_dict(tomllib.loads(CATALOGUE)))


def write_small_log(directory: Path) -> Path:
    """Write the story above as a log in ``directory``."""
    write_catalogue(directory)
    log = EventLog.open(directory)
    log.append(small_events(log.codec), expected_position=0)
    return directory


def large_catalogue(posts: int, people: int) -> str:
    """Make a catalogue with one organisation, ``posts`` one-seat posts and ``people`` persons."""
    parts = ['[[organisation]]\nid = "big"\nname = "Big Ministry"\n']
    parts += [f'[[post]]\nid = "big/post-{i}"\nname = "Post {i}"\norg = "big"\n' for i in range(posts)]
    parts += [f'[[person]]\nid = "person-{i}"\nname = "Person {i}"\n' for i in range(people)]
    return "\n".join(parts)


def large_events(posts: int = 50, terms: int = 20, start_year: int = 1990) -> list[dict[str, Any]]:
    """Successive one-year tenures of every post: ``posts * terms * 2`` event dicts."""
    out: list[dict[str, Any]] = []
    for post in range(posts):
        for term in range(terms):
            person = f"person-{(post * terms + term) % 200}"
            year = start_year + term
            for kind, month in (("Appointed", "01"), ("Dismissed", "12")):
                out.append(
                    {
                        "type": kind,
                        "person": person,
                        "post": f"big/post-{post}",
                        "occurred": f"{year}-{month}-15",
                        "known": f"{year}-{month}-20",
                        "sources": _src(post, f"{kind.lower()} in {year}"),
                    }
                )
    return out


def write_large_log(directory: Path, *, posts: int = 50, terms: int = 20) -> Path:
    """Write a generated log of ``posts * terms * 2`` events (2,000 by default) in ``directory``."""
    write_catalogue(directory, large_catalogue(posts, 200))
    log = EventLog.open(directory)
    log.append([log.codec.from_dict(d) for d in large_events(posts, terms)], expected_position=0)
    return directory


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    """Write rows (dicts, or raw strings written as they are) as JSON Lines."""
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file's bytes in a log directory (to prove a failed append wrote nothing)."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and p.name != ".lock"}
