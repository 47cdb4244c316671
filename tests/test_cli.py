"""The chronos command, end to end: every command and format through `chronos.cli.main` and a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import NoneType
from typing import Any

import attrs
import pytest
from rich.console import Console

from chronos import EventLog, Renamed, Source, cli
from chronos.cli import _app as cli_app
from chronos.output import render
from tests.cli_fixtures import (
    EVENTS,
    large_events,
    snapshot,
    write_catalogue,
    write_jsonl,
    write_large_log,
    write_small_log,
)

ANSI = re.compile(r"\x1b\[")
SRC = Path(__file__).resolve().parents[1] / "src"

# The documented JSON shapes (docs/cli.md), as key -> type(s).
SOURCE = {"source": str, "quote": str, "locator": (str, NoneType), "citation": (str, NoneType)}
SEAT = {
    "org_id": str,
    "org": str,
    "post_id": str,
    "post": str,
    "seats": int,
    "state": str,
    "person_id": (str, NoneType),
    "person": (str, NoneType),
    "vacant": bool,
    "certainty": str,
    "reasons": list,
    "why": list,
    "since": (str, NoneType),
    "until": (str, NoneType),
    "scheduled_end": bool,
    "disputed": bool,
    "alternatives": list,
    "sources": list,
    "events": list,
}
ALTERNATIVE = {"part": str, "date": str, "cause": str, "event": str, "chosen": bool, "sources": list}
EVENT_REF = {"id": str, "type": str, "occurred": str, "known": str, "sources": list}
CHANGE = {
    "person_id": str,
    "person": str,
    "change": str,
    "before": (dict, NoneType),
    "after": (dict, NoneType),
    "events": list,
}
DIFF = {
    "org": str,
    "org_name": str,
    "a": str,
    "b": str,
    "joined": list,
    "left": list,
    "moved": list,
    "changed": list,
}
RESOLVED = {
    f"{p}{s}": (str, NoneType) for p in ("start", "end") for s in ("", "_earliest", "_latest", "_cause")
}
TENURE = {
    "post_id": str,
    "post": str,
    "org_id": (str, NoneType),
    "org": (str, NoneType),
    **RESOLVED,
    "open_start": bool,
    "ongoing": bool,
    "disputed": bool,
    "alternatives": list,
    "sources": list,
    "events": list,
}
SPELL = {**RESOLVED, "alternatives": list, "charges": list, "disputed": bool, "sources": list, "events": list}
DEATH = {
    "date": (str, NoneType),
    "earliest": (str, NoneType),
    "latest": (str, NoneType),
    "disputed": bool,
    "sources": list,
    "events": list,
}
HISTORY = {"person": str, "person_id": str, "tenures": list, "custody": list, "death": (dict, NoneType)}
NAME = {
    "entity_id": str,
    "kind": str,
    "name": str,
    "certainty": str,
    "alternatives": list,
    "since": (str, NoneType),
    "at": str,
    "events": list,
}
FINDING = {"severity": str, "rule": str, "message": str, "events": list, "notes": list}
#: What every JSON answer carries besides the answer: the question, so a saved file can be re-checked.
QUESTION = {
    "command": str,
    "known_at": (str, NoneType),
    "horizon": (str, NoneType),
    "policy": str,
    "position": int,
    "head": str,
}


def assert_shape(value: Any, shape: dict[str, Any]) -> None:
    """The object has exactly the documented keys, each of the documented type."""
    assert isinstance(value, dict)
    assert set(value) == set(shape), set(value) ^ set(shape)
    for key, kind in shape.items():
        assert isinstance(value[key], kind), (key, value[key])


@attrs.frozen
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The answer of a JSON envelope (`envelope` has the question and the notes too)."""
        return self.envelope()["answer"]

    def envelope(self) -> Any:
        data = json.loads(self.out)
        assert set(data) == {"question", "answer", "notes"}
        return data

    def csv(self) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.out)))


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return write_small_log(tmp_path / "events")


