"""The showcase dataset in ``events/``: it loads, checks clean, quotes its sources, keeps both clocks."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from chronos import Chronology, Corrected, Event, EventLog, Retracted, RosterReported, Source
from chronos.checks import check, check_quotes
from chronos.sources import sha256_of
from tests import shared

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "events"
SNAPSHOT_DAYS = ("2022-01-05", "2022-02-16")


@pytest.fixture(scope="module")
def chronology() -> Chronology:
    return Chronology.open(LOG)


@functools.cache
def source_files() -> dict[str, str]:
    """The text of every source file, by file name (`tests.shared.require`: skipped without, failed in CI)."""
    folder = shared.require("sources")
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("[0-9][0-9][0-9]_*.txt"))}


def normal(text: str) -> str:
    """Whitespace runs (non-breaking spaces too) to one space, typographic quotes to straight ones."""
    for curly, straight in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        text = text.replace(curly, straight)
    return " ".join(text.replace("\u00a0", " ").split())


def citations(events: tuple[Event, ...]) -> Iterator[tuple[Event, Source]]:
    """Every (event, source) pair, including the sources of a correction's replacement."""
    for event in events:
        for source in event.sources:
            yield event, source
        if isinstance(event, Corrected):
            yield from citations((event.replacement,))


def held(chronology: Chronology, post: str, at: str) -> dict[str, str]:
    """The holders of one post on a day, with their certainty."""
    return {s.person: s.certainty for s in chronology.roster("nsc", at=at) if s.post.id == post and s.person}


def snapshot(chronology: Chronology, day: str) -> RosterReported:
    return next(s for s in chronology.snapshots("nsc") if str(s.occurred) == day)


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


class TestLoads:
    """The log opens, verifies, and the integrity checks find no error and no unexplained warning."""

    def test_verifies(self) -> None:
        log = EventLog.open(LOG)
        verified = log.verify()
        assert verified.count == log.position == len(log.events()) > 0

    def test_no_errors(self, chronology: Chronology) -> None:
        errors = [f for f in check(chronology) if f.severity == "error"]
        assert errors == []

    def test_every_warning_is_expected_or_explained(self, chronology: Chronology) -> None:
        expected = ("disputed", "open-start")
        unexplained = [
            f
            for f in check(chronology)
            if f.severity == "warning"
            and f.rule not in expected
            and not f.rule.startswith("snapshot-")
            and not f.notes
        ]
        assert unexplained == []


class TestSources:
    """Every event cites one of the five articles, and every quote is in the article, on the line cited."""

    def test_every_event_cites_a_source(self, chronology: Chronology) -> None:
        assert [e.id for e in chronology.events if not e.sources] == []

    def test_the_sources_are_the_five_files(self, chronology: Chronology) -> None:
        files = source_files()
        assert len(files) == 5, sorted(files)
        cited = {source.source for _, source in citations(chronology.events)}
        assert cited - set(files) == set()

    def test_every_quote_is_in_its_source(self, chronology: Chronology) -> None:
        texts = {name: normal(text) for name, text in source_files().items()}
        missing = [
            (event.id, source.source, source.quote)
            for event, source in citations(chronology.events)
            if normal(source.quote) not in texts.get(source.source, "")
        ]
        assert missing == []

    def test_every_cited_source_is_registered(self, chronology: Chronology) -> None:
        registry = chronology.catalogue.sources
        assert chronology.catalogue.require_sources
        assert {source.source for _, source in citations(chronology.events)} == set(registry)
        assert [p.citation for p in registry.values()][
            -1
        ] == "Caspian Institute for Strategic Studies, 16 Feb 2022"

    def test_the_registry_holds_the_texts_digests(self, chronology: Chronology) -> None:
        folder = shared.require("sources")
        digests = {p.id: p.sha256 for p in chronology.catalogue.sources.values()}
        assert digests == {name: sha256_of(folder / name) for name in source_files()}

    def test_check_quotes_finds_every_quote_in_the_archived_texts(self, chronology: Chronology) -> None:
        assert check_quotes(chronology, archives=shared.require("sources")) == []

    def test_every_line_locator_points_at_its_quote(self, chronology: Chronology) -> None:
        lines = {name: text.split("\n") for name, text in source_files().items()}
        wrong = []
        for event, source in citations(chronology.events):
            match = re.fullmatch(r"line (\d+)", source.locator or "")
            if match is None:
                continue
            number = int(match.group(1))
            text = lines.get(source.source, [])
            if not (1 <= number <= len(text) and normal(source.quote) in normal(text[number - 1])):
                wrong.append((event.id, source.source, source.locator, source.quote))
        assert wrong == []


