"""FollowTheMoney imports from others: an OpenSanctions export, a defective crawl, generated files.

The fixtures live in ``$CHRONOS_SHARED/fixtures/ftm``; what each should give is
read here from the entity lines by a plain reading of its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from chronos import Chronology, EventLog, RecordError
from chronos.cli import main
from chronos.interop import NothingImported, export, import_file, import_text, slugify
from chronos.projections import Tenure
from tests import strategies as gen
from tests.shared import FIXTURES, need

FTM = FIXTURES / "ftm"
VENEZUELA = FTM / "ve_asamblea_nacional.entities.ftm.json"
DEFECTIVE = FTM / "thirdparty-wd_persons-sa.dbd83685.entities.ftm.json"


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in need(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def of(entities: list[dict[str, Any]], schema: str) -> list[dict[str, Any]]:
    return [e for e in entities if e["schema"] == schema]


def holders(entities: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Occupancy id -> (holder's name, the day it was last changed), through merged ids."""
    person = {}
    for entity in of(entities, "Person"):
        for key in (entity["id"], *entity["referents"]):
            person[key] = entity["properties"]["name"][0]
    return {
        o["id"]: (person[o["properties"]["holder"][0]], o["last_change"][:10])
        for o in of(entities, "Occupancy")
    }


@pytest.fixture(scope="module")
def venezuela() -> tuple[Chronology, Any]:
    log = EventLog.open(":memory:")
    report = import_file(log, "ftm", need(VENEZUELA))
    return Chronology.from_log(log), report


def roster(chronology: Chronology, at: str, known_at: str | None = None) -> dict[str, str]:
    return {
        chronology.catalogue[s.person].name: s.certainty
        for s in chronology.roster("country-ve", at=at, known_at=known_at)
        if s.person is not None
    }


class TestOpenSanctions:
    """An OpenSanctions export: 274 Occupancies with a status and no dates, merged person ids."""

    def test_counts(self, venezuela: tuple[Chronology, Any]) -> None:
        chronology, report = venezuela
        entities = lines(VENEZUELA)
        occupancies = of(entities, "Occupancy")
        assert (report.read, report.records, report.new) == (len(occupancies),) * 3
        assert report.dropped == ()
        persons = [e for e in chronology.catalogue.values() if e.kind == "person"]
        assert len(persons) == len(of(entities, "Person"))
        (position,) = of(entities, "Position")
        (post,) = [e for e in chronology.catalogue.values() if e.kind == "post"]
        assert post.name == position["properties"]["name"][0]
        assert post.seats == len({o["properties"]["holder"][0] for o in occupancies})  # type: ignore[attr-defined]
        assert str(report.known) == max(e["last_seen"] for e in entities)[:10]

    def test_roster_as_last_seen_is_the_file(self, venezuela: tuple[Chronology, Any]) -> None:
        chronology, _ = venezuela
        entities = lines(VENEZUELA)
        last_seen = max(e["last_seen"] for e in entities)[:10]
        expected = {name for name, _ in holders(entities).values()}
        # Each claim is known from its last change: after the latest, the roster is a forecast.
        horizon = max(changed for _, changed in holders(entities).values())
        assert str(chronology.horizon()) == horizon
        assert roster(chronology, horizon) == dict.fromkeys(expected, "certain")
        assert roster(chronology, last_seen) == dict.fromkeys(expected, "possible")

    def test_no_date_is_invented(self, venezuela: tuple[Chronology, Any]) -> None:
        chronology, _ = venezuela
        entities = lines(VENEZUELA)
        starts = {
            (chronology.catalogue[t.person].name, str(t.start.date), t.end.date) for t in chronology.tenures()
        }
        assert starts == {(name, f"../{day}", None) for name, day in holders(entities).values()}
        earliest = min(day for _, day in holders(entities).values())
        before = str(int(earliest[:4]) - 1)
        assert set(roster(chronology, before).values()) == {"possible"}
        assert roster(chronology, "2025-01-01", known_at=before) == {}

    def test_merged_ids_and_datasets(self, venezuela: tuple[Chronology, Any]) -> None:
        chronology, _ = venezuela
        for entity in of(lines(VENEZUELA), "Person"):
            for referent in entity["referents"]:
                assert chronology.lookup(referent).name == entity["properties"]["name"][0]
        tenure = chronology.tenures()[0]
        # The file's own dataset names its versions, not the folder it was saved in.
        assert {s.source for s in tenure.sources} == {
            "ve-asamblea-nacional/ve_asamblea_nacional.entities.ftm.json",
            "ve_asamblea_nacional",
        }

    def test_importing_again_adds_nothing(self, venezuela: tuple[Chronology, Any]) -> None:
        log = EventLog.open(":memory:")
        import_file(log, "ftm", need(VENEZUELA))
        again = import_file(log, "ftm", need(VENEZUELA))
        assert (again.appended, again.entities, again.unchanged) == (0, 0, again.records)

    @pytest.mark.parametrize("fmt", ["popolo", "ftm", "csv"])
    def test_round_trip_keeps_tenures(self, venezuela: tuple[Chronology, Any], fmt: str) -> None:
        chronology, _ = venezuela
        log = EventLog.open(":memory:")
        import_text(log, fmt, export(chronology, fmt), label=f"ve/export.{fmt}", known_at="2025-11-18")
        back = Chronology.from_log(log)
        assert {key(t) for t in back.tenures()} == {key(t) for t in chronology.tenures()}


