"""The quick way of appending writes exactly what the readable way writes (chronos.log._append)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import Catalogue, Codec, Died, Event, EventLog, JsonlStore, MemoryStore, Publication, Source
from chronos.codec import make_converter
from chronos.errors import ChronosError
from chronos.events import BUILTIN_EVENT_TYPES, EVENT_TYPES, Corrected, register_event
from chronos.stores.records import GENESIS, Chain, Head, Lines, _plain, event_json
from tests.strategies import (
    COVERED,
    any_events,
    appendable_events,
    doctored_events,
    small_catalogue,
)

SOURCE_IDS = ("000_a.txt", "004_b.txt", "report.pdf")

# Hypothesis warns when an example's repr is large (lists of events, a doctored field of 100,001
# characters); that is about reporting, not about the test.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)


class ReadableCodec(Codec):
    """The codec without its quick encoders: every event goes through cattrs and `event_json`."""

    def plain_encoder(self) -> None:
        return None


class ReadableStore(JsonlStore):
    """A JSON Lines store handed `Record`s, each writing its line by `Record.to_json` (json.dumps)."""

    keeps_lines = False


def json_in_order(value: Any) -> str:
    """The value as JSON with its keys in their order: equal texts are equal dicts with equal key orders."""
    return json.dumps(value, ensure_ascii=False)


def outcome(log: EventLog, batch: list[Event]) -> tuple[str, Any]:
    """What appending ``batch`` did: the `AppendResult`, or the error's type and message.

    Any error: an event doctored past its validators may meet one that is
    not chronos' own, and both ways must meet the same.
    """
    try:
        return "appended", log.append(batch, expected_position=log.position)
    except Exception as exc:
        return type(exc).__name__, str(exc)


def files(directory: Path) -> dict[str, bytes]:
    """Every file of a log directory but its lock, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.name != ".lock"}


def catalogue(registered: tuple[str, ...] | None) -> Catalogue:
    """`small_catalogue`, requiring these sources registered (None: not requiring any)."""
    found = small_catalogue()
    if registered is not None:
        found.require_sources = True
        for source in registered:
            found.add(Publication(id=source, title=f"The {source}", date="2020"))
    return found


def batches(events: Sequence[Event], size: int) -> list[list[Event]]:
    return [list(events[start : start + size]) for start in range(0, len(events), size)] or [[]]


class TestPlainDict:
    """`Codec.plain_dict` is cattrs' dict, keys in the same order, of plain JSON values, or None."""

    @given(any_events)
    def test_is_cattrs_dict(self, event: Event) -> None:
        codec = Codec()
        plain = codec.plain_dict(event)
        whole = codec.to_dict(event)
        if plain is not None:
            assert plain == whole
            assert json_in_order(plain) == json_in_order(whole)
            assert _plain(plain)
            assert event_json(plain) == event_json(whole)

    @given(any_events)
    def test_every_builtin_kind_but_corrections_takes_it(self, event: Event) -> None:
        assert (Codec().plain_dict(event) is None) == isinstance(event, Corrected)

    @given(doctored_events())
    def test_events_doctored_past_their_validators(self, event: Event) -> None:
        codec = Codec()
        plain = codec.plain_dict(event)
        if plain is None:
            return
        whole = codec.to_dict(event)
        assert json_in_order(plain) == json_in_order(whole)
        assert _plain(plain)
        assert _plain(whole)

    def test_every_kind_is_generated(self) -> None:
        assert set(COVERED) == BUILTIN_EVENT_TYPES

    def test_a_hook_of_ones_own_turns_it_off(self) -> None:
        codec = Codec()
        event = Died(occurred="2016", known="2016", sources=[Source(source="s", quote="q")], person="p")
        assert codec.plain_dict(event) is not None
        codec.converter.register_unstructure_hook(Source, lambda s: {"cited": s.source})
        assert codec.plain_dict(event) is None
        assert codec.to_dict(event)["sources"] == [{"cited": "s"}]

    @pytest.mark.parametrize(
        "change",
        [
            lambda c: c.register_unstructure_hook_func(lambda t: t is str, str.upper),
            lambda c: c.register_unstructure_hook_factory(lambda t: False, lambda t: str),
            lambda c: setattr(c, "unstructure", lambda obj, unstructure_as=None: {}),
            lambda c: setattr(c, "use_alias", True),
        ],
    )
    def test_any_change_to_the_converter_turns_it_off(self, change: Any) -> None:
        codec = Codec()
        assert codec.plain_encoder() is not None
        change(codec.converter)
        assert codec.plain_encoder() is None

    def test_a_converter_of_ones_own_or_a_to_dict(self) -> None:
        codec = Codec()
        codec.converter = make_converter()
        assert codec.plain_encoder() is not None

        class Lower(Codec):
            def to_dict(self, event: Event) -> dict[str, Any]:
                return {k.lower(): v for k, v in super().to_dict(event).items()}

        assert Lower().plain_encoder() is None

    def test_a_kind_of_ones_own(self) -> None:
        @attrs.frozen(kw_only=True)
        class Promoted(Event):
            person: str
            rank: int = 0

        register_event(Promoted)
        try:
            cited = [Source(source="s", quote="q")]
            event = Promoted(occurred="2016", known="2016", sources=cited, person="eva-ek", rank=2**70)
            assert Codec().plain_dict(event) is None
            with tempfile.TemporaryDirectory() as scratch:
                # Its integer beyond 64 bits, which orjson refuses, is written as before too.
                _, appended = TestSameBytes.check(
                    Path(scratch), [event, attrs.evolve(event, rank=3)], 1, None
                )
            assert len(appended) == 2
        finally:
            del EVENT_TYPES["Promoted"]


