"""Popolo as published: every Popolo fixture imports, versions follow one another, exports validate.

Expected counts and rosters come from each file by a reading of its own here,
as simple as can be: a membership holds on a day when its dates (or, without
them, its legislative period's) cover the day.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import Born, Chronology, EventLog, FuzzyDate, LookupFailed, PartialDate, RecordError
from chronos.checks import check
from chronos.cli import main
from chronos.interop import export, import_file, import_text
from chronos.interop._model import edtf
from chronos.interop._popolo_out import iso_date
from tests import shared
from tests.strategies import fuzzy_dates

ROOT = Path(__file__).resolve().parent.parent
KZ = ("everypolitician-kazakhstan/014e6c4f", "everypolitician-kazakhstan/379106e8")
KE = ("everypolitician-kenya/ec8e15e2", "everypolitician-kenya/7decad00")
# When each version was published: the commit dates of the files' repositories, as the folders name them.
KZ_KNOWN = ("2016-01-10", "2016-05-01")
KE_KNOWN = ("2016-10-01", "2018-04-01")

Json = dict[str, Any]


def fixture(relative: str) -> Path:
    """A file of ../shared/fixtures; skips (fails under CI) when the folder is missing (`tests.shared`)."""
    return shared.need(shared.FIXTURES / relative)


def popolo(folder: str) -> Path:
    return fixture(f"{folder}/ep-popolo-v1.0.json")


def load(path: Path) -> Json:
    data: Json = json.loads(path.read_text(encoding="utf-8"))
    return data


def periods(data: Json) -> dict[str, Json]:
    return {e["id"]: e for e in data.get("events", []) if e.get("classification") == "legislative period"}


def dates(data: Json, membership: Json) -> tuple[str | None, str | None]:
    """A membership's start and end: its own, else its legislative period's."""
    period = periods(data).get(membership.get("legislative_period_id", ""), {})
    return (
        membership.get("start_date") or period.get("start_date"),
        membership.get("end_date") or period.get("end_date"),
    )


def members_on(data: Json, day: str, *, org: str | None = None, party: str | None = None) -> Counter[str]:
    """The names of the people whose memberships cover ``day`` (ISO dates compare as text)."""
    names = {p["id"]: p["name"].strip() for p in data.get("persons", [])}
    out: Counter[str] = Counter()
    for m in data["memberships"]:
        if org is not None and m.get("organization_id") != org:
            continue
        if party is not None and m.get("on_behalf_of_id") != party:
            continue
        start, end = dates(data, m)
        if (start or "") <= day and (not end or day < end):
            out[names.get(m["person_id"], m["person_id"])] += 1
    return out


def roster_names(chronology: Chronology, org: str, day: str, known: str | None = None) -> Counter[str]:
    """The holders on ``day`` that nothing but the record's horizon leaves open.

    A day after the file's knowledge date is a forecast (``after-record``): those
    holders count when that is their only doubt.
    """
    return Counter(
        chronology.catalogue[s.person].name
        for s in chronology.roster(org, at=day, known_at=known)
        if s.person is not None and (s.certainty == "certain" or s.reasons == ("after-record",))
    )


def imported(*paths_and_known: tuple[Path, str]) -> tuple[EventLog, list[Any]]:
    log = EventLog.open(":memory:")
    reports = [import_file(log, "popolo", path, known_at=known) for path, known in paths_and_known]
    return log, reports


@pytest.fixture(scope="module")
def kazakhstan() -> tuple[Chronology, list[Any]]:
    log, reports = imported((popolo(KZ[0]), KZ_KNOWN[0]), (popolo(KZ[1]), KZ_KNOWN[1]))
    return Chronology.from_log(log), reports


@pytest.fixture(scope="module")
def kenya() -> tuple[Chronology, list[Any]]:
    log, reports = imported((popolo(KE[0]), KE_KNOWN[0]), (popolo(KE[1]), KE_KNOWN[1]))
    return Chronology.from_log(log), reports


def legislature(chronology: Chronology, name: str) -> str:
    (org,) = [o.id for o in chronology.catalogue.of_kind("organisation") if o.name == name]
    return org


class TestKazakhstan:
    """EveryPolitician's Mazhilis: dates on legislative periods, Cyrillic names, ids renumbered in v2."""

    def test_first_version_keeps_every_membership_with_its_period_dates(self) -> None:
        path = popolo(KZ[0])
        data = load(path)
        log, (report,) = imported((path, KZ_KNOWN[0]))
        chronology = Chronology.from_log(log)
        parties = sum(1 for m in data["memberships"] if m.get("on_behalf_of_id"))
        assert report.records == len(data["memberships"]) + parties
        assert report.new == report.records
        (period,) = periods(data).values()
        day = period["start_date"]
        org = legislature(chronology, "Mazhilis")
        expected = members_on(data, day, org="legislature")
        assert sum(expected.values()) == len(data["memberships"])
        assert roster_names(chronology, org, day) == expected
        (seat,) = [s for s in chronology.roster(org, at=day) if s.person == "person/1374"]
        (claim,) = seat.tenure.start.claims  # type: ignore[union-attr]
        assert str(claim.date) == period["start_date"]
        assert claim.event.note is not None
        assert period["id"] in claim.event.note
        assert claim.sources[0].source == "everypolitician-kazakhstan/014e6c4f/ep-popolo-v1.0.json"
        # The day before the period began, nobody.
        assert not roster_names(chronology, org, "2012-01-14")

    def test_parties_are_tenures_of_their_own(self, kazakhstan: tuple[Chronology, list[Any]]) -> None:
        chronology, _ = kazakhstan
        data = load(popolo(KZ[1]))
        for party in {m["on_behalf_of_id"] for m in data["memberships"]}:
            org = chronology.catalogue.lookup(party, kind="organisation").id  # the file's id is an alias
            for day in ("2014-01-01", "2017-01-01"):
                assert roster_names(chronology, org, day) == members_on(data, day, party=party), (party, day)
        # Entities keep the identifiers of the file that made them (the first version had none).
        log, _ = imported((popolo(KZ[1]), KZ_KNOWN[1]))
        assert log.catalogue.lookup("Ak Zhol").identifier("wikidata") == "Q1186246"
        assert log.catalogue.lookup("wikidata:Q1186246").name == "Ak Zhol"

    def test_second_version_renumbers_nobody(self, kazakhstan: tuple[Chronology, list[Any]]) -> None:
        chronology, (first, second) = kazakhstan
        old, new = load(popolo(KZ[0])), load(popolo(KZ[1]))
        people = chronology.catalogue.of_kind("person")
        assert len(people) == len({p["name"].strip() for p in new["persons"]}) == len(new["persons"])
        assert len({p.name for p in people}) == len(people)
        assert {p["name"].strip() for p in old["persons"]} <= {p.name for p in people}
        assert (second.retracted, second.corrected) == (0, 0)
        assert second.unchanged + second.closed == first.records  # the fifth convocation got its end
        assert len(chronology.catalogue.of_kind("organisation")) == len(new["organizations"])

    def test_each_version_as_published(self, kazakhstan: tuple[Chronology, list[Any]]) -> None:
        chronology, _ = kazakhstan
        org = legislature(chronology, "Mazhilis")
        old, new = load(popolo(KZ[0])), load(popolo(KZ[1]))
        legislature_ids = [o["id"] for o in new["organizations"] if o["classification"] == "legislature"]
        for day in ("2014-01-01", "2016-02-01", "2016-04-01", "2017-01-01"):
            assert roster_names(chronology, org, day) == members_on(new, day, org=legislature_ids[0]), day
            assert roster_names(chronology, org, day, KZ_KNOWN[0]) == members_on(old, day), day
        (mazhilis,) = [o for o in new["organizations"] if o["classification"] == "legislature"]
        assert chronology.catalogue[org].seats == mazhilis["seats"]  # type: ignore[attr-defined]

    def test_every_russian_name_finds_its_person(self) -> None:
        log, _ = imported((popolo(KZ[1]), KZ_KNOWN[1]))
        found = 0
        for person in load(popolo(KZ[1]))["persons"]:
            for other in person.get("other_names", []):
                if other["lang"] == "ru":
                    assert log.catalogue.lookup(other["name"], kind="person").name == person["name"].strip()
                    found += 1
        assert found == 107

    @pytest.mark.parametrize(("lang", "least"), [("ru", 41), ("kk", 40)])
    def test_cyrillic_names_find_the_latin_only_first_version(self, lang: str, least: int) -> None:
        """The members of both convocations, by the Russian or Kazakh names only the second version gives.

        Kazakh names are also tried as Russian writes them (Жақыпов, Jakupov; Бақытжан, Bahytzhan):
        32 of 43 were found before that. The three left: two Latin names that run words together,
        and Гүлжан, whose Russian form is Гульжана (Gulzhana).
        """
        log, _ = imported((popolo(KZ[0]), KZ_KNOWN[0]))
        first = {p["name"].strip() for p in load(popolo(KZ[0]))["persons"]}
        found = tried = 0
        for person in load(popolo(KZ[1]))["persons"]:
            names = [o["name"] for o in person.get("other_names", []) if o["lang"] == lang]
            if person["name"].strip() not in first or not names:
                continue
            tried += 1
            # Two Latin names run words together ("ZagipaYahyanovna"): no spelling of the parts finds them.
            joined = re.search(r"[a-z][A-Z]", person["name"]) is not None
            try:
                match = log.catalogue.lookup(names[0], kind="person")
            except LookupFailed as exc:
                missed = exc
            else:
                assert match.name == person["name"].strip()
                found += 1
                continue
            assert joined or lang == "kk", missed  # Kazakh spellings may differ: Гүлжан, Gulzhana
            assert missed.suggestions or joined, missed  # a near match is offered
        assert tried == 43
        assert found >= least

    def test_no_name_of_a_newcomer_finds_someone_else(self) -> None:
        """The second convocation's new members, by every name the file gives, find nobody in the first."""
        log, _ = imported((popolo(KZ[0]), KZ_KNOWN[0]))
        first = {p["name"].strip() for p in load(popolo(KZ[0]))["persons"]}
        tried = 0
        for person in load(popolo(KZ[1]))["persons"]:
            names = [o["name"] for o in person.get("other_names", []) if o["lang"] in ("kk", "ru")]
            for name in names if person["name"].strip() not in first else ():
                tried += 1
                with pytest.raises(LookupFailed):
                    log.catalogue.lookup(name, kind="person")
        assert tried == 128

    def test_aliases_keep_their_languages(self) -> None:
        log, _ = imported((popolo(KZ[1]), KZ_KNOWN[1]))
        chronology = Chronology.from_log(log)
        ak_zhol = chronology.lookup("Ak Zhol")
        assert set(ak_zhol.language_of("Ак жол")) == {"ru"}
        assert "de:Ak Schol" in ak_zhol.languages
        person = chronology.lookup("Әбдіров Нұрлан Мәжитұлы")
        assert person.language_of("Абдиров Нурлан Мажитович") == ("ru",)

    def test_check_reports_only_what_the_file_itself_says(
        self, kazakhstan: tuple[Chronology, list[Any]]
    ) -> None:
        chronology, _ = kazakhstan
        findings = check(chronology)
        # The file gives the Mazhilis 77 seats and lists 107 members in each convocation.
        assert {f.rule for f in findings} == {"over-seats"}
        assert all("legislature/member has 77 seat(s) but 107 certain holders" in f.message for f in findings)


