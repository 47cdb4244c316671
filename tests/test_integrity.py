"""Issue #13's reproductions, each a test, on a copy of the dataset in ``events/`` (called ``s``).

Each test does what the issue did and asserts what must happen now: the damage
is refused with one line naming it, or noticed by reads and `verify`, or leaves
the log as it was. Reproduction 1 (the API writing records the log cannot read)
and 10 (strict booleans, duplicate keys) live in tests/test_boundary.py beside
the property test over every event type; 16's name-lookup speed is the popolo
branch's (issue #14).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from chronos import (
    Appointed,
    Catalogue,
    Chronology,
    ChronosError,
    DateError,
    EventLog,
    IntegrityError,
    IntegrityWarning,
    Person,
    Source,
    StoreError,
    cli,
    parse_date,
)
from chronos.stores import JsonlStore, SqliteStore, open_store
from chronos.stores.postgres import PostgresStore
from chronos.stores.sqlite import GUARDS

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
#: How many records the dataset holds.
N = EventLog.open(EVENTS).position
SRC = [Source(source="004_a82dc472c30e5f7b.txt", quote="q")]


def NEW() -> Appointed:  # noqa: N802 -- reads as the constant it stands for
    """A new event the dataset does not hold."""
    return Appointed(person="karim-massimov", post="nsc/chairman", occurred="2023", known="2023", sources=SRC)


@pytest.fixture
def s(tmp_path: Path) -> Path:
    """A copy of events/, the dataset, to damage."""
    copy = tmp_path / "s"
    shutil.copytree(EVENTS, copy)
    return copy


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    """The one error line the command printed (warnings before it aside)."""
    lines = [line for line in err.splitlines() if line.startswith("chronos: error: ")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


class TestReproduction2ConcurrentImports:
    """Concurrent imports keep every entity: the catalogue is changed under the log's lock, chained."""

    def test_concurrent_imports(self, tmp_path: Path) -> None:
        log = tmp_path / "log"
        files = []
        for n in range(6):
            path = tmp_path / f"batch{n}" / "people.csv"
            path.parent.mkdir()
            rows = [f"Person {n} {k},Member,Club {n % 2},{2000 + k},{2001 + k}" for k in range(8)]
            path.write_text("person,post,org,start,end\n" + "\n".join(rows) + "\n", encoding="utf-8")
            files.append(path)
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "chronos",
                    "--log",
                    str(log),
                    "import",
                    "csv",
                    str(f),
                    "--known-at",
                    "2020",
                ],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for f in files
        ]
        for child in children:
            _out, err = child.communicate(timeout=300)
            assert child.returncode == 0, err
        opened = EventLog.open(log)
        verified = opened.verify()
        persons = [e for e in opened.catalogue.values() if e.kind == "person"]
        assert len(persons) == 6 * 8
        assert verified.count == 6 * 8 * 2
        assert verified.history >= 6
        assert not list(log.glob("*.tmp"))
        assert not list(log.glob(".*.tmp"))


