"""The timeline: lanes, bars, markers, and the SVG, PNG and HTML it draws."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from chronos import Catalogue, Chronology, Codec, Day, Renamed, Source, cli
from chronos.output import timeline
from tests.cli_fixtures import CATALOGUE, small_chronology, write_small_log

D = Day.of
CHRONOLOGY = small_chronology()
WINTER: dict[str, Any] = {"start": D(2021, 11, 1), "end": D(2022, 2, 28)}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def winter() -> timeline.Chart:
    return timeline.build(CHRONOLOGY, "SA", **WINTER)


def texts(svg: str) -> list[str]:
    """Every piece of text in an SVG document."""
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


class TestBuild:
    """`timeline.build`: what goes on which lane."""

    def test_lanes(self, winter: timeline.Chart) -> None:
        assert [lane.label for lane in winter.lanes] == [
            "Chair",
            "Deputy Chair (1)",
            "Deputy Chair (2)",
            "Border Service: Head",
        ]
        assert [[bar.name for bar in lane.bars] for lane in winter.lanes] == [
            ["Karim Massimov", "Ermek Sagimbayev"],
            ["Anuar Sadykulov"],
            ["Samat Abish"],
            ["Erlan Bekov", "Anuar Sadykulov"],
        ]

    def test_bars_are_clipped_and_split_by_certainty(self, winter: timeline.Chart) -> None:
        massimov = winter.lanes[0].bars[0]
        assert massimov.segments == (
            timeline.Segment(D(2021, 11, 1), D(2022, 1, 5), possible=False),
            timeline.Segment(D(2022, 1, 5), D(2022, 1, 6), possible=True),  # the disputed dismissal
        )
        assert (massimov.until, massimov.cause, massimov.disputed) == (
            "[2022-01-05,2022-01-06]",
            "dismissed",
            True,
        )
        sagimbayev = winter.lanes[0].bars[1]
        # The log's knowledge ends on 20 January: after it, his tenure is a forecast, hatched.
        assert sagimbayev.segments == (
            timeline.Segment(D(2022, 1, 6), D(2022, 1, 21), possible=False),
            timeline.Segment(D(2022, 1, 21), D(2022, 3, 1), possible=True),
        )
        assert not sagimbayev.certain

    def test_imprecise_start_is_possible(self) -> None:
        chart = timeline.build(CHRONOLOGY, "agency", start=D(2015, 1, 1), end=D(2017, 12, 31))
        massimov = chart.lanes[0].bars[0]
        assert massimov.segments[0] == timeline.Segment(D(2016, 1, 1), D(2016, 12, 31), possible=True)
        assert massimov.segments[1].start == D(2016, 12, 31)
        assert not massimov.segments[1].possible

    def test_markers_sit_on_the_holders_lane(self, winter: timeline.Chart) -> None:
        markers = {(m.kind, m.name, m.lane, m.first) for m in winter.markers}
        assert markers == {
            ("arrested", "Karim Massimov", 0, D(2022, 1, 6)),
            ("died", "Erlan Bekov", 3, D(2021, 11, 30)),
        }

    def test_outside_the_span(self) -> None:
        chart = timeline.build(CHRONOLOGY, "agency", start=D(2000, 1, 1), end=D(2000, 12, 31))
        assert [lane.label for lane in chart.lanes] == ["Chair", "Deputy Chair", "Border Service: Head"]
        assert chart.markers == ()
        assert all(lane.bars == () for lane in chart.lanes)

    def test_the_title_names_the_organisation_as_it_was_called(self) -> None:
        rename = Renamed(
            entity="agency",
            name="National Agency",
            former="State Agency",
            occurred="2022-01-15",
            known="2022-01-16",
            sources=[Source(source="decree.txt", quote="renamed")],
        )
        chronology = Chronology([*CHRONOLOGY.events, rename], CHRONOLOGY.catalogue)
        titles = [
            timeline.build(chronology, "agency", start=D(2021, 12, 1), end=end, known_at=known).title
            for end, known in (
                (D(2022, 1, 10), None),
                (D(2022, 2, 28), None),
                (D(2022, 2, 28), D(2022, 1, 15)),
            )
        ]
        assert titles == [
            "State Agency: 2021-12-01 to 2022-01-10",
            "State Agency → National Agency: 2021-12-01 to 2022-02-28",
            "State Agency: 2021-12-01 to 2022-02-28, as known on 2022-01-15",
        ]

    def test_undated_start_is_possible_up_to_the_end(self) -> None:
        codec = Codec()
        dismissed = codec.from_dict(
            {
                "type": "Dismissed",
                "person": "samat-abish",
                "post": "agency/chair",
                "occurred": "2020-06-15",
                "known": "2020-06-15",
                "sources": [{"source": "x.txt", "quote": "dismissed"}],
            }
        )
        chronology = Chronology([dismissed], CHRONOLOGY.catalogue)
        [bar] = timeline.build(chronology, "agency", start=D(2020, 1, 1), end=D(2020, 12, 31)).lanes[0].bars
        assert bar.segments == (timeline.Segment(D(2020, 1, 1), D(2020, 6, 15), possible=True),)
        assert bar.since == "?"

    def test_concurrent_holders_get_a_lane_each(self) -> None:
        codec = Codec()
        events = [
            codec.from_dict(
                {
                    "type": "Appointed",
                    "person": person,
                    "post": "agency/deputy",
                    "occurred": f"2020-0{month}-01",
                    "known": "2020-12-31",
                    "sources": [{"source": "x.txt", "quote": person}],
                }
            )
            for month, person in enumerate(["samat-abish", "erlan-bekov", "murat-nurtleu"], start=1)
        ]
        chart = timeline.build(
            Chronology(events, CHRONOLOGY.catalogue), "agency", start=D(2020, 1, 1), end=D(2020, 12, 31)
        )
        labels = [lane.label for lane in chart.lanes if lane.post == "agency/deputy"]
        assert labels == [
            "Deputy Chair (1)",
            "Deputy Chair (2)",
            "Deputy Chair (3)",
        ]  # over its 2 seats: all shown


class TestDrawing:
    """SVG keeps its words as text; PNG is a PNG; HTML stands alone."""

    def test_svg_has_lanes_and_holders(self, winter: timeline.Chart) -> None:
        svg = timeline.render_svg(winter)
        words = texts(svg)
        for label in ("Chair", "Deputy Chair (1)", "Deputy Chair (2)", "Border Service: Head"):
            assert label in words
        for name in ("Karim Massimov", "Ermek Sagimbayev", "Anuar Sadykulov", "Samat Abish", "Erlan Bekov"):
            assert name in words
        assert "State Agency: 2021-11-01 to 2022-02-28" in words
        assert {"arrested", "died", "held (certain)"} <= set(words)

    def test_svg_is_reproducible(self, winter: timeline.Chart) -> None:
        assert timeline.render_svg(winter) == timeline.render_svg(winter)

    def test_png(self, winter: timeline.Chart) -> None:
        png = timeline.render_png(winter)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert width > 1000
        assert height > 300
        assert len(png) > 10_000

    def test_html_is_standalone(self, winter: timeline.Chart) -> None:
        page = timeline.render_html(winter)
        assert page.startswith("<!DOCTYPE html>")
        assert page.count("<svg") == 1
        assert not re.search(r"https?://", page)
        assert not re.search(r"<(script|link|img|iframe)\b", page)
        assert "<td>Border Service: Head</td><td>Erlan Bekov</td>" in page
        assert "<td>Karim Massimov</td><td>2022-01-06</td><td></td><td>arrested</td>" in page

    def test_decades_axis(self) -> None:
        chart = timeline.build(CHRONOLOGY, "agency", start=D(1990, 1, 1), end=D(2022, 12, 31))
        words = texts(timeline.render_svg(chart))
        years = [w for w in words if re.fullmatch(r"(19|20)\d\d", w)]
        assert len(years) >= 5
        assert not {"Jan", "Feb", "15"} & set(words)

    def test_days_axis(self, winter: timeline.Chart) -> None:
        words = texts(timeline.render_svg(winter))
        assert words[:6] == ["Nov", "2021", "15", "Dec", "2021", "15"]  # a month's first day names its year
        assert {"Jan", "2022", "Feb"} <= set(words)


class TestCommand:
    """``chronos timeline``: the format follows the extension; bad arguments are usage errors."""

    @pytest.fixture
    def log(self, tmp_path: Path) -> Path:
        return write_small_log(tmp_path / "events")

    def run(self, capsys: pytest.CaptureFixture[str], log: Path, *argv: str) -> tuple[int, str, str]:
        code = cli.main(["--log", str(log), "timeline", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    @pytest.mark.parametrize("suffix", [".svg", ".png", ".html"])
    def test_writes_each_format(self, capsys: Any, log: Path, tmp_path: Path, suffix: str) -> None:
        target = tmp_path / f"chart{suffix}"
        code, out, err = self.run(
            capsys, log, "SA", "--from", "2021-11", "--to", "2022-02", "-o", str(target)
        )
        assert (code, err) == (0, "")
        assert out == f"wrote {target}: 4 lanes, 6 tenures\n"
        data = target.read_bytes()
        assert data.startswith({".svg": b"<?xml", ".png": b"\x89PNG", ".html": b"<!DOCTYPE html>"}[suffix])

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["agency", "--from", "2022", "--to", "2023", "-o", "x.pdf"], "must end in .svg, .png or .html"),
            (["agency", "--from", "2023", "--to", "2022", "-o", "x.svg"], "--from 2023 is after --to 2022"),
            (["agency", "--from", "../2022", "--to", "2023", "-o", "x.svg"], "has an open end"),
            (["agency", "--from", "2022", "-o", "x.svg"], "required: --to"),
        ],
    )
    def test_usage_errors(self, capsys: Any, log: Path, argv: list[str], message: str) -> None:
        code, out, err = self.run(capsys, log, *argv)
        assert code == 2
        assert out == ""
        [line] = err.splitlines()
        assert line.startswith("chronos: error: ")
        assert message in line

    def test_unwritable_output(self, capsys: Any, log: Path, tmp_path: Path) -> None:
        target = tmp_path / "no" / "such" / "dir.svg"
        code, _, err = self.run(capsys, log, "agency", "--from", "2022", "--to", "2022", "-o", str(target))
        assert code == 1
        assert err == f"chronos: error: {target}: No such file or directory\n"

    def test_the_catalogue_alone_draws_empty_lanes(self, capsys: Any, tmp_path: Path) -> None:
        empty = tmp_path / "empty"
        empty.mkdir()
        (empty / "catalogue.toml").write_text(CATALOGUE, encoding="utf-8")
        assert isinstance(Catalogue.load(empty / "catalogue.toml"), Catalogue)
        target = tmp_path / "empty.svg"
        code, out, _ = self.run(capsys, empty, "agency", "--from", "2022", "--to", "2022", "-o", str(target))
        assert code == 0
        assert out.endswith("3 lanes, 0 tenures\n")

    def test_without_matplotlib_the_hint_names_the_extra(self, log: Path, tmp_path: Path) -> None:
        # matplotlib is the optional `charts` extra: a process that cannot import it gets one line.
        code = (
            "import sys; sys.modules['matplotlib'] = None\n"
            "from chronos.cli import main\n"
            "sys.exit(main(sys.argv[1:]))"
        )
        target = tmp_path / "chart.svg"
        argv = ["--log", str(log), "timeline", "SA", "--from", "2022", "--to", "2022", "-o", str(target)]
        result = subprocess.run(
            [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False, timeout=60
        )
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == f"chronos: error: {timeline.MISSING_MATPLOTLIB}\n"
        assert not target.exists()
        assert "pip install 'chronos-history[charts]'" in timeline.MISSING_MATPLOTLIB
