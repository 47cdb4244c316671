import json
from typing import Any

import attrs
import pytest
from hypothesis import given

from chronos import (
    EVENT_TYPES,
    Appointed,
    Codec,
    DateError,
    Event,
    RecordError,
    UnknownEventType,
    register_event,
)
from tests.strategies import COVERED, any_events, event_dicts


def appointed() -> Appointed:
    return Appointed(
        person="ann-abel",
        post="org/chair",
        occurred="2016",
        known="2022-01-08",
        sources=[{"source": "003.txt", "quote": "KNB chief in 2016"}],
    )


class TestRoundTrip:
    """Every event type survives dict and JSON encoding unchanged, id included."""

    def test_strategies_cover_every_type(self) -> None:
        assert set(COVERED) == set(EVENT_TYPES.values())

    @given(any_events)
    def test_dict(self, event: Event) -> None:
        codec = Codec()
        back = codec.from_dict(codec.to_dict(event))
        assert back == event
        assert back.id == event.id

    @given(any_events)
    def test_json(self, event: Event) -> None:
        codec = Codec()
        text = codec.dumps(event)
        assert codec.loads(text) == event
        assert json.loads(text)["type"] == type(event).__name__

    def test_shape(self) -> None:
        assert Codec().to_dict(appointed()) == {
            "type": "Appointed",
            "occurred": "2016",
            "known": "2022-01-08",
            "sources": [{"source": "003.txt", "quote": "KNB chief in 2016"}],
            "person": "ann-abel",
            "post": "org/chair",
        }


class TestErrors:
    """Bad input is refused with a message naming the value."""

    def good(self) -> dict[str, Any]:
        return Codec().to_dict(appointed())

    def test_unknown_type_suggests(self) -> None:
        with pytest.raises(UnknownEventType, match=r"'Apointed'.*did you mean 'Appointed'"):
            Codec().from_dict({**self.good(), "type": "Apointed"})

    def test_missing_field(self) -> None:
        data = self.good()
        del data["person"]
        with pytest.raises(RecordError, match="missing field 'person'"):
            Codec().from_dict(data)

    def test_unexpected_field_suggests(self) -> None:
        with pytest.raises(RecordError, match=r"unexpected field 'persn'.*'person'"):
            Codec().from_dict({**self.good(), "persn": "x"})

    def test_bad_date(self) -> None:
        with pytest.raises(DateError, match="'2016-13'"):
            Codec().from_dict({**self.good(), "occurred": "2016-13"})

    def test_no_sources(self) -> None:
        with pytest.raises(RecordError, match="sources"):
            Codec().from_dict({**self.good(), "sources": []})

    def test_malformed_json(self) -> None:
        with pytest.raises(RecordError, match="malformed JSON"):
            Codec().loads("{nope")

    def test_not_an_object(self) -> None:
        with pytest.raises(RecordError, match="JSON object"):
            Codec().from_dict([1, 2])


class TestVersions:
    """Records from an older schema version are upgraded on read."""

    def test_upcaster_runs(self) -> None:
        def upcast_v0_v1(data: dict[str, Any]) -> dict[str, Any]:
            data = dict(data)
            data["sources"] = [{"source": s, "quote": q} for s, q in data.pop("cites")]
            return data

        codec = Codec(upcasters={0: upcast_v0_v1})
        old = {k: v for k, v in Codec().to_dict(appointed()).items() if k != "sources"}
        old["cites"] = [["003.txt", "KNB chief in 2016"]]
        assert codec.from_dict(old, version=0) == appointed()

    def test_missing_upcaster(self) -> None:
        with pytest.raises(RecordError, match="no upcaster from schema version 0"):
            Codec().from_dict(Codec().to_dict(appointed()), version=0)

    def test_future_version(self) -> None:
        with pytest.raises(RecordError, match="unsupported schema version 9"):
            Codec().from_dict(Codec().to_dict(appointed()), version=9)


class TestUserEvents:
    """A user's own event kind, registered, goes through the codec."""

    def test_register(self) -> None:
        @attrs.frozen(kw_only=True)
        class Decorated(Event):
            person: str
            order: str

        register_event(Decorated)
        try:
            event = Decorated(
                person="x",
                order="Order of Merit",
                occurred="2020",
                known="2020",
                sources=[{"source": "s", "quote": "q"}],
            )
            codec = Codec()
            assert codec.from_dict(codec.to_dict(event)) == event
        finally:
            del EVENT_TYPES["Decorated"]

    def test_register_rejects_non_events(self) -> None:
        with pytest.raises(TypeError):
            register_event(int)  # type: ignore[arg-type]


