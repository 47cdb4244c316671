"""Rendering: JSON-ready objects, CSV and terminal tables, as pure functions of library results."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rich.console import Console, RenderableType

from chronos import Post
from chronos.checks import Finding
from chronos.codec import Codec
from chronos.output import render, tables
from tests.cli_fixtures import small_chronology

CHRONOLOGY = small_chronology()
CATALOGUE = CHRONOLOGY.catalogue


def text_of(renderable: RenderableType, *, terminal: bool = False) -> str:
    out = io.StringIO()
    Console(
        file=out, width=120, force_terminal=terminal, color_system="standard" if terminal else None
    ).print(renderable)
    return out.getvalue()


def post(post_id: str) -> Post:
    found = CATALOGUE[post_id]
    assert isinstance(found, Post)
    return found


class TestJson:
    """The JSON-ready objects are plain data that `json.dumps` takes as they are."""

    def test_roster_is_json_and_keeps_empty_seats(self) -> None:
        rows = render.roster_json(CHRONOLOGY.roster("agency", at="2016-06-01"), CATALOGUE)
        assert json.loads(json.dumps(rows)) == rows
        empty = [r for r in rows if r["person"] is None]
        assert [r["post_id"] for r in empty] == ["agency/deputy", "agency/border/head"]
        assert all(r["since"] is None and r["events"] == [] for r in empty)
        # Nothing says these seats were empty: unknown, not vacant.
        assert {(r["state"], r["vacant"], r["certainty"]) for r in empty} == {("unknown", False, "possible")}
        assert {tuple(r["why"]) for r in empty} == {("unknown holder",)}

    def test_open_dates_are_null_not_year_one(self) -> None:
        data = render.history_json(CHRONOLOGY.history("ermek-sagimbayev"), CATALOGUE)
        [tenure] = data["tenures"]
        assert tenure["end"] is None
        assert tenure["end_earliest"] is None
        assert tenure["ongoing"]

    def test_policy_alternatives_name_the_chosen_claim(self) -> None:
        seats = CHRONOLOGY.roster("agency", at="2022-01-04", policy="latest")
        chair = render.seat_json(seats[0], CATALOGUE)
        assert chair["until"] == "2022-01-06"
        assert {(a["date"], a["chosen"]) for a in chair["alternatives"]} == {
            ("2022-01-05", False),
            ("2022-01-06", True),
        }

    def test_events_round_trip_through_the_codec(self) -> None:
        codec = Codec()
        for item in render.events_json(CHRONOLOGY.events, codec):
            assert codec.from_dict({k: v for k, v in item.items() if k != "id"}).id == item["id"]

    def test_findings(self) -> None:
        finding = Finding("error", "over-seats", "too many", ("a", "b"), ("why",))
        assert render.findings_json([finding]) == [
            {
                "severity": "error",
                "rule": "over-seats",
                "message": "too many",
                "events": ["a", "b"],
                "notes": ["why"],
            }
        ]


class TestCsv:
    """CSV flattens the JSON objects: lists joined with " | ", None empty, booleans lower case."""

    def test_cells(self) -> None:
        rows = [
            {
                "a": None,
                "b": True,
                "c": ["x", "y, z"],
                "sources": [{"source": "s.txt", "quote": 'say "hi"', "locator": "line 2"}],
            }
        ]
        text = render.csv_text(rows, ("a", "b", "c", "sources", "missing"))
        [row] = list(csv.DictReader(io.StringIO(text)))
        assert row == {
            "a": "",
            "b": "true",
            "c": "x | y, z",
            "sources": 's.txt (line 2): "say "hi""',
            "missing": "",
        }

    def test_diff_rows(self) -> None:
        data = render.diff_json(CHRONOLOGY.diff("agency", "2022-01-01", "2022-01-31"), CATALOGUE)
        rows = render.diff_rows(data)
        moved = next(r for r in rows if r["change"] == "moved")
        assert (moved["before_post_id"], moved["after_post_id"]) == ("agency/deputy", "agency/border/head")
        assert set(render.DIFF_COLUMNS) <= set(moved)

    def test_history_rows(self) -> None:
        rows = render.history_rows(render.history_json(CHRONOLOGY.history("erlan-bekov"), CATALOGUE))
        assert [(r["record"], r["start"]) for r in rows] == [
            ("tenure", "2018-04-02"),
            ("death", "2021-11-30"),
        ]

    def test_events_rows_about(self) -> None:
        data = render.events_json(CHRONOLOGY.events_about("nur-sultan"), Codec())
        [row] = render.events_rows(data, CATALOGUE)
        assert row["about"] == ["nur-sultan"]
        assert row["details"] == "entity=nur-sultan; name=Nur-Sultan; former=Astana"


class TestFootnotes:
    """Sources are numbered once, in order of first use, and marked compactly."""

    def test_numbering_and_ranges(self) -> None:
        notes = tables.Footnotes()
        sources = [{"source": f"{i}.txt", "quote": "q", "locator": None} for i in range(5)]
        assert notes.mark(sources[:3]).plain == "[1-3]"
        assert notes.mark([sources[4], sources[0]]).plain == "[1,4]"
        assert notes.mark([]).plain == ""
        assert notes.renderable().plain.splitlines()[3] == '[4] 4.txt: "q"'


class TestPostLabel:
    """Post names lose their organisation's name; units keep theirs in front."""

    @pytest.mark.parametrize(
        ("post_id", "root", "label"),
        [
            ("agency/chair", None, "Chair"),
            ("agency/chair", "agency", "Chair"),
            ("agency/border/head", "agency", "Border Service: Head"),
            ("agency/border/head", "agency/border", "Head"),
        ],
    )
    def test_labels(self, post_id: str, root: str | None, label: str) -> None:
        assert tables.post_label(post(post_id), CATALOGUE, root=root) == label

    def test_unrelated_name_is_kept(self) -> None:
        odd = Post(id="agency/odd", name="Chief Archivist", org="agency")
        assert tables.post_label(odd, CATALOGUE) == "Chief Archivist"


