"""The Kazakhstan dataset exported to every format and imported back with nothing lost."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import (
    Arrested,
    Charged,
    Chronology,
    Corrected,
    EventLog,
    Released,
    Retracted,
    RosterReported,
    Source,
)
from chronos.codec import Codec
from chronos.interop import COLUMNS, FORMATS, export, import_text, tenures_frame
from chronos.interop.ftm import ftm_dates
from chronos.projections import Tenure
from tests import strategies as gen

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def knb() -> Chronology:
    return Chronology.open(ROOT / "events")


def reimport(text: str, fmt: str) -> Chronology:
    log = EventLog.open(":memory:")
    import_text(log, fmt, text, label=f"kz/export.{fmt}", known_at="2022-02-16")
    return Chronology.from_log(log)


def tenure_key(t: Tenure, *, sources: bool = True) -> tuple[Any, ...]:
    key: tuple[Any, ...] = (t.person, t.post, str(t.start.date), str(t.end.date))
    if sources:
        key += (t.start.cause, t.end.cause, frozenset(t.sources))
    return key


def tenures(
    chronology: Chronology, *, known_at: str | None = None, sources: bool = True
) -> set[tuple[Any, ...]]:
    return {tenure_key(t, sources=sources) for t in chronology.tenures(known_at=known_at, policy="cautious")}


class TestRoundTrip:
    """Export, import into an empty log, export again: the same tenures and the same file."""

    @pytest.mark.parametrize("fmt", ["popolo", "ftm", "csv"])
    def test_tenures_causes_and_sources_come_back(self, knb: Chronology, fmt: str) -> None:
        text = export(knb, fmt)
        back = reimport(text, fmt)
        assert tenures(back) == tenures(knb)
        assert export(back, fmt) == text

    def test_membership_lists_keep_who_held_what_when(self, knb: Chronology) -> None:
        # The membership-list format has no sources or causes: the dates and holders come back.
        text = export(knb, "memberships")
        back = reimport(text, "memberships")
        assert tenures(back, sources=False) == tenures(knb, sources=False)
        assert export(back, "memberships") == text

    @pytest.mark.parametrize("fmt", ["popolo", "ftm", "csv"])
    def test_rosters_come_back(self, knb: Chronology, fmt: str) -> None:
        back = reimport(export(knb, fmt), fmt)
        for day in ("2022-01-06", "2022-01-10", "2022-02-16"):
            # Sources' own rosters do not travel, and with them go the vacancies they report:
            # compare the holders, and (where the format keeps the catalogue) the seats.
            mine = [(s.post.id, s.person, s.certainty) for s in knb.roster("nsc", at=day) if s.person]
            theirs = [(s.post.id, s.person, s.certainty) for s in back.roster("nsc", at=day) if s.person]
            assert sorted(theirs, key=str) == sorted(mine, key=str), day
            if fmt != "csv":  # the CSV has no rows for posts nobody held
                seats = [s.post.id for s in knb.roster("nsc", at=day)]
                assert sorted(s.post.id for s in back.roster("nsc", at=day)) == sorted(seats), day

    def test_popolo_keeps_the_whole_catalogue_names_deaths_and_disputes(self, knb: Chronology) -> None:
        back = reimport(export(knb, "popolo"), "popolo")
        assert dict(back.catalogue) == dict(knb.catalogue)  # the entities; the sources registry: below
        for day in ("2018", "2019", "2020"):
            assert back.name("nur-sultan", at=day) == knb.name("nur-sultan", at=day)
        assert back.history("azamat-ibbrayev").death == knb.history("azamat-ibbrayev").death
        assert [t.start.disputed or t.end.disputed for t in back.tenures()] == [
            t.start.disputed or t.end.disputed for t in knb.tenures()
        ]

    def test_popolo_keeps_the_sources_registry(self, knb: Chronology) -> None:
        back = reimport(export(knb, "popolo"), "popolo")
        assert dict(back.catalogue.sources) == dict(knb.catalogue.sources)

    def test_popolo_keeps_what_was_corrected_or_retracted_later(self, knb: Chronology) -> None:
        # 000's unnamed successor (named Sagimbayev from 16 February), Abish's dismissal retracted on
        # 8 January, knowledge dates corrected: the roster as known on each day comes back.
        back = reimport(export(knb, "popolo"), "popolo")
        # Everything but what Popolo has no place for: custody, charges, sources' own rosters.
        carried = Chronology(
            [e for e in knb.events if not isinstance(e, Arrested | Charged | Released | RosterReported)],
            knb.catalogue,
        )
        for day in ("2022-01-05", "2022-01-07", "2022-01-08", "2022-01-09", "2022-01-20", "2022-02-16"):
            for org in ("nsc", "security-council"):
                mine = [(s.post.id, s.person, s.certainty) for s in carried.roster(org, at=day, known_at=day)]
                theirs = [(s.post.id, s.person, s.certainty) for s in back.roster(org, at=day, known_at=day)]
                assert theirs == mine, (org, day)
        withdrawals = {e.id for e in knb.events if isinstance(e, Retracted | Corrected)}
        assert len(withdrawals) == 8
        assert withdrawals <= {e.id for e in back.events}  # the same events, ids and all

    def test_popolo_history_beside_what_other_readers_see(self, knb: Chronology) -> None:
        data = json.loads(export(knb, "popolo"))
        history = {
            item["id"]: [Codec().from_dict(e) for e in item["chronos"]["history"]]
            for section in ("persons", "organizations", "posts")
            for item in data.get(section, [])
            if "history" in item.get("chronos", {})
        }
        # The withdrawn appointment stays with the unnamed bodyguard; its correction with Sagimbayev.
        assert [e.type for e in history["unnamed/chief-bodyguard"]] == ["Appointed"]
        (correction,) = history["ermek-sagimbayev"]
        assert isinstance(correction, Corrected)
        assert correction.target == history["unnamed/chief-bodyguard"][0].id
        # Popolo's own fields say what stands; the claim the correction makes is marked as carried.
        (chair,) = [m for m in data["memberships"] if m["id"] == "nsc/chairman/ermek-sagimbayev"]
        assert chair["start_date"] == "2022-01-06"
        assert [c.get("carried") for c in chair["chronos"]["start"]] == [correction.id, None]
        assert not any(m["person_id"] == "unnamed/chief-bodyguard" for m in data["memberships"])

    def test_importing_an_export_twice_adds_nothing(self, knb: Chronology) -> None:
        for fmt in FORMATS:
            text = export(knb, fmt)
            log = EventLog.open(":memory:")
            import_text(log, fmt, text, label=f"kz/export.{fmt}", known_at="2022-02-16")
            again = import_text(log, fmt, text, label=f"kz/export.{fmt}", known_at="2022-02-16")
            assert (again.appended, again.entities) == (0, 0), fmt


class TestFollowTheMoney:
    """The FtM output is valid under the followthemoney package's own model."""

    def test_every_entity_validates(self, knb: Chronology) -> None:
        from followthemoney import model

        lines = export(knb, "ftm").splitlines()
        schemata: dict[str, int] = {}
        for line in lines:
            data = json.loads(line)
            schema = model.get(data["schema"])
            assert schema is not None
            schemata[schema.name] = schemata.get(schema.name, 0) + 1
            assert set(data["properties"]) <= set(schema.properties), data
            schema.validate(data)
            # Cleaning by FtM changes nothing but runs of spaces: every value is already in FtM's form.
            proxy = model.get_proxy(data, cleaned=False)
            for prop, values in data["properties"].items():
                cleaned = [schema.properties[prop].type.clean(v) for v in values]
                assert cleaned == [" ".join(v.split(" ")).replace("  ", " ") for v in values], (prop, values)
            assert proxy.id == data["id"]
            for prop in schema.required:
                assert data["properties"].get(prop), (data["id"], prop)
        assert schemata == {"Person": 44, "Organization": 35, "Position": 38, "Occupancy": 66}

    def test_occupancies_link_holders_and_positions(self, knb: Chronology) -> None:
        entities = [json.loads(line) for line in export(knb, "ftm").splitlines()]
        ids = {e["id"]: e["schema"] for e in entities}
        for entity in entities:
            if entity["schema"] == "Occupancy":
                props = entity["properties"]
                assert ids[props["holder"][0]] == "Person"
                assert ids[props["post"][0]] == "Position"
                assert props["status"][0] in ("current", "ended", "unknown")
        (chair,) = [
            e["properties"]
            for e in entities
            if e["schema"] == "Occupancy"
            and e["properties"]["holder"] == ["karim-massimov"]
            and e["properties"]["post"] == ["nsc.chairman"]
        ]
        assert (chair["startDate"], chair["endDate"], chair["status"]) == (["2016"], ["2022-01"], ["ended"])

    @pytest.mark.parametrize(
        ("edtf", "values"),
        [
            ("2016", ["2016"]),
            ("2016-05-03", ["2016-05-03"]),
            ("2016?", ["2016"]),
            ("[2022-01-05,2022-01-06]", ["2022-01-05", "2022-01-06"]),
            ("2022-02-01/2022-02-16", ["2022-02"]),
            ("2019-03-19/2019", ["2019"]),
            ("1991/1992", ["1991", "1992"]),
            ("../2022-01-05", []),
        ],
    )
    def test_dates(self, edtf: str, values: list[str]) -> None:
        from chronos import parse_date

        assert ftm_dates(parse_date(edtf)) == values