def key(t: Tenure) -> tuple[Any, ...]:
    return (
        t.person,
        t.post,
        str(t.start.date),
        str(t.end.date),
        t.start.cause,
        t.end.cause,
        frozenset(t.sources),
    )


class TestTwoDatasetsInOneFolder:
    """Two exports saved side by side are two datasets (each names its own), not two versions of one."""

    def test_the_second_is_judged_on_its_own(self) -> None:
        log = EventLog.open(":memory:")
        first = import_file(log, "ftm", need(VENEZUELA))
        position = log.position
        # Read as a later version of the folder's dataset, it would be refused as older, or retract all 274.
        with pytest.raises(NothingImported, match=r"^wd-persons/.*Occupancy has no post \(5\)"):
            import_file(log, "ftm", need(DEFECTIVE))
        assert log.position == position
        assert first.label == "ve-asamblea-nacional/ve_asamblea_nacional.entities.ftm.json"


class TestDefective:
    """A third party's crawl whose Occupancies name no post: reported, nothing written, status 1."""

    def test_nothing_is_imported_and_the_report_says_why(self) -> None:
        entities = lines(DEFECTIVE)
        log = EventLog.open(":memory:")
        with pytest.raises(NothingImported, match="nothing imported") as caught:
            import_file(log, "ftm", DEFECTIVE)
        report = caught.value.report
        occupancies = of(entities, "Occupancy")
        assert (report.read, report.records) == (len(occupancies), 0)
        records = [d for d in report.dropped if d.kind == "record"]
        assert {d.reason for d in records} == {"Occupancy has no post"}
        assert len(records) == len([o for o in occupancies if "post" not in o["properties"]])
        ignored = [d for d in report.dropped if d.kind == "entity"]
        assert len(ignored) == len(of(entities, "Family"))
        assert (log.position, len(log.catalogue)) == (0, 0)

    def test_the_command_lists_what_was_left_out(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["--log", str(tmp_path / "log"), "import", "ftm", str(need(DEFECTIVE))]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        err = captured.err.splitlines()
        assert all(line.startswith("chronos: ") for line in err)
        assert sum("Occupancy has no post" in line for line in err[:-1]) == 5
        assert "nothing imported: 5 of 5 records skipped: Occupancy has no post (5)" in err[-1]


def ftm_text(entities: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(e) for e in entities) + "\n"


SEEN = {
    "first_seen": "2024-01-30T10:00:00",
    "last_change": "2024-03-01T10:00:00",
    "last_seen": "2025-01-01T10:00:00",
}


class TestReading:
    """What the reader makes of merged ids, statuses, memberships and Positions without an organisation."""

    def test_a_holder_named_by_a_merged_id(self) -> None:
        entities = [
            {"id": "pos", "schema": "Position", "properties": {"name": ["Mayor"]}},
            {"id": "NK-1", "schema": "Person", "referents": ["old-1"], "properties": {"name": ["Ann"]}},
            {
                "id": "occ",
                "schema": "Occupancy",
                "properties": {"holder": ["old-1"], "post": ["pos"], "startDate": ["2020"]},
            },
        ]
        log = EventLog.open(":memory:")
        import_text(log, "ftm", ftm_text(entities), label="f/x", known_at="2024")
        chronology = Chronology.from_log(log)
        (tenure,) = chronology.tenures()
        assert (tenure.person, str(tenure.start.date)) == ("nk-1", "2020")
        assert chronology.catalogue[tenure.post].org == "ftm"  # type: ignore[attr-defined]

    def test_ended_without_dates_ended_by_its_last_change(self) -> None:
        entities = [
            {"id": "pos", "schema": "Position", "properties": {"name": ["Mayor"], "country": ["xx"]}},
            {"id": "p", "schema": "Person", "properties": {"name": ["Ann"]}},
            {
                "id": "o",
                "schema": "Occupancy",
                "properties": {"holder": ["p"], "post": ["pos"], "status": ["ended"]},
                **SEEN,
            },
        ]
        log = EventLog.open(":memory:")
        report = import_text(log, "ftm", ftm_text(entities), label="f/x")
        (tenure,) = Chronology.from_log(log).tenures()
        assert (str(tenure.start.date), str(tenure.end.date)) == ("../2024-03-01", "../2024-03-01")
        assert str(report.known) == "2025-01-01"
        assert str(tenure.start.claims[0].event.known) == "2024-03-01"

    def test_memberships(self) -> None:
        entities = [
            {"id": "party", "schema": "Organization", "properties": {"name": ["Party"]}},
            {"id": "p", "schema": "Person", "properties": {"name": ["Ann"]}},
            {
                "id": "m",
                "schema": "Membership",
                "properties": {
                    "member": ["p"],
                    "organization": ["party"],
                    "role": ["Treasurer"],
                    "startDate": ["2019-05"],
                },
            },
            {
                "id": "m2",
                "schema": "Membership",
                "properties": {"member": ["party"], "organization": ["party"]},
            },
        ]
        log = EventLog.open(":memory:")
        report = import_text(log, "ftm", ftm_text(entities), label="f/x", known_at="2024")
        (tenure,) = Chronology.from_log(log).tenures()
        assert (tenure.post, str(tenure.start.date)) == ("party/treasurer", "2019-05")
        assert [(d.where, d.reason) for d in report.dropped] == [
            ("f/x:4: member 'party'", "member is not a Person")
        ]


class TestSeats:
    """A post with no fixed number of seats is written with no number, and read back as such."""

    def test_no_fixed_number_round_trips(self) -> None:
        from chronos import Appointed, Catalogue, Organisation, Person, Post, Source

        catalogue = Catalogue(
            [
                Organisation(id="party", name="Party"),
                Post(id="party/member", name="member", org="party", seats=0),
                Post(id="party/board", name="board", org="party", seats=3),
                Post(id="party/chair", name="chair", org="party"),
                *(Person(id=p, name=p.title()) for p in ("ann", "ben")),
            ]
        )
        cite = (Source(source="f.txt", quote="q"),)
        events = [
            Appointed(person=p, post="party/member", occurred="2020", known="2021", sources=cite)
            for p in ("ann", "ben")
        ]
        text = export(Chronology(events, catalogue), "ftm")
        (member,) = [e for e in map(json.loads, text.splitlines()) if e["id"] == "party.member"]
        assert "numberOfSeats" not in member["properties"]
        from followthemoney import model

        model.get("Position").validate(member)  # type: ignore[union-attr]
        log = EventLog.open(":memory:")
        import_text(log, "ftm", text, label="f/x", known_at="2024")
        back = Chronology.from_log(log).catalogue
        seats = {p: back[p].seats for p in ("party/member", "party/board", "party/chair")}  # type: ignore[attr-defined]
        assert seats == {"party/member": 0, "party/board": 3, "party/chair": 1}

    def test_others_positions_without_a_number_still_count_their_holders(self) -> None:
        entities: list[dict[str, Any]] = [
            {"id": "pos", "schema": "Position", "properties": {"name": ["Deputy"], "description": ["x"]}},
            *({"id": p, "schema": "Person", "properties": {"name": [p.title()]}} for p in ("ann", "ben")),
            *(
                {
                    "id": f"o-{p}",
                    "schema": "Occupancy",
                    "properties": {
                        "holder": [p],
                        "post": ["pos"],
                        "status": ["current"],
                        "startDate": ["2020"],
                    },
                }
                for p in ("ann", "ben")
            ),
        ]
        log = EventLog.open(":memory:")
        import_text(log, "ftm", ftm_text(entities), label="f/x", known_at="2024")
        assert Chronology.from_log(log).catalogue["pos"].seats == 2  # type: ignore[attr-defined]

    def test_bad_chronos_json_names_the_line(self) -> None:
        entities = [
            {"id": "pos", "schema": "Position", "properties": {"name": ["D"], "description": ["chronos:["]}}
        ]
        with pytest.raises(RecordError, match=r"^f/x:1: description: bad chronos JSON"):
            import_text(EventLog.open(":memory:"), "ftm", ftm_text(entities), label="f/x", known_at="2024")


class TestGenerated:
    """Generated OpenSanctions-like files: every record is imported or left out with a reason."""

    @given(entities=gen.ftm_occupancy_files())
    def test_read_imported_and_left_out_add_up(self, entities: list[dict[str, Any]]) -> None:
        occupancies = of(entities, "Occupancy")
        log = EventLog.open(":memory:")
        try:
            report = import_text(log, "ftm", ftm_text(entities), label="f/x")
        except NothingImported as exc:
            report = exc.report
            assert log.position == 0
        assert report.read == len(occupancies)
        assert report.read == report.records + sum(d.kind == "record" for d in report.dropped)
        usable = [
            o
            for o in occupancies
            if "post" in o["properties"] and ("startDate" in o["properties"] or "last_change" in o)
        ]
        assert report.records == len(usable)
        if not report.records:
            return
        allowed = {o["properties"]["holder"][0]: o for o in usable}
        for tenure in Chronology.from_log(log).tenures():
            occupancy = allowed[tenure.person]
            given_start = occupancy["properties"].get("startDate", [None])[0]
            assert str(tenure.start.date) == (given_start or f"../{occupancy['last_change'][:10]}")


class TestCommand:
    """`chronos import ftm`: what was left out is counted on the report line and listed on stderr."""

    def test_partly_imported(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        entities = [
            {"id": "pos", "schema": "Position", "properties": {"name": ["Mayor"]}},
            {"id": "p", "schema": "Person", "properties": {"name": ["Ann"]}},
            {
                "id": "o1",
                "schema": "Occupancy",
                "properties": {"holder": ["p"], "post": ["pos"], "startDate": ["2020"]},
            },
            {"id": "o2", "schema": "Occupancy", "properties": {"holder": ["p"], "startDate": ["2021"]}},
        ]
        path = tmp_path / "x.ftm.json"
        path.write_text(ftm_text(entities), encoding="utf-8")
        assert main(["--log", str(tmp_path / "log"), "import", "ftm", str(path), "--known-at", "2024"]) == 0
        captured = capsys.readouterr()
        assert captured.out.rstrip().endswith("; 1 of 2 records skipped: Occupancy has no post (1)")
        assert (
            captured.err
            == f"chronos: left out: {slugify(tmp_path.name)}/x.ftm.json:4: Occupancy has no post\n"
        )

    def test_several_files_in_order(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        base = [
            {"id": "pos", "schema": "Position", "properties": {"name": ["Mayor"]}},
            {"id": "p", "schema": "Person", "properties": {"name": ["Ann"]}},
        ]

        def occupancy(start: str) -> dict[str, Any]:
            properties = {"holder": ["p"], "post": ["pos"], "startDate": [start]}
            return {"id": "o", "schema": "Occupancy", "properties": properties}

        first, second = tmp_path / "d" / "v1.json", tmp_path / "d" / "v2.json"
        first.parent.mkdir()
        first.write_text(ftm_text([*base, occupancy("2020")]))
        second.write_text(ftm_text([*base, occupancy("2020-03")]))
        assert (
            main(
                [
                    "--log",
                    str(tmp_path / "log"),
                    "import",
                    "ftm",
                    str(first),
                    str(second),
                    "--known-at",
                    "2024",
                ]
            )
            == 0
        )
        out = capsys.readouterr().out.splitlines()
        assert [line.split(" (known")[0] for line in out] == ["imported d/v1.json", "imported d/v2.json"]
        assert "1 corrected" in out[1]