class TestReproduction3StrayCopy:
    """A copy of a segment under another name is never read, and is named in a warning."""

    def test_a_copy_does_not_take_over(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        shutil.copy(s / "log-000001.jsonl", s / "log-000001 copy.jsonl")
        log = EventLog.open(s)
        event = NEW()
        with pytest.warns(IntegrityWarning, match=r"log-000001 copy.jsonl: not a segment of this log"):
            log.append([event], expected_position=N)
        with pytest.warns(IntegrityWarning, match="not a segment"):
            again = Chronology.open(s)
        assert again.events[-1] == event
        code, out, err = run(capsys, "--log", str(s), "events", "--kind", "Appointed", "--format", "json")
        assert code == 0
        assert event.id in out
        assert "chronos: warning: " in err
        assert "log-000001 copy.jsonl" in err


class TestReproduction4HeadSegment:
    """HEAD's segment is a name of this log's own pattern inside its folder, or HEAD is refused."""

    @pytest.mark.parametrize("segment", ["/abs/file", "../outside.jsonl", "log-1.jsonl", "catalogue.toml"])
    def test_head_naming_another_file(
        self, s: Path, tmp_path: Path, segment: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        outside = tmp_path / "outside.jsonl"
        outside.write_text("precious\n" * 100, encoding="utf-8")
        head = json.loads((s / "HEAD").read_text(encoding="utf-8"))
        head["segment"] = str(outside) if segment == "/abs/file" else segment
        (s / "HEAD").write_text(json.dumps(head), encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "roster", "nsc", "--at", "2022-01-05")
        assert code == 1
        assert "is not a segment file of this log" in one_line(err)
        code, out, err = run(capsys, "--log", str(s), "repair")
        assert code == 0, err
        assert "wrote HEAD from the records" in out
        assert outside.read_text(encoding="utf-8") == "precious\n" * 100
        assert run(capsys, "--log", str(s), "verify")[0] == 0


class TestReproduction5ControlCharacters:
    """A control character in an imported name is refused in one line; the catalogue stays valid TOML."""

    def test_del_in_a_csv_name(self, s: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "d" / "people.csv"
        path.parent.mkdir()
        path.write_text("person,post,org,start,end\nA\x7fB Name,Chair,Club,2001,2003\n", encoding="utf-8")
        before = (s / "catalogue.toml").read_bytes()
        code, _, err = run(capsys, "--log", str(s), "import", "csv", str(path), "--known-at", "2020")
        assert code == 1
        assert (
            "people.csv: person 'A\\x7fB Name': name 'A\\x7fB Name' holds the control character U+007F"
            in (one_line(err))
        )
        assert (s / "catalogue.toml").read_bytes() == before
        assert run(capsys, "--log", str(s), "verify")[0] == 0

    def test_toml_writer_escapes_del(self) -> None:
        from chronos.entities._toml import toml_value as _toml_value

        assert _toml_value("a\x7fb") == '"a\\u007Fb"'


class TestReproduction6RolledBackHead:
    """A HEAD whose position was rolled back is noticed: no second record at a position, no fork."""

    def test_position_rolled_back(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        head = json.loads((s / "HEAD").read_text(encoding="utf-8"))
        head["position"] -= 1
        (s / "HEAD").write_text(json.dumps(head), encoding="utf-8")
        before = (s / "log-000001.jsonl").read_bytes()
        new = Appointed(
            person="karim-massimov", post="nsc/chairman", occurred="2023", known="2023", sources=SRC
        )
        log = EventLog.open(s)
        with pytest.raises(IntegrityError, match="HEAD edited or rolled back"):
            log.append([new], expected_position=N - 1)
        assert (s / "log-000001.jsonl").read_bytes() == before
        code, _, err = run(capsys, "--log", str(s), "roster", "nsc", "--at", "2022-01-05")
        assert code == 1
        assert f"says position {N - 1}" in one_line(err)
        # HEAD is a hint: repair writes it again from the records, which are all there.
        code, out, _ = run(capsys, "--log", str(s), "repair")
        assert code == 0
        assert f"wrote HEAD from the records (position {N})" in out
        assert run(capsys, "--log", str(s), "verify")[0] == 0

    def test_whole_head_rolled_back(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A HEAD rolled back whole (size and hash too) leaves the last record after it: adopted."""
        segment = s / "log-000001.jsonl"
        lines = lines_of(segment)
        last = json.loads(lines[-1])
        head = {
            "position": N - 1,
            "hash": last["prev"],
            "segment": segment.name,
            "size": len("".join(lines[:-1]).encode()),
        }
        (s / "HEAD").write_text(json.dumps(head), encoding="utf-8")
        # The last record was written by a chronos without batch marks: a mark is what says "whole batch".
        segment.write_text("".join(lines[:-1]) + lines[-1][:-2] + ',"end":true}\n', encoding="utf-8")
        with pytest.warns(IntegrityWarning, match="interrupted append"):
            assert len(Chronology.open(s).events) == N - 1
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        assert f"after position {N - 1}" in one_line(err)
        code, out, _ = run(capsys, "--log", str(s), "repair")
        assert code == 0
        assert out.startswith("adopted 1 complete record")
        assert run(capsys, "--log", str(s), "verify")[0] == 0
        assert len(Chronology.open(s).events) == N


class TestReproduction7MergedLines:
    """After a git merge of two branches' lines, repair refuses and says why; nothing is cut."""

    def test_merge(self, s: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        ours, theirs = tmp_path / "ours", tmp_path / "theirs"
        shutil.copytree(s, ours)
        shutil.copytree(s, theirs)
        for where, year in ((ours, "2023"), (theirs, "2024")):
            log = EventLog.open(where)
            event = Appointed(
                person="karim-massimov", post="nsc/chairman", occurred=year, known=year, sources=SRC
            )
            log.append([event], expected_position=N)
        # What git makes of it: both new lines kept, ours first; HEAD from one side.
        merged = [
            *lines_of(s / "log-000001.jsonl"),
            lines_of(ours / "log-000001.jsonl")[-1],
            lines_of(theirs / "log-000001.jsonl")[-1],
        ]
        (s / "log-000001.jsonl").write_text("".join(merged), encoding="utf-8")
        shutil.copy(theirs / "HEAD", s / "HEAD")
        before = (s / "log-000001.jsonl").read_bytes()
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        code, _, err = run(capsys, "--log", str(s), "repair")
        assert code == 1
        line = one_line(err)
        assert f"log-000001.jsonl:{N + 1}" in line
        assert "nothing changed" in line
        assert (s / "log-000001.jsonl").read_bytes() == before

    def test_edited_record_before_a_torn_tail(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        segment = s / "log-000001.jsonl"
        lines = lines_of(segment)
        lines[40] = lines[40].replace('"2022-01-', '"2021-01-', 1)
        segment.write_text("".join(lines) + f'{{"seq":{N + 1},"torn', encoding="utf-8")
        before = segment.read_bytes()
        code, _, err = run(capsys, "--log", str(s), "repair")
        assert code == 1
        assert "nothing changed" in one_line(err)
        assert segment.read_bytes() == before


class TestReproduction8Deletions:
    """Deleted segments and rows: reads and verify notice what they can; the rest needs a saved head."""

    def test_a_whole_segment_removed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        directory = tmp_path / "log"
        log = EventLog(JsonlStore(directory, segment_bytes=2000), EventLog.open(EVENTS).catalogue)
        log.store.write_catalogue((EVENTS / "catalogue.toml").read_text(encoding="utf-8"))
        for event in Chronology.open(EVENTS).events[:30]:
            log.append([event], expected_position=log.position)
        segments = sorted(directory.glob("log-*.jsonl"))
        assert len(segments) >= 3
        segments[1].unlink()
        code, _, err = run(capsys, "--log", str(directory), "roster", "nsc", "--at", "2022-01-05")
        assert code == 1
        assert f"{segments[1].name}: missing" in one_line(err)
        assert run(capsys, "--log", str(directory), "verify")[0] == 1

    def test_the_last_segment_removed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        directory = tmp_path / "log"
        log = EventLog(JsonlStore(directory, segment_bytes=2000), EventLog.open(EVENTS).catalogue)
        for event in Chronology.open(EVENTS).events[:30]:
            log.append([event], expected_position=log.position)
        sorted(directory.glob("log-*.jsonl"))[-1].unlink()
        code, _, err = run(capsys, "--log", str(directory), "events")
        assert code == 1
        assert "which does not exist" in one_line(err)

    def test_head_and_last_line_removed(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        (s / "HEAD").unlink()
        segment = s / "log-000001.jsonl"
        segment.write_text("".join(lines_of(segment)[:-1]), encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "events")
        assert code == 0
        assert "chronos: warning: " in err
        assert "no HEAD" in err
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        assert "no HEAD beside the records" in one_line(err)

    def test_sqlite_rows_removed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        database = tmp_path / "s.db"
        assert run(capsys, "copy", str(EVENTS), f"sqlite:///{database}")[0] == 0
        delete = f"DELETE FROM chronos_records WHERE seq > {N - 2}"
        with sqlite3.connect(database) as db:
            with pytest.raises(sqlite3.DatabaseError, match="refused: a chronos log is append-only"):
                db.execute(delete)
            # Whoever can write the file can drop the triggers first (the dbguard branch's guards).
            for name in [n for n in GUARDS if n.startswith("chronos_records_")]:
                db.execute(f"DROP TRIGGER {name}")
            db.execute(delete)
        db.close()
        code, _, err = run(capsys, "--log", f"sqlite:///{database}", "verify")
        assert code == 1
        assert "triggers that keep the log append-only are not all there" in one_line(err)
        assert run(capsys, "--log", f"sqlite:///{database}", "repair")[0] == 0
        # Triggers back, the shorter chain is a valid chain: a head saved before is what catches it.
        assert run(capsys, "--log", f"sqlite:///{database}", "verify")[0] == 0
        log = EventLog.open(f"sqlite:///{database}")
        with pytest.raises(
            IntegrityError, match=f"truncated: the checkpoint has {N} records, the log {N - 2}"
        ):
            log.verify(expected=EventLog.open(EVENTS).head())
        log.store.close()


def _has_checkpoints() -> bool:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert isinstance(commands, dict)
    verify = commands["verify"]
    return "head" in commands and any("--checkpoint" in a.option_strings for a in verify._actions)


@pytest.mark.skipif(
    not _has_checkpoints(), reason="`chronos head` and `verify --checkpoint` come with dbguard"
)
class TestReproduction8Checkpoints:
    """With a head saved before, removing records from the end is caught by `verify --checkpoint`."""

    @pytest.mark.parametrize("damage", ["segment-tail", "head-and-line", "sqlite-rows"])
    def test_deleted_tail_caught(
        self, s: Path, tmp_path: Path, damage: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        location = str(s)
        if damage == "sqlite-rows":
            location = f"sqlite:///{tmp_path / 's.db'}"
            assert run(capsys, "copy", str(s), location)[0] == 0
        code, out, _ = run(capsys, "--log", location, "head", "--format", "json")
        assert code == 0
        checkpoint = tmp_path / "head.json"
        checkpoint.write_text(out, encoding="utf-8")
        if damage == "sqlite-rows":
            with sqlite3.connect(tmp_path / "s.db") as db:
                for name in [n for n in GUARDS if n.startswith("chronos_records_")]:
                    db.execute(f"DROP TRIGGER {name}")
                db.execute(f"DELETE FROM chronos_records WHERE seq > {N - 2}")
            db.close()
            assert (
                run(capsys, "--log", location, "repair")[0] == 0
            )  # the triggers back, as if nothing happened
        else:
            (s / "HEAD").unlink()
            segment = s / "log-000001.jsonl"
            segment.write_text("".join(lines_of(segment)[:-1]), encoding="utf-8")
            if damage == "head-and-line":
                assert run(capsys, "--log", location, "repair")[0] == 0
        code, _, err = run(capsys, "--log", location, "verify", "--checkpoint", str(checkpoint))
        assert code == 1
        assert "checkpoint" in one_line(err)


class TestReproduction9Catalogue:
    """The catalogue is under the checks: its history, the entities the events name, the cache."""

    def test_referenced_person_deleted(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        text = (s / "catalogue.toml").read_text(encoding="utf-8")
        start = text.index('[[person]]\nid = "karim-massimov"')
        end = text.index("[[", start + 5)
        (s / "catalogue.toml").write_text(text[:start] + text[end:], encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        assert "person 'karim-massimov'" in one_line(err)
        code, _, err = run(capsys, "--log", str(s), "check")
        assert code == 1
        line = one_line(err)
        assert "names person 'karim-massimov', which the catalogue does not hold" in line
        assert "internal error" not in line

    def test_history_names_every_change(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        entries = len((s / "catalogue-history.jsonl").read_text(encoding="utf-8").splitlines())
        assert entries >= 1
        text = (s / "catalogue.toml").read_text(encoding="utf-8")
        text = text.replace('name = "Karim Massimov"', 'name = "Karim Massimov Jr"', 1)
        text += '\n[[person]]\nid = "new-person"\nname = "New Person"\n'
        (s / "catalogue.toml").write_text(text, encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        line = one_line(err)
        assert "person 'new-person' is not in the catalogue's history (added outside chronos)" in line
        assert "person 'karim-massimov' differs from its history in name" in line
        code, out, _ = run(capsys, "--log", str(s), "record-catalogue")
        assert code == 0
        assert "1 added, 1 changed, 0 removed" in out
        code, out, _ = run(capsys, "--log", str(s), "verify")
        assert code == 0
        assert f"as its history ({entries + 1} entries) says" in out

    def test_removing_a_named_entity_cannot_be_recorded(
        self, s: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        text = (s / "catalogue.toml").read_text(encoding="utf-8")
        start = text.index('[[person]]\nid = "karim-massimov"')
        end = text.index("[[", start + 5)
        (s / "catalogue.toml").write_text(text[:start] + text[end:], encoding="utf-8")
        history = (s / "catalogue-history.jsonl").read_bytes()
        code, _, err = run(capsys, "--log", str(s), "record-catalogue")
        assert code == 1
        assert "person 'karim-massimov' was removed, but" in one_line(err)
        assert (s / "catalogue-history.jsonl").read_bytes() == history

    def test_a_damaged_cache_is_not_read(
        self, s: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from chronos._fast import cache

        monkeypatch.setenv("CHRONOS_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setattr(cache, "MIN_CACHED", 10)
        first = EventLog.open(s).catalogue
        (cached,) = (tmp_path / "cache").glob("catalogue-*.json")
        cached.write_text("{}", encoding="utf-8")
        assert EventLog.open(s).catalogue == first
        header, _, _body = cached.read_bytes().partition(b"\n")
        cached.write_bytes(header + b"\n{}")
        assert EventLog.open(s).catalogue == first
        assert len(first) > 80

    def test_an_id_with_a_trailing_newline(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(ChronosError, match=r"bad id 'karim-massimov\\n'"):
            Person(id="karim-massimov\n", name="Karim Massimov")
        text = (s / "catalogue.toml").read_text(encoding="utf-8")
        (s / "catalogue.toml").write_text(
            text + '\n[[person]]\nid = "karim-massimov\\n"\nname = "Twin"\n', encoding="utf-8"
        )
        code, _, err = run(capsys, "--log", str(s), "roster", "nsc", "--at", "2022-01-05")
        assert code == 1
        assert "bad id 'karim-massimov\\n'" in one_line(err)

    def test_a_catalogue_write_interrupted_is_completed(
        self, s: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        log = EventLog.open(s)
        before = (s / "catalogue.toml").read_bytes()
        log.add_entities([Person(id="new-person", name="New Person")], header="added by a test")
        after = (s / "catalogue.toml").read_bytes()
        (s / "catalogue.toml").write_bytes(before)  # as if killed between the history and the rename
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        assert "was interrupted before the catalogue was written" in one_line(err)
        code, out, _ = run(capsys, "--log", str(s), "repair")
        assert code == 0
        assert "completed the interrupted catalogue change" in out
        assert (s / "catalogue.toml").read_bytes() == after
        assert run(capsys, "--log", str(s), "verify")[0] == 0

    def test_the_history_file_removed(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        (s / "catalogue-history.jsonl").unlink()
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        entries = len(EventLog.open(EVENTS).store.read_catalogue_history())
        assert f"HEAD says {entries} " in one_line(err)


class TestReproduction11ExportIntoTheLog:
    """An export never overwrites the log it reads."""

    @pytest.mark.parametrize("name", ["log-000001.jsonl", "HEAD", "catalogue.toml", "new.json"])
    def test_export_into_the_directory(self, s: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
        before = {p.name: p.read_bytes() for p in s.iterdir() if p.is_file()}
        code, _, err = run(capsys, "--log", str(s), "export", "ftm", "-o", str(s / name))
        assert code == 2  # a usage error
        assert "inside the log" in one_line(err)
        assert {p.name: p.read_bytes() for p in s.iterdir() if p.is_file()} == before

    def test_export_over_the_database(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        database = tmp_path / "s.db"
        assert run(capsys, "copy", str(EVENTS), f"sqlite:///{database}")[0] == 0
        for target in (database, Path(f"{database}-wal")):
            code, _, err = run(capsys, "--log", f"sqlite:///{database}", "export", "csv", "-o", str(target))
            assert code == 2
            assert "the log's own database file" in one_line(err)
        assert run(capsys, "--log", f"sqlite:///{database}", "verify")[0] == 0


class TestReproduction12FailedAppend:
    """An append that fails (a full disk, a file-size limit) leaves no torn bytes behind."""

    def test_file_size_limit(self, s: Path) -> None:
        size = (s / "log-000001.jsonl").stat().st_size
        code = (
            "import resource, sys\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({size + 100}, {size + 100}))\n"
            "from chronos import cli\n"
            "sys.exit(cli.main(sys.argv[1:]))\n"
        )
        events = s.parent / "new.jsonl"
        line = {
            "type": "Appointed", "person": "karim-massimov", "post": "nsc/chairman", "occurred": "2023",
            "known": "2023", "sources": [{"source": "004_a82dc472c30e5f7b.txt", "quote": "q" * 500}],
        }  # fmt: skip
        events.write_text(json.dumps(line) + "\n", encoding="utf-8")
        before = (s / "log-000001.jsonl").read_bytes()
        child = subprocess.run(
            [sys.executable, "-c", code, "--log", str(s), "append", str(events)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert child.returncode == 1, child.stderr
        assert "a file-size limit" in child.stderr
        assert "nothing was appended" in child.stderr
        assert (s / "log-000001.jsonl").read_bytes() == before
        assert EventLog.open(s).verify().count == N


class TestReproduction13PostgresUrl:
    """PostgreSQL takes the URL's own parameters: a connect_timeout there is the one used."""

    def test_connect_timeout_from_the_url(self, monkeypatch: pytest.MonkeyPatch) -> None:
        psycopg = pytest.importorskip("psycopg")
        seen: list[dict[str, Any]] = []

        def connect(conninfo: str, **kwargs: Any) -> Any:
            seen.append({"conninfo": conninfo, **kwargs})
            raise psycopg.OperationalError("no server here")

        monkeypatch.setattr(psycopg, "connect", connect)
        with pytest.raises(StoreError, match="cannot connect"):
            PostgresStore("postgresql://ann@db.invalid/x?connect_timeout=2")
        with pytest.raises(StoreError, match="cannot connect"):
            PostgresStore("postgresql://ann@db.invalid/x")
        assert "connect_timeout" not in seen[0]
        assert "connect_timeout=2" in seen[0]["conninfo"]
        assert seen[1]["connect_timeout"] == 10

    def test_timeout_honoured(self) -> None:
        pytest.importorskip("psycopg")
        started = time.monotonic()
        # A blackhole address (TEST-NET-1): the connection attempt can only time out or be refused.
        with pytest.raises(StoreError):
            PostgresStore("postgresql://ann@192.0.2.1:5432/x?connect_timeout=2")
        assert time.monotonic() - started < 6


class TestReproduction14NotALog:
    """Only a directory made as a log is one; a read-only SQLite file is read."""

    def test_root_is_not_a_log(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(capsys, "--log", "/", "roster", "nsc", "--at", "2022")
        assert code == 1
        assert "/: not a chronos log" in one_line(err)
        other = tmp_path / "project"
        other.mkdir()
        (other / "notes.txt").write_text("mine", encoding="utf-8")
        with pytest.raises(StoreError, match="not a chronos log"):
            EventLog.open(other)
        assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]

    def test_read_only_sqlite(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        database = tmp_path / "s.db"
        open_store(f"sqlite:///{database}").close()
        source = EventLog.open(EVENTS)
        target = open_store(f"sqlite:///{database}")
        from chronos.stores import copy_store

        copy_store(source.store, target)
        target.close()
        # As for a user who may not write the file (root may write anything, so say so).
        monkeypatch.setattr("chronos.stores.sqlite.os.access", lambda *_args: False)
        store = SqliteStore(database)
        assert store.read_only
        log = EventLog(store, source.catalogue)
        assert log.verify().count == N
        event = Appointed(
            person="karim-massimov", post="nsc/chairman", occurred="2023", known="2023", sources=SRC
        )
        with pytest.raises(StoreError, match="readonly"):
            log.append([event], expected_position=N)
        store.close()


class TestReproduction15OneLineErrors:
    """Inputs that broke parsers inside chronos are refused in one line, never an internal error."""

    def _append(
        self, capsys: pytest.CaptureFixture[str], s: Path, data: bytes, monkeypatch: pytest.MonkeyPatch
    ) -> str:
        import io

        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        code, _, err = run(capsys, "--log", str(s), "append", "-")
        assert code == 1
        line = one_line(err.replace("chronos: error: <stdin>: nothing appended\n", ""))
        assert "internal error" not in line
        return line

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
            (b'{"type": "Appointed", "n": ' + b"7" * 5000 + b"}", "5,000 digits"),
            (b'{"type": "Appointed", "person": "\\ud800"}', "lone surrogate"),
            (b"\xff\xfe not utf-8", "not UTF-8"),
        ],
    )
    def test_append_from_stdin(
        self,
        s: Path,
        data: bytes,
        message: str,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        assert message in self._append(capsys, s, data, monkeypatch)

    def test_a_huge_csv_field(self, s: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "d" / "big.csv"
        path.parent.mkdir()
        path.write_text("person,post,org\n" + "x" * 200_000 + ",Chair,Club\n", encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "import", "csv", str(path))
        assert code == 1
        assert "big.csv:2: not CSV as chronos reads it" in one_line(err)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
            ('[[person]]\nid = 5\nname = "Five"\n', "bad id 5"),
        ],
    )
    def test_a_catalogue_that_breaks_toml(
        self, s: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (s / "catalogue.toml").write_text(text, encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "roster", "nsc", "--at", "2022")
        assert code == 1
        assert message in one_line(err)

    @pytest.mark.parametrize("url", ["postgresql://[::1", "postgresql://ann@host:99999999/db"])
    def test_bad_postgres_urls(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        pytest.importorskip("psycopg")
        code, _, err = run(capsys, "--log", url, "verify")
        assert code == 1
        assert "not a PostgreSQL URL" in one_line(err)


class TestReproduction16Leniency:
    """Dates in ASCII digits only, a roster needs a date, and no error line echoes a huge value."""

    @pytest.mark.parametrize("text", ["٢٠١٦", "２０１６", "2016-٠١", "[2016,２０１7]"])
    def test_non_ascii_digits(self, text: str) -> None:
        with pytest.raises(DateError):
            parse_date(text)

    def test_roster_needs_a_date(self) -> None:
        knb = Chronology.open(EVENTS)
        with pytest.raises(DateError, match="not a date: None"):
            knb.roster("nsc", at=None)  # type: ignore[arg-type]

    def test_no_megabyte_error_lines(
        self, s: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        line = {
            "type": "Appointed", "person": "p" * 1_000_000, "post": "nsc/chairman", "occurred": "2023",
            "known": "2023", "sources": [{"source": "004_a82dc472c30e5f7b.txt", "quote": "q"}],
        }  # fmt: skip
        path = tmp_path / "big.jsonl"
        path.write_text(json.dumps(line) + "\n", encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "append", str(path))
        assert code == 1
        assert len(err) < 2000
        with pytest.raises(ChronosError) as info:
            Chronology.open(EVENTS).lookup("x" * 1_000_000)
        assert len(str(info.value)) < 2000


def test_a_catalogue_given_in_python_is_kept_whole_by_add_entities() -> None:
    """A store that held no catalogue text gets the whole catalogue, chained, when entities are added."""
    catalogue = Catalogue([Person(id="ann", name="Ann")])
    log = EventLog.open(":memory:", catalogue=catalogue)
    log.add_entities([Person(id="ben", name="Ben")])
    assert sorted(log.catalogue) == ["ann", "ben"]
    text = log.store.read_catalogue()
    assert text is not None
    assert sorted(Catalogue.from_toml(text)) == ["ann", "ben"]
    assert len(log.store.read_catalogue_history()) == 2
    assert log.verify().history == 2