class TestTenureCsv:
    """The tenure CSV opens cleanly: a header, one row per tenure, EDTF dates with their precision."""

    def test_columns_and_rows(self, knb: Chronology) -> None:
        text = export(knb, "csv")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert tuple(rows[0]) == COLUMNS
        assert len(rows) == len(knb.tenures())
        (chair,) = [r for r in rows if r["person_id"] == "karim-massimov" and r["post_id"] == "nsc/chairman"]
        assert chair["start"] == "2016"
        assert chair["start_precision"] == "year"
        assert (chair["start_earliest"], chair["start_latest"]) == ("2016-01-01", "2016-12-31")
        assert (chair["end"], chair["end_precision"], chair["end_cause"]) == (
            "2022-01-04/2022-01-06",
            "range",
            "dismissed",
        )
        assert chair["org"] == "National Security Committee"
        assert '004_a82dc472c30e5f7b.txt (line 118): "' in chair["end_sources"]
        # Nothing a spreadsheet would take for a formula.
        assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())

    def test_sources_read_back_exactly(self) -> None:
        from chronos.interop._model import format_sources, parse_sources

        sources = (
            Source(source="a b.txt", quote='He said "no" | twice', locator="line 3 (top)"),
            Source(source="x.txt", quote="plain\xa0text"),
        )
        assert parse_sources(format_sources(sources), "here") == sources

    def test_pandas_frame(self, knb: Chronology) -> None:
        frame = tenures_frame(knb)
        assert list(frame.columns) == list(COLUMNS)
        assert len(frame) == len(knb.tenures())
        chair = frame[(frame.person_id == "karim-massimov") & (frame.post_id == "nsc/chairman")].iloc[0]
        assert str(chair.start_earliest.date()) == "2016-01-01"
        assert str(chair.end_latest.date()) == "2022-01-06"
        open_ended = frame[frame.end == ""]
        assert open_ended.end_latest.isna().all()
        early = tenures_frame(knb, known_at="2022-01-07")
        assert len(early) < len(frame)


