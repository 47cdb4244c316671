"""Real third-party data: 35 published versions (2015-2026) of the Scottish Government's ministerial roles.

Each version is imported in order with its date as the knowledge date; the
expected answers are computed here from the JSON files themselves.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from chronos import Chronology, Corrected, DeclaredComplete, EventLog, Retracted, Source
from chronos.cli import main
from chronos.entities import UNNAMED_PREFIX
from chronos.interop import import_file
from tests import shared

FIXTURES = shared.path("fixtures", "sp-ministers")
VERSIONS = sorted(FIXTURES.glob("*.json"))
ORG = "scottish-parliament"

pytestmark = pytest.mark.shared("fixtures", "sp-ministers")

Record = dict[str, Any]


def version_date(path: Path) -> str:
    return path.name[:10]


def records(path: Path) -> list[Record]:
    data: list[Record] = json.loads(path.read_text(encoding="utf-8"))
    return data


def person_of(record: Record) -> str | None:
    return record["person_id"][0] if record["person_id"] else None


def held_on(recs: list[Record], day: str) -> set[tuple[str, str | None]]:
    """(role, person) for every record covering ``day`` (start inclusive, end exclusive)."""
    return {
        (r["role"], person_of(r))
        for r in recs
        if r["start_date"] <= day and (not r.get("end_date") or day < r["end_date"])
    }


def self_overlapping(recs: list[Record]) -> set[tuple[str, str | None]]:
    """(role, person) pairs for which the file has two records of one person that overlap."""
    by: dict[tuple[str, str | None], list[Record]] = defaultdict(list)
    for r in recs:
        if r["person_id"]:
            by[(r["role"], person_of(r))].append(r)
    found = set()
    for key, group in by.items():
        group.sort(key=lambda r: r["start_date"])
        for a, b in itertools.pairwise(group):
            if not a.get("end_date") or a["end_date"] > b["start_date"]:
                found.add(key)
    return found


def answer(chronology: Chronology, day: str, known: str | None) -> set[tuple[str, str | None, str]]:
    """(role, foreign person id or None, certainty) for every held seat, as chronos answers."""
    out: set[tuple[str, str | None, str]] = set()
    for seat in chronology.roster(ORG, at=day, known_at=known):
        if seat.person is None:
            continue
        person = None if seat.person.startswith(UNNAMED_PREFIX) else chronology.catalogue[seat.person].name
        out.add((seat.post.name, person, seat.certainty))
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """A directory log with every version imported in order, and the import reports."""
    directory = tmp_path_factory.mktemp("sp") / "log"
    log = EventLog.open(directory, create=True)
    reports = [import_file(log, "memberships", v, known_at=version_date(v)) for v in VERSIONS]
    return directory, reports


@pytest.fixture(scope="module")
def chronology(imported: tuple[Path, list[Any]]) -> Chronology:
    return Chronology.open(imported[0])


class TestImportInOrder:
    """Importing the versions in order keeps every claim and adds only what changed."""

    def test_every_version_imports(self, imported: tuple[Path, list[Any]]) -> None:
        _, reports = imported
        assert [r.records for r in reports] == [len(records(v)) for v in VERSIONS]
        assert reports[0].new == reports[0].records
        # A version identical in substance to the one before adds nothing.
        assert [str(r.known) for r in reports if r.appended == 0] == ["2023-03-20"]

    def test_importing_a_version_again_adds_nothing(self, imported: tuple[Path, list[Any]]) -> None:
        directory, _ = imported
        log = EventLog.open(directory)
        before = log.position
        report = import_file(log, "memberships", VERSIONS[-1], known_at=version_date(VERSIONS[-1]))
        assert (report.appended, report.entities, log.position) == (0, 0, before)
        assert report.unchanged == report.records

    def test_an_older_version_after_a_newer_one_is_refused(self, imported: tuple[Path, list[Any]]) -> None:
        directory, _ = imported
        log = EventLog.open(directory)
        with pytest.raises(Exception, match="import the versions of a dataset in order"):
            import_file(log, "memberships", VERSIONS[0], known_at=version_date(VERSIONS[0]))

    def test_the_log_verifies_and_the_catalogue_reloads(self, imported: tuple[Path, list[Any]]) -> None:
        directory, _ = imported
        log = EventLog.open(directory)
        assert log.verify().count == log.position
        assert "uk.org.publicwhip/person/14012" in {e.name for e in log.catalogue.values()}
        assert log.catalogue.lookup("uk.org.publicwhip/person/14012").kind == "person"


class TestAsPublished:
    """The roster on a date, as published at each version, is what that version's file says."""

    @pytest.mark.parametrize("version", VERSIONS, ids=[version_date(v) for v in VERSIONS])
    def test_roster_as_published_equals_the_file(self, chronology: Chronology, version: Path) -> None:
        recs = records(version)
        known = version_date(version)
        skip = self_overlapping(recs)
        days = sorted({r["start_date"] for r in recs} | {r["end_date"] for r in recs if r.get("end_date")})
        for day in [*days[::6], days[-1], known]:
            expected = {k for k in held_on(recs, day) if k not in skip}
            got = answer(chronology, day, known)
            assert {(role, p) for role, p, _ in got if (role, p) not in skip} == expected, day
            # A day after the file's date is a forecast (an end scheduled in the file, say).
            certainty = "certain" if day <= known else "possible"
            assert all(c == certainty for role, p, c in got if (role, p) not in skip), day

    def test_the_latest_import_answers_like_the_latest_file(self, chronology: Chronology) -> None:
        recs = records(VERSIONS[-1])
        skip = self_overlapping(recs)
        for day in (
            "1999-07-01",
            "2007-05-18",
            "2014-11-21",
            "2016-05-18",
            "2021-05-20",
            "2023-03-29",
            "2026-06-01",
        ):
            got = {(role, p) for role, p, _ in answer(chronology, day, None) if (role, p) not in skip}
            assert got == {k for k in held_on(recs, day) if k not in skip}

    def test_self_overlapping_records_are_one_disputed_tenure(self, chronology: Chronology) -> None:
        # Two records of one person for one role (2016-05-18 open, 2016-05-19 to 2018-06-26)
        # are two claims of one tenure: possibly held on the 18th, certainly on the 19th.
        person = chronology.lookup("uk.org.publicwhip/person/25096").id
        post = f"{ORG}/cabinet-secretary-for-finance-and-the-constitution"
        (tenure,) = [t for t in chronology.history(person).tenures if t.post == post]
        assert tenure.start.disputed
        assert str(tenure.start.date) == "[2016-05-18,2016-05-19]"
        assert tenure.holds(dt_day("2016-05-18")) == "possible"
        assert tenure.holds(dt_day("2016-05-19")) == "certain"