class TestKenya:
    """EveryPolitician's National Assembly: posts, areas, parties, births, a few own dates."""

    def test_posts_per_area_parties_and_own_dates(self, kenya: tuple[Chronology, list[Any]]) -> None:
        chronology, (first, _) = kenya
        data = load(popolo(KE[0]))
        areas = {a["id"]: a["name"] for a in data["areas"]}
        posts = {p["id"]: p["label"] for p in data["posts"]}
        parties = {(m["person_id"], m["on_behalf_of_id"], dates(data, m)) for m in data["memberships"]}
        assert first.records == len(data["memberships"]) + len(parties)
        assert first.read == first.records  # every membership read is imported
        ids = {p["id"]: chronology.catalogue.lookup(p["id"], kind="person").id for p in data["persons"]}
        held: dict[tuple[str, str], list[Any]] = {}
        for tenure in chronology.tenures(known_at=KE_KNOWN[0]):
            held.setdefault((tenure.person, chronology.catalogue[tenure.post].name), []).append(tenure)
        for m in data["memberships"]:
            role = posts.get(m.get("post_id", ""), m["role"])
            post = f"{role} for {areas[m['area_id']]}" if m.get("area_id") else role
            (tenure,) = held[(ids[m["person_id"]], post)]
            start, end = dates(data, m)
            assert (str(tenure.start.date), tenure.end.date and str(tenure.end.date)) == (start, end)
        year_only = [m for m in data["memberships"] if len(m.get("start_date", "")) == 4]
        assert year_only  # one membership is dated "2016": a year, kept as a year
        assert all(
            len(t.start.date.text) == 4
            for m in year_only
            for t in held[(ids[m["person_id"]], "member for " + areas[m["area_id"]])]
        )

    def test_second_version(self, kenya: tuple[Chronology, list[Any]]) -> None:
        chronology, (_first, second) = kenya
        old, new = load(popolo(KE[0])), load(popolo(KE[1]))
        assert len(chronology.catalogue.of_kind("person")) == len(new["persons"]) == len(old["persons"])

        def without_area(m: Json) -> tuple[Any, ...]:
            return (m["person_id"], m.get("post_id"), m.get("on_behalf_of_id"), m.get("start_date"))

        moved = [
            m
            for m in old["memberships"]
            if m not in [{k: v for k, v in n.items() if k != "sources"} for n in new["memberships"]]
        ]
        assert len(moved) == 1
        assert without_area(moved[0]) in {without_area(n) for n in new["memberships"]}
        assert (second.new, second.retracted, second.corrected) == (0, 0, 1)  # one member's area changed
        births = [e for e in chronology.events if isinstance(e, Born)]
        assert len({e.person for e in births}) == sum(1 for p in new["persons"] if p.get("birth_date"))
        assert Counter(len(str(e.occurred)) for e in births)[4] > 0  # year-only births stay years

    def test_identifiers_are_kept(self, kenya: tuple[Chronology, list[Any]]) -> None:
        chronology, _ = kenya
        person = load(popolo(KE[0]))["persons"][0]
        found = chronology.lookup(person["name"])
        # Both versions' identifiers: the second adds to the entity the first made (never removing).
        expected = {
            f"{i['scheme']}:{i['identifier']}"
            for version in KE
            for p in load(popolo(version))["persons"]
            if p["name"] == person["name"]
            for i in p.get("identifiers", ())
        }
        assert set(found.identifiers) == expected
        for identifier in expected:
            assert chronology.catalogue.lookup(identifier) == found