class TestReportedRosters:
    """The projection reproduces the report's own NSC lists, and reports where the 5 January list is wrong."""

    def test_the_report_gives_two_lists(self, chronology: Chronology) -> None:
        assert [str(s.occurred) for s in chronology.snapshots("nsc")] == list(SNAPSHOT_DAYS)

    @pytest.mark.parametrize("day", SNAPSHOT_DAYS)
    def test_every_named_holder_is_projected(self, chronology: Chronology, day: str) -> None:
        listed = snapshot(chronology, day)
        absent = [e for e in listed.entries if e.person and e.person not in held(chronology, e.post, day)]
        assert absent == []

    @pytest.mark.parametrize("day", SNAPSHOT_DAYS)
    def test_every_reported_vacancy_is_free(self, chronology: Chronology, day: str) -> None:
        vacancies = Counter(
            e.post for e in snapshot(chronology, day).entries if e.person is None and e.name is None
        )
        free = Counter(s.post.id for s in chronology.roster("nsc", at=day) if s.vacant)
        short = {post: (n, free[post]) for post, n in vacancies.items() if free[post] < n}
        assert short == {}

    @pytest.mark.parametrize("day", SNAPSHOT_DAYS)
    def test_no_certain_holder_is_left_out(self, chronology: Chronology, day: str) -> None:
        listed = snapshot(chronology, day)
        posts = {e.post for e in listed.entries}
        named = {(e.post, e.person) for e in listed.entries if e.person}
        extra = [
            (post, person)
            for post in posts
            for person, certainty in held(chronology, post, day).items()
            if certainty == "certain" and (post, person) not in named
        ]
        assert extra == []

    def test_16_february_matches_exactly(self, chronology: Chronology) -> None:
        day = "2022-02-16"
        listed = snapshot(chronology, day)
        reported = Counter((e.post, e.person) for e in listed.entries)
        projected = Counter(
            (s.post.id, s.person)
            for s in chronology.roster("nsc", at=day)
            if s.post.id in {e.post for e in listed.entries}
        )
        assert projected == reported

    def test_special_service_a_discrepancy_is_reported(self, chronology: Chronology) -> None:
        rows = chronology.compare(snapshot(chronology, "2022-01-05"))
        director = "nsc/special-service-a/director"
        row = next(r for r in rows if r.post == director and r.source_says == "Anuar Kunanbayev")
        assert row.verdict == "unknown-person"
        assert row.person is None
        assert "anuar-sadykulov" in held(chronology, director, "2022-01-05")
        assert "berik-kunanbayev" in held(chronology, director, "2022-01-06")

    def test_check_reports_the_unknown_person(self, chronology: Chronology) -> None:
        found = [f for f in check(chronology) if f.rule == "snapshot-unknown-person"]
        assert found
        assert all("Anuar Kunanbayev" in f.message for f in found)