class TestTables:
    """Terminal tables: marked for the eye, colour only on a terminal."""

    def test_roster_plain(self) -> None:
        rows = render.roster_json(CHRONOLOGY.roster("agency", at="2022-01-05"), CATALOGUE)
        text = text_of(tables.roster_table(rows, CATALOGUE, title="T"))
        assert text.splitlines()[0] == "T"
        assert "? Karim Massimov (possible)" in text
        assert "disputed" in text
        assert re.search(r"Border( Service)?\s+Head\s+unknown", text)
        assert "disputed dates" in text  # why Massimov is only possible
        assert '[7] fixture-004.txt: "Sadykulov moved to head the border service"' in text
        assert "\x1b[" not in text

    def test_roster_colour_on_a_terminal(self) -> None:
        rows = render.roster_json(CHRONOLOGY.roster("agency", at="2022-01-05"), CATALOGUE)
        text = text_of(tables.roster_table(rows, CATALOGUE, title="T"), terminal=True)
        assert "\x1b[33m? Karim Massimov (possible)" in text  # yellow
        assert "\x1b[2munknown" in text  # dim

    def test_empty_answers_say_so(self) -> None:
        data = render.diff_json(CHRONOLOGY.diff("agency", "2020-01-01", "2020-02-01"), CATALOGUE)
        assert "no changes" in text_of(tables.diff_table(data, CATALOGUE, title="T"))
        assert "no events" in text_of(tables.events_table([], CATALOGUE, title="T"))

    def test_check_summary(self) -> None:
        data = render.findings_json(
            [
                Finding("error", "r", "m1"),
                Finding("warning", "r", "m2"),
                Finding("warning", "r", "m3", (), ("n",)),
            ]
        )
        text = text_of(tables.check_table(data, title="T"))
        assert "note: n" in text
        assert text.rstrip().splitlines()[-1] == "1 error, 2 warnings, 0 info"

    def test_history_with_custody_and_death(self) -> None:
        massimov = render.history_json(CHRONOLOGY.history("karim-massimov"), CATALOGUE)
        text = text_of(tables.history_table(massimov, title="T"))
        assert re.search(r"2022-01-06\s+\[4\]", text)
        bekov = render.history_json(CHRONOLOGY.history("erlan-bekov"), CATALOGUE)
        assert "Died 2021-11-30 [2]" in text_of(tables.history_table(bekov, title="T"))
