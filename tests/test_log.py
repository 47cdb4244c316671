from __future__ import annotations

import json
import tempfile
from collections.abc import Container
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import (
    Appointed,
    Catalogue,
    ConcurrencyError,
    Dismissed,
    Entity,
    Event,
    EventLog,
    IntegrityError,
    IntegrityWarning,
    JsonlStore,
    LookupFailed,
    MemoryStore,
    RecordError,
    Retracted,
    Source,
    UnknownReference,
)
from chronos.stores.records import Record
from tests.strategies import histories, loose_events, simple_events, small_catalogue

SRC = [Source(source="a.txt", quote="q")]


def appointed(person: str = "ann-abel", post: str = "org/chair", occurred: str = "2020-01-01") -> Appointed:
    return Appointed(person=person, post=post, occurred=occurred, known=occurred, sources=SRC)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.name != ".lock"}


@pytest.fixture(params=["memory", "jsonl"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> EventLog:
    if request.param == "memory":
        return EventLog(MemoryStore(), small_catalogue())
    return EventLog(JsonlStore(tmp_path / "events"), small_catalogue())


class TestAppend:
    """Appends are validated, all or nothing, idempotent and optimistic."""

    def test_append_and_read_back(self, log: EventLog) -> None:
        events = [appointed(), appointed("ben-berg", "org/deputy")]
        result = log.append(events, expected_position=0)
        assert result.position == 2
        assert result.appended == tuple(e.id for e in events)
        assert log.events() == events
        assert [r.position for r in log.read()] == [1, 2]

    def test_same_claim_twice_is_a_no_op(self, log: EventLog) -> None:
        log.append([appointed()], expected_position=0)
        result = log.append([appointed(), appointed()], expected_position=1)
        assert result.appended == ()
        assert result.skipped == (appointed().id, appointed().id)
        assert log.position == 1

    def test_stale_position(self, log: EventLog) -> None:
        log.append([appointed()], expected_position=0)
        with pytest.raises(ConcurrencyError, match="expected position 0, log is at 1"):
            log.append([appointed("ben-berg")], expected_position=0)
        assert log.position == 1

    def test_unknown_person_suggests(self, log: EventLog) -> None:
        with pytest.raises(
            UnknownReference,
            match=r"event #2 \(Appointed\): person: unknown person 'ann-abell' \(did you mean 'ann-abel'",
        ):
            log.append([appointed(), appointed("ann-abell")], expected_position=0)
        assert log.position == 0

    def test_unknown_post(self, log: EventLog) -> None:
        with pytest.raises(UnknownReference, match="unknown post 'org/chairman'"):
            log.append([appointed(post="org/chairman")], expected_position=0)

    def test_wrong_kind(self, log: EventLog) -> None:
        with pytest.raises(UnknownReference, match="unknown post 'org'"):
            log.append([appointed(post="org")], expected_position=0)

    def test_retraction_needs_a_target(self, log: EventLog) -> None:
        missing = Retracted(target="f" * 24, occurred="2020", known="2020", sources=SRC)
        with pytest.raises(UnknownReference, match=r"target 'f{24}' is not an event"):
            log.append([missing], expected_position=0)
        first = appointed()
        retraction = Retracted(target=first.id, occurred="2020", known="2020", sources=SRC)
        assert log.append([first, retraction], expected_position=0).position == 2

    def test_not_an_event(self, log: EventLog) -> None:
        with pytest.raises(RecordError, match="not an Event"):
            log.append([{"type": "Appointed"}], expected_position=0)  # type: ignore[list-item]

    def test_failed_append_leaves_files_byte_for_byte(self, tmp_path: Path) -> None:
        log = EventLog(JsonlStore(tmp_path / "events"), small_catalogue())
        log.append([appointed()], expected_position=0)
        before = snapshot(tmp_path / "events")
        for bad, position in (([appointed("nobody")], 1), ([appointed("ben-berg")], 0)):
            with pytest.raises((UnknownReference, ConcurrencyError)):
                log.append(bad, expected_position=position)
            assert snapshot(tmp_path / "events") == before

    def test_learned_order_is_kept(self, log: EventLog) -> None:
        late = appointed(occurred="2020-01-01")
        early = Dismissed(
            person="ann-abel", post="org/chair", occurred="2019-01-01", known="2021", sources=SRC
        )
        log.append([late, early], expected_position=0)
        assert log.events() == [late, early]

    def test_open_directory_reads_catalogue(self, tmp_path: Path) -> None:
        (tmp_path / "catalogue.toml").write_text('[[person]]\nid = "ann"\nname = "Ann"\n', encoding="utf-8")
        assert EventLog.open(tmp_path).catalogue.lookup("Ann").id == "ann"
        assert EventLog.open(":memory:").position == 0


class TestReadErrors:
    """A bad stored record is reported with its file and line (in a directory without HEAD)."""

    def test_malformed_line(self, tmp_path: Path) -> None:
        log = EventLog(JsonlStore(tmp_path), small_catalogue())
        log.append([appointed(), appointed("ben-berg", "org/deputy")], expected_position=0)
        segment = next(tmp_path.glob("log-*.jsonl"))
        lines = segment.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[1] = lines[1].replace('"event":{', '"event":{"bogus":1,', 1)
        segment.write_text("".join(lines), encoding="utf-8")
        (tmp_path / "HEAD").unlink()
        with (
            pytest.warns(IntegrityWarning, match="no HEAD"),
            pytest.raises(RecordError, match=r"log-000001.jsonl:2: Appointed: unexpected field 'bogus'"),
        ):
            log.events()

    def test_unknown_type_names_the_line(self, tmp_path: Path) -> None:
        log = EventLog(JsonlStore(tmp_path), small_catalogue())
        log.append([appointed()], expected_position=0)
        segment = next(tmp_path.glob("log-*.jsonl"))
        segment.write_text(
            segment.read_text(encoding="utf-8").replace('"Appointed"', '"Apointed"'), encoding="utf-8"
        )
        (tmp_path / "HEAD").unlink()
        with (
            pytest.warns(IntegrityWarning, match="no HEAD"),
            pytest.raises(
                RecordError,
                match=r"log-000001.jsonl:1: unknown event type 'Apointed' \(did you mean 'Appointed'\?\)",
            ),
        ):
            log.events()


def _build(events: list[Appointed], tmp_path: Path | None) -> EventLog:
    store = MemoryStore() if tmp_path is None else JsonlStore(tmp_path)
    log = EventLog(store, small_catalogue())
    for event in events:
        log.append([event], expected_position=log.position)
    return log


def _events(count: int) -> list[Appointed]:
    people = ["ann-abel", "ben-berg", "cem-cay", "dia-dorn", "eva-ek"]
    return [appointed(people[i % 5], "org/deputy", f"2020-01-{i + 1:02d}") for i in range(count)]


class TestVerify:
    """verify() names the first edited, removed, reordered or truncated record."""

    def test_clean(self, log: EventLog) -> None:
        log.append(_events(4), expected_position=0)
        verified = log.verify()
        assert verified.count == 4
        assert verified.head == log.head().hash

    @given(st.data())
    def test_every_single_tampering_is_caught(self, data: st.DataObject) -> None:
        count = data.draw(st.integers(2, 8))
        log = _build(_events(count), None)
        records = list(log.store.read())
        head = log.head()
        kind = data.draw(st.sampled_from(["edit", "delete", "swap", "truncate"]))
        i = data.draw(st.integers(0, count - 1))
        tampered = list(records)
        if kind == "edit":
            event = dict(records[i].event, occurred="1999")
            tampered[i] = Record(
                records[i].seq, records[i].v, records[i].id, event, records[i].prev, records[i].hash
            )
            first_bad = i + 1
        elif kind == "delete":
            del tampered[i]
            first_bad = i + 1
        elif kind == "swap":
            j = data.draw(st.integers(0, count - 1).filter(lambda j: j != i))
            tampered[i], tampered[j] = tampered[j], tampered[i]
            first_bad = min(i, j) + 1
        else:
            tampered = tampered[: i + 1] if i + 1 < count else tampered[:-1]
            first_bad = len(tampered) + 1
        broken = EventLog(MemoryStore(tampered), small_catalogue())
        with pytest.raises(IntegrityError) as info:
            broken.verify(expected=head)
        assert info.value.position == first_bad

    def test_longer_edit_is_not_silently_cut(self, tmp_path: Path) -> None:
        _build(_events(3), tmp_path)
        segment = next(tmp_path.glob("log-*.jsonl"))
        segment.write_text(
            segment.read_text(encoding="utf-8").replace("2020-01-01", "2020-01-01/2020-01-02", 1),
            encoding="utf-8",
        )
        with pytest.raises(
            IntegrityError, match=r"the head ends inside this record|size .* falls inside a line"
        ):
            EventLog(JsonlStore(tmp_path), small_catalogue()).events()

    @pytest.mark.parametrize("kind", ["edit", "delete", "swap", "truncate", "rehash"])
    def test_tampered_files(self, tmp_path: Path, kind: str) -> None:
        _build(_events(5), tmp_path)
        segment = next(tmp_path.glob("log-*.jsonl"))
        lines = segment.read_text(encoding="utf-8").splitlines(keepends=True)
        if kind == "edit":
            lines[2] = lines[2].replace("2020-01-03", "2020-01-04")
            expected = r"log-000001.jsonl:3: content does not match its hash"
        elif kind == "delete":
            del lines[2]
            expected = "truncated|position 4 where 3 belongs"
        elif kind == "swap":
            lines[1], lines[3] = lines[3], lines[1]
            expected = r"log-000001.jsonl:2: position 4 where 2 belongs"
        elif kind == "truncate":
            lines = lines[:3]
            expected = "truncated"
        else:
            # An edit that also recomputes the record's own hash still breaks the chain after it.
            data = json.loads(lines[2])
            data["event"]["occurred"] = "2020-01-04"
            from chronos.stores.records import record_hash

            data["hash"] = record_hash(data["seq"], data["v"], data["id"], data["event"], data["prev"])
            lines[2] = json.dumps(data, separators=(",", ":")) + "\n"
            expected = "does not match its content|does not follow"
        segment.write_text("".join(lines), encoding="utf-8")
        with pytest.raises((IntegrityError,)) as info:
            EventLog(JsonlStore(tmp_path), small_catalogue()).verify()
        import re

        assert re.search(expected, str(info.value)), str(info.value)


class TestGeneratedLogs:
    """Generated histories append and verify through both stores."""

    @given(histories(max_steps=15))
    def test_round_trip(self, history: object) -> None:
        from tests.strategies import History

        assert isinstance(history, History)
        log = EventLog(MemoryStore(), small_catalogue())
        log.append(history.events, expected_position=0)
        assert log.events() == list(history.events)
        assert log.verify().count == len(history.events)


class TestReadIds:
    """Events read back carry ids equal to their content's."""

    def test_ids(self, log: EventLog) -> None:
        events = _events(3)
        log.append(events, expected_position=0)
        for recorded, original in zip(log.read(), events, strict=True):
            assert recorded.id == original.id
            # A copy computes its id from the content: the same.
            import attrs

            assert attrs.evolve(recorded.event).id == recorded.id


class TestRecordHash:
    """The record hash built from the event's text equals hashing the whole record."""

    @given(histories(max_steps=6))
    def test_pieces_equal_the_whole(self, history: object) -> None:
        import hashlib

        from chronos import Codec
        from chronos.stores.records import canonical_json, record_hash, record_hash_of_text
        from tests.strategies import History

        assert isinstance(history, History)
        for seq, event in enumerate(history.events, start=1):
            data = Codec().to_dict(event)
            whole = canonical_json({"seq": seq, "v": 1, "id": event.id, "event": data, "prev": "ab" * 32})
            expected = hashlib.sha256(whole.encode()).hexdigest()
            assert record_hash(seq, 1, event.id, data, "ab" * 32) == expected
            assert record_hash_of_text(seq, 1, event.id, canonical_json(data), "ab" * 32) == expected


class TestQuickChecks:
    """The quick reference check of appends rejects exactly what `validate` rejects, with its errors."""

    @given(st.lists(loose_events, min_size=1, max_size=4))
    def test_same_outcome_as_validate(self, events: list[Event]) -> None:
        log = EventLog(MemoryStore(), small_catalogue())
        expected = None
        known: set[str] = set()
        for index, event in enumerate(events, start=1):
            if event.id in known:
                continue
            try:
                log.validate(event, known_ids=known)
            except UnknownReference as exc:
                expected = f"event #{index} ({event.type}): {exc}"
                break
            known.add(event.id)
        if expected is None:
            assert log.append(events, expected_position=0).position == len(known)
        else:
            with pytest.raises(UnknownReference) as info:
                log.append(events, expected_position=0)
            assert str(info.value) == expected
            assert log.position == 0

    def test_a_subclass_validate_still_decides(self) -> None:
        class Closed(EventLog):
            def validate(self, event: Event, *, known_ids: Container[str] = frozenset()) -> None:
                raise UnknownReference("closed for appends")

        log = Closed(MemoryStore(), small_catalogue())
        with pytest.raises(UnknownReference, match=r"event #1 \(Appointed\): closed for appends"):
            log.append([appointed()], expected_position=0)

    def test_a_subclass_catalogue_still_decides(self) -> None:
        class NoAnn(Catalogue):
            def get_kind(self, entity_id: str, kind: str) -> Entity:
                if entity_id == "ann-abel":
                    raise LookupFailed("unknown person 'ann-abel' (gone)", query=entity_id)
                return super().get_kind(entity_id, kind)

        log = EventLog(MemoryStore(), NoAnn(small_catalogue().values()))
        with pytest.raises(UnknownReference, match="unknown person 'ann-abel'"):
            log.append([appointed()], expected_position=0)
        assert log.append([appointed("ben-berg")], expected_position=0).position == 1


class TestJsonLines:
    """The JSON Lines store writes each record as the standard library would encode it."""

    @given(st.lists(simple_events.filter(lambda e: not isinstance(e, Retracted)), min_size=1, max_size=5))
    def test_lines_are_the_records_json(self, events: list[Event]) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            log = EventLog(JsonlStore(Path(scratch)), small_catalogue())
            first = log.append(events[:2], expected_position=0).position
            log.append(events[2:], expected_position=log.position)
            written = b"".join(p.read_bytes() for p in sorted(Path(scratch).glob("log-*.jsonl")))
            records = list(log.store.read())
            # The last line of each batch carries the batch mark after the record's own fields.
            ends = {first, len(records)} - {0}
            marked = [r.to_json()[:-1] + ',"end":true}' if r.seq in ends else r.to_json() for r in records]
            assert written == "".join(line + "\n" for line in marked).encode()
            expected = [
                json.dumps(
                    {"seq": r.seq, "v": r.v, "id": r.id, "event": r.event, "prev": r.prev, "hash": r.hash}
                    | ({"end": True} if r.seq in ends else {}),
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                for r in records
            ]
            # Split on newlines only: quotes may hold U+0085 or U+2028, which splitlines() breaks at.
            assert written.decode().split("\n") == [*expected, ""]
            assert log.verify().count == len(records)
