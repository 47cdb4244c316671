"""Imports that carry completeness: a file declared the full membership makes its empty seats vacant."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import Chronology, DeclaredComplete, EventLog, UsageError
from chronos.cli import main
from chronos.interop import export, import_file, import_text
from tests import shared
from tests.strategies import day, membership_lists

KZ = ("everypolitician-kazakhstan", "379106e8", "ep-popolo-v1.0.json")
SP = ("sp-ministers", "2021-06-22_6c7a92af.json")


def declared(log: EventLog) -> list[DeclaredComplete]:
    return [e for e in log.events() if isinstance(e, DeclaredComplete)]


def states(chronology: Chronology, org: str, at: str) -> Counter[str]:
    return Counter(s.state for s in chronology.roster(org, at=at))


def kazakhstan(*, complete: bool, excerpt: bool = False) -> tuple[EventLog, Chronology]:
    """EveryPolitician's Kazakhstan file known on 2016-05-01; ``excerpt``: less Nur Otan's fifth convocation.

    The excerpt is the real file with the 83 Nur Otan memberships of the fifth
    convocation taken out, imported as a dataset of its own: 24 members for the
    Mazhilis's 77 seats, so that a declaration has empty seats to speak of (the
    whole file lists 107 members for 77 seats in each convocation).
    """
    data: dict[str, Any] = json.loads(shared.require("fixtures", *KZ).read_text(encoding="utf-8"))
    label = "/".join(KZ)
    if excerpt:
        data["memberships"] = [
            m
            for m in data["memberships"]
            if not (m["legislative_period_id"] == "term/5" and m["on_behalf_of_id"] == "1")
        ]
        label = "kazakhstan-excerpt/ep-popolo-v1.0.json"
    log = EventLog.open(":memory:")
    import_text(log, "popolo", json.dumps(data), label=label, known_at="2016-05-01", complete=complete)
    return log, Chronology.from_log(log)


@pytest.mark.shared("fixtures/everypolitician-kazakhstan")
class TestPopolo:
    """A Popolo file declared complete: each organisation over each legislative period named."""

    def test_each_legislative_period_of_the_legislature_is_declared(self) -> None:
        log, _ = kazakhstan(complete=True)
        found = sorted((e.org, str(e.occurred), str(e.until), str(e.known)) for e in declared(log))
        # term/5 ends before the file's date; term/6 has no end, so the file vouches up to its own date.
        assert found == [
            ("mazhilis", "2012-01-15", "2016-01-20", "2016-05-01"),
            ("mazhilis", "2016-03-25", "2016-05-01", "2016-05-01"),
        ]
        cited = sorted((s.source, s.quote, s.locator) for e in declared(log) for s in e.sources)
        assert cited == [
            ("/".join(KZ), "Fifth Convocation", "term/5#complete"),
            ("/".join(KZ), "Sixth Convocation", "term/6#complete"),
        ]

    def test_parties_are_not_declared(self) -> None:
        log, _ = kazakhstan(complete=True)
        assert {e.org for e in declared(log)} == {"mazhilis"}

    def test_never_implied_without_the_flag(self) -> None:
        log, chronology = kazakhstan(complete=False, excerpt=True)
        assert declared(log) == []
        assert states(chronology, "mazhilis", "2014-01-01") == {"held": 24, "unknown": 53}

    def test_a_seat_nobody_holds_in_a_complete_period_is_vacant(self) -> None:
        _, chronology = kazakhstan(complete=True, excerpt=True)
        seats = chronology.roster("mazhilis", at="2014-01-01")
        assert Counter(s.state for s in seats) == {"held": 24, "vacant": 53}
        vacant = [s for s in seats if s.vacant]
        assert all(s.certainty == "certain" and s.reasons == ("declared-complete",) for s in vacant)
        assert {e.sources[0].locator for s in vacant for e in s.evidence} == {"term/5#complete"}

    def test_between_periods_and_after_the_file_nothing_is_vacant(self) -> None:
        _, chronology = kazakhstan(complete=True, excerpt=True)
        assert states(chronology, "mazhilis", "2016-02-15") == {"unknown": 77}
        after = chronology.roster("mazhilis", at="2016-06-01")
        assert not any(s.vacant for s in after)
        assert not any(s.certainty == "certain" for s in after)

    def test_importing_again_adds_nothing(self) -> None:
        log, _ = kazakhstan(complete=True)
        path = shared.require("fixtures", *KZ)
        report = import_file(log, "popolo", path, known_at="2016-05-01", complete=True)
        assert (report.appended, report.declared) == (0, 0)

    def test_a_file_declared_complete_needs_its_date(self) -> None:
        path = shared.require("fixtures", *KZ)
        with pytest.raises(UsageError, match="needs the date it was complete on"):
            import_file(EventLog.open(":memory:"), "popolo", path, complete=True)

    def test_the_command(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = str(shared.require("fixtures", *KZ))
        log = str(tmp_path / "kz")
        assert main(["--log", log, "import", "popolo", path, "--known-at", "2016-05-01", "--complete"]) == 0
        assert "declared complete over 2 periods" in capsys.readouterr().out
        assert len(declared(EventLog.open(log))) == 2


class TestPeriods:
    """What a Popolo file vouches for: each period up to the file's date; no period, the file's date."""

    def test_each_period_up_to_the_files_date(self) -> None:
        periods = [
            ("t1", "2010-01-01", "2014-12-31"),
            ("t2", "2015-01-01", "2019-12-31"),
            ("t3", "2020-06-01", None),
        ]
        data = {
            "persons": [{"id": "ann", "name": "Ann"}],
            "organizations": [{"id": "house", "name": "House"}, {"id": "club", "name": "Club"}],
            "events": [
                {
                    "id": key,
                    "name": key,
                    "classification": "legislative period",
                    "start_date": start,
                    "end_date": end,
                }
                for key, start, end in periods
            ],
            "memberships": [
                *(
                    {"person_id": "ann", "organization_id": "house", "legislative_period_id": key}
                    for key, *_ in periods
                ),
                {"person_id": "ann", "organization_id": "club"},
            ],
        }
        log = EventLog.open(":memory:")
        import_text(
            log, "popolo", json.dumps(data), label="h/house.json", known_at="2018-03-01", complete=True
        )
        found = sorted((e.org, str(e.occurred), str(e.until), e.sources[0].locator) for e in declared(log))
        # t2 ends after the file's date: up to it; t3 starts after it: nothing; the club: its date.
        assert found == [
            ("club", "2018-03-01", "2018-03-01", "club#complete"),
            ("house", "2010-01-01", "2014-12-31", "t1#complete"),
            ("house", "2015-01-01", "2018-03-01", "t2#complete"),
        ]


@pytest.mark.shared("fixtures/sp-ministers")
class TestOnTheFileDate:
    """A membership list or a CSV declared complete: its organisations on the file's date alone."""

    def test_a_membership_list(self) -> None:
        log = EventLog.open(":memory:")
        path = shared.require("fixtures", *SP)
        report = import_file(log, "memberships", path, known_at="2021-06-22", complete=True)
        assert report.declared == 1
        (event,) = declared(log)
        assert (event.org, str(event.occurred), str(event.until)) == (
            "scottish-parliament",
            "2021-06-22",
            "2021-06-22",
        )
        chronology = Chronology.from_log(log)
        on_the_day = states(chronology, "scottish-parliament", "2021-06-22")
        assert on_the_day["vacant"] > 0
        assert "unknown" not in on_the_day
        before = states(chronology, "scottish-parliament", "2021-06-21")
        assert "vacant" not in before
        assert before["unknown"] == on_the_day["vacant"]

    def test_a_csv(self) -> None:
        source = EventLog.open(":memory:")
        import_file(source, "memberships", shared.require("fixtures", *SP), known_at="2021-06-22")
        text = export(Chronology.from_log(source), "csv")
        plain, full = EventLog.open(":memory:"), EventLog.open(":memory:")
        import_text(plain, "csv", text, label="sp/tenures.csv", known_at="2021-06-22")
        import_text(full, "csv", text, label="sp/tenures.csv", known_at="2021-06-22", complete=True)
        assert declared(plain) == []
        assert len(declared(full)) == 1
        assert "vacant" not in states(Chronology.from_log(plain), "scottish-parliament", "2021-06-22")
        assert states(Chronology.from_log(full), "scottish-parliament", "2021-06-22")["vacant"] > 0


