"""Examples are tests: every ``examples/*.py`` runs from the repository root and prints its key answers."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))
WIDTH = 100
# Variables that would make rich colour a pipe, or point the examples at another log.
_UNSET = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE", "COLUMNS", "CHRONOS_LOG")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def _run(name: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py")],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@functools.cache
def run(name: str) -> subprocess.CompletedProcess[str]:
    """The example run once per session with a clean environment."""
    return _run(name)


def output(name: str) -> str:
    result = run(name)
    assert result.returncode == 0, result.stderr
    return result.stdout


def section(text: str, title: str) -> str:
    """The lines under the heading (a rule line) that starts with ``title``, up to the next heading."""
    lines = text.splitlines()
    rule = re.compile(r"^\S.* ─+$")
    start = next(i for i, line in enumerate(lines) if line.startswith(title) and rule.match(line))
    end = next((i for i in range(start + 1, len(lines)) if rule.match(lines[i])), len(lines))
    return "\n".join(lines[start:end])


def rows(text: str) -> list[list[str]]:
    """The cells of every table line (columns are separated by '│')."""
    return [[cell.strip() for cell in line.split("│")] for line in text.splitlines() if "│" in line]


def row(text: str, first: str) -> list[str]:
    """The one table line whose first cell is ``first``."""
    found = [r for r in rows(text) if r[0] == first]
    assert len(found) == 1, f"{len(found)} rows start with {first!r}"
    return found[0]


def wrapped_row(text: str, first: str) -> list[str]:
    """The table row whose first cell is ``first``, with the lines its cells wrap onto joined."""
    table = rows(text)
    (start,) = [i for i, r in enumerate(table) if r[0] == first]
    end = next((i for i in range(start + 1, len(table)) if table[i][0]), len(table))
    return [" ".join(filter(None, cells)) for cells in zip(*table[start:end], strict=True)]


class TestEveryExample:
    """Each example runs cleanly, prints plain text that fits the width, and cites sources."""

    def test_every_example_has_its_checks(self) -> None:
        assert set(SCRIPTS) == CHECKED

    @pytest.mark.parametrize("name", SCRIPTS)
    def test_runs_cleanly(self, name: str) -> None:
        result = run(name)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert "\x1b" not in result.stdout, "ANSI codes in piped output"
        assert max(len(line) for line in result.stdout.splitlines()) <= WIDTH

    @pytest.mark.parametrize("name", SCRIPTS)
    def test_cites_sources_with_quotes(self, name: str) -> None:
        assert re.search(r"\d{3}_[0-9a-f]{16}\.txt:\d+ “[^”]+", output(name))

    @pytest.mark.parametrize("name", SCRIPTS)
    def test_imports_without_side_effects(
        self, name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.syspath_prepend(str(EXAMPLES))
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        finally:
            sys.modules.pop("_show", None)  # the examples' helper is not a module of the test run
        assert capsys.readouterr() == ("", "")
        assert callable(module.main)
        assert (module.__doc__ or "").strip()


class TestChronosLog:
    """``$CHRONOS_LOG`` names the log the examples read."""

    def test_a_copy_of_the_log_gives_the_same_answers(self, tmp_path: Path) -> None:
        copy = tmp_path / "events"
        shutil.copytree(ROOT / "events", copy)
        result = _run("capital_names", CHRONOS_LOG=str(copy))
        assert result.returncode == 0, result.stderr
        assert result.stdout == output("capital_names")

    def test_a_missing_log_is_one_line_of_error(self, tmp_path: Path) -> None:
        missing = tmp_path / "nowhere"
        result = _run("capital_names", CHRONOS_LOG=str(missing))
        assert result.returncode != 0
        assert (
            result.stderr.strip()
            == f"no chronos log at {missing} (expected a catalogue.toml there; see $CHRONOS_LOG)"
        )
        assert not missing.exists()


class TestNscRoster:
    """The main demo: both rosters, the diff, and the report's lists checked against the events."""

    example = "nsc_roster"

    def roster(self) -> list[list[str]]:
        return [r for r in rows(section(output(self.example), "National Security Committee")) if len(r) == 5]

    def test_chairmen(self) -> None:
        chair = next(r for r in self.roster() if r[0] == "Chairman")
        assert chair[1:] == ["Karim Massimov ?", "2016", "Ermek Sagimbayev", "2022-01-06"]

    def test_first_deputy_seats_are_vacant_on_16_february(self) -> None:
        first = {r[1]: r[3] for r in self.roster() if r[1] in ("Samat Abish", "Murat Nurtleu")}
        assert first == {"Samat Abish": "vacant", "Murat Nurtleu": "vacant"}

    def test_a_seat_nobody_is_recorded_in_is_unknown_not_vacant(self) -> None:
        regions = [r for r in self.roster() if r[0] == "Director of the NSC"]
        assert [(r[1], r[3]) for r in regions] == [
            ("Marat Irmenov ?", "unknown"),  # Aktobe: he left on or before 13 January, nobody named after
            ("unknown", "Marat Irmenov"),  # Almaty: nobody named before his appointment on 13 January
            ("Marat Irmenov ?", "unknown"),  # Jambyl
        ]

    def test_why_each_answer_is_only_possible(self) -> None:
        why = {
            (r[0], r[1], r[2]): r[3]
            for r in rows(section(output(self.example), "National Security"))
            if len(r) == 4
        }
        assert why[("2022-01-05", "Chairman", "Karim Massimov ?")] == "disputed dates"
        assert why[("2022-01-05", "Director of the NSC Department in", "unknown")] == "unknown holder"
        assert why[("2022-02-16", "First Deputy Chairman", "vacant ×2")] == "reported vacant"
        assert "First Deputy Chairman vacant: 004_a82dc472c30e5f7b.txt:70 “As of today" in output(
            self.example
        )

    def test_special_service_a_changes_hands(self) -> None:
        head = next(r for r in self.roster() if r[0].startswith("Director of Special"))
        assert (head[1], head[2]) == ("Anuar Sadykulov", "2013/2022-01-05")
        assert (head[3], head[4]) == ("Berik Kunanbayev", "2022-01-06")

    def test_berik_kunanbayev_is_a_deputy_only_from_his_appointment(self) -> None:
        deputies = [r for r in self.roster() if r[3] == "Berik Kunanbayev"]
        assert [r[4] for r in deputies] == ["2022-01-06/02-16", "2022-01-06"]
        assert "Berik Kunanbayev" not in [r[1] for r in self.roster()]

    def test_diff_names_who_left_and_arrived(self) -> None:
        diff = section(output(self.example), "What changed")
        assert "Karim Massimov: dismissed from Chairman 2022-01-04/06 (disputed)" in diff
        assert "(disputed: 1 source says 2022-01-04/05; 4 sources say 2022-01-05)" in diff
        # 000's unnamed successor, named by 004, and 004's own move from the State Guard Service.
        assert "Ermek Sagimbayev: started as Chairman 2022-01-06" in diff
        assert "      Appointed 2022-01-05/09: 000_3aecf3925c28001e.txt:10 “Masimov was reportedly" in diff
        assert "      Moved 2022-01-06: 004_a82dc472c30e5f7b.txt:38 “The Major-General" in diff
        assert "Berik Kunanbayev: appointed Deputy Chairman 2022-01-06/02-16" in diff
        assert "Now certain" not in diff
        assert "Samat Abish: dismissed from First Deputy Chairman 2022-01-17" in diff
        assert "Askar Amerkhanov: appointed Deputy Chairman 2022-01-09" in diff
        assert "004_a82dc472c30e5f7b.txt:36 “January 6." in diff

    def test_the_report_list_of_5_january_names_an_unknown_person(self) -> None:
        check = section(output(self.example), "004's own list for 2022-01-05")
        unknown = [r for r in rows(check) if r[1] == "Anuar Kunanbayev"]
        assert [r[3] for r in unknown] == ["unknown-person", "unknown-person"]
        assert "11 of the list's 13 entries agree with the events." in check
        assert "“Anuar Kunanbayev” joins Anuar Sadykulov's first name to Berik Kunanbayev's surname:" in check
        assert "the source's list for 2022-01-05 contradicts its own timeline." in check

    def test_the_report_list_of_16_february_agrees(self) -> None:
        check = section(output(self.example), "004's own list for 2022-02-16")
        assert "13 of the list's 13 entries agree with the events." in check
        assert [r[1] for r in rows(check) if r[0] == "First Deputy Chairman"] == ["vacant", "vacant"]


