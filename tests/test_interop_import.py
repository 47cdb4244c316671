"""Imports: foreign ids, idempotent and incremental imports, each format's reader, errors, the command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from chronos import Chronology, Corrected, EventLog, Left, Moved, RecordError, Renamed, Retracted
from chronos.cli import main
from chronos.entities import UNNAMED_PREFIX
from chronos.interop import export, import_file, import_text, slugify

ORG = "parl"


def record(key: str, role: str, person: str | None, start: str, end: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": key,
        "role": role,
        "person_id": [person] if person else [],
        "organization_id": ORG,
        "start_date": start,
    }
    if end is not None:
        data["end_date"] = end
    return data


def write(directory: Path, name: str, records: list[dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    return path


def holders(chronology: Chronology, day: str, known: str | None = None) -> set[tuple[str, str]]:
    return {
        (s.post.name, chronology.catalogue[s.person].name)
        for s in chronology.roster(ORG, at=day, known_at=known)
        if s.person is not None
    }


V1 = [
    record("r/1", "Speaker", "people:ann", "2020-01-01"),
    record("r/2", "Clerk", "people:bob", "2019-01-01", "2020-06-01"),
    record("r/3", "Whip", "people:cat", "2018-05"),
    record("r/4", "Usher", "people:dan", "2019"),
]
V2 = [
    record("r/1", "Speaker", "people:ann", "2020-01-01", "2021-01-01"),  # closed
    record("r/2", "Chief Clerk", "people:bob", "2019-02-01", "2020-06-01"),  # renamed, start moved
    record("r/4", "Usher", None, "2019"),  # person link removed
    record("r/5", "Whip", "people:eve", "2021-01-01"),  # new; r/3 vanished
]


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path / "parl", "v1.json", V1), write(tmp_path / "parl", "v2.json", V2)


class TestSlugs:
    """Foreign ids become chronos ids deterministically."""

    def test_slugify(self) -> None:
        assert slugify("uk.org.publicwhip/person/14012") == "uk-org-publicwhip-person-14012"
        assert slugify("NSC/Special Service “A”", keep_slashes=True) == "nsc/special-service-a"
        assert slugify("Ésta Ñandú") == "esta-nandu"
        assert slugify("Касым") == "kasym" != slugify("Токаев")
        assert slugify("Ақ жол") == "aq-zhol"
        assert slugify("无党籍人士") == "wudangjirenshi"
        assert slugify("★ ☆").startswith("id-")  # nothing transliterates: a hash


class TestIncremental:
    """A newer version adds only what changed, as new events, corrections and retractions."""

    def test_first_import_creates_entities_with_foreign_ids_as_aliases(
        self, versions: tuple[Path, Path]
    ) -> None:
        log = EventLog.open(":memory:")
        report = import_file(log, "memberships", versions[0], known_at="2020-07-01")
        assert (report.records, report.new, report.entities) == (4, 4, 9)
        assert log.catalogue.lookup("people:ann").id == "people-ann"
        assert log.catalogue["parl/speaker"].name == "Speaker"
        event = next(e for e in log.events() if getattr(e, "person", "") == "people-ann")
        assert event.sources[0].source == "parl/v1.json"
        assert (event.sources[0].quote, event.sources[0].locator) == ("Speaker", "r/1")
        assert str(event.known) == "2020-07-01"

    def test_same_file_twice_adds_nothing(self, versions: tuple[Path, Path]) -> None:
        log = EventLog.open(":memory:")
        import_file(log, "memberships", versions[0], known_at="2020-07-01")
        again = import_file(log, "memberships", versions[0], known_at="2020-08-01")
        assert (again.appended, again.entities, again.unchanged) == (0, 0, 4)

    def test_newer_version(self, versions: tuple[Path, Path]) -> None:
        log = EventLog.open(":memory:")
        import_file(log, "memberships", versions[0], known_at="2020-07-01")
        report = import_file(log, "memberships", versions[1], known_at="2021-02-01")
        # r/2's start and end both name the renamed post: two corrections.
        assert (report.new, report.closed, report.corrected, report.retracted) == (1, 1, 2, 2)
        chronology = Chronology.from_log(log)
        kinds = [e.type for e in chronology.events[-report.appended :]]
        assert kinds.count("Corrected") == 2
        assert kinds.count("Retracted") == 2  # r/3's start (vanished), r/4's start (link removed)
        # As published on 2020-07-01: the first version, exactly.
        assert holders(chronology, "2020-03-01", "2020-07-01") == {
            ("Speaker", "people:ann"),
            ("Clerk", "people:bob"),
            ("Whip", "people:cat"),
            ("Usher", "people:dan"),
        }
        # As published now: the second version.
        assert holders(chronology, "2020-03-01") == {
            ("Speaker", "people:ann"),
            ("Chief Clerk", "people:bob"),
            ("Usher", "unnamed holder (r/4)"),
        }
        assert holders(chronology, "2019-01-15") == {("Usher", "unnamed holder (r/4)")}
        assert holders(chronology, "2019-01-15", "2020-07-01") == {
            ("Clerk", "people:bob"),
            ("Whip", "people:cat"),
            ("Usher", "people:dan"),
        }
        assert holders(chronology, "2021-01-01") == {
            ("Whip", "people:eve"),
            ("Usher", "unnamed holder (r/4)"),
        }
        fix, _ = [e for e in chronology.events if isinstance(e, Corrected)]
        assert fix.note is not None
        assert "post 'Clerk' -> 'Chief Clerk'" in fix.note
        assert "date 2019-01-01 -> 2019-02-01" in fix.note
        assert "known 2020-07-01" in fix.note
        reasons = sorted(str(e.reason) for e in chronology.events if isinstance(e, Retracted))
        assert reasons == [
            "parl/v2.json: record r/3 is no longer in the dataset",
            "parl/v2.json: record r/4 no longer names a person (it named people-dan)",
        ]
        assert any(isinstance(e, Left) and str(e.occurred) == "2021-01-01" for e in chronology.events)
        assert f"{UNNAMED_PREFIX}r-4" in chronology.catalogue

    def test_a_changed_holder_is_a_correction(self, tmp_path: Path) -> None:
        log = EventLog.open(":memory:")
        import_file(
            log,
            "memberships",
            write(tmp_path / "d", "a.json", [record("x", "Chair", "p1", "2020")]),
            known_at="2021",
        )
        report = import_file(
            log,
            "memberships",
            write(tmp_path / "d", "b.json", [record("x", "Chair", "p2", "2020")]),
            known_at="2022",
        )
        assert (report.corrected, report.retracted) == (1, 0)
        chronology = Chronology.from_log(log)
        assert holders(chronology, "2020-06-01", "2021-12-31") == {("Chair", "p1")}
        assert holders(chronology, "2020-06-01") == {("Chair", "p2")}

    def test_a_reopened_record_retracts_its_end(self, tmp_path: Path) -> None:
        log = EventLog.open(":memory:")
        first = [record("x", "Chair", "p1", "2020", "2021")]
        import_file(log, "memberships", write(tmp_path / "d", "a.json", first), known_at="2021-06")
        report = import_file(
            log,
            "memberships",
            write(tmp_path / "d", "b.json", [record("x", "Chair", "p1", "2020")]),
            known_at="2022",
        )
        assert report.retracted == 1
        assert holders(Chronology.from_log(log), "2021-06-01") == {("Chair", "p1")}


class TestChecks:
    """What `check` says about imported overlaps, handovers and records naming nobody."""

    def test_overlaps_handovers_and_unnamed_holders(self, tmp_path: Path) -> None:
        import attrs

        from chronos import Catalogue, Post
        from chronos.checks import check

        data = [
            record("a", "Chair", "p1", "2020-01-01", "2020-06-01"),
            record("b", "Chair", "p2", "2020-06-01"),  # same-day handover: fine
            record("c", "Aide", "p3", "2020-01-01"),
            record("d", "Aide", "p4", "2020-03-01"),  # overlaps c in a one-seat post
            record("e", "Clerk", None, "2020-01-01"),  # names nobody
        ]
        log = EventLog.open(":memory:")
        import_file(log, "memberships", write(tmp_path / "d", "a.json", data), known_at="2021")
        findings = check(Chronology.from_log(log))
        assert {(f.severity, f.rule) for f in findings} == {
            ("error", "over-seats"),
            ("warning", "unnamed-holder"),
        }
        (over,) = [f.message for f in findings if f.rule == "over-seats"]
        assert over == "parl/aide has 1 seat(s) but 2 certain holders on 2020-03-01: p3, p4"
        # Two seats, as the user knows the post has: no more error.
        seats = [
            attrs.evolve(e, seats=2) if isinstance(e, Post) and e.id == "parl/aide" else e
            for e in log.catalogue.values()
        ]
        findings = check(Chronology(log.events(), Catalogue(seats)))
        assert [f.rule for f in findings] == ["unnamed-holder"]
        assert (
            "Clerk (parl/clerk) was held from 2020-01-01 to now by someone the source does not name"
            in findings[0].message
        )


class TestDirectoryLog:
    """A directory log keeps the new entities in catalogue.toml, after what was there."""

    def test_catalogue_is_appended_not_rewritten(self, tmp_path: Path, versions: tuple[Path, Path]) -> None:
        directory = tmp_path / "log"
        directory.mkdir()
        (directory / "catalogue.toml").write_text(
            '# my notes\n[[person]]\nid = "zed"\nname = "Zed"\n', encoding="utf-8"
        )
        log = EventLog.open(directory)
        import_file(log, "memberships", versions[0], known_at="2020-07-01")
        text = (directory / "catalogue.toml").read_text(encoding="utf-8")
        assert text.startswith('# my notes\n[[person]]\nid = "zed"\n')
        assert "# added by chronos import parl/v1.json (known 2020-07-01)" in text
        reopened = EventLog.open(directory)
        assert reopened.catalogue.lookup("people:ann").id == "people-ann"
        assert "zed" in reopened.catalogue
        assert reopened.verify().count == reopened.position


class TestReaders:
    """Each format's reader, on files other tools write."""

    def test_popolo(self) -> None:
        popolo = {
            "persons": [
                {
                    "id": "Q1",
                    "name": "Ann Smith",
                    "other_names": [{"name": "Ann Jones", "end_date": "2001-06"}],
                    "death_date": "2019",
                },
                {"id": "Q2", "name": "Bob Brown"},
            ],
            "organizations": [
                {
                    "id": "assembly",
                    "name": "National Assembly",
                    "founding_date": "1990",
                    "other_names": [
                        {"name": "Supreme Soviet", "end_date": "1990"},
                        {"name": "Assembly", "start_date": "1990"},
                    ],
                },
                {"id": "assembly-committee", "name": "Budget Committee", "parent_id": "assembly"},
            ],
            "posts": [{"id": "chair", "label": "Chair", "organization_id": "assembly"}],
            "memberships": [
                {"person_id": "Q1", "post_id": "chair", "start_date": "2001", "end_date": "2005-03-01"},
                {
                    "person_id": "Q2",
                    "organization_id": "assembly-committee",
                    "role": "Rapporteur",
                    "start_date": "2003~",
                },
                {"person_id": "Q2", "organization_id": "assembly", "start_date": "2004-02"},
            ],
        }
        log = EventLog.open(":memory:")
        report = import_text(log, "popolo", json.dumps(popolo), label="pop/people.json", known_at="2020")
        assert report.records == 3
        chronology = Chronology.from_log(log)
        seats = {(s.post.id, s.person, s.certainty) for s in chronology.roster("assembly", at="2004-06-01")}
        assert seats >= {
            ("chair", "q1", "certain"),
            ("assembly-committee/rapporteur", "q2", "certain"),
            ("assembly/member", "q2", "certain"),
        }
        assert str(chronology.tenures()[1].start.date) in {"2003~", "2001", "2004-02"}
        assert chronology.catalogue["assembly-committee"].parent == "assembly"  # type: ignore[attr-defined]
        assert chronology.lookup("Ann Jones").id == "q1"
        death = chronology.history("q1").death
        assert death is not None
        assert str(death.date) == "2019"
        renames = [e for e in chronology.events if isinstance(e, Renamed)]
        assert {(r.entity, r.name, r.former, str(r.occurred)) for r in renames} == {
            ("q1", "Ann Smith", "Ann Jones", "2001-06"),
            ("assembly", "National Assembly", "Supreme Soviet", "1990"),
            ("assembly", "Assembly", None, "1990"),
        }

    def test_csv_with_few_columns(self) -> None:
        text = (
            "person,post,org,start,end\n"
            "Ann Smith,Chair,Assembly,2001,2005-03\n"
            "Bob Brown,Chair,Assembly,2005-03,\n"
        )
        log = EventLog.open(":memory:")
        import_text(log, "csv", text, label="sheet/chairs.csv", known_at="2020")
        chronology = Chronology.from_log(log)
        assert [(s.person, str(s.since)) for s in chronology.roster("assembly", at="2010")] == [
            ("bob-brown", "2005-03")
        ]
        assert [s.person for s in chronology.roster("assembly", at="2003")] == ["ann-smith"]
        (first, _) = chronology.events[:2]
        assert (first.sources[0].quote, first.sources[0].locator) == ("Chair", "line 2")

    def test_csv_end_causes_become_their_events(self) -> None:
        text = (
            "person,post,org,start,start_cause,end,end_cause\n"
            "Ann,Chair,Org,2001,appointed,2005,died\n"
            "Bob,Chair,Org,2005,appointed,2006,arrested\n"
            "Cy,Chair,Org,2006,,2007,dismissed/resigned\n"
            "Di,Chair,Org,2007,moved,2008,moved\n"
            "Ed,Chair,Org,2008,appointed,2009,retired\n"
        )
        log = EventLog.open(":memory:")
        with pytest.raises(RecordError, match=r"s/c.csv: record line 6: unknown end cause 'retired'"):
            import_text(log, "csv", text, label="s/c.csv", known_at="2020")
        import_text(log, "csv", text.rsplit("Ed,", 1)[0], label="s/c.csv", known_at="2020")
        chronology = Chronology.from_log(log)
        assert [e.type for e in chronology.events] == [
            "Appointed", "Died", "Appointed", "Arrested", "Appointed",
            "Dismissed", "Resigned", "Appointed", "Left",
        ]  # fmt: skip
        assert [(t.person, t.end.cause) for t in chronology.tenures()] == [
            ("ann", "died"), ("bob", "arrested"), ("cy", "dismissed/resigned"), ("di", "left"),
        ]  # fmt: skip
        assert chronology.history("ann").death is not None

    def test_csv_moves_pair_by_their_label(self) -> None:
        # Ann's move is told by two sources on its start side (merged into one cell) and one on its end.
        text = (
            "person,post,org,start,start_cause,start_sources,end,end_cause,end_sources,start_move,end_move\n"
            'Ann,Head,Guard,2001,appointed,,2022-01-06,moved,"b.txt: ""moved""",,m1\n'
            'Ann,Chair,Committee,2022-01-06,appointed/moved,"a.txt: ""named"" | b.txt: ""moved""",,,,m1,\n'
            'Bob,Head,Guard,2001,appointed,,2022-01-06,moved,"c.txt: ""left""",,\n'
            'Bob,Chair,Other,2022-01-06,moved,"d.txt: ""came""",,,,,\n'
        )
        log = EventLog.open(":memory:")
        import_text(log, "csv", text, label="s/m.csv", known_at="2022")
        chronology = Chronology.from_log(log)
        (move,) = [e for e in chronology.events if isinstance(e, Moved)]
        assert (move.person, move.from_post, move.to_post) == ("ann", "guard/head", "committee/chair")
        assert [s.source for s in move.sources] == ["b.txt"]  # the end side's: the move alone
        ends = {(t.person, t.post): t.end.cause for t in chronology.tenures() if t.end.date is not None}
        assert ends == {("ann", "guard/head"): "moved", ("bob", "guard/head"): "left"}
        starts = {(t.person, t.post): t.start.cause for t in chronology.tenures()}
        assert starts[("ann", "committee/chair")] == "appointed/moved"
        assert starts[("bob", "other/chair")] == "appointed"  # no label, other sources: not paired

    def test_ftm_from_elsewhere(self) -> None:
        lines = [
            {"id": "org1", "schema": "PublicBody", "properties": {"name": ["Ministry"]}},
            {
                "id": "pos1",
                "schema": "Position",
                "properties": {"name": ["Minister"], "organization": ["org1"]},
            },
            {"id": "per1", "schema": "Person", "properties": {"name": ["Ann Smith"]}},
            {
                "id": "occ1",
                "schema": "Occupancy",
                "properties": {
                    "holder": ["per1"],
                    "post": ["pos1"],
                    "startDate": ["2020-01-05", "2020-01-06"],
                },
            },
        ]
        log = EventLog.open(":memory:")
        import_text(log, "ftm", "\n".join(json.dumps(x) for x in lines), label="ftm/x.jsonl", known_at="2021")
        chronology = Chronology.from_log(log)
        (tenure,) = chronology.tenures()
        assert (tenure.person, tenure.post, str(tenure.start.date)) == (
            "per1",
            "pos1",
            "[2020-01-05,2020-01-06]",
        )

    def test_unknown_knowledge_date_is_today(self, versions: tuple[Path, Path]) -> None:
        log = EventLog.open(":memory:")
        report = import_file(log, "memberships", versions[0])
        assert report.known.earliest == dt.date.today()


