"""The explorer page: its embedded answers are chronos's answers, and it works in a real browser."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronos import Chronology, Day, UsageError, cli
from chronos.output.explorer import explore, explorer_data

ROOT = Path(__file__).parent.parent
START, END = "2021-12-01", "2022-02-28"
#: Where the browser test leaves its screenshot, for a person to look at (CI keeps it as an artefact).
ARTEFACTS = Path(os.environ.get("CHRONOS_ARTEFACTS", ROOT / "tests" / "artefacts"))


@pytest.fixture(scope="module")
def nsc() -> Chronology:
    return Chronology.open(ROOT / "events")


@pytest.fixture(scope="module")
def data(nsc: Chronology) -> dict[str, Any]:
    return explorer_data(nsc, "nsc", start=START, end=END)


def _seats(data: dict[str, Any], roster: int) -> list[tuple[str, str | None, str, str]]:
    return [(data["posts"][s[0]][0], s[1], s[2], s[3]) for s in data["rosters"][roster]]


def _expected(nsc: Chronology, day: dt.date, known: Day | None) -> list[tuple[str, str | None, str, str]]:
    return [(s.post.id, s.person, s.state, s.certainty) for s in nsc.roster("nsc", at=day, known_at=known)]


class TestData:
    """The page embeds chronos's own answers, enough of them for every day and knowledge date."""

    @settings(max_examples=60, deadline=None)
    @given(offset=st.integers(0, 89), step=st.integers(0, 10_000))
    def test_any_day_and_knowledge_date_reads_chronos_answer(
        self, nsc: Chronology, offset: int, step: int
    ) -> None:
        data = explorer_data(nsc, "nsc", start=START, end=END)
        day = dt.date(2021, 12, 1) + dt.timedelta(days=offset)
        steps = data["steps"]
        index = step % len(steps)
        # The page answers as known on each step (a date typed between two steps shows the
        # earlier one, and says so): the record's horizon is that step.
        known = None if steps[index] is None else Day(steps[index])
        cut = max(i for i, c in enumerate(data["cuts"]) if c <= day.toordinal())
        roster, _name = data["grid"][index][cut]
        assert _seats(data, roster) == _expected(nsc, day, known)

    def test_a_cut_that_is_too_coarse_would_be_caught(self, nsc: Chronology, data: dict[str, Any]) -> None:
        """Reading 16 February's answer on 5 January is wrong: the comparison above can fail."""
        late = data["grid"][-1][-1][0]
        assert _seats(data, late) != _expected(nsc, dt.date(2022, 1, 5), None)

    def test_equal_answers_are_stored_once(self, data: dict[str, Any]) -> None:
        cells = [tuple(cell) for row in data["grid"] for cell in row]
        assert len(data["rosters"]) < len(cells)
        assert len({json.dumps(r) for r in data["rosters"]}) == len(data["rosters"])

    def test_every_event_shown_is_embedded_with_its_quotes(self, data: dict[str, Any]) -> None:
        for roster in data["rosters"]:
            for seat in roster:
                for event in seat[7]:
                    assert data["events"][event]["sources"]

    def test_page_is_small_and_standalone(self, nsc: Chronology) -> None:
        page = explore(nsc, "nsc", start=START, end=END)
        assert len(page.encode()) < 300_000
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched at view time
        assert "{{" not in page

    def test_reversed_span_is_refused(self, nsc: Chronology) -> None:
        with pytest.raises(UsageError, match="reversed"):
            explorer_data(nsc, "nsc", start=END, end=START)

    def test_data_cannot_close_its_script_element(self) -> None:
        from chronos import Appointed, Catalogue, Organisation, Person, Post, Source

        catalogue = Catalogue(
            [
                Organisation(id="org", name="Org"),
                Post(id="org/chair", name="Chair", org="org"),
                Person(id="ann", name="Ann </script><b>"),
            ]
        )
        event = Appointed(
            person="ann",
            post="org/chair",
            occurred="2020-01-01",
            known="2020-01-02",
            sources=[Source(source="s", quote="q </script>")],
        )
        page = explore(Chronology([event], catalogue), "org")
        payload = page.split('<script type="application/json" id="data">')[1]
        assert payload.index("</script>") > payload.index("q <\\/script>")