def dt_day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class TestChangedAfterTheFact:
    """Records changed in a later version are corrections and retractions with both knowledge dates."""

    RECORD = "scot.parliament.data/membergovernmentroles/289"

    def test_a_renamed_role_with_a_moved_start_is_a_correction(self, chronology: Chronology) -> None:
        corrections = [e for e in chronology.events if isinstance(e, Corrected)]
        (fix,) = [c for c in corrections if c.sources[0].locator == self.RECORD]
        target = next(e for e in chronology.events if e.id == fix.target)
        assert (str(target.known), str(fix.known)) == ("2021-06-22", "2021-07-06")
        assert (str(target.occurred), str(fix.replacement.occurred)) == ("2021-05-20", "2021-05-26")
        assert getattr(target, "post", "").endswith("cabinet-secretary-for-justice")
        assert getattr(fix.replacement, "post", "").endswith("cabinet-secretary-for-justice-and-veterans")
        assert fix.note is not None
        assert "2021-05-20 -> 2021-05-26" in fix.note
        assert "known 2021-06-22" in fix.note
        person = getattr(target, "person", "")
        before = {
            (t.post.rsplit("/", 1)[1], str(t.start.date))
            for t in chronology.history(person, known_at="2021-07-05").tenures
        }
        after = {
            (t.post.rsplit("/", 1)[1], str(t.start.date))
            for t in chronology.history(person, known_at="2021-07-06").tenures
        }
        assert ("cabinet-secretary-for-justice", "2021-05-20") in before - after
        assert ("cabinet-secretary-for-justice-and-veterans", "2021-05-26") in after - before

    def test_other_renamed_roles_are_corrections_too(self, chronology: Chronology) -> None:
        fixed = {(str(c.known), c.sources[0].locator) for c in chronology.events if isinstance(c, Corrected)}
        assert fixed == {
            ("2021-07-06", self.RECORD),
            ("2023-06-09", "scot.parliament.data/membergovernmentroles/295"),
            ("2025-12-07", "scot.parliament.data/membergovernmentroles/358"),
        }

    def test_a_removed_person_link_is_a_retraction(self, chronology: Chronology) -> None:
        retracted = [e for e in chronology.events if isinstance(e, Retracted)]
        by_record: dict[str, set[str]] = defaultdict(set)
        for event in retracted:
            by_record[str(event.sources[0].locator)].add(str(event.known))
        assert dict(by_record) == {
            "scot.parliament.data/membergovernmentroles/253": {"2021-10-19"},
            "scot.parliament.data/membergovernmentroles/279": {"2021-10-19"},
            "scot.parliament.data/membergovernmentroles/322": {"2024-08-30"},
            "scot.parliament.data/membergovernmentroles/345": {"2024-08-30"},
        }
        assert all("no longer names a person" in (e.reason or "") for e in retracted)
        ash = chronology.lookup("uk.org.publicwhip/person/25502").id
        assert [t.post for t in chronology.history(ash, known_at="2021-10-18").tenures][-2:] == [
            f"{ORG}/minister-for-community-safety",
            f"{ORG}/minister-for-community-safety",
        ]
        assert f"{ORG}/minister-for-community-safety" not in {t.post for t in chronology.history(ash).tenures}
        # The role is not vacant: held by someone the current file does not name.
        seats = [
            s
            for s in chronology.roster(ORG, at="2020-01-01")
            if s.post.name == "Minister for Community Safety"
        ]
        assert [s.person for s in seats] == [
            UNNAMED_PREFIX + "scot-parliament-data-membergovernmentroles-253"
        ]