class TestUkMinisters:
    """parlparse's ministers.json: memberships and organizations, no persons."""

    def test_imports_every_membership(self) -> None:
        path = fixture("parlparse-uk-ministers/ministers.json")
        data = load(path)
        log, (report,) = imported((path, "2010-06-01"))
        assert report.records == len(data["memberships"])
        chronology = Chronology.from_log(log)
        assert len(chronology.catalogue.of_kind("person")) == len(
            {m["person_id"] for m in data["memberships"]}
        )
        day = "2005-06-01"
        for org in ("hm-treasury", "home-office"):
            expected = Counter(
                m["person_id"]
                for m in data["memberships"]
                if m["organization_id"] == org and m["start_date"] <= day < m["end_date"]
            )
            got = Counter(
                chronology.catalogue[s.person].name
                for s in chronology.roster(org, at=day)
                if s.person is not None
            )
            assert got == expected, org
        assert "2 entities not read: organizations whose id appears again" in str(report)


class TestUndated:
    """A membership with no date at all is an undated claim: on or before the file was published."""

    FILE: Json = {  # noqa: RUF012
        "persons": [{"id": "p1", "name": "Ann Abel"}],
        "organizations": [{"id": "club", "name": "Club"}],
        "memberships": [{"person_id": "p1", "organization_id": "club"}],
    }

    def test_undated_then_unchanged(self) -> None:
        log = EventLog.open(":memory:")
        report = import_text(log, "popolo", json.dumps(self.FILE), label="d/a.json", known_at="2020-05-01")
        assert (report.records, report.new, report.appended) == (1, 1, 1)
        chronology = Chronology.from_log(log)
        (tenure,) = chronology.tenures()
        assert str(tenure.start.date) == "../2020-05-01"
        assert [s.certainty for s in chronology.roster("club", at="2019-01-01") if s.person] == ["possible"]
        assert [s.certainty for s in chronology.roster("club", at="2020-05-01") if s.person] == ["certain"]
        # After the file's knowledge date: a forecast.
        assert [s.reasons for s in chronology.roster("club", at="2020-06-01") if s.person] == [
            ("after-record",)
        ]
        again = import_text(log, "popolo", json.dumps(self.FILE), label="d/b.json", known_at="2021-01-01")
        assert (again.unchanged, again.corrected, again.appended) == (1, 0, 0)

    def test_two_terms_without_dates_do_not_collide(self) -> None:
        data = {
            **self.FILE,
            "memberships": [
                {"person_id": "p1", "organization_id": "club", "legislative_period_id": "t1"},
                {"person_id": "p1", "organization_id": "club", "legislative_period_id": "t2"},
            ],
        }
        log = EventLog.open(":memory:")
        report = import_text(log, "popolo", json.dumps(data), label="d/a.json", known_at="2020")
        assert report.records == 2
        assert "legislative_period_id naming no legislative period" in str(report)