class TestCommand:
    """``chronos explore`` writes the page, and refuses what makes no sense."""

    def run(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        code = cli.main(["--log", str(ROOT / "events"), "explore", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    def test_writes_the_page(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        out = tmp_path / "nsc.html"
        code, printed, err = self.run(capsys, "KNB", "--from", START, "--to", END, "-o", str(out))
        assert code == 0, err
        assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        assert "wrote" in printed

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--from", END, "--to", START, "-o", "x.html"], "is after"),
            (["-o", "x.svg"], "HTML page"),
        ],
    )
    def test_refuses(self, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
        code, _, err = self.run(capsys, "nsc", *args)
        assert code == 2
        assert message in err


# In a real browser ---------------------------------------------------------------------------------


def _browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not installed (Debian: apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or ""), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(nsc: Chronology, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("explorer") / "nsc.html"
    path.write_text(explore(nsc, "nsc", start=START, end=END), encoding="utf-8")
    return path


def _set(browser: Any, element_id: str, value: str) -> None:
    browser.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('change'));",
        element_id,
        value,
    )


def _holders(browser: Any, post: str) -> list[str]:
    from selenium.webdriver.common.by import By

    rows = browser.find_elements(By.CSS_SELECTOR, f'#roster tr.seat[data-post="{post}"]')
    return [row.find_elements(By.TAG_NAME, "td")[1].text for row in rows]


class TestInBrowser:
    """Headless Chromium drives the page as a reader would."""

    def test_two_clocks(self, browser: Any, page: Path) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        browser.get(page.as_uri())
        _set(browser, "day", "2022-01-05")
        assert _holders(browser, "nsc/chairman") == ["Karim Massimov"]
        assert "2022-01-05" in browser.find_element(By.ID, "roster-title").text
        _set(browser, "day", "2022-02-16")
        assert _holders(browser, "nsc/chairman") == ["Ermek Sagimbayev"]
        # As the record stood on 7 January, nobody was yet known to chair it on 16 February.
        _set(browser, "known", "2022-01-07")
        assert _holders(browser, "nsc/chairman") != ["Ermek Sagimbayev"]
        assert "as known on 2022-01-07" in browser.find_element(By.ID, "subtitle").text
        # The knowledge slider, by keyboard: to its end, everything is known again.
        slider = browser.find_element(By.ID, "known-slider")
        slider.send_keys(Keys.END)
        assert _holders(browser, "nsc/chairman") == ["Ermek Sagimbayev"]
        # The valid-date slider, by keyboard, moves the day.
        day = browser.find_element(By.ID, "day-slider")
        day.send_keys(Keys.HOME)
        assert browser.find_element(By.ID, "day").get_attribute("value") == START

    def test_click_a_seat_for_its_quote(self, browser: Any, page: Path, nsc: Chronology) -> None:
        from selenium.webdriver.common.by import By

        browser.get(page.as_uri())
        _set(browser, "day", "2022-02-16")
        row = browser.find_element(By.CSS_SELECTOR, '#roster tr.seat[data-post="nsc/chairman"]')
        row.click()
        panel = browser.find_element(By.ID, "panel").text
        seat = next(s for s in nsc.roster("nsc", at="2022-02-16") if s.post.id == "nsc/chairman")
        assert seat.sources
        assert seat.sources[0].quote.split()[0] in panel
        assert seat.sources[0].source in panel
        # The registry names the source: publisher, title and date, not only a file name.
        registered = nsc.catalogue.sources[seat.sources[0].source]
        assert registered.citation in panel
        assert registered.title in panel

    def test_diff_and_chart(self, browser: Any, page: Path) -> None:
        from selenium.webdriver.common.by import By

        browser.get(page.as_uri())
        _set(browser, "diff-a", "2022-01-05")
        _set(browser, "diff-b", "2022-02-16")
        diff = browser.find_element(By.ID, "diff-out").text
        assert "Ermek Sagimbayev" in diff
        assert "Karim Massimov" in diff
        assert browser.find_elements(By.CSS_SELECTOR, "#chart svg g.bar")

    def test_phone_width_screenshot_and_no_console_errors(self, browser: Any, page: Path) -> None:
        from selenium.webdriver.common.by import By

        browser.get(page.as_uri())
        _set(browser, "day", "2022-01-05")
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(ARTEFACTS / "explorer-nsc.png"))
        browser.set_window_size(390, 844)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 420, "the page scrolls sideways at phone width"
        assert browser.find_element(By.ID, "roster").is_displayed()
        browser.set_window_size(1280, 1000)
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []


# Before year 1 ---------------------------------------------------------------------------------------

#: A synthetic board of two consuls a year, 63-61 BCE (astronomical -62 to -60): no history is claimed.
CONSULS = [("Consul A", "Consul B"), ("Consul C", "Consul D"), ("Consul E", "Consul F")]


def consuls() -> Chronology:
    from chronos import Appointed, Catalogue, Dismissed, Organisation, Person, Post, Source

    people = [name for pair in CONSULS for name in pair]
    catalogue = Catalogue(
        [
            Organisation(id="board", name="The Board"),
            Post(id="board/consul", name="Consul", org="board", seats=2),
            *(Person(id=name.lower().replace(" ", "-"), name=name) for name in people),
        ]
    )
    events: list[Any] = []
    post = "board/consul"
    for offset, pair in enumerate(CONSULS):
        start, end = Day.of(-62 + offset), Day.of(-61 + offset)
        for name in pair:
            ref = name.lower().replace(" ", "-")
            cite = [Source(source="synthetic", quote=f"{name} was consul")]
            events.append(Appointed(person=ref, post=post, occurred=start, known=start, sources=cite))
            events.append(Dismissed(person=ref, post=post, occurred=end, known=end, sources=cite))
    return Chronology(events, catalogue)


def far_future() -> Chronology:
    """Two synthetic holders of a post in the years 12345-12350 (dated by year: EDTF names no day then)."""
    from chronos import Appointed, Catalogue, Dismissed, Organisation, Person, Post, Source

    catalogue = Catalogue(
        [
            Organisation(id="board", name="The Board"),
            Post(id="board/chair", name="Chair", org="board"),
            Person(id="holder-a", name="Holder A"),
            Person(id="holder-b", name="Holder B"),
        ]
    )
    cite, post = [Source(source="synthetic", quote="q")], "board/chair"
    events = [
        Appointed(person="holder-a", post=post, occurred="Y12345", known="Y12345", sources=cite),
        Dismissed(person="holder-a", post=post, occurred="Y12350", known="Y12350", sources=cite),
        Appointed(person="holder-b", post=post, occurred="Y12350", known="Y12351", sources=cite),
    ]
    return Chronology(events, catalogue)


class TestBeforeYearOne:
    """A Gantt of consuls in the first century BCE: day numbers place every day, labels say BCE."""

    def test_the_embedded_answers_are_chronos_answers(self) -> None:
        chronology = consuls()
        data = explorer_data(chronology, "board")
        assert (data["start"], data["end"]) == ("-0063-12-01", "-0059-02-01")
        assert (data["first"], data["last"]) == (Day.of(-63, 12, 1), Day.of(-59, 2, 1))
        for number in range(data["first"], data["last"] + 1, 17):
            cut = max(i for i, c in enumerate(data["cuts"]) if c <= number)
            roster, _ = data["grid"][-1][cut]
            expected = [(s.post.id, s.person) for s in chronology.roster("board", at=Day(number))]
            assert [(data["posts"][s[0]][0], s[1]) for s in data["rosters"][roster]] == expected

    def test_in_the_browser(self, browser: Any, tmp_path: Path) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        page = tmp_path / "board.html"
        page.write_text(explore(consuls(), "board"), encoding="utf-8")
        browser.get(page.as_uri())
        _set(browser, "day", "-0061-06-01")
        assert sorted(_holders(browser, "board/consul")) == ["Consul C", "Consul D"]
        assert "-0061-06-01 (1 Jun 62 BCE)" in browser.find_element(By.ID, "roster-title").text
        _set(browser, "day", "-0062-12-31")  # the last day of 63 BCE
        assert sorted(_holders(browser, "board/consul")) == ["Consul A", "Consul B"]
        ticks = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#chart svg text.tick")]
        assert ticks == ["63 BCE", "62 BCE", "61 BCE", "60 BCE"]
        bars = browser.find_elements(By.CSS_SELECTOR, "#chart svg g.bar")
        assert sorted({b.get_attribute("data-person") for b in bars}) == [
            name.lower().replace(" ", "-") for pair in CONSULS for name in pair
        ]
        # The bars run left to right in the order of the years (a day number grows towards year 0).
        lefts = {
            b.get_attribute("data-person"): float(b.find_element(By.TAG_NAME, "rect").get_attribute("x"))
            for b in bars
        }
        assert lefts["consul-a"] < lefts["consul-c"] < lefts["consul-e"]
        browser.find_element(By.ID, "day-slider").send_keys(Keys.HOME)
        assert browser.find_element(By.ID, "day").get_attribute("value") == "-0063-12-01"
        _set(browser, "diff-a", "-0062-06-01")
        _set(browser, "diff-b", "-0060-06-01")
        diff = browser.find_element(By.ID, "diff-out").text
        assert "Consul A" in diff
        assert "Consul E" in diff
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []

    def test_beyond_9999_in_the_browser(self, browser: Any, tmp_path: Path) -> None:
        from selenium.webdriver.common.by import By

        page = tmp_path / "far.html"
        page.write_text(explore(far_future(), "board"), encoding="utf-8")
        assert "The Board: +12344-12-01 to +12351-01-31" in page.read_text(encoding="utf-8")
        browser.get(page.as_uri())
        _set(browser, "day", "+12347-06-01")
        assert _holders(browser, "board/chair") == ["Holder A"]
        _set(browser, "day", "+12351-01-01")
        assert _holders(browser, "board/chair") == ["Holder B"]
        ticks = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#chart svg text.tick")]
        assert ticks == [str(y) for y in range(12345, 12352)]
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
