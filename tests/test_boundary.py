"""Validation at the boundary: whatever `append` accepts, opening the log reads back, field for field.

Events are built with every kind of value a caller may hand a field (wrong
types, bytes, floats, blank or huge texts, lone surrogates, subclasses of str,
datetimes, non-ASCII digits) and from JSON with every kind of damage. Whatever
is refused is refused with a `ChronosError` (one line, never a `TypeError` from
deep inside); whatever is accepted is appended, and a fresh `EventLog.open` of
the directory reads back the very same events and verifies.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import (
    EVENT_TYPES,
    Appointed,
    Arrested,
    ChronosError,
    Codec,
    Event,
    EventLog,
    FuzzyDate,
    InvalidEvent,
    RecordError,
    Source,
    parse_date,
)
from chronos._event_fields import MAX_TEXT
from chronos.codec import MAX_EVENT_BYTES
from tests.strategies import COVERED, any_events, event_attempts, event_dicts, fuzzy_dates, small_catalogue

SRC = [Source(source="x.txt", quote="q")]


def _round_trip(events: list[Event]) -> None:
    """Append ``events`` to a new directory log; a fresh open must read exactly what was accepted."""
    with tempfile.TemporaryDirectory() as scratch:
        log = EventLog.open(scratch, catalogue=small_catalogue(), create=True)
        log.store.write_catalogue(small_catalogue().to_toml())
        try:
            result = log.append(events, expected_position=0)
        except ChronosError:
            return  # refused whole: nothing was written
        again = EventLog.open(scratch)
        read = again.events()
        accepted = [e for e in events if e.id in set(result.appended)]
        assert read == list({e.id: e for e in accepted}.values())
        assert [e.id for e in read] == list(result.appended)
        assert again.verify().count == len(read)


# Hypothesis warns when an example's repr is large (lists of events with nested corrections and
# every date's fields spelled out can pass 32 kB); that is about reporting, not about the test.
@pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")
class TestEveryTypeRoundTrips:
    """Every event type, with hostile fields: refused with a ChronosError, or read back unchanged."""

    def test_every_type_is_generated(self) -> None:
        assert {cls.__name__ for cls in COVERED} | {"Corrected"} == set(EVENT_TYPES)

    @given(event_attempts())
    def test_built_from_python(self, attempt: tuple[type[Event], dict[str, Any]]) -> None:
        cls, fields = attempt
        try:
            event = cls(**fields)
        except ChronosError:
            return
        _round_trip([event])

    @given(st.lists(any_events, min_size=1, max_size=4))
    def test_valid_events(self, events: list[Event]) -> None:
        _round_trip(events)

    @given(event_dicts())
    def test_built_from_json(self, data: dict[str, Any]) -> None:
        try:
            event = Codec().loads(json.dumps(data))
        except ChronosError:
            return
        _round_trip([event])


class TestExactTypes:
    """Reproduction 1 and 10 of issue #13: the API and JSON both refuse what the log could not read back."""

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("occurred", None, "occurred: not a date: None"),
            ("occurred", b"2016", "occurred: not a date: b'2016'"),
            ("occurred", 2016.0, "occurred: not a date: 2016.0"),
            ("occurred", ["2016"], r"occurred: not a date: \['2016'\]"),
            ("known", 2016, "known: not a date: 2016"),
            ("person", None, "person must be a non-empty string, not None"),
            ("person", 7, "person must be a non-empty string, not 7"),
            ("note", 5, "note must be a string or None, not 5"),
            ("note", "a\ud800b", "note: 'a\\\\ud800b' holds a lone surrogate"),
        ],
    )
    def test_api_refuses(self, field: str, value: object, message: str) -> None:
        fields: dict[str, Any] = {
            "person": "ann-abel",
            "post": "org/chair",
            "occurred": "2016",
            "known": "2022",
            "sources": SRC,
        }
        fields[field] = value
        with pytest.raises(InvalidEvent, match=message):
            Appointed(**fields)

    def test_a_datetime_is_not_a_date(self) -> None:
        import datetime as dt

        with pytest.raises(InvalidEvent, match="occurred: not a date"):
            Appointed(person="a", post="b", occurred=dt.datetime(2016, 1, 1, 12), known="2022", sources=SRC)

    def test_source_fields(self) -> None:
        with pytest.raises(InvalidEvent, match="locator must be a string or None, not 5"):
            Source(source="a", quote="b", locator=5)  # type: ignore[arg-type]
        with pytest.raises(InvalidEvent, match="sources must be a list of Source"):
            Appointed(person="a", post="b", occurred="2016", known="2022", sources="x.txt")
        with pytest.raises(InvalidEvent, match="sources: not a Source: 'x'"):
            Appointed(person="a", post="b", occurred="2016", known="2022", sources=["x"])
        with pytest.raises(InvalidEvent, match=r"sources: .*unexpected keyword argument 'page'"):
            Appointed(
                person="a",
                post="b",
                occurred="2016",
                known="2022",
                sources=[{"source": "a", "quote": "b", "page": 1}],
            )

    def test_strict_booleans(self) -> None:
        with pytest.raises(InvalidEvent, match="vacates must be true or false, not 'no'"):
            Arrested(person="a", vacates="no", occurred="2016", known="2022", sources=SRC)  # type: ignore[arg-type]
        line = json.dumps(
            {"type": "Arrested", "person": "a", "vacates": "no", "occurred": "2016", "known": "2022",
             "sources": [{"source": "a", "quote": "b"}]}
        )  # fmt: skip
        with pytest.raises(RecordError, match="Arrested: vacates: expected true or false, not 'no'"):
            Codec().loads(line)

    def test_duplicate_keys(self) -> None:
        line = (
            '{"type":"Appointed","person":"ann-abel","person":"ben-berg","post":"org/chair",'
            '"occurred":"2016","known":"2022","sources":[{"source":"a","quote":"b"}]}'
        )
        with pytest.raises(RecordError, match="the key 'person' appears twice in one object"):
            Codec().loads(line)


