"""Dates before year 1 through the whole stack: projections, the sweep, the index, charts and exports.

The Gregorian calendar repeats every 400 years, day for day, so a chronology
moved back 2,400 years (into the fourth century BCE) must answer every
question exactly as the original does, 2,400 years earlier. The logs here are
synthetic (generated, or the small test story moved back): no history is
claimed for them.
"""

from __future__ import annotations

import json
import random
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import (
    Catalogue,
    Chronology,
    Corrected,
    Day,
    End,
    Event,
    EventLog,
    FuzzyDate,
    PartialDate,
    Retracted,
    Span,
    cli,
    parse_date,
)
from chronos.interop import export, import_text
from chronos.interop.ftm import ftm_dates
from chronos.output import render, timeline
from chronos.projections import Change, Tenure
from tests.cli_fixtures import CATALOGUE, small_events, write_catalogue
from tests.strategies import EPOCH, History, histories, small_catalogue

YEARS = -2400  # six cycles of 400 Gregorian years
DAYS = 6 * -146_097


def texts(svg: str) -> list[str]:
    """Every piece of text in an SVG document."""
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")]


def moved_part(part: PartialDate) -> PartialDate:
    assert not part.unspecified
    return attrs.evolve(part, year=part.year + YEARS)


def moved_date(date: FuzzyDate) -> FuzzyDate:
    """The same date 2,400 years earlier."""

    def bound(b: PartialDate | End) -> PartialDate | End:
        return b if isinstance(b, End) else moved_part(b)

    members = tuple(
        moved_part(m)
        if isinstance(m, PartialDate)
        else Span(m.lower and moved_part(m.lower), m.upper and moved_part(m.upper))
        for m in date.members
    )
    return FuzzyDate(bound(date.lower), bound(date.upper), date.form, members, date.qualifier)


def moved_events(events: tuple[Event, ...] | list[Event]) -> list[Event]:
    """Every event 2,400 years earlier (occurred and known), retractions aimed at the moved events."""
    ids: dict[str, str] = {}
    out: list[Event] = []
    for event in events:
        changes: dict[str, Any] = {"occurred": moved_date(event.occurred), "known": moved_date(event.known)}
        if isinstance(event, Retracted | Corrected):
            changes["target"] = ids[event.target]
        moved = attrs.evolve(event, **changes)
        ids[event.id] = moved.id
        out.append(moved)
    return out


def back(day: Day) -> Day:
    """A moved day, moved forward again (open ends stay open)."""
    return day if day in (Day.min, Day.max) else Day(day - DAYS)


def bounds(tenure: Tenure | None, moved: bool) -> tuple[Day, ...] | None:
    if tenure is None:
        return None
    days = (tenure.start.first, tenure.start.last, tenure.end.first, tenure.end.last)
    return tuple(back(d) if moved else d for d in days)


def seats(chronology: Chronology, at: Day, known_at: Day | None, *, moved: bool) -> list[tuple[Any, ...]]:
    return [
        (s.post.id, s.person, s.certainty, bounds(s.tenure, moved))
        for s in chronology.roster("org", at=at, known_at=known_at)
    ]


def _change(change: Change, moved: bool) -> tuple[Any, ...]:
    seats = (change.before, change.after)
    return (change.person, *((s.post.id, s.certainty, bounds(s.tenure, moved)) if s else None for s in seats))