class TestCommandLine:
    """`chronos history`, `diff`, `events` and `check` explain what the versions say."""

    def run(self, capsys: pytest.CaptureFixture[str], directory: Path, *argv: str) -> tuple[int, str]:
        status = main(["--log", str(directory), *argv])
        return status, capsys.readouterr().out

    def test_history_names_the_version_of_each_claim(
        self, imported: tuple[Path, list[Any]], capsys: pytest.CaptureFixture[str]
    ) -> None:
        directory, _ = imported
        person = "uk.org.publicwhip/person/13961"
        _, before = self.run(
            capsys, directory, "history", person, "--known-at", "2021-07-05", "--format", "json"
        )
        _, after = self.run(capsys, directory, "history", person, "--format", "json")
        last = json.loads(before)["answer"]["tenures"][-1], json.loads(after)["answer"]["tenures"][-1]
        assert [(t["post"], t["start"], t["sources"][0]["source"]) for t in last] == [
            ("Cabinet Secretary for Justice", "2021-05-20", "sp-ministers/2021-06-22_6c7a92af.json"),
            (
                "Cabinet Secretary for Justice and Veterans",
                "2021-05-26",
                "sp-ministers/2021-07-06_e9b584e0.json",
            ),
        ]
        status, events = self.run(
            capsys, directory, "events", "--about", person, "--kind", "Corrected", "--format", "json"
        )
        (correction,) = json.loads(events)["answer"]
        assert status == 0
        assert correction["known"] == "2021-07-06"
        assert "known 2021-06-22" in correction["note"]

    def test_diff_explains_the_corrected_start(
        self, imported: tuple[Path, list[Any]], capsys: pytest.CaptureFixture[str]
    ) -> None:
        directory, _ = imported
        argv = ("diff", ORG, "2021-05-19", "2021-05-27", "--format", "json")
        _, early = self.run(capsys, directory, *argv, "--known-at", "2021-07-05")
        _, late = self.run(capsys, directory, *argv)

        def joined(text: str) -> dict[str, list[tuple[str, str]]]:
            return {
                c["after"]["post"]: [(e["occurred"], e["known"]) for e in c["events"]]
                for c in json.loads(text)["answer"]["joined"]
                if c["person"] == "uk.org.publicwhip/person/13961"
            }

        assert joined(early) == {"Cabinet Secretary for Justice": [("2021-05-20", "2021-06-22")]}
        assert joined(late) == {"Cabinet Secretary for Justice and Veterans": [("2021-05-26", "2021-07-06")]}

    def test_check_reports_overlaps_unnamed_holders_and_corrections(
        self, imported: tuple[Path, list[Any]], capsys: pytest.CaptureFixture[str]
    ) -> None:
        directory, _ = imported
        status, out = self.run(capsys, directory, "check", "--format", "json")
        findings = json.loads(out)["answer"]
        rules: dict[str, list[str]] = defaultdict(list)
        for finding in findings:
            rules[finding["rule"]].append(finding["message"])
        assert status == 1  # two people in a one-seat post is an error
        # Overlaps: e.g. one day with two Ministers for Transport.
        assert any(
            "minister-for-transport has 1 seat(s) but 2 certain holders on 2023-03-29" in m
            for m in rules["over-seats"]
        )
        # Same-day handovers (one ends on D, the next starts on D) are not overlaps.
        assert not any("/first-minister " in m for m in rules["over-seats"])
        # Records naming nobody.
        assert len(rules["unnamed-holder"]) == 5
        assert any("Minister for Public Finance" in m and "to now" in m for m in rules["unnamed-holder"])
        # Changes after the fact.
        assert len(rules["corrected"]) == 3
        assert len(rules["retracted"]) == 6
        # One person's two overlapping records of one role: a disputed start.
        assert len(rules["disputed"]) == 3