class TestDates:
    """Popolo allows dates with times: chronos keeps their day."""

    @pytest.mark.parametrize(
        ("text", "day"),
        [
            ("2016-03-25T00:00:00", "2016-03-25"),
            ("2016-03-25T23:30:00-05:00", "2016-03-25"),
            ("2016-03-25T10:00Z", "2016-03-25"),
            ("2016-03-25 10:00:00.5+0100", "2016-03-25"),
        ],
    )
    def test_datetimes_are_days(self, text: str, day: str) -> None:
        date = edtf(text, "f")
        assert date is not None
        assert (str(date), date.precision) == (day, "day")

    def test_a_bad_datetime_names_the_field(self) -> None:
        with pytest.raises(RecordError, match=r"^f: bad date '2016-02-30T00:00:00'"):
            edtf("2016-02-30T00:00:00", "f")

    @given(fuzzy_dates())
    def test_iso_dates_say_no_more_than_the_claim(self, date: FuzzyDate) -> None:
        iso = iso_date(date)
        if iso is None:
            return
        coarse = FuzzyDate.of(iso)
        assert len(iso) in (4, 7, 10)
        assert coarse.earliest <= date.earliest
        assert date.latest <= coarse.latest
        lower = date.lower
        plain = isinstance(lower, PartialDate) and not (lower.marks or lower.unspecified)
        if date.form == "single" and plain and date.precision in ("day", "month", "year"):
            # A plain ISO date (not a season 2001-21, no X digit or mark) is written as it is.
            assert iso == re.sub(r"T.*", "", str(date.lower))