class TestProjections:
    """A generated chronology moved 2,400 years back answers as the original, 2,400 years earlier."""

    @given(histories(disputes=True, fuzzy=True), st.randoms(use_true_random=False))
    def test_rosters_histories_diffs(self, history: History, rnd: random.Random) -> None:
        catalogue = small_catalogue()
        now = Chronology(history.events, catalogue)
        then = Chronology(moved_events(history.events), catalogue)
        epoch = Day.from_date(EPOCH)
        days = [Day(epoch + rnd.randint(-5, history.horizon)) for _ in range(6)]
        for known in [None, *days[:2]]:
            known_then = None if known is None else Day(known + DAYS)
            for day in days:
                assert seats(then, Day(day + DAYS), known_then, moved=True) == seats(
                    now, day, known, moved=False
                )
                # The sweep over every organisation finds the same holders as the roster.
                swept = then.rosters(["org"], at=Day(day + DAYS), known_at=known_then)["org"]
                assert list(swept) == list(then.roster("org", at=Day(day + DAYS), known_at=known_then))
            a, b = sorted(days[2:4])
            old, new = (
                now.diff("org", a, b, known_at=known),
                then.diff("org", Day(a + DAYS), Day(b + DAYS), known_at=known_then),
            )
            for part in ("joined", "left", "moved", "changed"):
                assert [_change(c, True) for c in getattr(new, part)] == [
                    _change(c, False) for c in getattr(old, part)
                ]
        for person in {p for e in history.events for p in e.about() if p.count("-") == 1}:
            assert [bounds(t, True) for t in then.history(person).tenures] == [
                bounds(t, False) for t in now.history(person).tenures
            ]

    def test_the_small_story_in_the_fourth_century_bce(self) -> None:
        catalogue = Catalogue.from_dict(tomllib.loads(CATALOGUE))
        then = Chronology(moved_events(small_events()), catalogue)
        # Massimov's appointment "2016" is now -0384; the disputed dismissal -0378-01-05 or -06.
        [chair] = [s for s in then.roster("agency", at="-0380") if s.post.id == "agency/chair"]
        assert (chair.person, chair.certainty) == ("karim-massimov", "certain")
        [chair] = [s for s in then.roster("agency", at="-0378-01-05") if s.post.id == "agency/chair"]
        assert (chair.person, chair.certainty) == ("karim-massimov", "possible")
        # Knowledge dates work the same: before -0384-09-09 nobody had reported the appointment.
        first_seat = then.roster("agency", at="-0384-10", known_at="-0384-09-08")[0]
        assert (first_seat.post.id, first_seat.person) == ("agency/chair", None)
        assert then.index.latest_known == Day.of(-378, 1, 20)


class TestChart:
    """A Gantt chart of a BCE chronology: bars by day number, an axis of years BCE."""

    def chronology(self) -> Chronology:
        return Chronology(moved_events(small_events()), Catalogue.from_dict(tomllib.loads(CATALOGUE)))

    def test_bars_and_markers(self) -> None:
        chart = timeline.build(
            self.chronology(), "agency", start=Day.of(-379, 11, 1), end=Day.of(-378, 2, 28)
        )
        chair = chart.lanes[0]
        assert [b.name for b in chair.bars] == ["Karim Massimov", "Ermek Sagimbayev"]
        assert chair.bars[0].segments[-1] == timeline.Segment(Day.of(-378, 1, 5), Day.of(-378, 1, 6), True)
        assert ("died", "Erlan Bekov", Day.of(-379, 11, 30)) in {
            (m.kind, m.name, m.first) for m in chart.markers
        }
        assert chart.title == "State Agency: -0379-11-01 to -0378-02-28"

    def test_svg_has_an_axis_of_years(self) -> None:
        chart = timeline.build(self.chronology(), "agency", start=Day.of(-390), end=Day.of(-370, 12, 31))
        labels = texts(timeline.render_svg(chart))
        # Every second year from astronomical -390 (391 BCE) to -370 (371 BCE), even as BCE years count.
        assert [t for t in labels if t.endswith("BCE")] == [f"{n} BCE" for n in range(390, 371, -2)]
        assert "Karim Massimov" in labels
        assert "-0378-01-05 to -0378-01-06" not in labels  # a day range is a marker's, not a bar's
        assert "[-0378-01-05,-0378-01-06]" in timeline.render_html(chart)

    def test_an_axis_across_year_zero(self) -> None:
        chart = timeline.build(self.chronology(), "agency", start=Day.of(-20), end=Day.of(20, 12, 31))
        labels = [t for t in texts(timeline.render_svg(chart)) if t.endswith("CE")]
        assert labels == ["20 BCE", "15 BCE", "10 BCE", "5 BCE", "5 CE", "10 CE", "15 CE", "20 CE"]


