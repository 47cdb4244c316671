from __future__ import annotations

from collections.abc import Sequence

from chronos import (
    Appointed,
    Arrested,
    Chronology,
    Died,
    Dismissed,
    Event,
    Released,
    Retracted,
    RosterEntry,
    RosterReported,
    Source,
)
from chronos.checks import Finding, check
from tests.strategies import small_catalogue

S = (Source(source="s.txt", quote="q"),)
T = (Source(source="t.txt", quote="r"),)


def findings(events: Sequence[Event]) -> list[Finding]:
    return check(Chronology(events, small_catalogue()))


def rules(events: list[Event]) -> set[tuple[str, str]]:
    return {(f.severity, f.rule) for f in findings(events)}


def appoint(person: str, post: str, occurred: str, known: str | None = None) -> Appointed:
    return Appointed(person=person, post=post, occurred=occurred, known=known or occurred, sources=S)


class TestRules:
    """Each rule fires on the problem it names, and only then."""

    def test_disputed_custody_dates(self) -> None:
        arrests = [
            Arrested(person="ann-abel", occurred="2020-01-05", known="2020-01-08", sources=S),
            Arrested(person="ann-abel", occurred="2020-01-06", known="2020-02-16", sources=T),
        ]
        found = [f for f in findings(arrests) if f.rule == "disputed-custody"]
        assert [f.severity for f in found] == ["warning"]
        assert found[0].message == (
            "sources disagree on when Ann Abel was taken into custody: "
            "arrested 2020-01-05 (s.txt); arrested 2020-01-06 (t.txt)"
        )
        agreeing = [
            Arrested(person="ann-abel", occurred="2020-01-05", known="2020-01-08", sources=T),
            arrests[0],
        ]
        assert not [f for f in findings(agreeing) if f.rule == "disputed-custody"]

    def test_removed_or_gave_up(self) -> None:
        from chronos import Left, Resigned

        start = appoint("ann-abel", "org/chair", "2019-01-01")
        dismissed = Dismissed(
            person="ann-abel", post="org/chair", occurred="2020-01-05", known="2020-01-08", sources=S
        )
        resigned = Resigned(
            person="ann-abel", post="org/chair", occurred="2020-01-05", known="2020-01-09", sources=T
        )
        left = Left(person="ann-abel", post="org/chair", occurred="2020-01-05", known="2020-01-09", sources=T)
        found = [f for f in findings([start, dismissed, resigned]) if f.rule == "disputed-cause"]
        assert [f.severity for f in found] == ["warning"]
        assert "how Ann Abel left org/chair (removed or gave it up)" in found[0].message
        # "Left" says nothing of how: no disagreement.
        assert not [f for f in findings([start, dismissed, left]) if f.rule == "disputed-cause"]

    def test_clean(self) -> None:
        assert findings([appoint("ann-abel", "org/chair", "2020-01-01")]) == []

    def test_over_seats(self) -> None:
        found = findings(
            [appoint("ann-abel", "org/chair", "2020-01-01"), appoint("ben-berg", "org/chair", "2020-02-01")]
        )
        assert [(f.severity, f.rule) for f in found] == [("error", "over-seats")]
        assert "org/chair has 1 seat(s) but 2 certain holders on 2020-02-01" in found[0].message
        assert len(found[0].events) == 2

    def test_two_seats_are_fine(self) -> None:
        assert (
            findings(
                [
                    appoint("ann-abel", "org/deputy", "2020-01-01"),
                    appoint("ben-berg", "org/deputy", "2020-02-01"),
                ]
            )
            == []
        )

    def test_open_start(self) -> None:
        event = Dismissed(
            person="ann-abel",
            post="org/chair",
            occurred="2020-01-01",
            known="2020-01-01",
            sources=S,
            note="start unknown",
        )
        (finding,) = findings([event])
        assert (finding.severity, finding.rule) == ("warning", "open-start")
        assert finding.notes == ("start unknown",)

    def test_after_death(self) -> None:
        events = [
            Died(person="ann-abel", occurred="2020-01-01", known="2020-01-01", sources=S),
            appoint("ann-abel", "org/chair", "2020-06-01"),
        ]
        assert ("error", "after-death") in rules(events)

    def test_appointed_in_custody(self) -> None:
        events = [
            Arrested(person="ann-abel", occurred="2020-01-01", known="2020-01-01", sources=S),
            appoint("ann-abel", "org/chair", "2020-03-01"),
        ]
        assert ("error", "in-custody") in rules(events)
        released = [
            *events[:1],
            Released(person="ann-abel", occurred="2020-02-01", known="2020-02-01", sources=S),
            events[1],
        ]
        assert ("error", "in-custody") not in rules(released)

    def test_in_custody_says_certainly_or_possibly(self) -> None:
        certain = [
            Arrested(person="ann-abel", occurred="2020-01-01", known="2020-01-01", sources=S),
            appoint("ann-abel", "org/chair", "2020-03-01"),
        ]
        possible = [
            Arrested(person="ann-abel", occurred="2020-02-01/2020-04-01", known="2020-04-01", sources=S),
            appoint("ann-abel", "org/chair", "2020-03-01"),
        ]
        said = [
            next(f.message for f in findings(events) if f.rule == "in-custody").rsplit(" while ", 1)[1]
            for events in (certain, possible)
        ]
        assert said == ["certainly in custody", "possibly in custody"]

    def test_known_before_it_happened(self) -> None:
        assert ("error", "known-before-occurred") in rules(
            [appoint("ann-abel", "org/chair", "2020-03-01", known="2020-01-01")]
        )

    def test_disputed(self) -> None:
        events = [
            appoint("ann-abel", "org/chair", "2019-01-01"),
            Dismissed(
                person="ann-abel", post="org/chair", occurred="2020-01-05", known="2020-01-05", sources=S
            ),
            Dismissed(
                person="ann-abel", post="org/chair", occurred="2020-01-06", known="2020-01-06", sources=T
            ),
        ]
        (finding,) = findings(events)
        assert (finding.severity, finding.rule) == ("warning", "disputed")
        assert "s.txt" in finding.message
        assert "t.txt" in finding.message

    def test_retracted_is_listed(self) -> None:
        wrong = Dismissed(
            person="ann-abel", post="org/chair", occurred="2020-01-05", known="2020-01-05", sources=S
        )
        events = [
            appoint("ann-abel", "org/chair", "2019-01-01"),
            wrong,
            Retracted(target=wrong.id, occurred="2020-01-08", known="2020-01-08", sources=T),
        ]
        assert rules(events) == {("info", "retracted")}

    def test_snapshot_disagreement(self) -> None:
        snapshot = RosterReported(
            org="org",
            entries=[
                RosterEntry(post="org/chair", person="ben-berg"),
                RosterEntry(post="org/unit/head", name="Somebody Else"),
            ],
            occurred="2020-06-01",
            known="2020-06-01",
            sources=T,
        )
        found = rules(
            [
                appoint("ann-abel", "org/chair", "2020-01-01"),
                appoint("cem-cay", "org/unit/head", "2020-01-01"),
                snapshot,
            ]
        )
        assert ("warning", "snapshot-disagrees") in found
        assert ("warning", "snapshot-unknown-person") in found
        assert ("warning", "snapshot-missing") in found

    def test_errors_come_first(self) -> None:
        events = [
            Dismissed(
                person="ann-abel", post="org/chair", occurred="2020-01-01", known="2020-01-01", sources=S
            ),
            appoint("ben-berg", "org/chair", "2020-03-01", known="2020-01-01"),
        ]
        severities = [f.severity for f in findings(events)]
        assert severities == sorted(severities, key=["error", "warning", "info"].index)
