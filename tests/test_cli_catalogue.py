"""``chronos add``, ``chronos sources``, ``check --quotes`` and appending what ``events`` printed."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest

from chronos import Catalogue, Chronology, EventLog, cli
from chronos.sources import citations, sha256_of

ROOT = Path(__file__).resolve().parent.parent
Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, log: Path, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["--log", str(log), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def log(tmp_path: Path) -> Path:
    EventLog.create(tmp_path / "log").store.close()
    return tmp_path / "log"


class TestAdd:
    """``chronos add KIND``: ids made from names, kept by the log, errors on one line."""

    def test_add_every_kind(self, capsys: Capture, log: Path, tmp_path: Path) -> None:
        text = tmp_path / "diary.txt"
        text.write_text("The Ministry of Truth was founded.\n", encoding="utf-8")
        steps = [
            [
                "add",
                "source",
                "diary",
                "--title",
                "Winston's diary",
                "--date",
                "1984-04",
                "--archive",
                str(text),
            ],
            ["add", "org", "Ministry of Truth", "--alias", "Minitrue", "--note", "one of four"],
            ["add", "org", "Records Department", "--parent", "Minitrue"],
            ["add", "post", "Minister", "--org", "minitrue", "--seats", "2"],
            ["add", "person", "O'Brien", "--alias", "OBrien"],
            ["add", "place", "Airstrip One"],
        ]
        outputs = []
        for argv in steps:
            code, out, err = run(capsys, log, *argv)
            assert (code, err) == (0, ""), argv
            outputs.append(out)
        where = log / "catalogue.toml"
        assert outputs == [
            f"registered source diary: Winston's diary, Apr 1984 (in {where})\n",
            f"added organisation ministry-of-truth: Ministry of Truth (in {where})\n",
            f"added organisation ministry-of-truth/records-department: Records Department (in {where})\n",
            f"added post ministry-of-truth/minister: Minister (in {where})\n",
            f"added person o-brien: O'Brien (in {where})\n",
            f"added place airstrip-one: Airstrip One (in {where})\n",
        ]
        catalogue = EventLog.open(log).catalogue
        assert catalogue.lookup("Minitrue").note == "one of four"
        assert catalogue["ministry-of-truth/minister"].seats == 2  # type: ignore[attr-defined]
        diary = catalogue.sources["diary"]
        assert (diary.archive, diary.sha256) == ("../diary.txt", sha256_of(text))

    def test_founded_appends_its_event(self, capsys: Capture, log: Path) -> None:
        run(capsys, log, "add", "source", "law", "--title", "The founding law", "--date", "1950-02-01")
        code, out, _ = run(
            capsys,
            log,
            "add",
            "org",
            "Ministry",
            "--founded",
            "1950",
            "--source",
            "law",
            "--quote",
            "founded",
        )
        assert code == 0
        assert out.endswith("appended Founded 1950 (now 1 records)\n")
        [event] = Chronology.open(log).events
        assert (event.type, str(event.occurred), str(event.known)) == ("Founded", "1950", "1950-02-01")

    @pytest.mark.parametrize(
        ("argv", "status", "message"),
        [
            (["add", "person", "O'Brien", "--id", "O Brien"], 1, "bad id 'O Brien'"),
            (["add", "post", "Minister", "--org", "Minitruth"], 1, "unknown organisation 'Minitruth'"),
            (["add", "post", "Minister"], 2, "required: --org"),
            (
                ["add", "post", "Minister", "--org", "x", "--seats", "0"],
                2,
                "'0' is not a positive whole number",
            ),
            (["add", "source", "s", "--title", "T"], 2, "required: --date"),
            (["add", "source", "s", "--title", "T", "--date", "2022-13"], 2, "bad date '2022-13'"),
            (
                ["add", "source", "s", "--title", "T", "--date", "2022", "--archive", "nope.txt"],
                2,
                "nope.txt",
            ),
            (["add", "org", "X", "--founded", "1950"], 2, "--founded needs --source ID and --quote TEXT"),
            (["add", "org", "X", "--source", "law"], 2, "go with --founded"),
            (
                ["add", "org", "X", "--founded", "1950", "--source", "law", "--quote", "q"],
                1,
                "unregistered source 'law'",
            ),
            (["add", "thing", "X"], 2, "invalid choice: 'thing'"),
        ],
    )
    def test_errors_are_one_line(
        self, capsys: Capture, log: Path, argv: list[str], status: int, message: str
    ) -> None:
        code, out, err = run(capsys, log, *argv)
        assert (code, out) == (status, "")
        [line] = err.splitlines()
        assert line.startswith("chronos: error: ")
        assert message in line
        assert EventLog.open(log).catalogue == Catalogue(require_sources=True)

    def test_a_duplicate_changes_nothing(self, capsys: Capture, log: Path) -> None:
        run(capsys, log, "add", "person", "Julia")
        before = (log / "catalogue.toml").read_bytes()
        code, _, err = run(capsys, log, "add", "person", "Julia")
        assert code == 1
        assert "duplicate id 'julia'" in err
        assert (log / "catalogue.toml").read_bytes() == before

    def test_no_log_no_add(self, capsys: Capture, tmp_path: Path) -> None:
        code, _, err = run(capsys, tmp_path / "typo", "add", "person", "Julia")
        assert code == 1
        assert "chronos init" in err
        assert not (tmp_path / "typo").exists()


class TestSources:
    """``chronos sources``: the registry, with citation counts and the unregistered ids cited."""

    def test_the_dataset_sources(self, capsys: Capture) -> None:
        code, out, _ = run(capsys, ROOT / "events", "sources", "--format", "jsonl")
        assert code == 0
        rows = [json.loads(line) for line in out.splitlines()]
        cited = Counter(s.source for _, s in citations(Chronology.open(ROOT / "events").events))
        assert [(r["id"], r["cited"]) for r in rows] == sorted(cited.items())
        assert [r["id"][:3] for r in rows] == ["000", "001", "002", "003", "004"]
        assert rows[-1]["citation"] == "Caspian Institute for Strategic Studies, 16 Feb 2022"

    def test_table_and_csv(self, capsys: Capture) -> None:
        code, out, _ = run(capsys, ROOT / "events", "sources")
        assert code == 0
        assert all(name in out for name in ("Bloomberg", "South China", "RFE/RL", "Caspian"))
        code, out, _ = run(capsys, ROOT / "events", "sources", "--format", "csv")
        assert out.splitlines()[0].startswith(
            "id,registered,citation,publisher,title,date,url,language,archive,sha256,note,cited,question_command"
        )


class TestCheckQuotes:
    """``chronos check --quotes``: quotes against archived texts."""

    def test_the_dataset_without_its_texts_warns(self, capsys: Capture, tmp_path: Path) -> None:
        code, out, _ = run(
            capsys, ROOT / "events", "check", "--quotes", "--archives", str(tmp_path), "--format", "json"
        )
        assert code == 0
        rules = [f["rule"] for f in json.loads(out)["answer"]]
        assert rules.count("archive-missing") == 5

    def test_archives_needs_quotes(self, capsys: Capture) -> None:
        code, _, err = run(capsys, ROOT / "events", "check", "--archives", "x")
        assert code == 2
        assert "--archives goes with --quotes" in err

    @pytest.mark.shared("sources")
    def test_the_dataset_quotes_are_in_their_texts(self, capsys: Capture) -> None:
        from tests import shared

        code, out, _ = run(
            capsys,
            ROOT / "events",
            "check",
            "--quotes",
            "--archives",
            str(shared.require("sources")),
            "--format",
            "json",
        )
        assert code == 0
        assert [f for f in json.loads(out)["answer"] if f["rule"].startswith(("quote", "archive"))] == []


class TestRoundTrips:
    """What ``events`` prints, ``append -`` reads back: JSON Lines, or the JSON array with ids."""

    @pytest.mark.parametrize("fmt", ["jsonl", "json"])
    def test_events_append_back(
        self, capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
    ) -> None:
        code, printed, _ = run(capsys, ROOT / "events", "events", "--format", fmt)
        assert code == 0
        copy = tmp_path / "copy"
        EventLog.create(copy, catalogue=Catalogue.load(ROOT / "events" / "catalogue.toml")).store.close()
        monkeypatch.setattr("sys.stdin", io.StringIO(printed))
        code, out, err = run(capsys, copy, "append", "-")
        assert (code, err) == (0, "")
        original, copied = Chronology.open(ROOT / "events"), Chronology.open(copy)
        count = len(original.events)
        assert out == f"appended {count} events, skipped 0 already in the log (now {count} records)\n"
        assert {e.id for e in copied.events} == {e.id for e in original.events}

    def test_an_edited_event_does_not_match_its_id(
        self, capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        _, printed, _ = run(capsys, ROOT / "events", "events", "--format", "jsonl")
        first = json.loads(printed.splitlines()[0])
        first["occurred"] = "1999"
        copy = tmp_path / "copy"
        EventLog.create(copy, catalogue=Catalogue.load(ROOT / "events" / "catalogue.toml")).store.close()
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(first) + "\n"))
        code, _, err = run(capsys, copy, "append", "-")
        assert code == 1
        assert f"<stdin>:1: id {first['id']!r} does not match the event's content" in err

    def test_a_malformed_array_names_its_line(
        self, capsys: Capture, monkeypatch: pytest.MonkeyPatch, log: Path
    ) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO('[\n  {"type": "Appointed"},\n  oops\n]\n'))
        code, _, err = run(capsys, log, "append", "-")
        assert code == 1
        assert err.startswith("chronos: error: <stdin>:3: malformed JSON: Expecting value at column 3")

    def test_export_imports_back_from_standard_input(
        self, capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        code, exported, _ = run(capsys, ROOT / "events", "export", "csv")
        assert code == 0
        monkeypatch.setattr("sys.stdin", io.StringIO(exported))
        code, out, err = run(
            capsys, tmp_path / "new", "import", "csv", "-", "--dataset", "nsc", "--known-at", "2022-02-16"
        )
        assert (code, err) == (0, ""), err
        assert out.startswith("imported nsc/stdin (known 2022-02-16)")
        original = Chronology.open(ROOT / "events").tenures()
        imported = Chronology.open(tmp_path / "new").tenures()
        assert sorted((t.person, t.post, str(t.start.date)) for t in imported) == sorted(
            (t.person, t.post, str(t.start.date)) for t in original
        )

    def test_standard_input_is_the_only_file(self, capsys: Capture, tmp_path: Path) -> None:
        code, _, err = run(capsys, tmp_path / "new", "import", "csv", "-", "other.csv")
        assert code == 2
        assert "- (standard input) is the only file" in err
        assert not (tmp_path / "new").exists()


class TestInit:
    """``chronos init`` gives a new log its catalogue and sources registry."""

    @pytest.mark.parametrize("where", ["log", "sqlite:///{tmp}/log.db"])
    def test_a_new_log_requires_registered_sources(self, capsys: Capture, tmp_path: Path, where: str) -> None:
        location = str(tmp_path / where) if "://" not in where else where.format(tmp=tmp_path)
        assert cli.main(["init", location]) == 0
        capsys.readouterr()
        catalogue = EventLog.open(location).catalogue
        assert catalogue.require_sources
        assert len(catalogue) == len(catalogue.sources) == 0
        assert cli.main(["init", location]) == 0
        assert "holds a log already (0 records); left as it is" in capsys.readouterr().out