class TestPopoloHistory:
    """Popolo keeps every retraction and correction: answers as known on any day come back."""

    @given(gen.histories(max_steps=14, disputes=True, fuzzy=True), st.data())
    def test_rosters_as_known_on_any_day(self, history: gen.History, data: st.DataObject) -> None:
        events = list(history.events)
        # Corrections too: a date moved, a knowledge date moved, a correction corrected or retracted.
        for _ in range(data.draw(st.integers(0, 3))):
            aimed = [e for e in events if not isinstance(e, Retracted)]
            if not aimed:
                break
            target = data.draw(st.sampled_from(aimed))
            at = gen.day(data.draw(st.integers(1, history.horizon)))
            later = max(at, target.known, key=lambda d: d.last)
            if data.draw(st.booleans()):
                events.append(Retracted(target=target.id, occurred=later, known=later, sources=gen.ALT))
                continue
            replaced = target.replacement if isinstance(target, Corrected) else target
            replacement = attrs.evolve(replaced, occurred=at, known=at, sources=gen.ALT)
            events.append(
                Corrected(
                    target=target.id, replacement=replacement, occurred=later, known=later, sources=gen.ALT
                )
            )
        # As a log holds them: an event appended twice is there once.
        chronology = Chronology({e.id: e for e in events}.values(), gen.small_catalogue())
        text = export(chronology, "popolo")
        log = EventLog.open(":memory:")
        import_text(log, "popolo", text, label="g/export.json", known_at=str(gen.day(history.horizon)))
        back = Chronology.from_log(log)
        assert {e.id for e in events if isinstance(e, Retracted | Corrected)} <= {e.id for e in back.events}
        for n in range(0, history.horizon + 1, 7):
            when = str(gen.day(n))
            for on in (when, str(gen.day(history.horizon))):
                mine = [
                    (s.post.id, s.person, s.certainty) for s in chronology.roster("org", at=on, known_at=when)
                ]
                theirs = [
                    (s.post.id, s.person, s.certainty) for s in back.roster("org", at=on, known_at=when)
                ]
                assert theirs == mine, (on, when)
        assert export(back, "popolo") == text