class TestReport:
    """The report counts what was read and left out; nothing to import is an error at the command."""

    def test_what_is_left_out_and_nothing_to_import(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "data" / "elections.json"
        path.parent.mkdir()
        path.write_text(json.dumps({"events": [{"id": "e", "classification": "general election"}]}))
        assert main(["--log", str(tmp_path / "log"), "import", "popolo", str(path)]) == 1
        err = capsys.readouterr().err
        assert "left out: data/elections.json: events[0]: events of classification 'general election'" in err
        assert "nothing imported" in err
        report = import_file(EventLog.open(":memory:"), "popolo", popolo(KE[0]), known_at=KE_KNOWN[0])
        assert "persons field 'gender': chronos keeps no such field (351)" in str(report)
        assert " fields not kept: " in str(report)
        assert "21 entities not read: events of classification 'general election'" in str(report)

    def test_versions_cite_their_folder(self, tmp_path: Path) -> None:
        path = popolo(KZ[1])
        log = EventLog.open(":memory:")
        report = import_file(log, "popolo", path, known_at=KZ_KNOWN[1])
        assert report.label == "everypolitician-kazakhstan/379106e8/ep-popolo-v1.0.json"
        named = import_file(EventLog.open(":memory:"), "popolo", path, dataset="kz", version="v2")
        assert named.label == "kz/v2/ep-popolo-v1.0.json"


# Export ------------------------------------------------------------------------------------------------


def validators() -> dict[str, Any]:
    """A draft 3 validator per Popolo section, the schemas' http ids resolved to the local files."""
    from jsonschema import Draft3Validator  # type: ignore[import-untyped]
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT3

    folder = fixture("popolo-schemas")
    resources = []
    for path in folder.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["id"].rstrip("#"), Resource.from_contents(schema, DRAFT3)))
        resources.append((schema["id"], Resource.from_contents(schema, DRAFT3)))
    registry: Registry[Any] = Registry().with_resources(resources)
    out = {}
    for section, name in (
        ("persons", "person"),
        ("organizations", "organization"),
        ("posts", "post"),
        ("areas", "area"),
        ("memberships", "membership"),
    ):
        schema = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        out[section] = Draft3Validator(schema, registry=registry)
    return out


