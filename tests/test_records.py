from __future__ import annotations

import enum
import hashlib
import json
import uuid
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from chronos import Codec, Event
from chronos.stores.records import (
    GENESIS,
    Chain,
    Head,
    Record,
    _plain,
    canonical_json,
    event_json,
    record_hash,
    record_hash_of_text,
)
from tests.strategies import TRICKY_CHARACTERS, any_events, any_json, histories, plain_json


def stdlib_forms(value: Any) -> tuple[bytes, bytes] | type[BaseException]:
    """What the standard library makes of a value: (canonical, compact) UTF-8, or the error's type."""
    try:
        return (
            canonical_json(value).encode(),
            json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(),
        )
    except Exception as exc:
        return type(exc)


def our_forms(value: Any) -> tuple[bytes, bytes] | type[BaseException]:
    try:
        return event_json(value)
    except Exception as exc:
        return type(exc)


def nested(depth: int) -> list[Any]:
    value: list[Any] = ["\u2028"]
    for _ in range(depth):
        value = [value]
    return value


class Colour(enum.Enum):
    RED = 1


class TestEventJson:
    """orjson is used only where it writes exactly the standard library's bytes."""

    @given(plain_json)
    @example("\u2028\u2029\x7f\x00\x1f\ufeff")
    @example({"b": 1, "a": 2, "\ue000": 3, "\U0001f600": 4, "\uffff": 5})
    @example([2**63 - 1, 2**63, 2**64 - 1, -(2**63)])
    def test_orjson_writes_the_stdlib_bytes_for_plain_values(self, value: Any) -> None:
        # The proof obligation of `_plain`: for these values orjson either gives up or agrees.
        assert _plain(value)
        expected = stdlib_forms(value)
        try:
            made = (orjson.dumps(value, option=orjson.OPT_SORT_KEYS), orjson.dumps(value))
        except orjson.JSONEncodeError:
            return  # surrogates, integers beyond 64 bits: the standard library decides
        assert made == expected

    @given(any_json)
    @example(1.0e16)
    @example({"x": float("nan")})
    @example([uuid.UUID(int=1)])
    @example({1: "a", "2": "b"})
    @example({"surrogate": "\ud800"})
    @example([2**64, -(2**63) - 1])
    @example(Colour.RED)
    @example({"t": (1, "\x00")})
    def test_same_bytes_or_same_error_as_the_stdlib(self, value: Any) -> None:
        assert our_forms(value) == stdlib_forms(value)

    @pytest.mark.parametrize("depth", [150, 200, 201, 254, 255, 300])
    def test_deep_values(self, depth: int) -> None:
        assert our_forms(nested(depth)) == stdlib_forms(nested(depth))

    def test_odd_types_are_not_plain(self) -> None:
        class Tag(str):
            pass

        for odd in (1.5, uuid.UUID(int=1), Colour.RED, Tag("x"), {Tag("k"): 1}, {1: 2}, b"x", {"a": {1.0}}):
            assert not _plain(odd)
            assert not _plain({"nested": [odd]})

    @given(any_events)
    def test_events_take_the_fast_path(self, event: Event) -> None:
        data = Codec().to_dict(event)
        assert _plain(data)
        assert event_json(data) == stdlib_forms(data)

    @given(st.text(st.sampled_from(TRICKY_CHARACTERS.replace("\ud800", "")), min_size=1))
    def test_tricky_text_in_an_event(self, quote: str) -> None:
        data = {"type": "Died", "sources": [{"source": "s", "quote": quote}], "person": "p"}
        assert _plain(data)
        assert event_json(data) == stdlib_forms(data)


class TestChain:
    """Records put together from pieces equal records encoded whole."""

    @given(histories(max_steps=8))
    def test_hashes_and_lines(self, history: Any) -> None:
        codec = Codec()
        chain = Chain(Head(), 1, lines=True)
        prev = GENESIS
        for seq, event in enumerate(history.events, start=1):
            data = codec.to_dict(event)
            canonical, compact = event_json(data)
            record = chain.link(event.id, data, canonical, compact)
            assert (record.seq, record.v, record.id, record.prev) == (seq, 1, event.id, prev)
            assert record.event is data
            assert record.hash == record_hash(seq, 1, event.id, data, prev)
            assert record.to_line() == (record.to_json() + "\n").encode()
            prev = record.hash

    @given(st.lists(st.tuples(st.text(), plain_json), min_size=1, max_size=4), st.text())
    def test_any_ids_and_head(self, items: list[tuple[str, Any]], head_hash: str) -> None:
        # Ids and hashes that need escaping take the standard library's path.
        chain = Chain(Head(7, head_hash), 3, lines=True)
        prev = head_hash
        seq = 7
        for event_id, value in items:
            data = {"value": value}
            forms = our_forms(data)
            if not isinstance(forms, tuple):
                continue  # not encodable (a surrogate): the log raises before linking
            seq += 1
            record = chain.link(event_id, data, *forms)
            assert record.hash == record_hash(seq, 3, event_id, data, prev)
            assert record.to_line() == (record.to_json() + "\n").encode()
            prev = record.hash

    def test_a_version_that_is_not_an_int(self) -> None:
        # Not what a codec gives, but hashed as before: by the text path.
        data = {"type": "Died", "person": "p"}
        record = Chain(Head(), True).link("ab", data, *event_json(data))
        assert record.hash == record_hash_of_text(1, True, "ab", canonical_json(data), GENESIS)

    def test_lines_only_when_asked(self) -> None:
        data = {"type": "Died", "person": "p"}
        record = Chain(Head(), 1).link("ab", data, *event_json(data))
        assert record._line is None
        assert record.to_line() == (record.to_json() + "\n").encode()

    def test_evolve_drops_the_line(self) -> None:
        data = {"type": "Died", "person": "p"}
        record = Chain(Head(), 1, lines=True).link("ab", data, *event_json(data))
        edited = attrs.evolve(record, event={"type": "Died", "person": "q"})
        assert b'"q"' in edited.to_line()
        assert edited.to_line() == (edited.to_json() + "\n").encode()
        assert edited == attrs.evolve(record, event={"type": "Died", "person": "q"})

    def test_the_line_is_not_part_of_equality(self) -> None:
        data = {"type": "Died", "person": "p"}
        made = Chain(Head(), 1, lines=True).link("ab", data, *event_json(data))
        plain = Record(made.seq, made.v, made.id, made.event, made.prev, made.hash)
        assert made == plain
        assert hash(made) == hash(plain)
        assert "_line" not in repr(made)

    def test_hash_is_sha256_of_the_record(self) -> None:
        data = {"type": "Died", "person": "p"}
        record = Chain(Head(), 1).link("ab", data, *event_json(data))
        whole = canonical_json({"seq": 1, "v": 1, "id": "ab", "event": data, "prev": GENESIS})
        assert record.hash == hashlib.sha256(whole.encode()).hexdigest()