class TestWhatWasKnown:
    """The same questions answered from the record as it stood on 7, 9 and 14 January and now."""

    example = "what_was_known"

    def person(self, who: str) -> str:
        return section(output(self.example), who)

    def test_columns_are_the_knowledge_dates(self) -> None:
        header = row(self.person("Karim Massimov"), "as known on")
        assert header[1:] == ["2022-01-07", "2022-01-09", "2022-01-14", "everything"]

    def test_massimov(self) -> None:
        text = self.person("Karim Massimov")
        # Chairman as of an article of 26 August 2021 (the report's footnote 11), since 2016 per 003.
        assert wrapped_row(text, "NSC post")[1:3] == ["Chairman, since ≤ 2021-08-26", "Chairman, since 2016"]
        # The dismissal was public by 6 January: 000 (5 January) and Forbes Kazakhstan (6 January).
        disputed = "dismissed 2022-01-05 or 2022-01-06, disputed"
        assert wrapped_row(text, "left it")[1:3] == [disputed, disputed]
        assert row(text, "arrested")[1:4] == ["2022-01-05/06", "2022-01-06", "2022-01-06"]
        assert "Not counted on 2022-01-07: Dismissed" not in text

    @pytest.mark.parametrize(
        ("who", "arrested"), [("Anuar Sadykulov", "2022-01-06/13"), ("Daulet Yergozhin", "2022-01-09/13")]
    )
    def test_arrests_announced_on_13_january(self, who: str, arrested: str) -> None:
        assert row(self.person(who), "arrested")[1:] == ["—", "—", arrested, arrested]
        assert row(self.person(who), "charged")[1:] == ["—", "—", "treason", "treason"]

    def test_abish_dismissal_absent_on_9_and_14_january_and_present_later(self) -> None:
        text = self.person("Samat Abish")
        assert row(text, "left it")[1:] == ["—", "no", "no", "dismissed 2022-01-17"]
        withdrawn = row(text, "withdrawn")
        assert withdrawn[1] == "—"
        assert withdrawn[2] == withdrawn[3] == "dismissed 2022-01-05,"
        assert "2022-01-08     Retracted  003_f0d5dcf202a320b4.txt:98" in text