class TestErrors:
    """Bad data is one error naming the file, the record or line, and the value; nothing is written."""

    @pytest.mark.parametrize(
        ("fmt", "text", "message"),
        [
            (
                "memberships",
                '[{"id": "r1", "role": "X", "organization_id": "o", "start_date": "2016-13"}]',
                r"f/x: record r1: start_date: bad date '2016-13'",
            ),
            (
                "memberships",
                '[{"id": "r1", "role": "X", "start_date": "2016"}]',
                r"f/x: record r1: missing organization_id",
            ),
            ("memberships", '[\n{"id": 1,}\n]', r"f/x:2: not JSON"),
            (
                "popolo",
                '{"memberships": [{"person_id": "a"}]}',
                r"f/x: memberships\[0\]: a membership needs a post_id or an organization_id",
            ),
            ("ftm", '{"id": "a", "schema": "Person"}\nnope', r"f/x:2: not JSON"),
            (
                "csv",
                "name,start\nAnn,2001\n",
                r"f/x:1: the header needs person_id or person and post_id or post",
            ),
            (
                "csv",
                "person,post,org,start\nAnn,Chair,Org,01/02/2003\n",
                r"f/x:2: start: bad date '01/02/2003'",
            ),
            ("nonsense", "", r"unknown format 'nonsense'"),
        ],
    )
    def test_bad_data(self, fmt: str, text: str, message: str) -> None:
        log = EventLog.open(":memory:")
        with pytest.raises(Exception, match=message):
            import_text(log, fmt, text, label="f/x", known_at="2020")
        assert log.position == 0

    def test_errors_are_chronos_errors(self) -> None:
        with pytest.raises(RecordError):
            import_text(EventLog.open(":memory:"), "memberships", "{}", label="f/x", known_at="2020")