def invalid(data: Json) -> Iterator[str]:
    checkers = validators()
    for section, items in data.items():
        if section == "chronos":
            continue  # chronos's own key (the sources registry), beside Popolo's sections
        for index, item in enumerate(items):
            for error in checkers[section].iter_errors(item):
                yield f"{section}[{index}]: {error.message}"


def tenures(chronology: Chronology) -> set[tuple[str, str, str, str]]:
    return {
        (t.person, t.post, str(t.start.date), str(t.end.date)) for t in chronology.tenures(policy="cautious")
    }


class TestExport:
    """The Popolo export passes the Popolo schemas, and imports back to the same tenures."""

    def test_the_showcase_validates_and_round_trips(self) -> None:
        knb = Chronology.open(ROOT / "events")
        data = json.loads(export(knb, "popolo"))
        assert list(invalid(data)) == []
        assert sum(len(v) for k, v in data.items() if k != "chronos") > 100
        assert {row["id"] for row in data["chronos"]["sources"]} == set(knb.catalogue.sources)
        # The EDTF ranges are in the chronos key; the ISO field says only what the range shares.
        (massimov,) = [m for m in data["memberships"] if m["id"] == "nsc/chairman/karim-massimov"]
        assert (massimov["end_date"], massimov["chronos"]["end_date"]) == ("2022-01", "2022-01-04/2022-01-06")
        log = EventLog.open(":memory:")
        import_text(log, "popolo", json.dumps(data), label="knb/export.json", known_at="2023")
        assert tenures(Chronology.from_log(log)) == tenures(knb)

    @pytest.mark.parametrize("versions", [KZ, KE], ids=["kazakhstan", "kenya"])
    def test_imported_files_validate_and_round_trip(self, versions: tuple[str, str]) -> None:
        known = KZ_KNOWN if versions == KZ else KE_KNOWN
        log, _ = imported(*((popolo(v), k) for v, k in zip(versions, known, strict=True)))
        chronology = Chronology.from_log(log)
        text = export(chronology, "popolo")
        data = json.loads(text)
        assert list(invalid(data)) == []
        back = EventLog.open(":memory:")
        import_text(back, "popolo", text, label="back/export.json", known_at="2020")
        again = Chronology.from_log(back)
        assert tenures(again) == tenures(chronology)
        assert again.catalogue == chronology.catalogue
        assert export(again, "popolo") == text

    def test_dates_with_qualifiers_or_open_ends(self) -> None:
        data = {
            "persons": [{"id": "p1", "name": "Ann"}, {"id": "p2", "name": "Bob"}],
            "organizations": [{"id": "o", "name": "O"}],
            "memberships": [
                {"id": "m1", "person_id": "p1", "organization_id": "o", "start_date": "2003~"},
                {"id": "m2", "person_id": "p2", "organization_id": "o", "start_date": "../2001"},
            ],
        }
        log = EventLog.open(":memory:")
        import_text(log, "popolo", json.dumps(data), label="d/a.json", known_at="2020")
        out = json.loads(export(Chronology.from_log(log), "popolo"))
        assert list(invalid(out)) == []
        starts = {(m.get("start_date"), m["chronos"].get("start_date")) for m in out["memberships"]}
        assert starts == {("2003", "2003~"), (None, "../2001")}


@pytest.mark.parametrize("text", ["persons", "memberships"])
def test_bad_sections_name_the_file(text: str) -> None:
    with pytest.raises(RecordError, match=rf"^d/a.json: '{text}' must be a list$"):
        import_text(EventLog.open(":memory:"), "popolo", json.dumps({text: {}}), label="d/a.json")


@given(st.sampled_from(["2016", "2016-05", "2016-05-03"]))
def test_plain_dates_are_their_own_iso(text: str) -> None:
    assert iso_date(FuzzyDate.of(text)) == text