@pytest.fixture
def chronos(capsys: pytest.CaptureFixture[str], log_dir: Path) -> Any:
    """Run the command in-process against the small log (``--log`` given first)."""

    def run(*argv: str, log: Path | None = log_dir) -> Result:
        code = cli.main([*(["--log", str(log)] if log is not None else []), *argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def one_error_line(result: Result, code: int = 1) -> str:
    assert result.code == code
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("chronos: error: ")
    assert "Traceback" not in result.err
    return lines[0]


class TestRoster:
    """``chronos roster``."""

    def test_table_marks_possible_unknown_and_footnotes(self, chronos: Any) -> None:
        result = chronos("roster", "SA", "--at", "2022-01-05")
        assert result.code == 0
        assert "State Agency on 2022-01-05" in result.out
        assert "? Karim Massimov (possible)" in result.out
        assert "disputed dates" in result.out  # why Massimov is only possible
        assert "Samat Abish" in result.out
        assert "Anuar Sadykulov" in result.out
        # Nobody recorded at the border service, and nothing says the seat was empty.
        assert re.search(r"Border( Service)?\s+Head\s+unknown", result.out)
        assert "vacant" not in result.out
        assert '[1] fixture-001.txt: "Massimov has chaired the agency since 2016"' in result.out
        assert not ANSI.search(result.out)
        assert max(len(line) for line in result.out.splitlines()) <= 120

    def test_json_shape(self, chronos: Any) -> None:
        seats = chronos("roster", "agency", "--at", "2022-01-05", "--format", "json").json()
        assert [s["post_id"] for s in seats] == [
            "agency/chair",
            "agency/deputy",
            "agency/deputy",
            "agency/border/head",
        ]
        for seat in seats:
            assert_shape(seat, SEAT)
            for source in seat["sources"]:
                assert_shape(source, SOURCE)
            for alternative in seat["alternatives"]:
                assert_shape(alternative, ALTERNATIVE)
        chair = seats[0]
        assert (chair["person_id"], chair["certainty"], chair["since"]) == (
            "karim-massimov",
            "possible",
            "2016",
        )
        assert chair["disputed"]
        assert {a["date"] for a in chair["alternatives"]} == {
            "2022-01-05",
            "2022-01-06",
        }
        # Nobody recorded, nothing saying the seat was empty: unknown, not vacant.
        assert (seats[-1]["state"], seats[-1]["vacant"], seats[-1]["certainty"]) == (
            "unknown",
            False,
            "possible",
        )
        assert seats[-1]["reasons"] == ["unknown-holder"]
        assert seats[-1]["why"] == ["unknown holder"]
        assert seats[-1]["person"] is None
        assert seats[-1]["sources"] == []
        assert chair["reasons"] == ["disputed"]

    def test_json_and_csv_carry_the_question(self, chronos: Any, log_dir: Path) -> None:
        """A saved answer says what it answers: arguments, knowledge date, horizon, policy, log head."""
        envelope = chronos(
            "roster", "SA", "--at", "2022-01-05", "--known-at", "2022-01-10", "--format", "json"
        ).envelope()
        question = envelope["question"]
        assert_shape(question, {**QUESTION, "org": str, "at": str})
        head = EventLog.open(log_dir).head()
        assert (question["org"], question["at"], question["known_at"]) == (
            "agency",
            "2022-01-05",
            "2022-01-10",
        )
        assert (question["horizon"], question["policy"]) == ("2022-01-10", "cautious")
        assert (question["position"], question["head"]) == (head.position, head.hash)
        rows = chronos("roster", "SA", "--at", "2022-01-05", "--policy", "latest", "--format", "csv").csv()
        assert {(r["question_org"], r["question_policy"], r["question_head"]) for r in rows} == {
            ("agency", "latest", head.hash)
        }

    def test_year_precision_answers_with_certainty(self, chronos: Any) -> None:
        seats = chronos("roster", "agency", "--at", "2016", "--format", "json").json()
        held = {(s["person_id"], s["certainty"]) for s in seats if s["state"] == "held"}
        assert held == {("karim-massimov", "possible"), ("samat-abish", "certain")}

    @pytest.mark.parametrize("name", ["agency", "State Agency", "STATE AGENCY", "sa", "Agentstvo"])
    def test_any_name_or_alias(self, chronos: Any, name: str) -> None:
        assert chronos("roster", name, "--at", "2020", "--format", "json").code == 0

    def test_known_at_sees_what_was_known_then(self, chronos: Any) -> None:
        then = chronos(
            "roster", "agency", "--at", "2022-01-15", "--known-at", "2022-01-15", "--format", "json"
        ).json()
        now = chronos("roster", "agency", "--at", "2022-01-15", "--format", "json").json()
        assert "murat-nurtleu" in {s["person_id"] for s in then}
        assert "murat-nurtleu" not in {s["person_id"] for s in now}  # retracted on 2022-01-20

    def test_policy(self, chronos: Any) -> None:
        cautious = chronos("roster", "agency", "--at", "2022-01-05", "--format", "json").json()
        earliest = chronos(
            "roster", "agency", "--at", "2022-01-05", "--policy", "earliest", "--format", "json"
        ).json()
        assert cautious[0]["person_id"] == "karim-massimov"
        # Dismissed on the 5th by the earliest claim, and nobody recorded after him.
        assert earliest[0]["state"] == "unknown"

    def test_csv(self, chronos: Any) -> None:
        result = chronos("roster", "agency", "--at", "2022-01-05", "--format", "csv")
        rows = result.csv()
        assert tuple(rows[0])[: len(render.ROSTER_COLUMNS)] == render.ROSTER_COLUMNS
        assert len(rows) == 4
        assert rows[0]["sources"].count(" | ") == 2
        assert rows[3]["person"] == ""
        assert (rows[3]["state"], rows[3]["certainty"], rows[3]["reasons"]) == (
            "unknown",
            "possible",
            "unknown-holder",
        )
        assert rows[0]["reasons"] == "disputed"


class TestDiff:
    """``chronos diff``."""

    def test_json_shape(self, chronos: Any) -> None:
        data = chronos("diff", "agency", "2022-01-01", "2022-01-31", "--format", "json").json()
        assert_shape(data, DIFF)
        assert (data["org"], data["a"], data["b"]) == ("agency", "2022-01-01", "2022-01-31")
        for kind in ("joined", "left", "moved", "changed"):
            for change in data[kind]:
                assert_shape(change, CHANGE)
                assert change["change"] == kind
                for seat in (change["before"], change["after"]):
                    if seat is not None:
                        assert_shape(seat, SEAT)
                for event in change["events"]:
                    assert_shape(event, EVENT_REF)
        assert [c["person_id"] for c in data["joined"]] == ["ermek-sagimbayev"]
        assert {c["person_id"] for c in data["left"]} == {"karim-massimov", "samat-abish"}
        [moved] = data["moved"]
        assert (moved["before"]["post_id"], moved["after"]["post_id"]) == (
            "agency/deputy",
            "agency/border/head",
        )
        assert [e["type"] for e in moved["events"]] == ["Moved"]

    def test_table_and_csv(self, chronos: Any) -> None:
        table = chronos("diff", "agency", "2022-01-01", "2022-01-31")
        assert table.code == 0
        assert "moved" in table.out
        assert "Dismissed 2022-01-05" in table.out
        rows = chronos("diff", "agency", "2022-01-01", "2022-01-31", "--format", "csv").csv()
        assert tuple(rows[0])[: len(render.DIFF_COLUMNS)] == render.DIFF_COLUMNS
        assert {r["change"] for r in rows} == {"joined", "left", "moved"}

    def test_no_changes(self, chronos: Any) -> None:
        result = chronos("diff", "agency", "2020-01-01", "2020-06-01")
        assert result.code == 0
        assert "no changes" in result.out


class TestHistory:
    """``chronos history``."""

    def test_json_shape(self, chronos: Any) -> None:
        data = chronos("history", "massimov karim", "--format", "json").json()
        assert_shape(data, HISTORY)
        [tenure] = data["tenures"]
        assert_shape(tenure, TENURE)
        assert (tenure["post_id"], tenure["start"], tenure["end_cause"]) == (
            "agency/chair",
            "2016",
            "dismissed",
        )
        assert (tenure["start_earliest"], tenure["start_latest"]) == ("2016-01-01", "2016-12-31")
        assert tenure["disputed"]
        assert not tenure["ongoing"]
        [spell] = data["custody"]
        assert_shape(spell, SPELL)
        assert spell["start"] == "2022-01-06"
        assert spell["end"] is None
        assert data["death"] is None

    def test_death(self, chronos: Any) -> None:
        data = chronos("history", "erlan-bekov", "--format", "json").json()
        assert_shape(data["death"], DEATH)
        assert data["death"]["date"] == "2021-11-30"
        assert data["tenures"][0]["end_cause"] == "died"

    def test_table_and_csv(self, chronos: Any) -> None:
        table = chronos("history", "Karim Masimov")
        assert "Chair of the State Agency" in table.out
        assert "disputed" in table.out
        assert "In custody from" in table.out
        rows = chronos("history", "karim-massimov", "--format", "csv").csv()
        assert tuple(rows[0])[: len(render.HISTORY_COLUMNS)] == render.HISTORY_COLUMNS
        assert [r["record"] for r in rows] == ["tenure", "custody"]


class TestPostsAndNamesByDate:
    """Posts asked directly; titles name things as they were called on the date asked."""

    @pytest.fixture
    def renamed(self, log_dir: Path) -> Path:
        log = EventLog.open(log_dir)
        rename = Renamed(
            entity="agency",
            name="National Agency",
            former="State Agency",
            occurred="2022-01-15",
            known="2022-01-16",
            sources=[Source(source="decree.txt", quote="renamed the National Agency")],
        )
        log.append([rename], expected_position=log.position)
        return log_dir

    def test_roster_of_a_post(self, chronos: Any) -> None:
        rows = chronos("roster", "agency/chair", "--at", "2022-01-10", "--format", "json").json()
        assert {r["post_id"] for r in rows} == {"agency/chair"}
        title = chronos("roster", "agency/chair", "--at", "2022-01-10").out.splitlines()[0]
        assert title == "Chair of the State Agency on 2022-01-10"

    def test_history_of_a_post_is_its_succession(self, chronos: Any) -> None:
        data = chronos("history", "agency/chair", "--format", "json").json()
        assert (data["post_id"], data["org_id"]) == ("agency/chair", "agency")
        assert [t["person_id"] for t in data["tenures"]] == ["karim-massimov", "ermek-sagimbayev"]
        table = chronos("history", "agency/chair").out
        assert table.splitlines()[0] == "Chair of the State Agency: its holders in turn"
        rows = chronos("history", "agency/chair", "--format", "jsonl").out.splitlines()
        assert [json.loads(r)["person_id"] for r in rows] == ["karim-massimov", "ermek-sagimbayev"]

    def test_titles_follow_the_rename(self, chronos: Any, renamed: Path) -> None:
        def title(*argv: str) -> str:
            result = chronos(*argv, log=renamed)
            assert result.code == 0, result.err
            return str(result.out.splitlines()[0])

        assert title("roster", "agency", "--at", "2022-01-10") == "State Agency on 2022-01-10"
        assert title("roster", "National Agency", "--at", "2022-01-20") == "National Agency on 2022-01-20"
        assert (
            title("roster", "agency", "--at", "2022-01-20", "--known-at", "2022-01-15")
            == "State Agency on 2022-01-20 (as known on 2022-01-15)"
        )
        assert title("roster", "agency", "--at", "2022-01") == "State Agency (or National Agency) on 2022-01"
        assert title("diff", "SA", "2022-01-01", "2022-02-01") == (
            "State Agency → National Agency: 2022-01-01 to 2022-02-01"
        )
        assert (
            title("history", "agency/chair")
            == "Chair of the State Agency, National Agency: its holders in turn"
        )


class TestName:
    """``chronos name``."""

    def test_possible_within_the_year(self, chronos: Any) -> None:
        data = chronos("name", "Astana", "--at", "2019", "--format", "json").json()
        assert_shape(data, NAME)
        assert (data["name"], data["certainty"], data["alternatives"]) == (
            "Astana",
            "possible",
            ["Nur-Sultan"],
        )

    def test_certain_after(self, chronos: Any) -> None:
        data = chronos("name", "nur-sultan", "--at", "2020-05-01", "--format", "json").json()
        assert (data["name"], data["certainty"], data["since"]) == ("Nur-Sultan", "certain", "2019-03-23")

    def test_table_and_csv(self, chronos: Any) -> None:
        assert "? Astana (possible)" in chronos("name", "astana", "--at", "2019").out
        [row] = chronos("name", "astana", "--at", "2019", "--format", "csv").csv()
        assert row["alternatives"] == "Nur-Sultan"


class TestEvents:
    """``chronos events``."""

    def test_json_is_the_codec_form_with_ids(self, chronos: Any, log_dir: Path) -> None:
        data = chronos("events", "--about", "Massimov", "--format", "json").json()
        assert [e["type"] for e in data] == ["Appointed", "Dismissed", "Dismissed", "Arrested"]
        codec = EventLog.open(log_dir).codec
        for item in data:
            body = {k: v for k, v in item.items() if k != "id"}
            assert codec.from_dict(body).id == item["id"]

    def test_filters(self, chronos: Any) -> None:
        kinds = chronos(
            "events", "--kind", "Dismissed", "--from", "2022-01", "--to", "2022-01-05", "--format", "json"
        )
        assert [e["occurred"] for e in kinds.json()] == ["2022-01-05"]

    def test_unknown_kind_suggests(self, chronos: Any) -> None:
        line = one_error_line(chronos("events", "--kind", "Dismised"), code=2)
        assert "did you mean 'Dismissed'" in line

    def test_table_and_csv(self, chronos: Any) -> None:
        table = chronos("events", "--about", "nur-sultan")
        assert "Renamed" in table.out
        assert "fixture-005.txt" in table.out
        rows = chronos("events", "--format", "csv").csv()
        assert tuple(rows[0])[: len(render.EVENT_COLUMNS)] == render.EVENT_COLUMNS
        assert len(rows) == len(EVENTS) + 1
        moved = next(r for r in rows if r["type"] == "Moved")
        assert moved["about"] == "anuar-sadykulov | agency/deputy | agency/border/head"


class TestCheck:
    """``chronos check``: exit 1 only when a finding is an error."""

    def test_clean_log(self, chronos: Any) -> None:
        result = chronos("check", "--format", "json")
        assert result.code == 0
        for finding in result.json():
            assert_shape(finding, FINDING)
        assert {f["rule"] for f in result.json()} == {"disputed", "retracted"}

    def test_errors_exit_1(self, chronos: Any, log_dir: Path) -> None:
        after_death = {**EVENTS[2], "person": "erlan-bekov", "occurred": "2022-02-01", "known": "2022-02-01"}
        assert chronos("append", str(write_jsonl(log_dir.parent / "x.jsonl", [after_death]))).code == 0
        result = chronos("check")
        assert result.code == 1
        assert "after-death" in result.out
        assert "1 error" in result.out
        rows = chronos("check", "--format", "csv").csv()
        assert tuple(rows[0])[: len(render.CHECK_COLUMNS)] == render.CHECK_COLUMNS
        assert rows[0]["severity"] == "error"


class TestVerify:
    """``chronos verify``."""

    def test_ok(self, chronos: Any) -> None:
        result = chronos("verify")
        assert result.code == 0
        assert re.fullmatch(
            r"ok: 14 records, head [0-9a-f]{12}; catalogue: 12 entities, with no history yet "
            r"\(`chronos record-catalogue` starts one\)\n",
            result.out,
        )

    def test_tampered_log(self, chronos: Any, log_dir: Path) -> None:
        segment = log_dir / "log-000001.jsonl"
        data = segment.read_bytes()
        offset = data.index(b"Massimov was dismissed") + 1
        segment.write_bytes(data[:offset] + b"A" + data[offset + 1 :])  # one byte, same length
        line = one_error_line(chronos("verify"))
        assert "log-000001.jsonl:6" in line
        assert "edited record" in line
        assert chronos("verify").out == ""


NEW_EVENT = {
    "type": "Appointed",
    "person": "murat-nurtleu",
    "post": "agency/border/head",
    "occurred": "2022-02-01",
    "known": "2022-02-02",
    "sources": [{"source": "fixture-006.txt", "quote": "Nurtleu takes over the border service"}],
}
RETRACT_NOTHING = {"type": "Retracted", "target": "f" * 24, "occurred": "2022-02-01", "known": "2022-02-02"}


class TestAppend:
    """``chronos append``: validated line by line, then written all at once or not at all."""

    NEW = NEW_EVENT

    def test_appends_and_skips_repeats(self, chronos: Any, log_dir: Path, tmp_path: Path) -> None:
        path = write_jsonl(tmp_path / "new.jsonl", [self.NEW, "", EVENTS[0]])
        result = chronos("append", str(path))
        assert (result.code, result.out) == (
            0,
            "appended 1 events, skipped 1 already in the log (now 15 records)\n",
        )
        assert chronos("append", str(path)).out.startswith("appended 0 events, skipped 2")
        assert chronos("verify").code == 0

    def test_stdin(self, chronos: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(self.NEW) + "\n"))
        assert chronos("append", "-").out.startswith("appended 1 events")

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("{not json", "bad.jsonl:2: malformed JSON"),
            ('["a list"]', "bad.jsonl:2: an event must be a JSON object"),
            (
                {**NEW_EVENT, "type": "Apointed"},
                "bad.jsonl:2: unknown event type 'Apointed' (did you mean 'Appointed'?)",
            ),
            (
                {**NEW_EVENT, "occurred": "2022-13-01"},
                "bad.jsonl:2: Appointed: occurred: bad date '2022-13-01'",
            ),
            (
                {**NEW_EVENT, "person": "massimov-k"},
                "bad.jsonl:2: person: unknown person 'massimov-k' (did you mean",
            ),
            ({**NEW_EVENT, "post": "agency/chiar"}, "(did you mean 'agency/chair'?)"),
            ({**NEW_EVENT, "colour": "red"}, "bad.jsonl:2: Appointed: unexpected field 'colour'"),
            (
                {**RETRACT_NOTHING, "sources": NEW_EVENT["sources"]},
                "target 'ffffffffffffffffffffffff' is not an event",
            ),
        ],
    )
    def test_bad_line_writes_nothing(
        self, chronos: Any, log_dir: Path, tmp_path: Path, line: Any, message: str
    ) -> None:
        before = snapshot(log_dir)
        path = write_jsonl(tmp_path / "bad.jsonl", [self.NEW, line, EVENTS[1]])
        result = chronos("append", str(path))
        assert result.code == 1
        first, last = result.err.splitlines()
        assert first.startswith("chronos: error: ")
        assert message in first
        assert last == f"chronos: error: {path}: nothing appended"
        assert "Traceback" not in result.err
        assert result.out == ""
        assert snapshot(log_dir) == before

    def test_suggestion_names_the_person(self, chronos: Any, tmp_path: Path) -> None:
        path = write_jsonl(tmp_path / "bad.jsonl", [{**self.NEW, "person": "karim-masimov"}])
        assert "did you mean 'karim-massimov'" in chronos("append", str(path)).err

    def test_every_bad_line_is_named(self, chronos: Any, log_dir: Path, tmp_path: Path) -> None:
        before = snapshot(log_dir)
        path = write_jsonl(tmp_path / "bad.jsonl", ["{", self.NEW, "[", "3"])
        lines = chronos("append", str(path)).err.splitlines()
        assert [line.split(": ")[2].rsplit(":", 1)[1] for line in lines[:3]] == ["1", "3", "4"]
        assert snapshot(log_dir) == before

    def test_long_lists_are_cut(self, chronos: Any, tmp_path: Path) -> None:
        lines = chronos("append", str(write_jsonl(tmp_path / "bad.jsonl", ["{"] * 25))).err.splitlines()
        assert len(lines) == cli.MAX_PROBLEMS + 2
        assert lines[-2].endswith("bad.jsonl: 5 more bad lines")

    def test_not_text(self, chronos: Any, tmp_path: Path) -> None:
        path = tmp_path / "binary.jsonl"
        path.write_bytes(b"\xff\xfe{}\n")
        assert "binary.jsonl: not UTF-8 text" in one_error_line(chronos("append", str(path)))

    def test_missing_file(self, chronos: Any, tmp_path: Path) -> None:
        line = one_error_line(chronos("append", str(tmp_path / "nope.jsonl")))
        assert "nope.jsonl: No such file or directory" in line