class TestCommand:
    """`chronos import` and `chronos export`."""

    def test_import_then_export(
        self, tmp_path: Path, versions: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        log = tmp_path / "new-log"
        assert (
            main(["--log", str(log), "import", "memberships", str(versions[0]), "--known-at", "2020-07-01"])
            == 0
        )
        assert "4 records: 4 new" in capsys.readouterr().out
        assert (
            main(["--log", str(log), "import", "memberships", str(versions[1]), "--known-at", "2021-02-01"])
            == 0
        )
        out = capsys.readouterr().out
        assert "1 new, 1 closed, 2 corrected, 2 retracted" in out
        target = tmp_path / "tenures.csv"
        assert main(["--log", str(log), "export", "csv", "-o", str(target)]) == 0
        rows = target.read_text(encoding="utf-8").splitlines()
        assert rows[0].startswith("person_id,person,post_id,post,org_id,org,start,start_precision")
        assert main(["--log", str(log), "export", "popolo", "--known-at", "2020-07-01"]) == 0
        early = json.loads(capsys.readouterr().out)
        assert {m["role"] for m in early["memberships"]} == {"Speaker", "Clerk", "Whip", "Usher"}
        assert (
            main(
                [
                    "--log",
                    str(log),
                    "roster",
                    ORG,
                    "--at",
                    "2020-03-01",
                    "--known-at",
                    "2020-07-01",
                    "--format",
                    "json",
                ]
            )
            == 0
        )

    def test_bad_file_is_one_line_and_status_1(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = write(
            tmp_path / "d",
            "bad.json",
            [{"id": "r1", "role": "X", "organization_id": "o", "start_date": "2016-13"}],
        )
        assert main(["--log", str(tmp_path / "log"), "import", "memberships", str(bad)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "d/bad.json: record r1: start_date: bad date '2016-13'" in err

    def test_unknown_format_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["--log", str(tmp_path), "export", "xml"]) == 2
        assert "invalid choice" in capsys.readouterr().err

    def test_export_kazakhstan_to_stdout(self, capsys: pytest.CaptureFixture[str]) -> None:
        root = Path(__file__).resolve().parent.parent
        assert main(["--log", str(root / "events"), "export", "ftm"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == len(export(Chronology.open(root / "events"), "ftm").splitlines())
