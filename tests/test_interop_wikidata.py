"""Wikidata P39 ("position held") imports: dates, qualifiers, ranks, references, revisions, files.

The fixtures are real ``wbgetentities`` responses and a bare entity (2015-2026)
in ``$CHRONOS_SHARED/fixtures/wikidata``; what each should give is read here
from the JSON by a plain reading of its own.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import Chronology, EventLog, Retracted, Source
from chronos.cli import main
from chronos.interop import NothingImported, export, import_text, import_wikidata
from chronos.interop._wikibase import UnusableDate, julian_to_gregorian, time_date
from chronos.projections import Tenure, visible
from tests import strategies as gen
from tests.shared import FIXTURES, need

WIKIDATA = FIXTURES / "wikidata"
FILES = sorted(WIKIDATA.glob("*.json")) or [Path("missing")]
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
JULIAN = "http://www.wikidata.org/entity/Q1985786"


def entity_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if "entities" in data:
        (entity,) = data["entities"].values()
        return dict(entity)
    return data


def plain_tenures(entity: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """(position, start, end) of every P39 statement, read plainly (the fixtures' dates are Gregorian)."""
    cut = {11: 11, 10: 8, 9: 5}
    out = []
    for statement in entity["claims"].get("P39", []):
        position = f"Q{statement['mainsnak']['datavalue']['value']['numeric-id']}"
        qualifiers = statement.get("qualifiers", {})
        dates: list[str | None] = []
        for prop in ("P580", "P582"):
            value = qualifiers[prop][0]["datavalue"]["value"] if prop in qualifiers else None
            assert value is None or value["calendarmodel"] == GREGORIAN
            dates.append(value["time"][1 : cut[value["precision"]]] if value else None)
        start, end = dates
        if start is None and end is None:
            start = f"../{entity['modified'][:10]}"
        out.append((position, start, end))
    return sorted(out, key=str)


def position_of(chronology: Chronology, post: str) -> str:
    return next(n for n in chronology.catalogue[post].names if re.fullmatch(r"Q\d+", n))


def chronos_tenures(chronology: Chronology, **known: Any) -> list[tuple[str, str | None, str | None]]:
    return sorted(
        (
            (
                position_of(chronology, t.post),
                str(t.start.date) if t.start.date else None,
                str(t.end.date) if t.end.date else None,
            )
            for t in chronology.tenures(**known)
        ),
        key=str,
    )


def imported(*paths: Path) -> tuple[Chronology, Any]:
    log = EventLog.open(":memory:")
    report = import_wikidata(log, [need(p) for p in paths])
    return Chronology.from_log(log), report


class TestFixtures:
    """Every Wikidata fixture imports, with the tenures its statements give."""

    @pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
    def test_each_file_gives_its_statements(self, path: Path) -> None:
        chronology, report = imported(path)
        entity = entity_of(path)
        statements = entity["claims"]["P39"]
        assert (report.read, report.records, report.new) == (len(statements),) * 3
        persons = [e for e in chronology.catalogue.values() if e.kind == "person"]
        assert [p.id for p in persons] == [entity["id"].lower()]
        assert chronos_tenures(chronology) == plain_tenures(entity)

    @pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
    def test_rosters_show_the_holder_while_in_office(self, path: Path) -> None:
        chronology, _ = imported(path)
        qid = entity_of(path)["id"].lower()
        for tenure in chronology.tenures():
            start, end = tenure.start.date, tenure.end.date
            if start is None or end is None or not start.is_exact or not end.is_exact:
                continue
            middle = start.earliest + (end.earliest - start.earliest) / 2
            post = chronology.catalogue[tenure.post]
            seats = chronology.roster(post.org, at=middle)  # type: ignore[attr-defined]
            assert (tenure.post, qid, "certain") in {(s.post.id, s.person, s.certainty) for s in seats}

    def test_all_files_at_once_name_every_person_once(self) -> None:
        chronology, report = imported(*FILES)
        assert report.read == sum(len(entity_of(p)["claims"]["P39"]) for p in FILES)
        persons = sorted(e.id for e in chronology.catalogue.values() if e.kind == "person")
        assert persons == sorted(entity_of(p)["id"].lower() for p in FILES)
        assert "6 items" in report.label

    def test_names_in_every_language(self) -> None:
        chronology, _ = imported(WIKIDATA / "Q234182.entity.json")
        entity = entity_of(WIKIDATA / "Q234182.entity.json")
        person = chronology.catalogue["q234182"]
        assert person.name == entity["labels"]["en"]["value"]
        every = {v["value"] for v in entity["labels"].values()}
        every |= {a["value"] for values in entity["aliases"].values() for a in values}
        assert every <= set(person.names)
        assert chronology.lookup("Q234182").id == "q234182"

    def test_a_statement_without_dates_was_held_on_or_before_the_revision(self) -> None:
        chronology, _ = imported(WIKIDATA / "Q233282.json")
        (tenure,) = chronology.tenures()
        assert (str(tenure.start.date), tenure.end.date) == ("../2026-04-02", None)
        assert "no start or end date" in (tenure.start.claims[0].event.note or "")
        (seat,) = [s for s in chronology.roster("wikidata", at="2000-01-01") if s.person]
        assert seat.certainty == "possible"
        assert chronology.tenures(known_at="2026-04-01") == ()

    def test_references_are_sources(self) -> None:
        chronology, _ = imported(WIKIDATA / "Q233282.json")
        (tenure,) = chronology.tenures()
        assert tenure.sources[0].source == "wikidata/Q233282/revision-2477527000"
        assert tenure.sources[0].locator == "Q233282$31E01390-EF3A-45D8-8D7F-2EE08C9BEA3B"
        assert Source(source="imported from Q328", quote="position held: Q3402184") in tenure.sources

    def test_organisation_qualifiers_and_districts(self) -> None:
        chronology, _ = imported(WIKIDATA / "Q312013.json")
        (tenure,) = [t for t in chronology.tenures() if str(t.start.date) == "1977"]
        post = chronology.catalogue[tenure.post]
        assert (post.id, post.org, str(tenure.end.date)) == ("q223153/q18915989", "q223153", "2004")  # type: ignore[attr-defined]
        note = tenure.start.claims[0].event.note or ""
        assert "P768 (electoral district): Q12876839, Q7783466, Q4813465" in note
        assert "P642 (of): Q223153" in note

    def test_labels_from_other_files(self) -> None:
        chronology, _ = imported(WIKIDATA / "Q264766.json", WIKIDATA / "Q234182.entity.json")
        notes = {c.event.note for t in chronology.tenures() for c in t.start.claims}
        assert any("P1365 (replaces): Q234182 (Harriet Harman)" in (n or "") for n in notes)


def older_revision(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """An earlier state of a real item that says less: a year for a day, no end yet, a missing statement.

    Everything it says, the real file says too (more precisely): it stands for
    the revision before, which chronos must then correct, close and complete.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    entity = data["entities"]["Q264766"]
    entity["modified"], entity["lastrevid"] = "2015-06-01T00:00:00Z", 200000000
    statements = entity["claims"]["P39"]
    changed = {}
    for statement in statements:
        qualifiers = statement.get("qualifiers", {})
        if "P580" in qualifiers and "P582" in qualifiers and "coarse" not in changed:
            value = qualifiers["P580"][0]["datavalue"]["value"]
            value["time"], value["precision"] = value["time"][:5] + "-00-00T00:00:00Z", 9
            changed["coarse"] = statement["id"]
        elif "P582" in qualifiers and "open" not in changed:
            del qualifiers["P582"]
            changed["open"] = statement["id"]
        elif "P580" in qualifiers and "deprecated" not in changed:
            statement["rank"] = "deprecated"
            changed["deprecated"] = statement["id"]
    changed["missing"] = statements.pop()["id"]
    return data, changed


class TestRevisions:
    """An older and then a newer revision of an item: corrections, no second person."""

    @pytest.fixture
    def revisions(self, tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
        newer = need(WIKIDATA / "Q264766.json")
        data, changed = older_revision(newer)
        older = tmp_path / "older" / "Q264766.json"
        older.parent.mkdir()
        older.write_text(json.dumps(data), encoding="utf-8")
        return older, newer, changed

    def test_newer_revision_corrects_closes_and_adds(
        self, revisions: tuple[Path, Path, dict[str, str]]
    ) -> None:
        older, newer, _ = revisions
        log = EventLog.open(":memory:")
        first = import_wikidata(log, [older])
        assert (first.new, first.retracted) == (first.records, 1)  # the deprecated one is withdrawn
        second = import_wikidata(log, [newer])
        assert (second.new, second.closed, second.corrected, second.retracted) == (2, 1, 1, 0)
        assert second.unchanged == second.records - 4
        chronology = Chronology.from_log(log)
        assert [e.id for e in chronology.catalogue.values() if e.kind == "person"] == ["q264766"]
        entity = entity_of(newer)
        now = chronos_tenures(chronology)
        expected = [
            (p, s.replace("2016-01-08", "2015-06-01") if s else s, e) for p, s, e in plain_tenures(entity)
        ]  # undated statements keep the older, tighter bound
        assert now == sorted(expected, key=str)
        then = chronos_tenures(chronology, known_at="2015-06-01")
        assert len(then) == len(now) - 2  # neither the missing nor the deprecated statement
        assert {s for _, s, _ in then} - {s for _, s, _ in now} == {"2010"}

    def test_an_older_revision_after_a_newer_one_is_left_out(
        self, revisions: tuple[Path, Path, dict[str, str]]
    ) -> None:
        older, newer, _ = revisions
        log = EventLog.open(":memory:")
        import_wikidata(log, [newer])
        position = log.position
        with pytest.raises(NothingImported, match="before the version already imported") as caught:
            import_wikidata(log, [older])
        assert log.position == position
        assert caught.value.report.records == 0

    def test_both_revisions_in_one_import_are_read_in_order(
        self, revisions: tuple[Path, Path, dict[str, str]]
    ) -> None:
        older, newer, _ = revisions
        one = EventLog.open(":memory:")
        report = import_wikidata(one, [newer, older])
        assert report.corrected == 1
        two = EventLog.open(":memory:")
        import_wikidata(two, [older])
        import_wikidata(two, [newer])
        assert [r.event.id for r in one.read()] == [r.event.id for r in two.read()]


def tenure_key(t: Tenure) -> tuple[Any, ...]:
    return (
        t.person,
        t.post,
        str(t.start.date),
        str(t.end.date),
        t.start.cause,
        t.end.cause,
        frozenset(t.sources),
    )


class TestRoundTrip:
    """Imported from Wikidata, exported, imported again: the same tenures."""

    @pytest.mark.parametrize("fmt", ["popolo", "ftm", "csv"])
    def test_tenures_come_back(self, fmt: str) -> None:
        chronology, _ = imported(*FILES)
        text = export(chronology, fmt)
        log = EventLog.open(":memory:")
        import_text(log, fmt, text, label=f"wd/export.{fmt}", known_at="2026-04-02")
        back = Chronology.from_log(log)
        assert {tenure_key(t) for t in back.tenures()} == {tenure_key(t) for t in chronology.tenures()}


class TestFiles:
    """Every form Wikidata publishes entities in, gzipped or not; bad lines are reported."""

    def test_gzip_and_dump_lines(self, tmp_path: Path) -> None:
        entities = [entity_of(need(p)) for p in FILES]
        dump = "[\n" + ",\n".join(json.dumps(e) for e in entities) + "\n]\n"
        path = tmp_path / "dump.json.gz"
        path.write_bytes(gzip.compress(dump.encode()))
        log = EventLog.open(":memory:")
        report = import_wikidata(log, [path])
        direct, _ = imported(*FILES)
        assert report.records == sum(len(e["claims"]["P39"]) for e in entities)
        assert chronos_tenures(Chronology.from_log(log)) == chronos_tenures(direct)

    def test_bad_lines_are_left_out_and_named(self, tmp_path: Path) -> None:
        entity = entity_of(need(WIKIDATA / "Q254220.json"))
        path = tmp_path / "lines.json"
        path.write_text(json.dumps(entity) + "\n{not json\n", encoding="utf-8")
        report = import_wikidata(EventLog.open(":memory:"), [path])
        assert report.records == 1
        assert [(d.where, d.kind) for d in report.dropped] == [(f"{path}:2", "entity")]

    def test_not_wikidata_is_an_error(self, tmp_path: Path) -> None:
        path = tmp_path / "x.json"
        path.write_text('{"persons": []}', encoding="utf-8")
        with pytest.raises(Exception, match=r"x.json: not Wikibase entity JSON"):
            import_wikidata(EventLog.open(":memory:"), [path])

    def test_command(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        files = [str(need(p)) for p in FILES]
        assert main(["--log", str(tmp_path / "log"), "import", "wikidata", *files]) == 0
        out = capsys.readouterr().out
        assert out.startswith("imported wikidata: 6 items from")
        assert out.count("\n") == 1
        assert main(["--log", str(tmp_path / "log"), "history", "Q264766", "--format", "json"]) == 0
        history = json.loads(capsys.readouterr().out)["answer"]
        assert len(history["tenures"]) == len(entity_of(WIKIDATA / "Q264766.json")["claims"]["P39"])


# Dates ------------------------------------------------------------------------------------------------


def reference_julian(year: int, month: int, day: int) -> dt.date:
    """Count Julian days from 0001-01-01 (Gregorian 0000-12-30): an independent conversion.

    Raises OverflowError before Gregorian 0001-01-01.
    """
    lengths = [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    count = 365 * (year - 1) + (year - 1) // 4 + sum(lengths[: month - 1]) + day
    if count < 3:
        raise OverflowError("before 0001-01-01")
    return dt.date(1, 1, 1) + dt.timedelta(days=count - 3)


class TestDates:
    """Wikibase times become chronos dates with their precision, in the Gregorian calendar."""

    @pytest.mark.parametrize(
        ("time", "precision", "calendar", "expected"),
        [
            ("+2007-06-24T00:00:00Z", 11, GREGORIAN, "2007-06-24"),
            ("+2010-05-00T00:00:00Z", 10, GREGORIAN, "2010-05"),
            ("+1946-00-00T00:00:00Z", 9, GREGORIAN, "1946"),
            ("+00000001977-00-00T00:00:00Z", 9, GREGORIAN, "1977"),
            ("+1995-00-00T00:00:00Z", 8, GREGORIAN, "199X"),
            ("+1950-00-00T00:00:00Z", 7, GREGORIAN, "1901/2000"),
            ("+2000-00-00T00:00:00Z", 7, GREGORIAN, "1901/2000"),
            ("+1582-10-05T00:00:00Z", 11, JULIAN, "1582-10-15"),
            ("+1917-10-25T00:00:00Z", 11, JULIAN, "1917-11-07"),
            ("+1917-10-00T00:00:00Z", 10, JULIAN, "1917-10-14/1917-11-13"),
            ("+1700-00-00T00:00:00Z", 9, JULIAN, "1700-01-11/1701-01-11"),
            # Before year 1: Wikidata counts BCE years traditionally, EDTF astronomically.
            ("-0044-03-15T00:00:00Z", 11, GREGORIAN, "-0043-03-15"),
            ("-0044-03-15T00:00:00Z", 11, JULIAN, "-0043-03-13"),
            ("-0500-00-00T00:00:00Z", 7, GREGORIAN, "-04XX"),
            ("+1500-00-00T00:00:00Z", 6, GREGORIAN, "1001/2000"),
        ],
    )
    def test_golden(self, time: str, precision: int, calendar: str, expected: str) -> None:
        date, note = time_date({"time": time, "precision": precision, "calendarmodel": calendar})
        assert str(date) == expected
        assert (note is None) == (precision >= 9 and calendar == GREGORIAN)

    @pytest.mark.parametrize(
        ("time", "precision", "message"),
        [
            ("+0000-00-00T00:00:00Z", 9, "year 0 names no year"),
            ("+2016-00-00T00:00:00Z", 5, "coarser than a millennium"),
            ("+2016-00-00T00:00:00Z", 11, "no month"),
            ("+2016-02-30T00:00:00Z", 11, "day 30 is not in 2016-02"),
            ("2016", 9, "not a Wikibase time"),
        ],
    )
    def test_unusable(self, time: str, precision: int, message: str) -> None:
        with pytest.raises(UnusableDate, match=message):
            time_date({"time": time, "precision": precision, "calendarmodel": GREGORIAN})

    @given(gen.wikibase_times())
    def test_every_time_covers_the_days_it_names(self, value: dict[str, Any]) -> None:
        date, _ = time_date(value)
        year, month, day = (int(x) for x in value["time"][1:11].split("-"))
        precision = value["precision"]
        if precision <= 8:
            size = {8: 10, 7: 100, 6: 1000}[precision]
            # A decade holds its year, a century or millennium too (named ordinally: 1901-2000 is
            # the 20th), and nothing more: exactly its years, from 1 January to 31 December.
            assert date.earliest.year <= year <= date.latest.year
            assert date.latest.year - date.earliest.year + 1 == size - (precision == 8 and year < 10)
            assert (date.earliest.month, date.earliest.day, date.latest.month, date.latest.day) == (
                1,
                1,
                12,
                31,
            )
            unit = {8: "decade", 7: "century", 6: "millennium"}[precision]
            assert date.precision == (unit if "X" in str(date) else "range")
            return
        first_month, last_month = (month, month) if month else (1, 12)
        if value["calendarmodel"] == JULIAN:
            last_day = day or gen._julian_length(year, last_month)
            low, high = (
                reference_julian(year, first_month, day or 1),
                reference_julian(year, last_month, last_day),
            )
        else:
            low = dt.date(year, first_month, day or 1)
            after = dt.date(year + last_month // 12, last_month % 12 + 1, 1) - dt.timedelta(days=1)
            high = dt.date(year, last_month, day) if day else after
            assert str(date) == value["time"][1 : {11: 11, 10: 8, 9: 5}[precision]]
        assert (date.earliest, date.latest) == (low, high)

    @given(st.integers(1, 9000), st.integers(1, 12), st.integers(1, 31))
    def test_julian_days_agree_with_a_day_count(self, year: int, month: int, day: int) -> None:
        if day > gen._julian_length(year, month):
            with pytest.raises(UnusableDate, match="no such Julian day"):
                julian_to_gregorian(year, month, day)
        elif (year, month, day) < (1, 1, 3):
            with pytest.raises(UnusableDate, match="outside years 1-9999"):
                julian_to_gregorian(year, month, day)
        else:
            assert julian_to_gregorian(year, month, day) == reference_julian(year, month, day)


# Generated items -------------------------------------------------------------------------------------


def import_items(*items: dict[str, Any], tmp: Path) -> EventLog:
    log = EventLog.open(":memory:")
    for n, item in enumerate(items):
        path = tmp / f"r{n}-{item['lastrevid']}.json"
        path.write_text(json.dumps(item), encoding="utf-8")
        with contextlib.suppress(NothingImported):
            import_wikidata(log, [path])
    return log


def standing(log: EventLog, known: str | None = None) -> set[tuple[str, ...]]:
    """The claims standing on ``known``: kind, person, post, date, statement."""
    events = [r.event for r in log.read()]
    day = None if known is None else dt.date.fromisoformat(known)
    return {
        (
            e.type,
            getattr(e, "person", ""),
            getattr(e, "post", ""),
            str(e.occurred),
            e.sources[0].locator or "",
        )
        for e in visible(events, known_at=day)
    }


def undated(statement: dict[str, Any]) -> bool:
    """A statement whose start chronos bounds by the revision (no usable date, no end)."""
    qualifiers = statement.get("qualifiers", {})
    starts = [q for q in qualifiers.get("P580", []) if q["snaktype"] == "value"]
    return statement["rank"] != "deprecated" and not starts and not {"P582", "P1534"} & set(qualifiers)


class TestGeneratedItems:
    """Generated items: each statement is read or left out with a reason; revisions apply as corrections."""

    @given(revisions=gen.wikidata_revisions())
    def test_a_revision_after_another_stands_as_if_imported_alone(
        self, revisions: tuple[dict[str, Any], dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        older, newer = revisions
        tmp = tmp_path_factory.mktemp("wd")
        both = import_items(older, newer, tmp=tmp)
        # Undated in both revisions: the start keeps the older (tighter, still true) bound.
        kept = {s["id"] for s in older["claims"]["P39"] if undated(s)}
        kept &= {s["id"] for s in newer["claims"]["P39"] if undated(s)}
        alone = {
            (kind, person, post, "../2021-03-01" if key in kept and kind == "Appointed" else day, key)
            for kind, person, post, day, key in standing(import_items(newer, tmp=tmp))
        }
        assert standing(both) == alone
        assert standing(both, "2022-01-01") == standing(import_items(older, tmp=tmp))
        persons = [e for e in both.catalogue.values() if e.kind == "person"]
        assert len(persons) <= 1

    @given(statements=st.lists(gen.wikidata_statements("Q1$x"), min_size=1, max_size=4))
    def test_deprecated_statements_are_withdrawn_claims(
        self, statements: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        statements = [{**copy.deepcopy(s), "id": f"Q1$x{n}"} for n, s in enumerate(statements)]
        item = gen.wikidata_item("Q1", statements, modified="2021-03-01", revision=1)
        log = import_items(item, tmp=tmp_path_factory.mktemp("wd"))
        events = [r.event for r in log.read()]
        withdrawn = {e.sources[0].locator for e in events if isinstance(e, Retracted)}
        deprecated = {s["id"] for s in statements if s["rank"] == "deprecated"}
        assert withdrawn == deprecated
        cited = {key for *_, key in standing(log)}
        assert cited == {s["id"] for s in statements} - deprecated


class TestSharedFixtures:
    """Tests needing the shared fixtures skip without them, and fail instead under CI."""

    def test_skip_or_fail(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("CI", raising=False)
        with pytest.raises(pytest.skip.Exception, match="missing"):
            need(tmp_path / "absent")
        monkeypatch.setenv("CI", "1")
        with pytest.raises(pytest.fail.Exception, match="missing"):
            need(tmp_path / "absent")
        assert need(tmp_path) == tmp_path


def statement(key: str, position: str, **qualifiers: list[Any]) -> dict[str, Any]:
    """A P39 statement with qualifiers given as plain values (times as dicts, items as ids)."""
    snaks = {prop: [gen._snak(prop, v) for v in values] for prop, values in qualifiers.items()}
    return {"mainsnak": gen._snak("P39", position), "id": key, "rank": "normal", "qualifiers": snaks}


def day(text: str) -> dict[str, Any]:
    return {"time": f"+{text}T00:00:00Z", "precision": 11, "calendarmodel": GREGORIAN}


class TestEnds:
    """How a statement's end is read: its cause, an unknown end time, an end cause without a time."""

    def test_causes_and_unknown_ends(self, tmp_path: Path) -> None:
        item = gen.wikidata_item(
            "Q1",
            [
                statement(
                    "Q1$a", "Q11", P580=[day("2001-01-01")], P582=[day("2002-02-02")], P1534=["Q796919"]
                ),
                statement("Q1$b", "Q12", P580=[day("2003-01-01")], P582=["somevalue"]),
                statement("Q1$c", "Q13", P580=[day("2004-01-01")], P1534=["Q99"]),
                statement("Q1$d", "Q14", P580=[day("2005-01-01")], P582=[day("2006-06-06")], P1534=["Q4"]),
            ],
            modified="2020-05-05",
            revision=7,
        )
        cause = {"id": "Q99", "labels": {"en": {"language": "en", "value": "removal from office"}}}
        path = tmp_path / "items.json"
        path.write_text(json.dumps({"entities": {"Q1": item, "Q99": cause}}), encoding="utf-8")
        log = EventLog.open(":memory:")
        import_wikidata(log, [path])
        chronology = Chronology.from_log(log)
        ends = {position_of(chronology, t.post): (str(t.end.date), t.end.cause) for t in chronology.tenures()}
        assert ends == {
            "Q11": ("2002-02-02", "resigned"),
            "Q12": ("2003-01-01/2020-05-05", "left"),
            "Q13": ("2004-01-01/2020-05-05", "dismissed"),
            "Q14": ("2006-06-06", "died"),
        }
        assert str(chronology.history("q1").death.date) == "2006-06-06"  # type: ignore[union-attr]

    def test_bce_dates_are_astronomical_and_gregorian(self, tmp_path: Path) -> None:
        # The Ides of March, 44 BCE (Julian): Wikidata writes -0044, EDTF -0043, Gregorian the 13th.
        bce = {"time": "-0044-03-15T00:00:00Z", "precision": 11, "calendarmodel": JULIAN}
        item = gen.wikidata_item(
            "Q1", [statement("Q1$a", "Q11", P580=[bce])], modified="2020-05-05", revision=7
        )
        path = tmp_path / "item.json"
        path.write_text(json.dumps(item), encoding="utf-8")
        log = EventLog.open(":memory:")
        import_wikidata(log, [path])
        [tenure] = Chronology.from_log(log).tenures()
        assert str(tenure.start.date) == "-0043-03-13"
        assert "Julian calendar" in (tenure.start.chosen[0].event.note or "")

    def test_unusable_dates_are_counted(self, tmp_path: Path) -> None:
        coarse = {"time": "+2016-00-00T00:00:00Z", "precision": 5, "calendarmodel": GREGORIAN}
        item = gen.wikidata_item(
            "Q1",
            [
                statement("Q1$a", "Q11", P580=[coarse]),
                statement("Q1$b", "Q12", P580=[day("2001-01-01"), coarse]),
            ],
            modified="2020-05-05",
            revision=7,
        )
        path = tmp_path / "item.json"
        path.write_text(json.dumps(item), encoding="utf-8")
        report = import_wikidata(EventLog.open(":memory:"), [path])
        assert (report.read, report.records) == (2, 1)
        assert sorted((d.kind, d.where.rsplit(" ", 1)[-1]) for d in report.dropped) == [
            ("claim", "Q1$a"),
            ("claim", "Q1$b"),
            ("record", "Q1$a"),
        ]
        assert "1 of 2 records skipped: no usable date (1)" in report.summary
        assert (
            "2 dates left out: start time (P580) not usable: +2016-00-00T00:00:00Z: precision 5 "
            "(coarser than a millennium, or not a precision) (2)" in (report.summary)
        )