class TestHandoversAndVacancies:
    """Same-day handovers leave no gap and no overlap; gaps between records are unknown, not vacant."""

    def test_same_day_handover(self, chronology: Chronology) -> None:
        recs = records(VERSIONS[-1])
        handovers = [
            (a["role"], a["end_date"], person_of(a), person_of(b))
            for a in recs
            for b in recs
            if a["role"] == b["role"]
            and a.get("end_date") == b["start_date"]
            and person_of(a) != person_of(b)
        ]
        assert len(handovers) > 50
        for role, day, outgoing, incoming in handovers[::10]:

            def holders(on: str, role: str = role) -> set[str | None]:
                return {p for r, p, c in answer(chronology, on, None) if r == role and c == "certain"}

            before = (dt_day(day) - dt.timedelta(days=1)).isoformat()
            assert outgoing in holders(before)
            assert incoming not in holders(before)
            assert incoming in holders(day)
            assert outgoing not in holders(day)

    def test_a_gap_between_records_is_unknown_until_the_list_is_declared_complete(
        self, chronology: Chronology
    ) -> None:
        """No record says a seat was empty: a gap is unknown, and vacant once completeness is declared."""
        recs = records(VERSIONS[-1])
        gaps = sorted(
            {
                (r["role"], r["end_date"])
                for r in recs
                if r.get("end_date") and r["role"] not in {role for role, _ in held_on(recs, r["end_date"])}
            }
        )
        assert len(gaps) > 20
        for role, day in gaps[::3]:
            seats = [s for s in chronology.roster(ORG, at=day) if s.post.name == role]
            assert seats, (role, day)
            assert all(s.state == "unknown" and not s.vacant for s in seats), (role, day)
        # The file is parlparse's list of every Scottish ministerial role: a user may declare it complete.
        first = recs[0]
        declared = DeclaredComplete(
            org=ORG,
            occurred=min(r["start_date"] for r in recs),
            until=version_date(VERSIONS[-1]),
            known=version_date(VERSIONS[-1]),
            sources=[
                Source(source=f"sp-ministers/{VERSIONS[-1].name}", quote=first["role"], locator=first["id"])
            ],
            note="Declared by this test: the file lists every ministerial role of the Scottish Government.",
        )
        complete = Chronology([*chronology.events, declared], chronology.catalogue)
        for role, day in gaps[::3]:
            seats = [s for s in complete.roster(ORG, at=day) if s.post.name == role]
            assert all(s.vacant and s.certainty == "certain" for s in seats), (role, day)
            assert all(s.reasons == ("declared-complete",) and s.evidence == (declared,) for s in seats)