class TestTwoClocks:
    """What was public on a day is not what had happened by then: late announcements, a retracted report."""

    def test_massimov_arrest_per_001_is_public_from_8_january(self, chronology: Chronology) -> None:
        def claims_from_001(known_at: str) -> set[str]:
            spells = chronology.history("Massimov", known_at=known_at).custody
            return {str(c.date) for s in spells for c in s.start.claims if c.cites("001")}

        assert claims_from_001("2022-01-07") == set()
        assert claims_from_001("2022-01-08") == {"2022-01-06"}

    @pytest.mark.parametrize("who", ["Sadykulov", "Yergozhin"])
    def test_arrests_announced_on_13_january(self, chronology: Chronology, who: str) -> None:
        assert chronology.history(who, known_at="2022-01-12").custody == ()
        spells = chronology.history(who, known_at="2022-01-13").custody
        assert [bool(s.start.claims) for s in spells] == [True]
        assert [s.holds(dt.date(2022, 1, 13)) for s in spells] == ["certain"]

    def report_and_denial(self, chronology: Chronology) -> tuple[Event, Retracted]:
        """The report that Abish was dismissed on 5 January, and the KNB's denial that withdrew it."""
        by_id = {e.id: e for e in chronology.events}
        (denial,) = [
            e
            for e in chronology.events
            if isinstance(e, Retracted) and "samat-abish" in by_id[e.target].about()
        ]
        return by_id[denial.target], denial

    def ends(self, chronology: Chronology, known_at: str | dt.date) -> list[tuple[str, str | None]]:
        """Abish's first-deputy tenure ends as known then: (date, cause) per tenure."""
        record = chronology.history("Abish", known_at=known_at)
        return [
            (str(t.end.date), t.end.cause)
            for t in record.tenures
            if t.post == "nsc/first-deputy-chairman" and t.end.chosen
        ]

    def test_without_the_denial_the_report_dismisses_abish(self, chronology: Chronology) -> None:
        report, denial = self.report_and_denial(chronology)
        alone = Chronology([e for e in chronology.events if e is not denial], chronology.catalogue)
        assert self.ends(alone, report.known.latest) == [("2022-01-05", "dismissed")]

    def test_possibly_dismissed_between_the_report_and_the_denial(self, chronology: Chronology) -> None:
        # 003 does not say when the report appeared (known 2022-01-05/2022-01-08): until the
        # denial it may have been public, so it is pending, and what it would change is possible.
        report, denial = self.report_and_denial(chronology)
        window = days(report.known.earliest, denial.known.earliest - dt.timedelta(days=1))
        assert window
        for day in window:
            assert report in chronology.pending("Abish", known_at=day)
            maybe = chronology.possibly_known_state(day)
            assert maybe is not None
            assert report in maybe.events
            assert self.ends(chronology, day) == []

    @pytest.mark.parametrize("known_at", ["2022-01-09", "2022-01-14"])
    def test_in_post_after_the_denial(self, chronology: Chronology, known_at: str) -> None:
        report, _ = self.report_and_denial(chronology)
        assert report.known.latest <= dt.date.fromisoformat(known_at)
        assert report.id not in {e.id for e in chronology.state(known_at).events}
        assert self.ends(chronology, known_at) == []

    def test_dismissed_from_17_january(self, chronology: Chronology) -> None:
        assert self.ends(chronology, "2022-01-16") == []
        assert self.ends(chronology, "2022-01-17") == [("2022-01-17", "dismissed")]
        assert self.ends(chronology, "2022-02-16") == [("2022-01-17", "dismissed")]
        assert held(chronology, "nsc/first-deputy-chairman", "2022-01-16").get("samat-abish") == "certain"
        assert "samat-abish" not in held(chronology, "nsc/first-deputy-chairman", "2022-01-17")


class TestDisagreementsKept:
    """Sources that disagree stay side by side; nothing is resolved silently."""

    def end_claims(self, chronology: Chronology, who: str, post: str) -> dict[str, set[str]]:
        """The end claims of a tenure: date -> the source files that give it."""
        (tenure,) = [t for t in chronology.history(who).tenures if t.post == post]
        assert tenure.end.disputed
        found: dict[str, set[str]] = {}
        for claim in tenure.end.claims:
            found.setdefault(str(claim.date), set()).update(s.source for s in claim.sources)
        return found

    def test_massimov_dismissal_on_5_and_6_january(self, chronology: Chronology) -> None:
        claims = self.end_claims(chronology, "Massimov", "nsc/chairman")
        assert {"2022-01-05", "2022-01-06"} <= set(claims)
        assert claims["2022-01-05"] != claims["2022-01-06"]

    def test_mamin_government_ended_on_4_and_5_january(self, chronology: Chronology) -> None:
        claims = self.end_claims(chronology, "Mamin", "government/prime-minister")
        assert {"2022-01-04", "2022-01-05"} <= set(claims)
        assert claims["2022-01-04"] != claims["2022-01-05"]

    def test_disputes_lists_both(self, chronology: Chronology) -> None:
        disputed = {(t.person, t.post) for t in chronology.disputes()}
        assert {("karim-massimov", "nsc/chairman"), ("askar-mamin", "government/prime-minister")} <= disputed


class TestAliases:
    """Names as the sources spell them find the catalogue's entities."""

    @pytest.mark.parametrize(
        ("name", "entity"),
        [
            ("Masimov", "karim-massimov"),
            ("Massimov", "karim-massimov"),
            ("KNB", "nsc"),
            ("Committee for National Security", "nsc"),
            ("Toqaev", "kassym-jomart-tokayev"),
            ("Nazarbaev", "nursultan-nazarbayev"),
            ("Astana", "nur-sultan"),
        ],
    )
    def test_lookup(self, chronology: Chronology, name: str, entity: str) -> None:
        assert chronology.lookup(name).id == entity
