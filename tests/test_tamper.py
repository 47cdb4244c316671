"""The tamper suite: every corruption of a copy of the dataset is caught, by name, and counted.

Each scenario damages a fresh copy of ``events/`` (or of a SQLite copy of it)
the way files get damaged: a byte flipped, a line removed, repeated, swapped or
cut short, ``HEAD`` edited, rolled back or removed, the catalogue or its
history edited by hand, a segment removed, renamed or copied, database rows
updated or deleted. Then:

- `verify` must fail with one line (a `ChronosError`), naming what is wrong;
  or, for the few damages that leave a shorter log that is valid in itself
  (the last records removed together with all trace of them), `verify`
  against a head saved before (a checkpoint) must fail;
- a stray file must be named in a warning while the answers stay the same;
- reads (`Chronology.open`) are checked too, and counted: reads check HEAD,
  positions and links, not hashes, so an edit inside a record that keeps it
  valid JSON is left to `verify`.

`test_the_readme_tells_the_figures` keeps the table in the README true.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Final

import attrs
import pytest

from chronos import Chronology, ChronosError, EventLog, IntegrityWarning
from chronos.stores import copy_store, open_store
from chronos.stores.records import Head
from chronos.stores.sqlite import GUARDS

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
SEGMENT = "log-000001.jsonl"
#: How many records the dataset holds.
N: Final = EventLog.open(EVENTS).position
#: Lines of the dataset damaged one by one in every way (a sample, the first and last included).
LINES: Final = (0, 1, *range(N // 8, N - 2, N // 8), N - 2, N - 1)


@attrs.frozen
class Scenario:
    """A damage, where it is done, and whether only a saved head can tell."""

    name: str
    kind: str  # "jsonl" or "sqlite"
    damage: Callable[[Path], None]
    checkpoint: bool = False  # a shorter log, valid in itself: caught against a saved head
    stray: bool = False  # harmless to the answers, named in a warning


def _lines(log: Path) -> list[bytes]:
    return (log / SEGMENT).read_bytes().splitlines(keepends=True)


def _write(log: Path, lines: list[bytes]) -> None:
    (log / SEGMENT).write_bytes(b"".join(lines))


def _flip(data: bytes, rng: random.Random) -> bytes:
    """One byte changed to another printable ASCII byte."""
    at = rng.randrange(len(data) - 1)  # not the newline
    new = data[at]
    while new == data[at]:
        new = rng.randrange(0x20, 0x7F)
    return data[:at] + bytes([new]) + data[at + 1 :]


def _line_damages() -> list[Scenario]:
    out: list[Scenario] = []
    for index in LINES:
        seed = 20220105 + index

        def flip(log: Path, i: int = index, seed: int = seed) -> None:
            lines = _lines(log)
            lines[i] = _flip(lines[i], random.Random(seed))
            _write(log, lines)

        def delete(log: Path, i: int = index) -> None:
            lines = _lines(log)
            del lines[i]
            _write(log, lines)

        def repeat(log: Path, i: int = index) -> None:
            lines = _lines(log)
            lines.insert(i, lines[i])
            _write(log, lines)

        def swap(log: Path, i: int = index) -> None:
            lines = _lines(log)
            j = i + 1 if i + 1 < len(lines) else i - 1
            lines[i], lines[j] = lines[j], lines[i]
            _write(log, lines)

        def cut(log: Path, i: int = index) -> None:
            lines = _lines(log)
            _write(log, [*lines[:i], lines[i][: len(lines[i]) // 2]])

        def edit_rehashed(log: Path, i: int = index) -> None:
            """An edit whose record hash is computed again: the next record no longer follows it."""
            from chronos.stores.records import record_hash

            lines = _lines(log)
            data = json.loads(lines[i])
            data["event"]["note"] = "edited"
            data["hash"] = record_hash(data["seq"], data["v"], data["id"], data["event"], data["prev"])
            lines[i] = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            _write(log, lines)

        out += [
            Scenario(f"line {index + 1}: a byte changed", "jsonl", flip),
            Scenario(f"line {index + 1}: removed", "jsonl", delete),
            Scenario(f"line {index + 1}: repeated", "jsonl", repeat),
            Scenario(f"line {index + 1}: swapped with its neighbour", "jsonl", swap),
            Scenario(f"line {index + 1}: file cut inside it", "jsonl", cut),
            Scenario(f"line {index + 1}: edited, its hash computed again", "jsonl", edit_rehashed),
        ]
    return out


def _head(log: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((log / "HEAD").read_text(encoding="utf-8"))
    return data


def _set_head(**changes: object) -> Callable[[Path], None]:
    def damage(log: Path) -> None:
        data = _head(log)
        data.update(changes)
        (log / "HEAD").write_text(json.dumps(data), encoding="utf-8")

    return damage


def _shift_head(key: str, by: int) -> Callable[[Path], None]:
    def damage(log: Path) -> None:
        data = _head(log)
        value = data[key]
        assert isinstance(value, int)
        data[key] = value + by
        (log / "HEAD").write_text(json.dumps(data), encoding="utf-8")

    return damage


def _head_damages() -> list[Scenario]:
    def flip_hash(log: Path) -> None:
        data = _head(log)
        value = str(data["hash"])
        data["hash"] = ("0" if value[0] != "0" else "1") + value[1:]
        (log / "HEAD").write_text(json.dumps(data), encoding="utf-8")

    def removed(log: Path) -> None:
        (log / "HEAD").unlink()

    def removed_with_last_line(log: Path) -> None:
        (log / "HEAD").unlink()
        _write(log, _lines(log)[:-1])

    def rolled_back(log: Path) -> None:
        lines = _lines(log)
        last = json.loads(lines[-2])
        size = len(b"".join(lines[:-1]))
        head = {"position": N - 1, "hash": last["hash"], "segment": SEGMENT, "size": size}
        (log / "HEAD").write_text(json.dumps(head), encoding="utf-8")

    def garbage(log: Path) -> None:
        (log / "HEAD").write_bytes(b"\x00garbage{")

    def twice(log: Path) -> None:
        text = (log / "HEAD").read_text(encoding="utf-8")
        (log / "HEAD").write_text(
            text.replace('"position"', '"position": 1, "position"', 1), encoding="utf-8"
        )

    return [
        Scenario("HEAD: position one less", "jsonl", _shift_head("position", -1)),
        Scenario("HEAD: position one more", "jsonl", _shift_head("position", 1)),
        Scenario("HEAD: size one less", "jsonl", _shift_head("size", -1)),
        Scenario("HEAD: size one more", "jsonl", _shift_head("size", 1)),
        Scenario("HEAD: hash changed", "jsonl", flip_hash),
        Scenario("HEAD: segment an absolute path", "jsonl", _set_head(segment="/etc/passwd")),
        Scenario("HEAD: segment outside the folder", "jsonl", _set_head(segment="../log-000001.jsonl")),
        Scenario("HEAD: segment another file of the folder", "jsonl", _set_head(segment="catalogue.toml")),
        Scenario("HEAD: a later segment that does not exist", "jsonl", _set_head(segment="log-000002.jsonl")),
        Scenario("HEAD: removed", "jsonl", removed),
        Scenario("HEAD: removed with the last line", "jsonl", removed_with_last_line),
        Scenario("HEAD: rolled back whole to the record before", "jsonl", rolled_back),
        Scenario("HEAD: garbage", "jsonl", garbage),
        Scenario("HEAD: a key twice", "jsonl", twice),
        Scenario("HEAD: negative size", "jsonl", _set_head(size=-5)),
    ]


def _segment_damages() -> list[Scenario]:
    def copy(log: Path) -> None:
        shutil.copy(log / SEGMENT, log / "log-000001 copy.jsonl")

    def backup_name(log: Path) -> None:
        shutil.copy(log / SEGMENT, log / "log-1.jsonl")

    def renamed(log: Path) -> None:
        (log / SEGMENT).rename(log / "log-000002.jsonl")

    def removed(log: Path) -> None:
        (log / SEGMENT).unlink()

    def later(log: Path) -> None:
        (log / "log-000002.jsonl").write_bytes(_lines(log)[0])

    def gap(log: Path) -> None:
        (log / "log-000003.jsonl").write_bytes(_lines(log)[0])

    def garbage_after(log: Path) -> None:
        with (log / SEGMENT).open("ab") as out:
            out.write(b"not a record at all\n")

    def torn_after(log: Path) -> None:
        with (log / SEGMENT).open("ab") as out:
            out.write(_lines(log)[5][:40])

    return [
        Scenario("segment: a copy under another name", "jsonl", copy, stray=True),
        Scenario("segment: a copy named log-1.jsonl", "jsonl", backup_name, stray=True),
        Scenario("segment: renamed to log-000002.jsonl", "jsonl", renamed),
        Scenario("segment: removed", "jsonl", removed),
        Scenario("segment: a later one HEAD does not name", "jsonl", later),
        Scenario("segment: one after a gap", "jsonl", gap),
        Scenario("segment: garbage after the head", "jsonl", garbage_after),
        Scenario("segment: a torn record after the head", "jsonl", torn_after),
    ]


def _catalogue_text(log: Path) -> str:
    return (log / "catalogue.toml").read_text(encoding="utf-8")


def _without(entity_id: str) -> Callable[[Path], None]:
    def damage(log: Path) -> None:
        text = _catalogue_text(log)
        start = text.index(f'id = "{entity_id}"')
        start = text.rindex("[[", 0, start)
        end = text.find("[[", start + 2)
        (log / "catalogue.toml").write_text(text[:start] + (text[end:] if end >= 0 else ""), encoding="utf-8")

    return damage


def _catalogue_damages() -> list[Scenario]:
    def renamed(log: Path) -> None:
        text = _catalogue_text(log).replace('name = "Karim Massimov"', 'name = "Karim Masimov"', 1)
        (log / "catalogue.toml").write_text(text, encoding="utf-8")

    def added(log: Path) -> None:
        text = _catalogue_text(log) + '\n[[person]]\nid = "someone-new"\nname = "Someone New"\n'
        (log / "catalogue.toml").write_text(text, encoding="utf-8")

    def twin(log: Path) -> None:
        text = _catalogue_text(log) + '\n[[person]]\nid = "karim-massimov\\n"\nname = "Twin"\n'
        (log / "catalogue.toml").write_text(text, encoding="utf-8")

    def seats(log: Path) -> None:
        text = _catalogue_text(log).replace("seats = 1", "seats = 2", 1)
        (log / "catalogue.toml").write_text(text, encoding="utf-8")

    def history_removed(log: Path) -> None:
        (log / "catalogue-history.jsonl").unlink()

    def history_flipped(log: Path) -> None:
        data = (log / "catalogue-history.jsonl").read_bytes()
        (log / "catalogue-history.jsonl").write_bytes(_flip(data, random.Random(7)))

    def history_torn(log: Path) -> None:
        data = (log / "catalogue-history.jsonl").read_bytes()
        (log / "catalogue-history.jsonl").write_bytes(data[:-100])

    def catalogue_removed(log: Path) -> None:
        (log / "catalogue.toml").unlink()

    def catalogue_emptied(log: Path) -> None:
        (log / "catalogue.toml").write_text("", encoding="utf-8")

    named = ["karim-massimov", "nsc", "nsc/chairman", "samat-abish", "ermek-sagimbayev"]
    return [
        *(Scenario(f"catalogue: {entity} removed", "jsonl", _without(entity)) for entity in named),
        Scenario("catalogue: a name edited", "jsonl", renamed),
        Scenario("catalogue: a person added by hand", "jsonl", added),
        Scenario("catalogue: a look-alike id with a newline", "jsonl", twin),
        Scenario("catalogue: a post's seats changed", "jsonl", seats),
        Scenario("catalogue: removed", "jsonl", catalogue_removed),
        Scenario("catalogue: emptied", "jsonl", catalogue_emptied),
        Scenario("catalogue history: removed", "jsonl", history_removed),
        Scenario("catalogue history: a byte changed", "jsonl", history_flipped),
        Scenario("catalogue history: cut short", "jsonl", history_torn),
    ]


def _sql(*statements: str) -> Callable[[Path], None]:
    """Statements run as whoever can write the file would: the triggers dropped first, then put back.

    They are put back exactly as chronos made them, so that nothing but the damage itself is left to find.
    """

    def damage(log: Path) -> None:
        with sqlite3.connect(log / "s.db") as db:
            for name in GUARDS:
                db.execute(f"DROP TRIGGER IF EXISTS {name}")
            for statement in statements:
                db.execute(statement)
            for sql in GUARDS.values():
                db.execute(sql)
        db.close()

    return damage


def _sqlite_damages() -> list[Scenario]:
    edited = (
        "INSERT INTO chronos_catalogue (version, text, written) SELECT version + 1, "
        "replace(text, 'name = \"Karim Massimov\"', 'name = \"K. M.\"'), 'now' "
        "FROM chronos_catalogue ORDER BY version DESC LIMIT 1"
    )
    emptied = (
        "INSERT INTO chronos_catalogue (version, text, written) SELECT version + 1, '', 'now' "
        "FROM chronos_catalogue ORDER BY version DESC LIMIT 1"
    )
    out = [
        Scenario(
            f"SQLite: record {n} edited",
            "sqlite",
            _sql(f"UPDATE chronos_records SET event = replace(event, '\"20', '\"19') WHERE seq = {n}"),
        )
        for n in (1, N // 2, N)
    ]
    out += [
        Scenario(
            f"SQLite: record {n} deleted", "sqlite", _sql(f"DELETE FROM chronos_records WHERE seq = {n}")
        )
        for n in (1, N // 2)
    ]
    out += [
        Scenario("SQLite: the last record deleted", "sqlite",
                 _sql(f"DELETE FROM chronos_records WHERE seq = {N}"), checkpoint=True),
        Scenario("SQLite: the last ten records deleted", "sqlite",
                 _sql(f"DELETE FROM chronos_records WHERE seq > {N - 10}"), checkpoint=True),
        Scenario("SQLite: a hash edited", "sqlite",
                 _sql("UPDATE chronos_records SET hash = 'x' || substr(hash, 2) WHERE seq = 30")),
        Scenario("SQLite: two positions swapped", "sqlite", _sql(
            "UPDATE chronos_records SET seq = 1000 WHERE seq = 10",
            "UPDATE chronos_records SET seq = 10 WHERE seq = 11",
            "UPDATE chronos_records SET seq = 11 WHERE seq = 1000",
        )),
        Scenario("SQLite: an event id edited", "sqlite",
                 _sql("UPDATE chronos_records SET id = 'abc' WHERE seq = 5")),
        Scenario("SQLite: a new catalogue version, edited", "sqlite", _sql(edited)),
        Scenario("SQLite: a new catalogue version, empty", "sqlite", _sql(emptied)),
        Scenario("SQLite: the catalogue history's rows deleted", "sqlite",
                 _sql("DELETE FROM chronos_catalogue_history")),
        Scenario("SQLite: the catalogue history edited", "sqlite",
                 _sql("UPDATE chronos_catalogue_history SET entry = replace(entry, 'Karim', 'Kerim')")),
        Scenario("SQLite: the catalogue history deleted, a new version edited", "sqlite",
                 _sql("DELETE FROM chronos_catalogue_history", edited)),
        Scenario("SQLite: a trigger left dropped", "sqlite", _drop_trigger),
    ]  # fmt: skip
    return out


def _drop_trigger(log: Path) -> None:
    with sqlite3.connect(log / "s.db") as db:
        db.execute("DROP TRIGGER chronos_records_no_update")
    db.close()


SCENARIOS: Final = [
    *_line_damages(),
    *_head_damages(),
    *_segment_damages(),
    *_catalogue_damages(),
    *_sqlite_damages(),
]


@attrs.frozen
class Outcome:
    """What noticed a damage."""

    verify: str | None  # the one-line error verify gave, if it failed
    checkpoint: str | None  # the error verify gave against the head saved before
    reads: str | None  # what reads raised or warned, if anything
    warned: bool


def _location(scenario: Scenario, tmp_path: Path) -> str:
    copy = tmp_path / "s"
    shutil.copytree(EVENTS, copy)
    if scenario.kind == "jsonl":
        return str(copy)
    location = f"sqlite:///{tmp_path / 's' / 's.db'}"
    source, target = open_store(str(copy)), open_store(location)
    copy_store(source, target)
    target.close()
    return location


def _outcome(location: str, saved: Head) -> Outcome:
    verify = checkpoint = reads = None
    warned = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IntegrityWarning)
        try:
            log = EventLog.open(location, create=False)
            try:
                log.verify()
            finally:
                log.store.close()
        except ChronosError as exc:
            verify = str(exc)
        try:
            log = EventLog.open(location, create=False)
            try:
                log.verify(expected=saved)
            finally:
                log.store.close()
        except ChronosError as exc:
            checkpoint = str(exc)
        caught.clear()
        try:
            Chronology.open(location)
        except ChronosError as exc:
            reads = str(exc)
        warned = any(issubclass(w.category, IntegrityWarning) for w in caught)
        if warned and reads is None:
            reads = str(next(w.message for w in caught if issubclass(w.category, IntegrityWarning)))
    return Outcome(verify, checkpoint, reads, warned)


#: Outcomes seen by `test_damage_is_caught`, so that the figures need not run every scenario again.
_SEEN: dict[str, Outcome] = {}


def _run(scenario: Scenario, tmp_path: Path) -> Outcome:
    location = _location(scenario, tmp_path)
    saved = EventLog.open(location).head()
    scenario.damage(tmp_path / "s")
    outcome = _SEEN[scenario.name] = _outcome(location, saved)
    return outcome


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_damage_is_caught(scenario: Scenario, tmp_path: Path) -> None:
    outcome = _run(scenario, tmp_path)
    if scenario.stray:
        assert outcome.verify is None
        assert outcome.warned
        assert outcome.reads is not None
        assert "not a segment of this log" in outcome.reads
        with pytest.warns(IntegrityWarning):
            assert Chronology.open(str(tmp_path / "s")).events == Chronology.open(EVENTS).events
        return
    if scenario.checkpoint:
        assert outcome.checkpoint is not None
        assert "checkpoint" in outcome.checkpoint
        return
    assert outcome.verify is not None
    assert "\n" not in outcome.verify
    assert len(outcome.verify) < 1000


def test_the_readme_tells_the_figures(tmp_path: Path) -> None:
    """The README's table is what this suite finds (run it again after adding a scenario)."""
    tried = verify = checkpoint = reads = warned = 0
    for number, scenario in enumerate(SCENARIOS):
        outcome = _SEEN.get(scenario.name) or _run(scenario, tmp_path / str(number))
        tried += 1
        verify += outcome.verify is not None
        checkpoint += outcome.checkpoint is not None
        reads += outcome.reads is not None
        warned += scenario.stray and outcome.warned
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(r"\| corruptions of a copy of `events/` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", readme)
    assert row is not None, "the README's tamper table is missing"
    assert tuple(int(g) for g in row.groups()) == (tried, verify, checkpoint, reads), (
        tried,
        verify,
        checkpoint,
        reads,
        warned,
    )