class TestDisputedDates:
    """Every disputed date with its claims, and each policy's answers."""

    example = "disputed_dates"

    def test_disputed_tenures_list_every_claim(self) -> None:
        text = section(output(self.example), "Tenures the sources date differently")
        assert "Karim Massimov, Chairman of the National Security Committee: the end" in text
        assert "Askar Mamin, Prime Minister: the end" in text
        for claim in (
            "dismissed 2022-01-04/05",
            "dismissed 2022-01-05",
            "dismissed 2022-01-06",
            "resigned 2022-01-04",
        ):
            assert f"    {claim} " in text

    def test_disputed_arrest(self) -> None:
        text = section(output(self.example), "Arrests the sources date differently")
        assert "Karim Massimov: arrested" in text
        assert "001_a9cc6e4024ccf920.txt:14 “were detained on Jan. 6" in text

    def test_contested_cause(self) -> None:
        text = section(output(self.example), "Endings the sources tell differently")
        assert "Nursultan Nazarbayev, Chairman of the Security Council: dismissed or resigned?" in text

    def test_who_chaired_the_nsc_under_each_policy(self) -> None:
        text = section(output(self.example), "Who chaired the NSC on 2022-01-05?")
        answers = {p: wrapped_row(text, p)[1] for p in ("cautious", "earliest", "latest", "prefer:004")}
        # 000's successor (named by 004) took over some day from 5 to 9 January: the policies that
        # pick one claim take that range, so he may already have been chairman on the 5th.
        assert answers == {
            "cautious": "Karim Massimov (possible)",
            "earliest": "Ermek Sagimbayev (possible)",
            "latest": "Karim Massimov (certain), Ermek Sagimbayev (possible)",
            "prefer:004": "Karim Massimov (possible)",
        }

    def test_when_mamin_government_ended_under_each_policy(self) -> None:
        text = section(output(self.example), "When did Askar Mamin's government end?")
        assert row(text, "cautious")[1].startswith("dismissed/resigned 2022-01-04 or 2022-01-05")
        assert row(text, "earliest")[1:] == ["resigned 2022-01-04 (sources conflict)", "003:65"]
        assert row(text, "latest")[1:] == ["resigned 2022-01-05 (sources conflict)", "001:32"]
        assert row(text, "prefer:004")[1:] == ["dismissed 2022-01-05 (sources conflict)", "004:24"]


