"""The showcase dataset in ``events/``: it loads, checks clean, quotes its sources, keeps both clocks.

Only the tests that check quotes read the five articles, from ``$CHRONOS_SHARED/sources``
(default ``<repo>/../shared/sources``); without them those tests skip, and fail under CI.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from chronos import (
    Appointed,
    Chronology,
    Corrected,
    Event,
    EventLog,
    Person,
    Retracted,
    RosterReported,
    Source,
)
from chronos.checks import check, check_quotes
from chronos.entities import UNNAMED_PREFIX
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
        # Required, as in every log `chronos init` makes: an event citing an unregistered source is refused.
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
        # A certain holder the list leaves out must sit in a seat the list gives to a name
        # that is no known person (the 5 January list's "Anuar Kunanbayev").
        listed = snapshot(chronology, day)
        posts = {e.post for e in listed.entries}
        named = {(e.post, e.person) for e in listed.entries if e.person}
        unknown = Counter(e.post for e in listed.entries if e.person is None and e.name is not None)
        left_out = Counter(
            post
            for post in posts
            for person, certainty in held(chronology, post, day).items()
            if certainty == "certain" and (post, person) not in named
        )
        assert {post: n for post, n in left_out.items() if n > unknown[post]} == {}

    def test_anuar_kunanbayev_stands_where_sadykulov_certainly_was(self, chronology: Chronology) -> None:
        listed = snapshot(chronology, "2022-01-05")
        seats = sorted(e.post for e in listed.entries if e.name == "Anuar Kunanbayev" and e.person is None)
        assert seats == ["nsc/deputy-chairman", "nsc/special-service-a/director"]
        for post in seats:
            assert held(chronology, post, "2022-01-05").get("anuar-sadykulov") == "certain"

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


def standing(chronology: Chronology) -> list[Event]:
    """Every claim standing on everything known: corrections by their replacements, withdrawn ones left out.

    The retractions and corrections themselves are kept: they are claims with sources and dates too.
    """
    return [
        *chronology.state().events,
        *(e for e in chronology.events if isinstance(e, Retracted | Corrected)),
    ]


def citing(events: list[Event], source: str, words: str) -> list[Event]:
    """The events with a quote from ``source`` (a file name prefix) that contains ``words``."""
    return [
        e
        for e in events
        if any(s.source.startswith(source) and normal(words) in normal(s.quote) for s in e.sources)
    ]


#: Statements a source dates (an announcement, a tweet, a footnoted article), and the day each was public.
DATED_STATEMENTS = [
    ("004", "announced assuming the responsibilities of the Security Council Chairman", "2022-01-05"),
    ("004", "Interfax, 05.01.2022", "2022-01-05"),
    ("003", "a January 5 report said Belarusian leader", "2022-01-05"),
    ("000", "Less than 24 hours later, the NSC announced it had arrested Masimov", "2022-01-05/2022-01-06"),
    ("004", "Forbes Kazakhstan, 06.01.2022", "2022-01-06"),
    ("001", "the committee said in a statement Saturday", "2022-01-08"),
    ("001", "said on Twitter Saturday", "2022-01-08"),
    ("003", "The January 8 announcement", "2022-01-08"),
    ("003", "according to the KNB press service on January 8", "2022-01-08"),
    ("003", "Aidos Ukibay tweeted on January 8", "2022-01-08"),
    ("004", "Only on January 13, NSC officially announced", "2022-01-13"),
    ("004", "inbusiness.kz, 18.01.2022", "2022-01-18"),
    ("004", "Paryz.kz, 26.08.2021", "2021-08-26"),
]


class TestKnowledgeDates:
    """A statement a source dates is known that day, in every claim that uses it (issue #12)."""

    @pytest.mark.parametrize(("source", "words", "day"), DATED_STATEMENTS)
    def test_every_claim_citing_a_dated_statement_is_known_that_day(
        self, chronology: Chronology, source: str, words: str, day: str
    ) -> None:
        claims = citing(standing(chronology), source, words)
        assert claims, f"no standing claim cites {source}: {words!r}"
        assert {(e.type, str(e.known)) for e in claims} == {(e.type, day) for e in claims}

    def test_tokayev_chairs_the_security_council_as_known_on_5_january(self, chronology: Chronology) -> None:
        # 004: he "announced" it in the evening of 5 January (footnote 3: Interfax of that day).
        def chair(known_at: str) -> dict[str, str]:
            seats = chronology.roster("security-council", at="2022-01-05", known_at=known_at)
            return {
                s.person: s.certainty for s in seats if s.post.id == "security-council/chairman" and s.person
            }

        assert chair("2022-01-04") == {}
        assert chair("2022-01-05") == {"kassym-jomart-tokayev": "certain"}

    def test_the_forbes_dated_dismissal_is_public_on_6_january(self, chronology: Chronology) -> None:
        # 004's timeline dismissal (6 January) cites Forbes Kazakhstan of 6 January (footnote 5).
        def claims_from_004(known_at: str) -> set[str]:
            (tenure,) = [
                t
                for t in chronology.history("Massimov", known_at=known_at).tenures
                if t.post == "nsc/chairman"
            ]
            return {str(c.date) for c in tenure.end.claims if c.cites("004")}

        assert claims_from_004("2022-01-05") == set()
        assert claims_from_004("2022-01-06") == {"2022-01-06"}
        assert claims_from_004("2022-02-16") == {"2022-01-04/2022-01-05", "2022-01-06"}

    def test_000_s_firing_is_public_by_its_arrest_announcement(self, chronology: Chronology) -> None:
        # 000: the NSC announced the arrest "less than 24 hours" after the Wednesday firing.
        claims = standing(chronology)
        (announced,) = {e.known for e in citing(claims, "000", "Less than 24 hours later")}
        fired = citing(claims, "000", "fired Masimov from his NSC post on Wednesday")
        assert fired
        assert all(e.known.latest <= announced.latest for e in fired)

    def test_the_knb_statement_keeps_abish_in_post_from_8_january(self, chronology: Chronology) -> None:
        assert held(chronology, "nsc/first-deputy-chairman", "2022-01-08").get("samat-abish") == "certain"
        record = chronology.history("Abish", known_at="2022-01-08")
        assert [t.post for t in record.tenures if t.start.claims] == ["nsc/first-deputy-chairman"]


class TestOpenStarts:
    """A start no source dates is bounded by what the sources imply (issue #12)."""

    def test_berik_kunanbayev_is_not_on_the_5_january_roster(self, chronology: Chronology) -> None:
        # His deputy rank is that of "The new Director of Special Service A", appointed 6 January.
        assert "berik-kunanbayev" not in {s.person for s in chronology.roster("nsc", at="2022-01-05")}
        assert held(chronology, "nsc/deputy-chairman", "2022-02-16").get("berik-kunanbayev") == "certain"
        tenures = {t.post: t for t in chronology.history("Berik Kunanbayev").tenures}
        director = tenures["nsc/special-service-a/director"]
        assert str(director.start.date) == "2022-01-06"
        assert tenures["nsc/deputy-chairman"].start.earliest == director.start.earliest

    def test_the_5_january_list_does_not_name_him(self, chronology: Chronology) -> None:
        listed = snapshot(chronology, "2022-01-05")
        assert "berik-kunanbayev" not in {e.person for e in listed.entries}
        missing = [r for r in chronology.compare(listed) if r.verdict == "missing"]
        assert {r.person for r in missing} == {"anuar-sadykulov"}

    @pytest.mark.parametrize(
        ("who", "post", "start"),
        [
            ("Sadykulov", "nsc/special-service-a/director", "2013/2022-01-05"),
            ("Sadykulov", "nsc/deputy-chairman", "2013/2022-01-05"),
            ("Sagimbayev", "sgs/head", "1994/2022-01-05"),
        ],
    )
    def test_starts_the_report_bounds(self, chronology: Chronology, who: str, post: str, start: str) -> None:
        (tenure,) = [t for t in chronology.history(who).tenures if t.post == post]
        assert str(tenure.start.date) == start
        assert not tenure.open_start


class TestUnnamedSuccessor:
    """000's 'replaced with his chief bodyguard': an unnamed holder until 004 names him (issue #12)."""

    def chair(self, known_at: str | None) -> list[tuple[str | None, str]]:
        chronology = Chronology.open(LOG)
        return [
            (s.person, s.certainty)
            for s in chronology.roster("nsc", at="2022-01-10", known_at=known_at)
            if s.post.id == "nsc/chairman"
        ]

    def test_unknown_before_000_was_published(self) -> None:
        # Massimov was gone and nobody was named: unknown (not vacant), and past that record.
        assert self.chair("2022-01-06") == [(None, "possible")]

    @pytest.mark.parametrize("known_at", ["2022-01-10", "2022-02-15"])
    def test_the_roster_as_known_then_shows_an_unnamed_chairman(self, known_at: str) -> None:
        assert self.chair(known_at) == [("unnamed/chief-bodyguard", "certain")]

    @pytest.mark.parametrize("known_at", ["2022-02-16", None])
    def test_named_from_the_report(self, known_at: str | None) -> None:
        assert self.chair(known_at) == [("ermek-sagimbayev", "certain")]

    def test_the_placeholder_and_its_identification(self, chronology: Chronology) -> None:
        placeholder = chronology.catalogue["unnamed/chief-bodyguard"]
        assert isinstance(placeholder, Person)
        assert placeholder.id.startswith(UNNAMED_PREFIX)
        assert "chief bodyguard" in (placeholder.note or "")
        by_id = {e.id: e for e in chronology.events}
        (identified,) = [
            e
            for e in chronology.events
            if isinstance(e, Corrected) and placeholder.id in by_id[e.target].about()
        ]
        original, named = by_id[identified.target], identified.replacement
        assert isinstance(original, Appointed)
        assert isinstance(named, Appointed)
        assert (named.person, named.post, named.occurred) == (
            "ermek-sagimbayev",
            original.post,
            original.occurred,
        )
        assert str(identified.known) == str(named.known) == "2022-02-16"
        assert {s.source[:3] for s in named.sources} == {"000", "004"}
        assert {s.source[:3] for s in original.sources} == {"000"}


#: Every person the five sources name with a post, a tenure, an arrest or a charge (issue #12's recall),
#: and what the events must give them. Commentators named only as analysts, authors or founders
#: (Mallinson, Shibutov, Ashimbayev, Alzhanov, Gizitdinov, Pannier) and relatives named without a post
#: (Bolat, Satybaldy, Kairat Sapabaldy) are not in it.
RECALL: dict[str, set[str]] = {
    # The NSC, its units and its former chairman.
    "karim-massimov": {"post", "arrest", "charge"},
    "samat-abish": {"post"},
    "murat-nurtleu": {"post"},
    "ermek-sagimbayev": {"post"},
    "anuar-sadykulov": {"post", "arrest", "charge"},
    "berik-kunanbayev": {"post"},
    "marat-osipov": {"post", "arrest"},
    "daulet-yergozhin": {"post", "arrest", "charge"},
    "bakytbek-koszhanov": {"post"},
    "askar-amerkhanov": {"post"},
    "nurgali-bilisbekov": {"post"},
    "gabit-bayanov": {"post"},
    "darkhan-dilmanov": {"post"},
    "marat-kolkobayev": {"post"},
    "marat-irmenov": {"post"},
    "azamat-ibbrayev": {"post"},
    "nartai-nutbayev": {"post", "arrest", "charge"},
    # The State Guard Service.
    "chingis-arinov": {"post"},
    "saken-issabekov": {"post"},
    "aitkurman-omarbekov": {"post"},
    "ardak-ashimbekuly": {"post"},
    # Presidency, government, Security Council, parliament, party, the First President's office.
    "nursultan-nazarbayev": {"post"},
    "kassym-jomart-tokayev": {"post"},
    "askar-mamin": {"post"},
    "krymbek-kusherbayev": {"post"},
    "azamat-abdymomunov": {"post"},
    "akezhan-kazhegeldin": {"post"},
    "nurlan-nigmatullin": {"post"},
    "aidos-ukibay": {"post"},
    # Defence, interior, the army.
    "murat-bektanov": {"post"},
    "yermekbayev": {"post"},
    "ruslan-zhaksylykov": {"post"},
    "erkin-botakanov": {"post"},
    "daryn-tuyakov": {"post"},
    "arystanganni-zapparov": {"post"},
    "yerzhan-sadenov": {"post"},
    "bolat-zhurabayev": {"post"},
    "askar-zholamanov": {"post"},
    # Arrested or charged without a post in the story.
    "baglan-mailybayev": {"arrest", "charge"},
    "konstantin-syroyezhkin": {"arrest", "charge"},
    "arman-jumageldiyev": {"arrest"},
    # Foreign leaders named with their posts.
    "vladimir-putin": {"post"},
    "alexander-lukashenko": {"post"},
}


class TestRecall:
    """Every person the sources name with a post, an arrest or a charge has those events, each quoted."""

    @pytest.mark.parametrize(("person", "kinds"), sorted(RECALL.items()))
    def test_has_events(self, chronology: Chronology, person: str, kinds: set[str]) -> None:
        record = chronology.history(person)
        found = set()
        if record.tenures:
            found.add("post")
        if any(spell.start.claims for spell in record.custody):
            found.add("arrest")
        if any(spell.charges for spell in record.custody):
            found.add("charge")
        assert kinds <= found

    @pytest.mark.parametrize("person", sorted(RECALL))
    def test_a_quote_names_them(self, chronology: Chronology, person: str) -> None:
        names = [normal(n).casefold() for n in chronology.catalogue[person].names]
        quotes = [
            normal(s.quote).casefold() for e in standing(chronology) if person in e.about() for s in e.sources
        ]
        assert any(name in quote for name in names for quote in quotes)

    def test_every_recalled_name_is_in_the_sources(self, chronology: Chronology) -> None:
        text = normal(" ".join(source_files().values())).casefold()
        absent = [
            p for p in RECALL if not any(normal(n).casefold() in text for n in chronology.catalogue[p].names)
        ]
        assert absent == []
