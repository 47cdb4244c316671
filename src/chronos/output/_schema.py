"""The declared types of the command's JSON output (``--format json`` and ``jsonl``), one TypedDict per shape.

`chronos.output.render` builds these and re-exports them; ``docs/cli.md`` lists
them (`chronos.cli.reference`), and the tests check real output against them.
Dates are EDTF strings as the sources give them (``2016``, ``../2022-01-05``);
``*_earliest`` and ``*_latest`` are ISO days, None where a date is open.
"""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = [
    "AlternativeJson",
    "ChangeJson",
    "ChargeJson",
    "DeathJson",
    "DiffJson",
    "EventRefJson",
    "FindingJson",
    "HeldJson",
    "HistoryJson",
    "NameJson",
    "RegisteredJson",
    "SeatJson",
    "SourceJson",
    "SpanJson",
    "SpellJson",
    "SuccessionJson",
    "TenureJson",
]

Certainty = Literal["certain", "possible"]


class SourceJson(TypedDict):
    """A citation: the source's id, its exact words, where in it, and how it is cited when registered."""

    source: str
    quote: str
    locator: str | None
    citation: str | None


class AlternativeJson(TypedDict):
    """One claim of a start or end the sources date differently, and whether the policy chose it."""

    part: Literal["start", "end"]
    date: str
    cause: str
    event: str
    chosen: bool
    sources: list[str]


class SeatJson(TypedDict):
    """One seat of a post on the date asked (``roster``): its holder, or none (vacant)."""

    org_id: str
    org: str | None
    post_id: str
    post: str
    seats: int
    state: Literal["held", "vacant", "unknown"]
    person_id: str | None
    person: str | None
    vacant: bool
    certainty: Certainty
    reasons: list[str]
    why: list[str]
    since: str | None
    until: str | None
    scheduled_end: bool
    disputed: bool
    alternatives: list[AlternativeJson]
    sources: list[SourceJson]
    events: list[str]


class EventRefJson(TypedDict):
    """An event that explains a change: its id, type, two dates and sources."""

    id: str
    type: str
    occurred: str
    known: str
    sources: list[SourceJson]


class ChangeJson(TypedDict):
    """Someone who joined, left, moved or changed certainty between two dates, and why."""

    person_id: str | None
    person: str | None
    change: Literal["joined", "left", "moved", "changed"]
    before: SeatJson | None
    after: SeatJson | None
    events: list[EventRefJson]


class DiffJson(TypedDict):
    """``diff``: the changes in an organisation between dates ``a`` and ``b``."""

    org: str
    org_name: str | None
    a: str
    b: str
    joined: list[ChangeJson]
    left: list[ChangeJson]
    moved: list[ChangeJson]
    changed: list[ChangeJson]


class SpanJson(TypedDict):
    """A start and an end as the policy reconciles them: EDTF date, first and last day, and cause."""

    start: str | None
    start_earliest: str | None
    start_latest: str | None
    start_cause: str | None
    end: str | None
    end_earliest: str | None
    end_latest: str | None
    end_cause: str | None


class TenureJson(SpanJson):
    """A tenure of a post (with `SpanJson`'s start and end), how it began and ended, and its sources."""

    post_id: str
    post: str | None
    org_id: str | None
    org: str | None
    open_start: bool
    ongoing: bool
    disputed: bool
    alternatives: list[AlternativeJson]
    sources: list[SourceJson]
    events: list[str]


class ChargeJson(TypedDict):
    """A charge brought during a spell in custody."""

    charge: str
    date: str
    sources: list[SourceJson]


class SpellJson(SpanJson):
    """A spell in custody (with `SpanJson`'s start and end), its charges, sources and events."""

    alternatives: list[AlternativeJson]
    charges: list[ChargeJson]
    disputed: bool
    sources: list[SourceJson]
    events: list[str]


class DeathJson(TypedDict):
    """A death, as the claims date it."""

    date: str | None
    earliest: str | None
    latest: str | None
    disputed: bool
    sources: list[SourceJson]
    events: list[str]


class HistoryJson(TypedDict):
    """``history PERSON``: a person's tenures, spells in custody and death."""

    person: str | None
    person_id: str
    tenures: list[TenureJson]
    custody: list[SpellJson]
    death: DeathJson | None


class HeldJson(TenureJson):
    """A tenure of a post with its holder (``history POST``)."""

    person_id: str
    person: str | None


class SuccessionJson(TypedDict):
    """``history POST``: everyone who held a post, in the order their tenures began."""

    post_id: str
    post: str | None
    org_id: str | None
    org: str | None
    tenures: list[HeldJson]


class NameJson(TypedDict):
    """``name``: what an entity was called on a date, and the names a rename date leaves open."""

    entity_id: str
    kind: str
    name: str
    certainty: Certainty
    alternatives: list[str]
    since: str | None
    at: str
    events: list[str]


class FindingJson(TypedDict):
    """``check``: one finding, its severity and rule, and the events and notes concerned."""

    severity: Literal["error", "warning", "info"]
    rule: str
    message: str
    events: list[str]
    notes: list[str]


class RegisteredJson(TypedDict):
    """``sources``: a source of the registry (or a cited id it lacks), and how often it is cited."""

    id: str
    registered: bool
    citation: str | None
    publisher: str | None
    title: str | None
    date: str | None
    url: str | None
    language: str | None
    archive: str | None
    sha256: str | None
    note: str | None
    cited: int