class TestCareers:
    """Three careers: posts, how each ended, custody and charges."""

    example = "careers"

    def test_massimov(self) -> None:
        text = section(output(self.example), "Karim Massimov")
        assert (
            "  Chairman of the National Security Committee\n    2016 → dismissed 2022-01-04/06 (disputed)"
            in text
        )
        assert "    1992 → left 1993" in text
        assert "  Prime Minister\n    1991/2019-03-19 → left 1991/2019-03-19" in text
        assert "    2022-01-04/13 → no release recorded" in text
        assert "charged with high treason, 2022-01-05/06" in text
        assert "charged with suspicion of treason, ≤ 2022-01-08" in text

    def test_nurtleu(self) -> None:
        text = section(output(self.example), "Murat Nurtleu")
        assert "    start undated → moved 2022-01-05" in text
        assert "    2022-01-05 → left 2022-02-01/16" in text
        assert "  Chief of the Presidential Executive Office\n    2022-02-01 → still in post" in text

    def test_sagimbayev(self) -> None:
        text = section(output(self.example), "Ermek Sagimbayev")
        assert "  Head of the State Guard Service\n    1994/2022-01-05 → moved 2022-01-06" in text
        assert "  Chairman of the National Security Committee\n    2022-01-06 → still in post" in text


class TestCapitalNames:
    """Astana before the 2019 rename, Nur-Sultan after it, both during 2019."""

    example = "capital_names"

    @pytest.mark.parametrize(
        ("day", "named", "certainty"),
        [
            ("2018-06-01", "Astana", "certain"),
            ("2019", "Astana or Nur-Sultan", "possible"),
            ("2019-03-01", "Astana", "certain"),
            ("2020-01-01", "Nur-Sultan", "certain"),
            ("2022-01-08", "Nur-Sultan", "certain"),
        ],
    )
    def test_name_on(self, day: str, named: str, certainty: str) -> None:
        assert row(output(self.example), day)[1:3] == [named, certainty]

    def test_why(self) -> None:
        text = output(self.example)
        assert "Renamed Astana → Nur-Sultan, some day from 2019-03-19 to 2019-12-31" in text
        assert "003_f0d5dcf202a320b4.txt:39 “It was Toqaev who renamed the capital" in text


CHECKED = {
    cls.example for cls in (TestNscRoster, TestWhatWasKnown, TestDisputedDates, TestCareers, TestCapitalNames)
}