class TestLimits:
    """Bounded field sizes and nesting, each refused in one line that does not echo the value."""

    def test_a_huge_text(self) -> None:
        with pytest.raises(
            InvalidEvent, match=f"note: 100,001 characters, more than the {MAX_TEXT:,}"
        ) as info:
            Appointed(person="a", post="b", occurred="2016", known="2022", sources=SRC, note="x" * 100_001)
        assert len(str(info.value)) < 200

    def test_a_huge_line(self) -> None:
        with pytest.raises(RecordError, match=f"more than the {MAX_EVENT_BYTES:,}"):
            Codec().loads(" " * (MAX_EVENT_BYTES + 1))

    def test_a_huge_event(self) -> None:
        log = EventLog.open(":memory:", catalogue=small_catalogue())
        sources = [Source(source="x", quote="q" * 90_000 + str(n)) for n in range(12)]
        event = Appointed(person="ann-abel", post="org/chair", occurred="2016", known="2022", sources=sources)
        with pytest.raises(InvalidEvent, match=r"event #1 \(Appointed\): .* bytes as JSON, more than"):
            log.append([event], expected_position=0)
        assert log.position == 0

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
            ('{"a": ' + "1" * 5000 + "}", "a number of 5,000 digits"),
            ('{"a": NaN}', "NaN is not a JSON number"),
            ('{"a": "\\ud800"}', "lone surrogate"),
        ],
    )
    def test_json_that_breaks_parsers(self, text: str, message: str) -> None:
        with pytest.raises(RecordError, match=message):
            Codec().loads(text)

    def test_error_lines_do_not_echo_huge_values(self) -> None:
        with pytest.raises(InvalidEvent) as info:
            Appointed(person=["x" * 1_000_000], post="b", occurred="2016", known="2022", sources=SRC)  # type: ignore[arg-type]
        assert len(str(info.value)) < 300


def test_the_limits_are_what_the_readme_says() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"{MAX_TEXT:,} characters" in readme
    assert "1 MiB" in readme


class TestDatesReadBack:
    """Every date the strategies build is the one its own text reads back as (events depend on it)."""

    @given(fuzzy_dates())
    def test_text_reads_back(self, date: FuzzyDate) -> None:
        assert parse_date(date.text) == date