class TestFreshProcess:
    """Decoding works in a process where nothing resolved the annotations before (regression)."""

    def test_optional_fields_in_a_fresh_interpreter(self) -> None:
        import subprocess
        import sys

        code = (
            "from chronos import Codec\n"
            "d = {'type': 'Arrested', 'person': 'p', 'occurred': '2022', 'known': '2022', 'note': 'n',"
            " 'sources': [{'source': 's', 'quote': 'q', 'locator': 'line 1'}]}\n"
            "assert Codec().from_dict(d).sources[0].locator == 'line 1'\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)


class TestCanonicalForm:
    """The codec form of a built-in event is exactly the content its id derives from."""

    @given(any_events)
    def test_codec_form_is_the_canonical_content(self, event: Event) -> None:
        from chronos.events import canonical, content_id
        from chronos.stores.records import canonical_json

        assert canonical(event) == Codec().to_dict(event)
        assert content_id(canonical_json(Codec().to_dict(event))) == event.id


def decode_with_cattrs(codec: Codec, data: dict[str, Any]) -> Event:
    """What `Codec.from_dict` did before it had a fast path: cattrs, always."""
    event: Event = codec.converter.structure(dict(data), Event)
    return event


def full_dicts() -> list[dict[str, Any]]:
    """The codec form of one event of each kind the fast path builds, every optional field set."""
    common: dict[str, Any] = {
        "occurred": "2016-05",
        "known": "2016-05-03/2016-06",
        "sources": [{"source": "a.txt", "quote": "said so", "locator": "p. 3"}],
        "note": "a note",
    }
    fields: dict[str, dict[str, Any]] = {
        "Appointed": {"person": "ann-abel", "post": "org/chair"},
        "Dismissed": {"person": "ann-abel", "post": "org/chair"},
        "Resigned": {"person": "ann-abel", "post": "org/chair"},
        "Left": {"person": "ann-abel", "post": "org/chair"},
        "Moved": {"person": "ann-abel", "from_post": "org/chair", "to_post": "org/deputy"},
        "Arrested": {"person": "ann-abel", "vacates": True},
        "Released": {"person": "ann-abel"},
        "Charged": {"person": "ann-abel", "charge": "treason"},
        "Born": {"person": "ann-abel"},
        "Died": {"person": "ann-abel"},
        "Founded": {"org": "org"},
        "Dissolved": {"org": "org"},
        "Renamed": {"entity": "org", "name": "New", "former": "Old"},
        "Retracted": {"target": "f" * 24, "reason": "wrong"},
    }
    out = [{"type": kind, **common, **more} for kind, more in fields.items()]
    for data in out:
        assert Codec()._fast.decode(data) is not None
    return out


def outcome(decode: Any, data: dict[str, Any]) -> tuple[str, str, str]:
    """The decoded event or the error, in a comparable form."""
    try:
        event = decode(data)
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("event", type(event).__name__, repr(event) + event.id)


class TestFastPath:
    """The fast path of decoding gives exactly what cattrs gives, or leaves the event to cattrs."""

    @given(any_events)
    def test_same_events(self, event: Event) -> None:
        codec = Codec()
        data = codec.to_dict(event)
        fast = codec._fast.decode(data)
        # Rare kinds with nested events, entries, an optional date or a check across fields
        # are left to cattrs.
        if type(event).__name__ not in ("Corrected", "RosterReported", "DeclaredComplete"):
            assert fast is not None
        if fast is not None:
            slow = decode_with_cattrs(codec, data)
            assert type(fast) is type(slow)
            assert fast == slow == event
            assert repr(fast) == repr(slow)
            assert fast.id == slow.id == event.id

    @given(event_dicts())
    def test_same_outcome_on_damaged_input(self, data: dict[str, Any]) -> None:
        codec = Codec()
        assert outcome(codec.from_dict, data) == outcome(lambda d: decode_with_cattrs(Codec(), d), data)

    def test_same_outcome_on_every_single_damage(self) -> None:
        """Each field of each kind dropped, or set to each odd value; each citation key too."""
        odd: list[Any] = ["", " ", "\t", "2016-13", "1992/1993", "x", None, True, 1, 2.5, [], [{}], {}]
        for data in full_dicts():
            cases = [{k: v for k, v in data.items() if k != key} for key in data]
            cases += [{**data, key: value} for key in [*data, "persn"] for value in odd]
            with_locator = data["sources"][0]
            without = {k: v for k, v in with_locator.items() if k != "locator"}
            for source in (with_locator, without):
                for key in ("source", "quote", "locator", "page"):
                    cases.append({**data, "sources": [{k: v for k, v in source.items() if k != key}]})
                    cases += [{**data, "sources": [source, {**source, key: value}]} for value in odd]
            for case in cases:
                expected = outcome(lambda d: decode_with_cattrs(Codec(), d), case)
                assert outcome(Codec().from_dict, case) == expected, case

    def test_shares_equal_values(self) -> None:
        codec = Codec()
        first = codec.from_dict(Codec().to_dict(appointed()))
        second = codec.from_dict({**Codec().to_dict(appointed()), "person": "ben-berg"})
        assert first.occurred is second.occurred
        assert first.sources is second.sources

    def test_user_kinds_and_other_versions_go_through_cattrs(self) -> None:
        codec = Codec(upcasters={0: lambda data: data})
        assert codec.from_dict(Codec().to_dict(appointed()), version=0) == appointed()
        assert codec._fast.decode({"type": "Nonesuch"}) is None
        assert codec._fast.decode({"type": 3}) is None

    def test_a_registry_without_the_kind(self) -> None:
        codec = Codec(types={})
        with pytest.raises(UnknownEventType):
            codec.from_dict(Codec().to_dict(appointed()))
