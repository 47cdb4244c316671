"""The sources registry, catalogue additions kept by the log, and opening that never creates."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import (
    Appointed,
    Catalogue,
    CatalogueError,
    Chronology,
    EventLog,
    Organisation,
    Person,
    Post,
    Publication,
    Source,
    StoreError,
    UnknownReference,
)
from chronos.checks import check, check_quotes
from chronos.dates import FuzzyDate
from chronos.interop import import_text
from chronos.sources import human_date, normal_text, sha256_of
from chronos.stores import open_store
from tests.strategies import fuzzy_dates, publications

MINISTRY = [
    Organisation(id="ministry", name="Ministry of Truth"),
    Post(id="ministry/minister", name="Minister", org="ministry"),
    Person(id="o-brien", name="O'Brien"),
]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DIARY = Publication(id="diary.txt", title="Winston's diary", date="1984-04", language="en")


def appointed(source: str = "diary.txt", quote: str = "O'Brien was made minister") -> Appointed:
    return Appointed(
        person="o-brien",
        post="ministry/minister",
        occurred="1984-04",
        known="1984-04-04",
        sources=[Source(source=source, quote=quote)],
    )


def locations(tmp_path: Path) -> dict[str, str]:
    return {"jsonl": str(tmp_path / "log"), "sqlite": f"sqlite:///{tmp_path / 'log.db'}"}


class TestPublication:
    """A registered source: what it is, and how answers name it."""

    def test_citation_names_the_publisher_and_the_day(self) -> None:
        report = Publication(
            id="004.txt", publisher="Caspian Institute", title="NSC of Kazakhstan", date="2022-02-16"
        )
        assert report.citation == "Caspian Institute, 16 Feb 2022"

    def test_without_a_publisher_the_title_names_it(self) -> None:
        assert DIARY.citation == "Winston's diary, Apr 1984"

    @pytest.mark.parametrize(
        ("date", "text"),
        [
            ("2022-02-16", "16 Feb 2022"),
            ("2022-02", "Feb 2022"),
            ("2022", "2022"),
            ("2022-01-08/2022-01-09", "8–9 Jan 2022"),
            ("2021-12-30/2022-01-02", "30 Dec 2021 – 2 Jan 2022"),
            ("2022-01-30/2022-02-02", "30 Jan – 2 Feb 2022"),
            ("1992/1993", "1992 – 1993"),
            ("2022-01/2022-03", "Jan 2022 – Mar 2022"),
            ("2022-01-05/..", "2022-01-05/.."),
            ("[2022-01-05,2022-01-06]", "[2022-01-05,2022-01-06]"),
            ("2016?", "2016?"),
            ("2001-21", "2001-21"),
            ("201X", "201X"),
            ("-0043-03-15", "-0043-03-15"),
            ("1985-04-12T23:20:30Z", "1985-04-12T23:20:30Z"),
            ("2004?-06-11", "2004?-06-11"),
        ],
    )
    def test_human_dates(self, date: str, text: str) -> None:
        assert human_date(FuzzyDate.of(date)) == text

    @given(fuzzy_dates())
    def test_a_plain_day_reads_back_as_that_day(self, date: FuzzyDate) -> None:
        text = human_date(date)
        assert text
        if text != str(date) and date.precision == "day":
            day, month, year = text.split(" ")
            assert (int(year), MONTHS.index(month) + 1, int(day)) == date.first.ymd

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"id": " a.txt"}, "bad source id"),
            ({"id": "a\nb"}, "bad source id"),
            ({"id": ""}, "bad source id"),
            ({"title": " "}, "title must be non-empty"),
            ({"publisher": "x\x00"}, "publisher must be non-empty"),
            ({"sha256": "ABC"}, "sha256 must be 64 lowercase hex"),
            ({"date": "2022-13"}, "bad date .2022-13."),
        ],
    )
    def test_bad_fields_are_refused(self, fields: dict[str, str], message: str) -> None:
        row = {"id": "a.txt", "title": "A", "date": "2022", **fields}
        with pytest.raises(Exception, match=message):
            Publication(**row)

    @given(st.text(), st.text(" \t\n\u00a0", min_size=1))
    def test_normal_text_ignores_whitespace_and_curly_quotes(self, text: str, space: str) -> None:
        words = normal_text(text).split(" ")
        assert normal_text(space.join(words)) == normal_text(text)
        assert normal_text(normal_text(text)) == normal_text(text)
        assert normal_text("“Upon a single command”") == '"Upon a single command"'


class TestCatalogueSources:
    """The registry lives in the catalogue: TOML tables, a flag, lookups with hints."""

    @given(st.lists(publications, unique_by=lambda p: p.id, max_size=5), st.booleans())
    def test_toml_round_trip(self, sources: list[Publication], required: bool) -> None:
        catalogue = Catalogue([*MINISTRY, *sources], require_sources=required)
        again = Catalogue.from_toml(catalogue.to_toml())
        assert again == catalogue
        assert dict(again.sources) == {p.id: p for p in sources}
        assert again.require_sources is required

    def test_unregistered_source_names_the_nearest(self) -> None:
        catalogue = Catalogue([DIARY])
        with pytest.raises(
            LookupError, match=r"unregistered source 'diary\.tx' \(did you mean 'diary\.txt'\?\)"
        ):
            catalogue.source("diary.tx")

    def test_duplicate_source_id(self) -> None:
        with pytest.raises(CatalogueError, match=r"duplicate source id 'diary\.txt'"):
            Catalogue([DIARY, DIARY])

    def test_the_flag_must_be_a_boolean(self) -> None:
        with pytest.raises(CatalogueError, match="require_registered_sources must be true or false"):
            Catalogue.from_toml('require_registered_sources = "yes"\n')


class TestCatalogueAdd:
    """`Catalogue.add`: all or nothing, and every answer built on the catalogue sees it."""

    def test_add_in_memory(self) -> None:
        catalogue = Catalogue(MINISTRY)
        version = catalogue.version
        catalogue.add(Post(id="ministry/deputy", name="Deputy Minister", org="ministry"), DIARY)
        assert catalogue.version == version + 1
        assert [p.id for p in catalogue.posts("ministry")] == ["ministry/minister", "ministry/deputy"]
        assert catalogue.lookup("Deputy Minister").id == "ministry/deputy"
        assert catalogue.sources["diary.txt"] == DIARY

    @pytest.mark.parametrize(
        ("items", "message"),
        [
            (
                [Person(id="julia", name="Julia"), Person(id="o-brien", name="Again")],
                "duplicate id 'o-brien'",
            ),
            ([Post(id="love/minister", name="Minister", org="love")], "org 'love', which is not a known"),
            (
                [
                    Organisation(id="a", name="A", parent="b"),
                    Organisation(id="b", name="B", parent="a"),
                ],
                "is its own ancestor",
            ),
        ],
    )
    def test_a_bad_addition_adds_nothing(self, items: list[Person], message: str) -> None:
        catalogue = Catalogue(MINISTRY)
        before = catalogue.to_toml()
        with pytest.raises(CatalogueError, match=message):
            catalogue.add(*items)
        assert catalogue.to_toml() == before
        assert "julia" not in catalogue

    def test_new_entities_may_name_each_other(self) -> None:
        catalogue = Catalogue()
        catalogue.add(
            Post(id="love/minister", name="Minister", org="love"), Organisation(id="love", name="Love")
        )
        assert catalogue.above("love/minister") == ("love",)

    def test_a_chronology_sees_what_is_added(self) -> None:
        catalogue = Catalogue(MINISTRY)
        chronology = Chronology([], catalogue)
        assert len(chronology.roster("ministry", at="1984")) == 1
        catalogue.add(Post(id="ministry/deputy", name="Deputy Minister", org="ministry", seats=2))
        assert len(chronology.roster("ministry", at="1984")) == 3


class TestCreateAndOpen:
    """`EventLog.create` makes a log; `EventLog.open` never does, unless asked to."""

    @pytest.mark.parametrize("kind", ["jsonl", "sqlite"])
    def test_open_never_creates(self, tmp_path: Path, kind: str) -> None:
        location = locations(tmp_path)[kind]
        with pytest.raises(StoreError, match=r"no such log \(make one with `chronos init"):
            EventLog.open(location)
        with pytest.raises(StoreError, match="no such log"):
            Chronology.open(location)
        assert list(tmp_path.iterdir()) == []

    def test_an_empty_directory_is_not_a_log(self, tmp_path: Path) -> None:
        with pytest.raises(StoreError, match="not a chronos log"):
            EventLog.open(tmp_path)

    @pytest.mark.parametrize("kind", ["jsonl", "sqlite"])
    def test_create_keeps_the_catalogue_and_the_registry(self, tmp_path: Path, kind: str) -> None:
        location = locations(tmp_path)[kind]
        log = EventLog.create(location, catalogue=Catalogue([*MINISTRY, DIARY]))
        log.append([appointed()], expected_position=0)
        log.store.close()
        again = EventLog.open(location)
        assert again.catalogue.require_sources
        assert again.catalogue.sources["diary.txt"] == DIARY
        assert Chronology.from_log(again).roster("ministry", at="1984-06")[0].person == "o-brien"
        again.store.close()

    def test_create_refuses_a_log_or_a_folder_of_other_files(self, tmp_path: Path) -> None:
        EventLog.create(tmp_path / "log").store.close()
        with pytest.raises(StoreError, match="holds a log already"):
            EventLog.create(tmp_path / "log")
        (tmp_path / "papers").mkdir()
        (tmp_path / "papers" / "notes.txt").write_text("mine", encoding="utf-8")
        with pytest.raises(StoreError, match="not empty and not a log"):
            EventLog.create(tmp_path / "papers")
        assert [p.name for p in (tmp_path / "papers").iterdir()] == ["notes.txt"]

    def test_a_catalogue_given_to_a_new_log_is_kept(self, tmp_path: Path) -> None:
        # Issue 15: open(dir, catalogue=...) never saved it, so reopening failed ("unknown organisation").
        log = EventLog.open(tmp_path / "log", catalogue=Catalogue(MINISTRY), create=True)
        log.append([appointed()], expected_position=0)
        reopened = Chronology.open(tmp_path / "log")
        assert reopened.lookup("ministry").name == "Ministry of Truth"
        assert [f for f in check(reopened) if f.severity == "error"] == []


class TestAddEntities:
    """`EventLog.add_entities`, the one way a log's catalogue grows, and `Catalogue.add` through it."""

    @pytest.mark.parametrize("kind", ["jsonl", "sqlite", "memory"])
    def test_additions_survive_reopening(self, tmp_path: Path, kind: str) -> None:
        location = {**locations(tmp_path), "memory": ":memory:"}[kind]
        log = EventLog.create(location)
        log.catalogue.add(*MINISTRY, DIARY)  # through the log
        log.append([appointed()], expected_position=0)
        text = log.store.read_catalogue()
        assert text is not None
        assert Catalogue.from_toml(text) == log.catalogue
        if kind != "memory":
            log.store.close()
            assert EventLog.open(location).catalogue == log.catalogue

    def test_a_directory_catalogue_keeps_its_comments(self, tmp_path: Path) -> None:
        log = EventLog.create(tmp_path / "log", catalogue=Catalogue(MINISTRY))
        path = tmp_path / "log" / "catalogue.toml"
        path.write_text("# my notes\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        log.add_entities([Person(id="julia", name="Julia")], header="added by hand")
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# my notes\n")
        assert text.endswith('# added by hand\n\n[[person]]\nid = "julia"\nname = "Julia"\n')

    def test_a_refused_addition_leaves_the_store_as_it_was(self, tmp_path: Path) -> None:
        log = EventLog.create(tmp_path / "log", catalogue=Catalogue(MINISTRY))
        before = (tmp_path / "log" / "catalogue.toml").read_bytes()
        with pytest.raises(CatalogueError, match="not a known organisation"):
            log.catalogue.add(Person(id="julia", name="Julia"), Post(id="x/y", name="Y", org="x"))
        assert (tmp_path / "log" / "catalogue.toml").read_bytes() == before
        assert "julia" not in log.catalogue


class TestRegisteredSourcesOnly:
    """A log that requires registered sources refuses any other, and says how to register it."""

    def test_an_unregistered_source_is_refused(self, tmp_path: Path) -> None:
        log = EventLog.create(tmp_path / "log", catalogue=Catalogue([*MINISTRY, DIARY]))
        with pytest.raises(UnknownReference) as caught:
            log.append([appointed(source="diary.tx")], expected_position=0)
        message = str(caught.value)
        assert "unregistered source 'diary.tx' (did you mean 'diary.txt'?)" in message
        assert "chronos add source diary.tx --title TITLE --date DATE" in message
        assert log.position == 0

    def test_registering_it_lets_it_in(self, tmp_path: Path) -> None:
        log = EventLog.create(tmp_path / "log", catalogue=Catalogue(MINISTRY))
        with pytest.raises(UnknownReference):
            log.append([appointed()], expected_position=0)
        log.catalogue.add(DIARY)
        assert log.append([appointed()], expected_position=0).position == 1

    def test_a_log_that_does_not_require_them_takes_any(self, tmp_path: Path) -> None:
        log = EventLog.create(tmp_path / "log", catalogue=Catalogue(MINISTRY), require_sources=False)
        assert log.append([appointed(source="anything")], expected_position=0).position == 1

    def test_an_import_registers_the_file_it_reads(self) -> None:
        log = EventLog.create(":memory:")
        text = '[{"role": "Minister", "person_id": "p1", "organization_id": "m", "start_date": "2020"}]'
        import_text(log, "memberships", text, label="ministers/v1.json", known_at="2021-03-01")
        registered = log.catalogue.sources["ministers/v1.json"]
        assert (registered.title, str(registered.date)) == ("v1.json", "2021-03-01")


class TestCheckQuotes:
    """``check --quotes``: every quote in its archived text, where one is registered."""

    def archive(self, tmp_path: Path, text: str) -> tuple[EventLog, Path]:
        (tmp_path / "texts").mkdir()
        path = tmp_path / "texts" / "diary.txt"
        path.write_text(text, encoding="utf-8")
        source = Publication(
            id="diary.txt", title="Diary", date="1984", archive="../texts/diary.txt", sha256=sha256_of(path)
        )
        log = EventLog.create(tmp_path / "log", catalogue=Catalogue([*MINISTRY, source]))
        return log, path

    def test_quotes_are_found_despite_spacing_and_curly_quotes(self, tmp_path: Path) -> None:
        log, _ = self.archive(tmp_path, "On Monday O’Brien\n  was made   minister.")
        log.append([appointed(quote="O'Brien was made minister")], expected_position=0)
        assert check_quotes(Chronology.from_log(log)) == []

    def test_a_quote_not_in_the_text_is_an_error(self, tmp_path: Path) -> None:
        log, _ = self.archive(tmp_path, "O'Brien was made minister.")
        log.append([appointed(quote="O'Brien was sacked")], expected_position=0)
        [finding] = check_quotes(Chronology.from_log(log))
        assert (finding.severity, finding.rule) == ("error", "quote-not-in-source")
        assert finding.message == 'Appointed 1984-04: the quote "O\'Brien was sacked" is not in diary.txt'

    def test_a_changed_text_is_an_error(self, tmp_path: Path) -> None:
        log, path = self.archive(tmp_path, "O'Brien was made minister.")
        log.append([appointed()], expected_position=0)
        path.write_text("O'Brien was made minister, they say.", encoding="utf-8")
        [finding] = check_quotes(Chronology.from_log(log))
        assert (finding.severity, finding.rule) == ("error", "archive-changed")

    def test_a_missing_text_is_a_warning_and_no_archive_is_noted(self, tmp_path: Path) -> None:
        log, path = self.archive(tmp_path, "O'Brien was made minister.")
        log.catalogue.add(Publication(id="tape", title="A tape", date="1984"))
        log.append([appointed(), appointed(source="tape")], expected_position=0)
        path.unlink()
        findings = check_quotes(Chronology.from_log(log))
        assert [(f.severity, f.rule) for f in findings] == [
            ("warning", "archive-missing"),
            ("info", "quotes-unchecked"),
        ]

    def test_archives_elsewhere_are_found_by_name(self, tmp_path: Path) -> None:
        log, path = self.archive(tmp_path, "O'Brien was made minister.")
        log.append([appointed()], expected_position=0)
        moved = tmp_path / "moved"
        moved.mkdir()
        path.rename(moved / "diary.txt")
        assert check_quotes(Chronology.from_log(log), archives=moved) == []

    def test_check_reports_unregistered_sources_in_an_old_log(self, tmp_path: Path) -> None:
        store = open_store(tmp_path / "log")
        EventLog(store, Catalogue(MINISTRY)).append([appointed()], expected_position=0)
        store.write_catalogue(Catalogue(MINISTRY, require_sources=True).to_toml())
        findings = check(Chronology.open(tmp_path / "log"))
        assert [(f.severity, f.rule) for f in findings if f.severity == "error"] == [
            ("error", "unregistered-source")
        ]