class TestSameBytes:
    """A log appended the quick way is the log appended the readable way, byte for byte."""

    @given(
        appendable_events(),
        st.integers(1, 9),
        st.none() | st.lists(st.sampled_from(SOURCE_IDS), unique=True).map(tuple),
    )
    def test_every_kind(self, events: list[Event], size: int, registered: tuple[str, ...] | None) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            quick, appended = self.check(Path(scratch), events, size, registered)
            # What was appended reads back, and verifies, in a new session.
            again = EventLog(JsonlStore(quick), catalogue(registered))
            assert [r.id for r in again.read()] == appended
            again.verify()

    @given(st.lists(doctored_events() | any_events, max_size=8), st.integers(1, 4))
    def test_doctored_events(self, events: list[Event], size: int) -> None:
        # An event changed past its validators may be appended and then not read back (its
        # field is None, say): the quick way leaves it to the readable way, which does as it did.
        with tempfile.TemporaryDirectory() as scratch:
            self.check(Path(scratch), events, size, None)

    def test_repeats_and_a_later_session(self) -> None:
        cited = [Source(source="s", quote="q")]
        died = Died(occurred="2016", known="2016-02", sources=cited, person="eva-ek")
        born = attrs.evolve(died, person="ann-abel", note='née \u2028 "Abel"\n')
        with tempfile.TemporaryDirectory() as scratch:
            events = [died, born, died, attrs.evolve(died, known="2016-03")]
            _, appended = self.check(Path(scratch), events, 2, None)
            assert appended == [died.id, born.id, events[3].id]

    @staticmethod
    def check(
        scratch: Path, events: Sequence[Event], size: int, registered: tuple[str, ...] | None
    ) -> tuple[Path, list[str]]:
        """Append ``events`` both ways in batches of ``size``: the same outcomes, files and reading."""
        quick_dir, readable_dir = scratch / "quick", scratch / "readable"
        quick = EventLog(JsonlStore(quick_dir), catalogue(registered))
        readable = EventLog(ReadableStore(readable_dir), catalogue(registered), codec=ReadableCodec())
        appended: list[str] = []
        for batch in batches(events, size):
            done = outcome(quick, batch)
            assert done == outcome(readable, batch)
            if done[0] == "appended":
                appended += done[1].appended
        assert files(quick_dir) == files(readable_dir)
        assert reading(quick_dir, registered) == reading(readable_dir, registered)
        return quick_dir, appended


def reading(directory: Path, registered: tuple[str, ...] | None) -> tuple[str, Any]:
    """What a new session reads from a log directory: its records' ids and events, or the error."""
    try:
        log = EventLog(JsonlStore(directory), catalogue(registered))
        return "read", [(r.id, r.event) for r in log.read()]
    except Exception as exc:
        return type(exc).__name__, str(exc).replace(str(directory), "LOG")


class TestLines:
    """A batch of lines is the batch of records it stands for."""

    @given(st.lists(any_events, min_size=1, max_size=6))
    def test_lines_are_the_records(self, events: list[Event]) -> None:
        codec = Codec()
        head = Head(3, "ab" * 32)
        linked, lined = Chain(head, 1, lines=True), Chain(head, 1, lines=True)
        records, lines = [], []
        for event in events:
            data = codec.to_dict(event)
            canonical, compact = event_json(data)
            records.append(linked.link(event.id, data, canonical, compact))
            lines.append(lined.line(event.id, data, canonical, compact))
        batch = Lines(lines, 4, lined.head())
        assert [r.to_line() for r in records] == lines
        assert [(r.to_json() + "\n").encode() for r in records] == lines
        assert list(batch) == records
        assert batch[1:] == records[1:]
        assert batch.head == Head(records[-1].seq, records[-1].hash) == linked.head()
        assert batch.payload() == b"".join(lines)

    def test_a_version_that_is_not_an_int(self) -> None:
        data = {"type": "Died", "person": "p"}
        line = Chain(Head(), True).line("ab", data, *event_json(data))
        record = Chain(Head(), True).link("ab", data, *event_json(data))
        assert line == record.to_line()

    def test_a_batch_that_does_not_follow_the_head(self) -> None:
        data = {"type": "Died", "person": "p"}
        with tempfile.TemporaryDirectory() as scratch:
            store = JsonlStore(Path(scratch, "log"))
            chain = Chain(Head(5, GENESIS), 1)
            batch = Lines([chain.line("ab", data, *event_json(data))], 6, chain.head())
            with pytest.raises(ChronosError, match="does not follow position 0"):
                store.append(batch, expected_position=0)
            assert store.head() == Head()

    def test_other_stores_get_records(self) -> None:
        log = EventLog(MemoryStore(), small_catalogue())
        died = Died(occurred="2016", known="2016", sources=[Source(source="s", quote="q")], person="eva-ek")
        log.append([died], expected_position=0)
        (record,) = log.store.read()
        assert type(record).__name__ == "Record"
        assert record.event == Codec().to_dict(died)
