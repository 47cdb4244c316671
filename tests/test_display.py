"""Answers in a notebook: one-line reprs, rows, HTML tables and DataFrames (chronos.projections.display)."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import Chronology, MissingDependency, Roster
from tests.strategies import EPOCH, History, histories, small_catalogue

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def knb() -> Chronology:
    return Chronology.open(ROOT / "events")


class Cells(HTMLParser):
    """The caption, header and body cells of an HTML table."""

    def __init__(self) -> None:
        super().__init__()
        self.caption = ""
        self.cells: list[tuple[str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag if tag in ("caption", "th", "td") else None
        if tag in ("th", "td"):
            self.cells.append((tag, ""))

    def handle_data(self, data: str) -> None:
        if self._in == "caption":
            self.caption += data
        elif self._in in ("th", "td"):
            tag, text = self.cells[-1]
            self.cells[-1] = (tag, text + data)

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def cells(html: str) -> Cells:
    parser = Cells()
    parser.feed(html)
    return parser


class TestReprs:
    """Every answer's repr is one short line (a roster entry's was 3,744 characters)."""

    @given(histories(disputes=True, fuzzy=True), st.integers(0, 400))
    def test_one_line(self, history: History, offset: int) -> None:
        ours = Chronology(history.events, small_catalogue())
        at = EPOCH + dt.timedelta(days=offset)
        roster = ours.roster("org", at=at)
        answers: list[object] = [roster, *roster, ours.diff("org", EPOCH, at)]
        for person in ("ann-abel", "ben-berg"):
            found = ours.history(person)
            answers += [found, *found.tenures, *found.custody]
            answers += [c for t in found.tenures for c in (t.start, t.end, *t.start.claims, *t.end.claims)]
        answers += [ours.succession("org/deputy"), ours.name("town", at=at)]
        for answer in answers:
            text = repr(answer)
            assert "\n" not in text
            assert len(text) <= 120, text

    def test_examples(self, knb: Chronology) -> None:
        (chair,) = knb.roster("nsc/chairman", at="2022-01-05")
        assert repr(chair) == "Seat('nsc/chairman': 'karim-massimov', possible, since 2016)"
        assert (
            repr(chair.tenure)
            == "Tenure('karim-massimov' at 'nsc/chairman', 2016 -> 2022-01-04/2022-01-06, disputed)"
        )
        assert repr(knb.roster("nsc", at="2022-01-05")) == "Roster('nsc' on 2022-01-05: 17 seats, 16 held)"
        history = knb.history("Massimov")
        tenures = len(history.tenures)
        assert (
            repr(history)
            == f"History('karim-massimov': {tenures} tenures, 1 spell in custody, no death recorded)"
        )


class TestRoster:
    """A `Roster` is the tuple of seats, and knows what was asked."""

    def test_equal_to_its_tuple_and_pickled(self, knb: Chronology) -> None:
        roster = knb.roster("nsc", at="2022-01-05", known_at="2022-01-07")
        assert roster == tuple(roster)
        assert isinstance(roster, Roster)
        again = pickle.loads(pickle.dumps(roster))
        assert (again, again.org, again.at, again.known_at) == (roster, "nsc", "2022-01-05", "2022-01-07")
        assert roster.caption() == "National Security Committee on 2022-01-05, as known on 2022-01-07"
        assert all(isinstance(r, Roster) for r in knb.rosters(at="2022-01-05").values())

    def test_rows_frame_and_html_agree(self, knb: Chronology) -> None:
        roster = knb.roster("nsc", at="2022-01-10")
        rows = roster.rows()
        assert len(rows) == len(roster)
        assert [r["person_id"] for r in rows] == [s.person for s in roster]
        frame = roster.to_frame()
        assert list(frame.columns) == list(rows[0])
        assert frame["person"].dropna().tolist() == [r["person"] for r in rows if r["person"]]
        table = cells(roster._repr_html_())
        assert table.caption == "National Security Committee on 2022-01-10"
        assert [c for tag, c in table.cells if tag == "th"] == list(rows[0])
        shown = {c for tag, c in table.cells if tag == "td"}
        assert {r["person"] for r in rows if r["person"]} <= shown

    def test_html_escapes(self, knb: Chronology) -> None:
        assert "Special Service &quot;A&quot;" in knb.roster("nsc", at="2022-01-10")._repr_html_()


class TestFrames:
    """Diffs, histories and successions give rows, DataFrames and tables too."""

    def test_diff(self, knb: Chronology) -> None:
        diff = knb.diff("nsc", "2021-12-31", "2022-01-31")
        frame = diff.to_frame()
        assert len(frame) == len(diff.joined) + len(diff.left) + len(diff.moved) + len(diff.changed)
        assert set(frame["change"]) == {"joined", "left", "changed"}
        assert cells(diff._repr_html_()).caption == "National Security Committee: 2021-12-31 to 2022-01-31"

    def test_history_and_succession(self, knb: Chronology) -> None:
        history = knb.history("Massimov")
        assert history.to_frame()["record"].tolist() == ["tenure"] * len(history.tenures) + ["custody"]
        succession = knb.succession("nsc/chairman")
        assert succession.to_frame()["person"].tolist() == [
            str(knb.catalogue[t.person].name) for t in succession.tenures
        ]
        assert succession.to_frame()["person"].tolist()[-2:] == ["Karim Massimov", "Ermek Sagimbayev"]
        assert "its holders in turn" in cells(succession._repr_html_()).caption

    def test_without_a_catalogue_rows_name_ids(self, knb: Chronology) -> None:
        bare = Roster(knb.roster("nsc", at="2022-01-10"), org="nsc", at="2022-01-10")
        assert bare.rows()[0]["person"] == bare.rows()[0]["person_id"] == "ermek-sagimbayev"

    def test_without_pandas_the_hint_names_the_extra(self) -> None:
        code = (
            "import sys; sys.modules['pandas'] = None\n"
            "from chronos import Chronology\n"
            "Chronology.open('events').roster('nsc', at='2022').to_frame()"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 1
        assert (
            f"{MissingDependency.__name__}: to_frame needs pandas: pip install 'chronos-history[pandas]'"
            in result.stderr
        )