@pytest.mark.shared("fixtures/ftm")
class TestFtm:
    """An FtM file declared complete: each Position it lists, not the country chronos files it under."""

    def test_the_position_not_the_country(self) -> None:
        log = EventLog.open(":memory:")
        path = shared.require("fixtures", "ftm", "ve_asamblea_nacional.entities.ftm.json")
        report = import_file(log, "ftm", path, complete=True)  # the file's own date: its last_seen
        (event,) = declared(log)
        assert (report.declared, event.org, str(event.occurred), str(event.until)) == (
            1,
            None,
            "2025-11-18",
            "2025-11-18",
        )
        assert event.post is not None
        assert Chronology.from_log(log).catalogue[event.post].name == event.sources[0].quote


class TestNeverImplied:
    """No seat is vacant after an import unless the file was declared complete, and then only on its date."""

    @given(membership_lists(), st.integers(0, 90), st.booleans())
    def test_vacant_only_where_declared(
        self, records: list[dict[str, Any]], known: int, complete: bool
    ) -> None:
        log = EventLog.open(":memory:")
        text = json.dumps(records)
        import_text(
            log, "memberships", text, label="parl/list.json", known_at=str(day(known)), complete=complete
        )
        chronology = Chronology.from_log(log)
        for n in sorted({0, known - 1, known, known + 1, 90}):
            seats = chronology.roster("parl", at=str(day(n)))
            vacant = {s.post.id for s in seats if s.vacant}
            if not complete or n != known:
                assert not vacant
                continue
            held = {s.post.id for s in seats if s.person is not None and s.certainty == "certain"}
            nobody = {s.post.id for s in seats} - {s.post.id for s in seats if s.person is not None}
            assert nobody <= vacant
            assert not vacant & held
            assert all(isinstance(e, DeclaredComplete) for s in seats if s.vacant for e in s.evidence)

    def test_wikidata_cannot_be_declared_complete(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = main(["--log", str(tmp_path / "w"), "import", "wikidata", "Q1.json", "--complete"])
        assert code == 2
        assert "no membership list" in capsys.readouterr().err
        with pytest.raises(UsageError, match="no membership list"):
            import_file(EventLog.open(":memory:"), "wikidata", tmp_path / "Q1.json", complete=True)