class TestErrors:
    """Bad input: one line on stderr, exit 1 for data and 2 for usage, no traceback."""

    def test_unknown_org_names_the_nearest(self, chronos: Any) -> None:
        line = one_error_line(chronos("roster", "Stte Agency", "--at", "2022"))
        assert line.startswith(
            "chronos: error: unknown organisation or post 'Stte Agency'; nearest known: State Agency (agency)"
        )

    def test_unknown_person(self, chronos: Any) -> None:
        line = one_error_line(chronos("history", "Karim Masimof"))
        assert "nearest known: Karim Massimov (karim-massimov)" in line

    def test_nothing_near(self, chronos: Any) -> None:
        assert "no known name is close" in one_error_line(chronos("history", "zzzzzz"))

    def test_ambiguous_name(self, chronos: Any) -> None:
        line = one_error_line(chronos("name", "chair", "--at", "2020"))
        assert "'chair' could be any of: agency/chair (Chair of the State Agency), agency/deputy" in line

    def test_interrupted(self, chronos: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        def interrupt(*_: Any) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(render, "roster_json", interrupt)
        assert (
            one_error_line(chronos("roster", "agency", "--at", "2022"), code=130)
            == "chronos: error: interrupted"
        )

    @pytest.mark.parametrize(
        "argv", [["roster", "agency", "--at", "2022-13"], ["diff", "agency", "2022", "yesterday"]]
    )
    def test_bad_date_is_usage(self, chronos: Any, argv: list[str]) -> None:
        line = one_error_line(chronos(*argv), code=2)
        assert "bad date" in line or "not a date" in line

    def test_open_known_at(self, chronos: Any) -> None:
        assert "has no end" in one_error_line(
            chronos("roster", "agency", "--at", "2022", "--known-at", "2022/.."), 2
        )

    def test_bad_policy(self, chronos: Any) -> None:
        assert "unknown policy" in one_error_line(
            chronos("roster", "agency", "--at", "2022", "--policy", "x"), 2
        )

    def test_missing_argument(self, chronos: Any) -> None:
        line = one_error_line(chronos("roster", "agency"), code=2)
        assert "--at" in line
        assert "chronos roster --help" in line

    def test_no_log(self, chronos: Any, tmp_path: Path) -> None:
        line = one_error_line(chronos("verify", log=tmp_path / "missing"))
        assert "no such log directory" in line
        assert not (tmp_path / "missing").exists()

    def test_log_from_environment_and_after_the_command(
        self, chronos: Any, log_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CHRONOS_LOG", str(log_dir))
        assert chronos("verify", log=None).code == 0
        monkeypatch.delenv("CHRONOS_LOG")
        assert chronos("verify", "--log", str(log_dir), log=None).code == 0
        monkeypatch.chdir(log_dir.parent)  # the default: ./events
        assert chronos("verify", log=None).code == 0

    def test_debug_shows_the_exception(self, log_dir: Path) -> None:
        with pytest.raises(LookupError):
            cli.main(["--log", str(log_dir), "--debug", "history", "nobody-at-all"])

    def test_internal_errors_are_one_line(self, chronos: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(render, "roster_json", lambda *_: 1 / 0)
        line = one_error_line(chronos("roster", "agency", "--at", "2022"))
        assert "internal error: ZeroDivisionError" in line
        assert "--debug" in line


class TestHelp:
    """``--help``, ``--version`` and the examples in every help."""

    def test_version(self, chronos: Any) -> None:
        result = chronos("--version", log=None)
        assert (result.code, result.out.strip()) == (0, "chronos 0.1.0")

    @pytest.mark.parametrize(
        "command",
        [None, "roster", "diff", "history", "name", "events", "check", "verify", "append", "timeline"],
    )
    def test_help_has_an_example(self, chronos: Any, command: str | None) -> None:
        result = chronos(*([command] if command else []), "--help", log=None)
        assert result.code == 0
        assert re.search(r"^examples?:\n  chronos ", result.out, re.MULTILINE)


def run_process(*argv: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    environment = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    environment.pop("FORCE_COLOR", None)
    done = subprocess.run(
        argv, input=stdin, capture_output=True, text=True, env=environment, timeout=60, check=False
    )
    return Result(done.returncode, done.stdout, done.stderr)


class TestProcess:
    """The real entry points: ``python -m chronos.cli``, ``python -m chronos`` and the ``chronos`` script."""

    def test_module_cli(self, log_dir: Path) -> None:
        result = run_process(
            sys.executable, "-m", "chronos.cli", "--log", str(log_dir), "roster", "SA", "--at", "2022-01-05"
        )
        assert result.code == 0
        assert result.err == ""
        assert "? Karim Massimov (possible)" in result.out
        assert not ANSI.search(result.out)

    def test_module_package_json(self, log_dir: Path) -> None:
        result = run_process(
            sys.executable, "-m", "chronos", "--log", str(log_dir), "history", "massimov", "--format", "json"
        )
        assert_shape(json.loads(result.out)["answer"], HISTORY)

    def test_console_script(self, log_dir: Path) -> None:
        script = shutil.which("chronos", path=str(Path(sys.executable).parent))
        if script is None:
            pytest.skip("the chronos script is not installed next to this python")
        result = run_process(script, "--log", str(log_dir), "verify")
        assert result.code == 0
        assert result.out.startswith("ok: 14 records")

    def test_errors_have_no_traceback(self, log_dir: Path) -> None:
        result = run_process(
            sys.executable, "-m", "chronos", "--log", str(log_dir), "roster", "nowhere", "--at", "2022"
        )
        assert result.code == 1
        assert result.err.startswith("chronos: error: unknown organisation or post 'nowhere'")
        assert result.err.count("\n") == 1
        debug = run_process(
            sys.executable,
            "-m",
            "chronos",
            "--debug",
            "--log",
            str(log_dir),
            "roster",
            "nowhere",
            "--at",
            "2022",
        )
        assert debug.code == 1
        assert "Traceback" in debug.err

    def test_append_from_stdin_all_or_nothing(self, log_dir: Path) -> None:
        before = snapshot(log_dir)
        bad = json.dumps(TestAppend.NEW) + "\n" + json.dumps({**TestAppend.NEW, "type": "Apointed"}) + "\n"
        result = run_process(sys.executable, "-m", "chronos", "--log", str(log_dir), "append", "-", stdin=bad)
        assert result.code == 1
        assert "<stdin>:2: unknown event type 'Apointed'" in result.err
        assert snapshot(log_dir) == before


@pytest.fixture(scope="module")
def large_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_large_log(tmp_path_factory.mktemp("large") / "events")


def force_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the command believe stderr is a terminal."""
    monkeypatch.setattr(cli_app, "progress_console", lambda: Console(file=sys.stderr, force_terminal=True))


class TestLargeLog:
    """A generated log of 2,000 events: progress bars on a terminal, quiet when piped, and fast enough."""

    def test_roster_is_quiet_when_piped(self, chronos: Any, large_log: Path) -> None:
        started = time.perf_counter()
        result = chronos("roster", "big", "--at", "2000-06-01", "--format", "json", log=large_log)
        assert time.perf_counter() - started < 5
        assert result.err == ""
        assert len(result.json()) == 50
        assert all(s["certainty"] == "certain" for s in result.json())

    def test_progress_on_a_terminal(
        self, chronos: Any, large_log: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        force_progress(monkeypatch)
        result = chronos("check", "--format", "json", log=large_log)
        assert result.code == 0
        assert result.json() == []
        assert ANSI.search(result.err)  # the bar was drawn on stderr ...
        assert not ANSI.search(result.out)  # ... and stdout stays clean

    def test_append_thousands(self, chronos: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from tests.cli_fixtures import large_catalogue

        force_progress(monkeypatch)
        target = write_catalogue(tmp_path / "fresh", large_catalogue(50, 200))
        path = write_jsonl(tmp_path / "many.jsonl", large_events())
        started = time.perf_counter()
        result = chronos("append", str(path), log=target)
        assert time.perf_counter() - started < 10
        assert result.out == "appended 2000 events, skipped 0 already in the log (now 2000 records)\n"
        assert "checking events" in result.err
        assert chronos("verify", log=target).out.startswith("ok: 2000 records")

    def test_progress_on_a_real_terminal(self, large_log: Path) -> None:
        """Run in a subprocess whose stderr is a pseudo-terminal and whose stdout is a pipe."""
        leader, follower = pty.openpty()
        environment = {**os.environ, "PYTHONPATH": str(SRC)}
        environment.pop("FORCE_COLOR", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "chronos", "--log", str(large_log), "check"],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=environment,
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            seen += chunk
        out, _ = process.communicate(timeout=60)
        os.close(leader)
        assert process.returncode == 0
        assert b"reading the log" in seen or b"checking" in seen
        assert not ANSI.search(out.decode())
        assert "0 errors" in out.decode()


DATASET = Path(__file__).resolve().parent.parent / "events"
#: Every table the command draws, on the shipped dataset, and the JSON fields of the dates it shows.
TABLE_COMMANDS = [
    (("roster", "nsc", "--at", "2022-01-10"), ("since", "until")),
    (("roster", "nsc", "--at", "2016"), ("since", "until")),
    (("diff", "nsc", "2021-12-31", "2022-01-31"), ("occurred",)),
    (("history", "Massimov"), ("start", "end", "date")),
    (("history", "nsc/chairman"), ("start", "end")),
    (("events", "--about", "massimov"), ("occurred", "known")),
    (("check",), ()),
    (("sources",), ("date",)),
    (("name", "nur-sultan", "--at", "2019"), ("since",)),
]
#: Parts of an answer a table does not show (claims behind a disputed date, the seats a change compares).
HIDDEN = ("alternatives", "before", "after", "charges", "sources")


def dates_in(data: Any, fields: tuple[str, ...]) -> set[str]:
    """The values of ``fields`` anywhere in the JSON answer, outside the `HIDDEN` parts: the dates shown."""
    if isinstance(data, dict):
        found = {v for k, v in data.items() if k in fields and isinstance(v, str)}
        return found | {d for k, v in data.items() if k not in HIDDEN for d in dates_in(v, fields)}
    if isinstance(data, list):
        return {d for value in data for d in dates_in(value, fields)}
    return set()


class TestWidths:
    """Tables fit the width ($COLUMNS when piped), wrap rather than drop columns, and never split a date."""

    @pytest.mark.parametrize(
        ("argv", "fields"), TABLE_COMMANDS, ids=[" ".join(c[0][:2]) for c in TABLE_COMMANDS]
    )
    @pytest.mark.parametrize("width", [80, 100, 120, 160])
    def test_fits_and_keeps_dates_whole(
        self,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        argv: tuple[str, ...],
        fields: tuple[str, ...],
        width: int,
    ) -> None:
        monkeypatch.setenv("COLUMNS", str(width))
        assert cli.main(["--log", str(DATASET), *argv, "--format", "json"]) in (0, 1)
        data = json.loads(capsys.readouterr().out)
        assert cli.main(["--log", str(DATASET), *argv]) in (0, 1)
        table = capsys.readouterr().out
        lines = table.splitlines()
        assert max(len(line) for line in lines) <= width
        words = set(table.split())
        missing = sorted(d for d in dates_in(data, fields) if d not in words)
        assert missing == []

    @pytest.mark.parametrize("width", [80, 100])
    def test_no_column_is_dropped(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int
    ) -> None:
        monkeypatch.setenv("COLUMNS", str(width))
        cli.main(["--log", str(DATASET), "roster", "nsc", "--at", "2022-01-10"])
        text = capsys.readouterr().out
        header = text.splitlines()[1].split()
        assert header[:3] == ["Unit", "Post", "Holder"]
        assert header[-1] == "Src"
        words = set(text.split())
        for name in ("National", "Chairman", "Sagimbayev", "Kunanbayev", "[14]"):
            assert name in words, name

    def test_without_columns_a_pipe_is_120_wide(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("COLUMNS", raising=False)
        cli.main(["--log", str(DATASET), "roster", "nsc", "--at", "2022-01-10"])
        lines = capsys.readouterr().out.splitlines()
        assert max(len(line) for line in lines) == 120
        assert lines[1].split() == ["Unit", "Post", "Holder", "Since", "Until", "Src"]


class TestJsonLines:
    """``--format jsonl``: one compact object a line, the items of the JSON answer (or its flattened rows)."""

    @pytest.mark.parametrize(
        "argv",
        [("roster", "nsc", "--at", "2022-01-10"), ("events",), ("check",), ("sources",)],
        ids=lambda argv: argv[0],
    )
    def test_the_items_of_a_list(self, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
        cli.main(["--log", str(DATASET), *argv, "--format", "json"])
        whole = json.loads(capsys.readouterr().out)["answer"]
        cli.main(["--log", str(DATASET), *argv, "--format", "jsonl"])
        lines = capsys.readouterr().out.splitlines()
        assert [json.loads(line) for line in lines] == whole
        assert all("\n" not in line and ": " not in line[:20] for line in lines)

    def test_diff_and_history_give_their_rows(self, capsys: pytest.CaptureFixture[str]) -> None:
        cli.main(["--log", str(DATASET), "diff", "nsc", "2021-12-31", "2022-01-31", "--format", "jsonl"])
        rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert {r["change"] for r in rows} == {"joined", "left", "changed"}
        assert set(render.DIFF_COLUMNS) <= set(rows[0])
        cli.main(["--log", str(DATASET), "history", "massimov", "--format", "jsonl"])
        rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [r["record"] for r in rows].count("custody") == 1

    def test_name_is_one_object_so_no_jsonl(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["--log", str(DATASET), "name", "nsc", "--at", "2022", "--format", "jsonl"]) == 2
        assert "invalid choice: 'jsonl'" in capsys.readouterr().err