class TestExports:
    """Exports of BCE dates: JSON and CSV keep the exact days; Popolo and FtM the nearest ISO form."""

    def chronology(self) -> Chronology:
        return Chronology(moved_events(small_events()), Catalogue.from_dict(tomllib.loads(CATALOGUE)))

    def test_json_and_csv_days(self) -> None:
        chronology = self.chronology()
        [row] = render.history_json(chronology.history("karim-massimov"), chronology.catalogue)["tenures"]
        assert (row["start_earliest"], row["end_latest"]) == ("-0384-01-01", "-0378-01-06")
        text = export(chronology, "csv")
        assert "-0384-01-01" in text
        # Rows sort by day, not by text: Abish (-0385-06) was deputy before Sadykulov (-0381-03-01),
        # though "-0385" sorts after "-0381" as text.
        people = [line.split(",")[0] for line in text.splitlines()[1:] if ",agency/deputy," in line]
        assert people == ["samat-abish", "anuar-sadykulov"]

    def test_popolo_writes_the_exact_edtf_beside(self) -> None:
        chronology = self.chronology()
        data = json.loads(export(chronology, "popolo"))
        [member] = [m for m in data["memberships"] if m["person_id"] == "karim-massimov"]
        assert "start_date" not in member  # no ISO date Popolo allows holds -0384
        assert (member["chronos"]["start_date"], member["chronos"]["end_date"]) == (
            "-0384",
            "[-0378-01-05,-0378-01-06]",
        )
        log = EventLog.open(":memory:")
        import_text(log, "popolo", json.dumps(data), label="bce/export.popolo", known_at="2024")
        again = Chronology.from_log(log)
        assert {(t.person, t.post, str(t.start.date), str(t.end.date)) for t in again.tenures()} == {
            (t.person, t.post, str(t.start.date), str(t.end.date)) for t in chronology.tenures()
        }

    def test_popolo_nearest_iso_forms(self) -> None:
        assert parse_date("2016?").nearest_iso() == "2016"
        assert parse_date("2022-02-01/2022-02-16").nearest_iso() == "2022-02"
        assert parse_date("1985-04-12T23:20:30Z").nearest_iso() == "1985-04-12"
        assert parse_date("201X").nearest_iso() is None
        assert parse_date("-0043-03-15").nearest_iso() is None

    def test_ftm(self) -> None:
        assert ftm_dates(parse_date("-0043-03-15")) == []
        assert ftm_dates(parse_date("1984-1X")) == ["1984"]
        assert ftm_dates(parse_date("[1667,1668,1670..1672]")) == ["1667", "1668"]
        assert ftm_dates(parse_date("1992/1993")) == ["1992", "1993"]
        assert ftm_dates(parse_date("2004-06-11%")) == ["2004-06-11"]


class TestCommandLine:
    """BCE dates on the command line are values, never options: ``--at -0378-01-05``."""

    def log(self, tmp_path: Path) -> Path:
        directory = write_catalogue(tmp_path / "events")
        log = EventLog.open(directory)
        log.append(moved_events(small_events(log.codec)), expected_position=0)
        return directory

    def run(self, capsys: pytest.CaptureFixture[str], log: Path, *argv: str) -> tuple[int, str, str]:
        code = cli.main(["--log", str(log), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    def test_roster_diff_history_events(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        log = self.log(tmp_path)
        code, out, err = self.run(capsys, log, "roster", "agency", "--at", "-0380-03-15", "--format", "jsonl")
        assert code == 0, err
        assert "karim-massimov" in out
        code, out, err = self.run(
            capsys, log, "diff", "agency", "-0379-11-01", "-0378-02-28", "--format", "csv"
        )
        assert code == 0, err
        assert "ermek-sagimbayev" in out
        code, out, err = self.run(capsys, log, "history", "karim-massimov", "--known-at", "-0378-01-20")
        assert code == 0, err
        assert "-0384" in out
        code, out, err = self.run(capsys, log, "events", "--format", "jsonl")
        assert code == 0, err
        occurred = [parse_date(json.loads(line)["occurred"]) for line in out.splitlines()]
        assert [d.first for d in occurred] == sorted(d.first for d in occurred)  # by day, not by text

    def test_a_bad_bce_date_is_one_line(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        code, _, err = self.run(capsys, self.log(tmp_path), "roster", "agency", "--at", "-0380-13-15")
        assert code == 2
        assert err.count("\n") == 1
        assert "month 13" in err
