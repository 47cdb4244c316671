"""Honest answers: a seat is held, vacant or unknown; nothing past the record's horizon is certain.

Properties over generated histories (with sources' rosters, declarations of
completeness, foundings, dissolutions, scheduled ends and identifications),
then the cases of issue #12 on the shipped dataset, each as a golden answer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import (
    Appointed,
    Chronology,
    Corrected,
    DeclaredComplete,
    Dissolved,
    Founded,
    Identified,
    Left,
    Person,
    RosterEntry,
    RosterReported,
    Source,
    UsageError,
)
from chronos.checks import check
from chronos.cli import main
from chronos.dates import Day
from chronos.projections import OPEN_END, Policy, Seat
from chronos.projections.seating import NOT_FOUNDED
from tests.strategies import EPOCH, History, histories, small_catalogue

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "events"
S = [Source(source="s.txt", quote="q")]
#: 000 line 10, "Masimov was reportedly replaced with his chief bodyguard" (events/, record 132).
PLACEHOLDER_CLAIM = "aefc1c30d66651c459249fdd"


def chronology(events: Any) -> Chronology:
    return Chronology(events, small_catalogue())


def days(history: History, step: int = 5) -> list[dt.date]:
    return [EPOCH + dt.timedelta(days=n) for n in range(-40, history.horizon + 40, step)]


def known_ats(history: History) -> list[dt.date | None]:
    return [None, EPOCH + dt.timedelta(days=history.horizon // 3), EPOCH + dt.timedelta(days=history.horizon)]


class TestProperties:
    """What every roster answers, whatever the history."""

    @given(histories(disputes=True, fuzzy=True, evidence=True))
    def test_no_seat_is_vacant_without_a_vacancy_claim_or_declared_completeness(
        self, history: History
    ) -> None:
        ours = chronology(history.events)
        for known_at in known_ats(history):
            state = ours.state(known_at)
            for day in days(history):
                for seat in ours.roster("org", at=day, known_at=known_at):
                    assert seat.vacant == (seat.state == "vacant")
                    if seat.state == "vacant":
                        assert seat.person is None
                        assert seat.evidence
                        for event in seat.evidence:
                            assert event in state.events
                            if isinstance(event, RosterReported):
                                assert seat.post.id in {e.post for e in event.entries if e.person is None}
                            else:
                                assert isinstance(event, DeclaredComplete)
                                assert event.subject in (seat.post.id, *small_catalogue().above(seat.post.id))
                    elif seat.state == "unknown":
                        assert (seat.person, seat.certainty, seat.evidence) == (None, "possible", ())
                        assert "unknown-holder" in seat.reasons
                    else:
                        assert seat.person is not None

    @given(histories(disputes=True, fuzzy=True, evidence=True), st.integers(0, 400))
    def test_nothing_after_the_horizon_is_certain(self, history: History, offset: int) -> None:
        ours = chronology(history.events)
        for known_at in (None, EPOCH + dt.timedelta(days=offset)):
            horizon = ours.horizon(known_at)
            for day in days(history):
                seats = ours.roster("org", at=day, known_at=known_at)
                if Day.from_date(day) > horizon:
                    assert all(s.certainty == "possible" for s in seats)
                    assert all("after-record" in s.reasons for s in seats)
                else:
                    assert all("after-record" not in s.reasons for s in seats)

    @given(histories(disputes=True, fuzzy=True, evidence=True))
    def test_no_holder_before_founding_or_after_dissolution(self, history: History) -> None:
        ours = chronology(history.events)
        state = ours.state()
        for date in days(history):
            day = Day.from_date(date)
            seats = ours.roster("org", at=day)
            for seat in seats:
                for org in small_catalogue().above(seat.post.id):
                    founded = Policy().resolve(state.founded.get(org, ()), empty=NOT_FOUNDED)
                    dissolved = Policy().resolve(state.dissolved.get(org, ()), empty=OPEN_END)
                    # Nothing is shown where the organisation certainly did not exist ...
                    assert founded.first <= day < dissolved.last
                    # ... and only possibly where it may not have existed.
                    if not founded.last <= day < dissolved.first:
                        assert seat.certainty == "possible"
            # The plainest case: one exactly dated founding of the organisation itself.
            claims = state.founded.get("org", ())
            if len(claims) == 1 and claims[0].date.is_exact and day < claims[0].date.first:
                assert seats == ()

    @given(histories(disputes=True, fuzzy=True, evidence=True), st.data())
    def test_a_source_repeating_a_known_claim_never_lowers_certainty(
        self, history: History, data: st.DataObject
    ) -> None:
        """The same standing claim from a second source (known as early) confirms; it never casts doubt."""
        standing = [e for e in chronology(history.events).state().events if not isinstance(e, Identified)]
        if not standing:
            return
        original = data.draw(st.sampled_from(standing))
        again = attrs_evolve(original, sources=[Source(source="again.txt", quote="the same claim")])
        before, after = chronology(history.events), chronology([*history.events, again])
        rank = {"certain": 1, "possible": 0}
        for day in days(history, 9):
            mine = {(s.post.id, s.person, s.state): s.certainty for s in before.roster("org", at=day)}
            theirs = {(s.post.id, s.person, s.state): s.certainty for s in after.roster("org", at=day)}
            for key, certainty in mine.items():
                if key[1] is not None:  # a holder stays, at least as certain
                    assert key in theirs
                    assert rank[theirs[key]] >= rank[certainty]

    @given(histories(disputes=True, evidence=True), st.data())
    def test_a_reversed_range_never_answers(self, history: History, data: st.DataObject) -> None:
        ours = chronology(history.events)
        first = data.draw(st.integers(-30, history.horizon))
        gap = data.draw(st.integers(1, 400))
        late, early = EPOCH + dt.timedelta(days=first + gap), EPOCH + dt.timedelta(days=first)
        with pytest.raises(UsageError, match="give the earlier date first"):
            ours.diff("org", late, early)
        with pytest.raises(UsageError, match="give the earlier date first"):
            ours.events_about(start=late, end=early)
        # In order, or overlapping (a year and a day in it), they answer.
        ours.diff("org", early, late)
        ours.diff("org", str(late.year), late)


def attrs_evolve(event: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(event, **changes)


class TestVacancies:
    """Vacant only where a source says so, or the record is declared complete."""

    def chronology(self) -> Chronology:
        events = [
            Appointed(
                person="ann-abel", post="org/chair", occurred="2020-01-01", known="2020-01-01", sources=S
            ),
            Left(person="ann-abel", post="org/chair", occurred="2020-03-01", known="2020-03-01", sources=S),
            RosterReported(
                org="org",
                entries=[RosterEntry(post="org/chair"), RosterEntry(post="org/deputy", person="ben-berg")],
                occurred="2020-04-01",
                known="2020-04-02",
                sources=S,
            ),
            DeclaredComplete(
                post="org/deputy", occurred="2020-05", until="2020-06-30", known="2020-07-01", sources=S
            ),
            Appointed(
                person="ben-berg", post="org/deputy", occurred="2020-06-10", known="2020-06-10", sources=S
            ),
        ]
        return chronology(events)

    def seats(self, ours: Chronology, at: str, post: str, known_at: str | None = None) -> list[Seat]:
        return [s for s in ours.roster("org", at=at, known_at=known_at) if s.post.id == post]

    def test_a_sources_empty_seat_is_vacant_that_day_only(self) -> None:
        ours = self.chronology()
        (after,) = self.seats(ours, "2020-03-15", "org/chair")
        (reported,) = self.seats(ours, "2020-04-01", "org/chair")
        (later,) = self.seats(ours, "2020-04-02", "org/chair")
        assert (after.state, after.reasons) == ("unknown", ("unknown-holder",))
        assert (reported.state, reported.certainty, reported.reasons) == (
            "vacant",
            "certain",
            ("vacancy-reported",),
        )
        assert [e.type for e in reported.evidence] == ["RosterReported"]
        assert later.state == "unknown"
        # As known before the report, the seat was unknown that day too.
        (before,) = self.seats(ours, "2020-04-01", "org/chair", known_at="2020-04-01")
        assert before.state == "unknown"
        # A month containing the day: possibly vacant (not on every day of it).
        (month,) = self.seats(ours, "2020-04", "org/chair")
        assert (month.state, month.certainty, month.reasons) == (
            "vacant",
            "possible",
            ("vacancy-reported", "imprecise-vacancy"),
        )

    def test_a_declared_complete_post_has_vacant_seats_where_nobody_is_recorded(self) -> None:
        ours = self.chronology()
        # Declared complete from some day in May: certain from 31 May, possible before.
        may = self.seats(ours, "2020-05-15", "org/deputy")
        assert [(s.state, s.certainty) for s in may] == [("vacant", "possible")] * 2
        assert {s.reasons for s in may} == {("declared-complete", "imprecise-vacancy")}
        june = self.seats(ours, "2020-06-05", "org/deputy")
        assert [(s.state, s.certainty, s.reasons) for s in june] == [
            ("vacant", "certain", ("declared-complete",))
        ] * 2
        assert [e.type for e in june[0].evidence] == ["DeclaredComplete"]
        later = self.seats(ours, "2020-06-15", "org/deputy")
        assert [(s.state, s.person) for s in later] == [("held", "ben-berg"), ("vacant", None)]
        july = self.seats(ours, "2020-07-15", "org/deputy")
        assert [(s.state, s.person) for s in july] == [("held", "ben-berg"), ("unknown", None)]

    def test_the_fast_rosters_agree(self) -> None:
        ours = self.chronology()
        for at in ("2020-03-15", "2020-04-01", "2020-04", "2020-05-15", "2020-06-05", "2020-06-15", "2021"):
            assert ours.rosters(at=at)["org"] == ours.roster("org", at=at)


class TestLives:
    """An organisation has no seats before its founding or after its dissolution."""

    def test_founding_and_dissolution(self) -> None:
        events = [
            Founded(org="org/unit", occurred="2020", known="2021-01-01", sources=S),
            Appointed(
                person="ann-abel", post="org/unit/head", occurred="2019-06-01", known="2021-01-01", sources=S
            ),
            Dissolved(org="org/unit", occurred="2020-12-01", known="2021-01-01", sources=S),
        ]
        ours = chronology(events)

        def unit(at: str) -> list[tuple[str, str | None, str, tuple[str, ...]]]:
            return [(s.state, s.person, s.certainty, s.reasons) for s in ours.roster("org/unit", at=at)]

        assert unit("2019-07-01") == []  # before the unit's founding: no seats, no holder
        assert ours.existence("org/unit", at="2019-07-01")[0] is None
        assert unit("2020-06-01") == [("held", "ann-abel", "possible", ("before-founding",))]
        assert unit("2020-06-01") == [
            (s.state, s.person, s.certainty, s.reasons)
            for s in ours.rosters(["org/unit"], at="2020-06-01")["org/unit"]
        ]
        assert unit("2021-01-01") == []
        # The parent's roster shows its own posts, and none of the unit's.
        assert {s.post.id for s in ours.roster("org", at="2019-07-01")} == {"org/chair", "org/deputy"}


class TestScheduledEnds:
    """An end dated after it was known is a forecast: never certain."""

    def test_a_term_scheduled_to_end(self) -> None:
        events = [
            Appointed(
                person="ann-abel", post="org/chair", occurred="2020-01-01", known="2020-01-01", sources=S
            ),
            Left(person="ann-abel", post="org/chair", occurred="2029-01-01", known="2020-01-01", sources=S),
            Appointed(
                person="ben-berg", post="org/deputy", occurred="2020-01-01", known="2031-01-01", sources=S
            ),
        ]
        ours = chronology(events)
        (tenure,) = [t for t in ours.tenures() if t.person == "ann-abel"]
        assert tenure.end.scheduled
        assert str(tenure.end.date) == "2029-01-01"
        # Before the scheduled day: certain (the record reaches 2031). After it: possibly still there.
        chair = [s for s in ours.roster("org", at="2028-06-01") if s.post.id == "org/chair"]
        assert [(s.person, s.certainty, s.reasons) for s in chair] == [("ann-abel", "certain", ("dated",))]
        chair = [s for s in ours.roster("org", at="2030-06-01") if s.post.id == "org/chair"]
        assert [(s.person, s.certainty, s.reasons) for s in chair] == [
            ("ann-abel", "possible", ("scheduled-end",))
        ]
        findings = [f for f in check(ours) if f.rule == "scheduled-end"]
        assert [f.severity for f in findings] == ["info"]
        assert not [f for f in check(ours) if f.rule == "known-before-occurred"]


class TestUnidentifiedHolders:
    """A successor reported without a name is a claim; a later source identifies them."""

    def test_identified_later(self) -> None:
        placeholder = Person(id="unnamed/successor", name="his chief bodyguard")
        catalogue = small_catalogue().with_entities([placeholder])
        first = Appointed(
            person=placeholder.id, post="org/chair", occurred="2020-01-05", known="2020-01-08", sources=S
        )
        named = Identified(
            placeholder=placeholder.id,
            person="ben-berg",
            occurred="2020-01-05",
            known="2020-02-16",
            sources=[Source(source="report.txt", quote="the head of the guard was appointed")],
        )
        ours = Chronology([first, named], catalogue)
        (then,) = [
            s for s in ours.roster("org", at="2020-01-08", known_at="2020-01-10") if s.post.id == "org/chair"
        ]
        (now,) = [s for s in ours.roster("org", at="2020-01-10") if s.post.id == "org/chair"]
        assert (then.person, then.certainty, then.reasons) == (
            placeholder.id,
            "certain",
            ("dated", "unidentified"),
        )
        assert (now.person, now.certainty, now.reasons) == ("ben-berg", "certain", ("dated", "identified"))
        assert {s.source for s in now.sources} == {"s.txt", "report.txt"}
        assert [t.post for t in ours.history("ben-berg").tenures] == ["org/chair"]
        assert ours.history("ben-berg", known_at="2020-01-10").tenures == ()
        assert ours.rosters(at="2020-01-10")["org"] == ours.roster("org", at="2020-01-10")

    def test_identifications_that_disagree_identify_nobody(self) -> None:
        placeholder = Person(id="unnamed/successor", name="his chief bodyguard")
        catalogue = small_catalogue().with_entities([placeholder])
        events = [
            Appointed(
                person=placeholder.id, post="org/chair", occurred="2020-01-05", known="2020-01-08", sources=S
            ),
            *(
                Identified(
                    placeholder=placeholder.id, person=p, occurred="2020-01-05", known="2020-02-16", sources=S
                )
                for p in ("ben-berg", "cem-cay")
            ),
        ]
        ours = Chronology(events, catalogue)
        (chair,) = [s for s in ours.roster("org", at="2020-01-10") if s.post.id == "org/chair"]
        assert chair.person == placeholder.id
        assert [f.rule for f in check(ours) if f.rule == "disputed-identity"] == ["disputed-identity"]


# The cases of issue #12, on the shipped dataset -------------------------------------------------------


@pytest.fixture(scope="module")
def knb() -> Chronology:
    return Chronology.open(LOG)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--log", str(LOG), *argv])
    out, err = capsys.readouterr()
    return code, out, err


class TestIssue12:
    """Each thing chronos said beyond its evidence, answered as the evidence allows."""

    def test_nothing_known_is_not_everything_vacant(self, capsys: pytest.CaptureFixture[str]) -> None:
        argv = ("roster", "nsc", "--at", "2022-01-05", "--known-at", "2022-01-04", "--format", "json")
        code, out, _ = run(capsys, *argv)
        seats = json.loads(out)["answer"]
        assert code == 0
        assert len(seats) == 17
        # On 4 January the record knew one holder (Massimov, from an article of August 2021);
        # every other seat is unknown, none vacant, and the 5th is after that record: nothing certain.
        held = [
            (s["post_id"], s["person_id"], s["certainty"], s["reasons"])
            for s in seats
            if s["state"] == "held"
        ]
        assert held == [("nsc/chairman", "karim-massimov", "possible", ["after-record"])]
        others = {(s["state"], s["certainty"], s["vacant"], tuple(s["reasons"])) for s in seats[1:]}
        assert others == {("unknown", "possible", False, ("unknown-holder", "after-record"))}

    def test_the_almaty_director_before_irmenov_is_unknown(self, knb: Chronology) -> None:
        (seat,) = [
            s for s in knb.roster("nsc", at="2022-01-10") if s.post.id == "nsc/almaty-department/director"
        ]
        assert (seat.state, seat.person, seat.certainty, seat.reasons) == (
            "unknown",
            None,
            "possible",
            ("unknown-holder",),
        )

    def test_2030_is_after_the_record(self, knb: Chronology, capsys: pytest.CaptureFixture[str]) -> None:
        (chair,) = [s for s in knb.roster("nsc", at="2030-01-01") if s.post.id == "nsc/chairman"]
        assert (chair.person, chair.certainty, chair.reasons) == (
            "ermek-sagimbayev",
            "possible",
            ("after-record",),
        )
        assert not [s for s in knb.roster("nsc", at="2030-01-01") if s.certainty == "certain"]
        code, out, _ = run(capsys, "roster", "nsc", "--at", "2030-01-01")
        assert code == 0
        assert "2030-01-01 is after the record (it ends 2022-02-16)" in out
        assert "? Ermek Sagimbayev (possible)" in out

    def test_a_scheduled_term_end_in_an_imported_file(self, tmp_path: Path) -> None:
        from chronos import EventLog
        from chronos.interop import import_file

        records = [
            {
                "id": "r1",
                "role": "Chair",
                "person_id": "p1",
                "organization_id": "board",
                "start_date": "2020-01-01",
                "end_date": "2029-12-31",
            }
        ]
        path = tmp_path / "board" / "members.json"
        path.parent.mkdir()
        path.write_text(json.dumps(records), encoding="utf-8")
        log = EventLog.open(tmp_path / "log", create=True)
        import_file(log, "memberships", path, known_at="2022-02-16")
        ours = Chronology.from_log(log)
        (tenure,) = ours.tenures()
        assert tenure.end.scheduled
        held = [(s.person, s.certainty, s.reasons) for s in ours.roster("board", at="2030-06-01") if s.person]
        assert held == [(tenure.person, "possible", ("scheduled-end", "after-record"))]

    def test_no_deputies_before_the_founding(
        self, knb: Chronology, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert knb.roster("nsc", at="1900-01-01") == ()
        assert knb.rosters(["nsc"], at="1900-01-01") == {"nsc": ()}
        certainty, events = knb.existence("nsc", at="1900-01-01")
        assert certainty is None
        assert [e.type for e in events] == ["Founded"]
        code, out, _ = run(capsys, "roster", "nsc", "--at", "1900-01-01", "--format", "json")
        data = json.loads(out)
        assert (code, data["answer"]) == (0, [])
        assert data["notes"] == [
            "National Security Committee did not exist on 1900-01-01 (founded 1992): it had no posts then"
        ]
        # Within the founding year: at most possible.
        assert {s.certainty for s in knb.roster("nsc", at="1992-06-01")} == {"possible"}

    @pytest.mark.parametrize(
        "argv",
        [
            ["diff", "nsc", "2022-02-16", "2022-01-05"],
            ["events", "--from", "2022-02-16", "--to", "2022-01-05"],
            ["timeline", "nsc", "--from", "2022-02-16", "--to", "2022-01-05", "-o", "x.svg"],
            ["roster", "nsc", "--at", "2022-02-16/2022-01-05"],
            ["explore", "nsc", "--from", "2022-02-16", "--to", "2022-01-05", "-o", "x.html"],
            ["history", "karim-massimov", "--known-at", "2022-02-16/2022-01-05"],
        ],
    )
    def test_a_reversed_range_is_a_usage_error(
        self, capsys: pytest.CaptureFixture[str], argv: list[str]
    ) -> None:
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, "")
        assert err.startswith("chronos: error: ")
        assert len(err.splitlines()) == 1

    def test_the_diff_marks_a_disputed_dismissal(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "diff", "nsc", "2022-01-05", "2022-02-16")
        assert code == 0
        flat = " ".join(out.split())
        disputed = "(disputed: 1 source says 2022-01-04/2022-01-05; 4 sources say 2022-01-05)"
        assert re.search(rf"Dismissed 2022-01-06 \[[0-9,-]+\] {re.escape(disputed)}", flat)

    def test_every_diff_row_says_why_it_has_its_certainty(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "diff", "nsc", "2021-12-31", "2022-01-31", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert code == 0
        for row in rows:
            for side in ("before", "after"):
                assert bool(row[f"{side}_certainty"]) == bool(row[f"{side}_reasons"]), row
        left = {
            (r["person_id"], r["before_certainty"], r["before_reasons"])
            for r in rows
            if r["change"] == "left"
        }
        assert ("daulet-yergozhin", "possible", "imprecise-start") in left

    def test_an_unknown_source_in_a_policy_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(capsys, "roster", "nsc", "--at", "2022-01-05", "--policy", "prefer:999")
        assert code == 2
        assert err.startswith("chronos: error: policy 'prefer:999': no source '999' in the log")
        code, _, err = run(capsys, "roster", "nsc", "--at", "2022-01-05", "--policy", "prefer:04")
        assert (code, err) == (
            2,
            "chronos: error: policy 'prefer:04': no source '04' in the log (did you mean '004'?)\n",
        )

    def test_the_unnamed_successor_is_named_by_a_correction_an_identification_would_add_nothing(
        self, knb: Chronology
    ) -> None:
        """Why events/ keeps its `Corrected` and appends no `Identified` (see the README)."""
        events = list(knb.events)
        (naming,) = [e for e in events if isinstance(e, Corrected) and e.target == PLACEHOLDER_CLAIM]
        identified = Identified(
            placeholder="unnamed/chief-bodyguard",
            person="ermek-sagimbayev",
            occurred="2022-02-16",
            known="2022-02-16",
            sources=naming.sources,  # 004 line 38, as the correction cites it
        )
        beside = Chronology([*events, identified], knb.catalogue)
        instead = Chronology([*(e for e in events if e is not naming), identified], knb.catalogue)

        def chair(chronology: Chronology, known_at: str | None) -> list[tuple[Any, ...]]:
            seats = chronology.roster("nsc/chairman", at="2022-01-10", known_at=known_at)
            return [(s.person, s.certainty, s.reasons, str(s.since)) for s in seats]

        assert chair(knb, "2022-01-08") == [
            (
                "unnamed/chief-bodyguard",
                "possible",
                ("pending-report", "after-record", "unidentified"),
                "2022-01-05/2022-01-09",
            )
        ]
        assert chair(knb, "2022-02-16") == [("ermek-sagimbayev", "certain", ("dated",), "2022-01-06")]
        for known_at in ("2022-01-06", "2022-01-08", "2022-01-10", "2022-02-16", None):
            for day in ("2022-01-04", "2022-01-06", "2022-01-10", "2022-01-20", "2022-02-16"):
                assert beside.roster("nsc", at=day, known_at=known_at) == knb.roster(
                    "nsc", at=day, known_at=known_at
                )
        # In its place, the identification names the same holder and says so ("identified later").
        assert chair(instead, "2022-01-08") == chair(knb, "2022-01-08")
        assert chair(instead, "2022-02-16") == [
            ("ermek-sagimbayev", "certain", ("dated", "identified"), "2022-01-06")
        ]

    def test_check_flags_disputed_custody_and_causes(self, knb: Chronology) -> None:
        findings = check(knb)
        custody = [f.message for f in findings if f.rule == "disputed-custody"]
        causes = [f.message for f in findings if f.rule == "disputed-cause"]
        assert len(custody) == 1
        assert custody[0].startswith("sources disagree on when Karim Massimov was taken into custody")
        assert sorted(m.split(" left ")[0] for m in causes) == [
            "sources disagree on how Askar Mamin",
            "sources disagree on how Nursultan Nazarbayev",
        ]
        assert not [f for f in findings if f.severity == "error"]
