"""Rendering of chronos answers for machines: JSON-ready objects and CSV text.

Every answer is first turned into plain JSON-ready objects, whose shapes are
declared as TypedDicts (`chronos.output._schema`, re-exported here, listed in
``docs/cli.md`` and checked against real output by tests/test_reference.py) (the documented
``--format json`` shapes, see ``docs/cli.md``); CSV flattens those objects and
the terminal tables (`chronos.output.tables`) are drawn from them too, so the three
formats always agree.
Nothing here reads files or the log: these are pure functions of library results.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from chronos.checks import Finding
from chronos.codec import Codec
from chronos.dates import Day, FuzzyDate
from chronos.entities import UNNAMED_PREFIX, Catalogue, Post
from chronos.events import Event, Founded, Source
from chronos.output._schema import (
    AlternativeJson,
    ChangeJson,
    ChargeJson,
    DeathJson,
    DiffJson,
    EventRefJson,
    FindingJson,
    HeldJson,
    HistoryJson,
    NameJson,
    RegisteredJson,
    SeatJson,
    SourceJson,
    SpanJson,
    SpellJson,
    SuccessionJson,
    TenureJson,
)
from chronos.output.rows import (
    CHECK_COLUMNS,
    DIFF_COLUMNS,
    EVENT_COLUMNS,
    HISTORY_COLUMNS,
    NAME_COLUMNS,
    ROSTER_COLUMNS,
    SOURCE_COLUMNS,
    SUCCESSION_COLUMNS,
    Json,
    Row,
    csv_text,
    diff_rows,
    events_rows,
    history_rows,
    jsonl_text,
)
from chronos.projections import (
    REASONS,
    Change,
    Diff,
    History,
    NameAnswer,
    Resolved,
    Seat,
    Spell,
    Succession,
    Tenure,
)
from chronos.sources import citations
from chronos.stores.records import Head

__all__ = [
    "CHECK_COLUMNS",
    "DIFF_COLUMNS",
    "EVENT_COLUMNS",
    "HISTORY_COLUMNS",
    "NAME_COLUMNS",
    "ROSTER_COLUMNS",
    "SCHEMA",
    "SOURCE_COLUMNS",
    "SUCCESSION_COLUMNS",
    "AlternativeJson",
    "ChangeJson",
    "ChargeJson",
    "DeathJson",
    "DiffJson",
    "EventRefJson",
    "FindingJson",
    "HeldJson",
    "HistoryJson",
    "Json",
    "NameJson",
    "RegisteredJson",
    "Row",
    "SeatJson",
    "SourceJson",
    "SpanJson",
    "SpellJson",
    "SuccessionJson",
    "TenureJson",
    "csv_text",
    "diff_json",
    "diff_rows",
    "entity_name",
    "events_json",
    "events_rows",
    "findings_json",
    "history_json",
    "history_rows",
    "jsonl_text",
    "name_json",
    "question_json",
    "roster_json",
    "roster_notes",
    "seat_json",
    "sources_json",
    "succession_json",
    "succession_rows",
]  # fmt: skip


#: The declared JSON types, by the command whose ``--format json`` answer gives them.
SCHEMA: dict[str, tuple[type, ...]] = {
    "roster": (SeatJson, SourceJson, AlternativeJson),
    "diff": (DiffJson, ChangeJson, EventRefJson),
    "history PERSON": (HistoryJson, TenureJson, SpellJson, ChargeJson, DeathJson),
    "history POST": (SuccessionJson, HeldJson),
    "name": (NameJson,),
    "check": (FindingJson,),
    "sources": (RegisteredJson,),
}

# JSON-ready objects ------------------------------------------------------------------------


def _date(value: FuzzyDate | None) -> str | None:
    return None if value is None else str(value)


def _day(value: Day) -> str | None:
    """A bound as ISO 8601 (``-0043-03-15`` for 44 BCE), or None for an open end."""
    return None if value in (Day.min, Day.max) else str(value)


def entity_name(catalogue: Catalogue, entity_id: str | None) -> str | None:
    """The name of an entity id (the id itself when unknown; None for None).

    A placeholder person (a holder the source does not name) is ``an
    unidentified person (DESCRIPTION)``, the description being its catalogue name.
    """
    entity = catalogue.get(entity_id) if entity_id is not None else None
    if entity is None:
        return entity_id
    if entity.id.startswith(UNNAMED_PREFIX):
        return f"an unidentified person ({entity.name})"
    return entity.name


def question_json(
    command: str,
    fields: Mapping[str, Any],
    *,
    known_at: Day | dt.date | None,
    horizon: Day | dt.date | None,
    policy: str,
    head: Head,
) -> Json:
    """What an answer answers, so that a saved answer can be re-checked.

    The command and its arguments, the knowledge date, the record's horizon,
    the policy, and the log's head (position and hash).
    """
    return {
        "command": command,
        **{k: v if v is None or isinstance(v, int | bool) else str(v) for k, v in fields.items()},
        "known_at": _iso(known_at),
        "horizon": _iso(horizon),
        "policy": policy,
        "position": head.position,
        "head": head.hash,
    }


def _iso(day: Day | dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _sources(sources: Iterable[Source], catalogue: Catalogue) -> list[Json]:
    registry = catalogue.sources
    return [
        {
            "source": s.source,
            "quote": s.quote,
            "locator": s.locator,
            "citation": registry[s.source].citation if s.source in registry else None,
        }
        for s in sources
    ]


def _event_ref(event: Event, catalogue: Catalogue) -> Json:
    return {
        "id": event.id,
        "type": event.type,
        "occurred": str(event.occurred),
        "known": str(event.known),
        "sources": _sources(event.sources, catalogue),
    }


def _alternatives(tenure: Tenure | None) -> list[Json]:
    """Every claim of a start or end that the sources date differently, with the sources it cites."""
    return _claims_json((("start", tenure.start), ("end", tenure.end)) if tenure is not None else ())


def _claims_json(parts: Iterable[tuple[str, Resolved]]) -> list[Json]:
    return [
        {
            "part": part,
            "date": str(c.date),
            "cause": c.cause,
            "event": c.event.id,
            "chosen": c in resolved.chosen,
            "sources": list(dict.fromkeys(s.source for s in c.event.sources)),
        }
        for part, resolved in parts
        if resolved.disputed or resolved.alternatives
        for c in resolved.claims
    ]


def _resolved(prefix: str, resolved: Resolved) -> Json:
    return {
        prefix: _date(resolved.date),
        f"{prefix}_earliest": _day(resolved.first),
        f"{prefix}_latest": _day(resolved.last),
        f"{prefix}_cause": resolved.cause,
    }


def seat_json(seat: Seat, catalogue: Catalogue) -> Json:
    """Describe one seat: a row of ``roster --format json``."""
    tenure = seat.tenure
    return {
        "org_id": seat.post.org,
        "org": entity_name(catalogue, seat.post.org),
        "post_id": seat.post.id,
        "post": seat.post.name,
        "seats": seat.post.seats,
        "state": seat.state,
        "person_id": seat.person,
        "person": entity_name(catalogue, seat.person),
        "vacant": seat.vacant,
        "certainty": seat.certainty,
        "reasons": list(seat.reasons),
        "why": [REASONS[code] for code in seat.reasons],
        "since": _date(seat.since),
        "until": _date(tenure.end.date) if tenure is not None else None,
        "scheduled_end": tenure.end.scheduled if tenure is not None else False,
        "disputed": tenure.disputed if tenure is not None else False,
        "alternatives": _alternatives(tenure),
        "sources": _sources(seat.sources, catalogue),
        "events": [e.id for e in (tenure.events if tenure is not None else seat.evidence)],
    }


def roster_json(seats: Iterable[Seat], catalogue: Catalogue) -> list[Json]:
    """Describe a roster as a list of seat objects (see `seat_json`): held, vacant and unknown seats."""
    return [seat_json(seat, catalogue) for seat in seats]


def roster_notes(
    org: str,
    at: object,
    existence: tuple[str | None, Sequence[Event]],
    *,
    horizon: Day | None,
    late: bool,
    known_at: Day | dt.date | None,
) -> list[str]:
    """Sentences about a roster as a whole.

    The organisation did not (or may not) exist yet, or no longer; the date
    asked lies past the record's horizon.
    """
    notes: list[str] = []
    certainty, events = existence
    lives = "; ".join(f"{'founded' if isinstance(e, Founded) else 'dissolved'} {e.occurred}" for e in events)
    if certainty is None:
        notes.append(f"{org} did not exist on {at} ({lives}): it had no posts then")
    elif certainty == "possible":
        notes.append(f"{org} may not have existed on {at} ({lives}): every answer is at most possible")
    if late and horizon is not None:
        as_known = f" as known on {known_at}" if known_at is not None else ""
        last = "it is empty" if horizon == Day.min else f"it ends {horizon}"
        notes.append(f"{at} is after the record{as_known} ({last}): the answers are forecasts, never certain")
    return notes


def _change_json(change: Change, catalogue: Catalogue) -> Json:
    return {
        "person_id": change.person,
        "person": entity_name(catalogue, change.person),
        "change": change.kind,
        "before": seat_json(change.before, catalogue) if change.before is not None else None,
        "after": seat_json(change.after, catalogue) if change.after is not None else None,
        "events": [_event_ref(e, catalogue) for e in change.events],
    }


def diff_json(result: Diff, catalogue: Catalogue) -> Json:
    """Describe a diff: ``{org, org_name, a, b, joined, left, moved, changed}``."""
    return {
        "org": result.org,
        "org_name": entity_name(catalogue, result.org),
        "a": str(result.a),
        "b": str(result.b),
        **{
            kind: [_change_json(c, catalogue) for c in getattr(result, kind)]
            for kind in ("joined", "left", "moved", "changed")
        },
    }


def _tenure_json(tenure: Tenure, catalogue: Catalogue) -> Json:
    post = catalogue.get(tenure.post)
    org = post.org if isinstance(post, Post) else None
    return {
        "post_id": tenure.post,
        "post": entity_name(catalogue, tenure.post),
        "org_id": org,
        "org": entity_name(catalogue, org),
        **_resolved("start", tenure.start),
        **_resolved("end", tenure.end),
        "open_start": tenure.open_start,
        "ongoing": not tenure.end.chosen,
        "disputed": tenure.disputed,
        "alternatives": _alternatives(tenure),
        "sources": _sources(tenure.sources, catalogue),
        "events": [e.id for e in tenure.events],
    }


def _spell_json(spell: Spell, catalogue: Catalogue) -> Json:
    claims = (*spell.start.claims, *spell.end.claims, *spell.charges)
    return {
        **_resolved("start", spell.start),
        **_resolved("end", spell.end),
        "alternatives": _claims_json((("start", spell.start), ("end", spell.end))),
        "charges": [
            {
                "charge": getattr(c.event, "charge", ""),
                "date": str(c.date),
                "sources": _sources(c.sources, catalogue),
            }
            for c in spell.charges
        ],
        "disputed": spell.start.disputed or spell.end.disputed,
        "sources": _sources(dict.fromkeys(s for c in claims for s in c.sources), catalogue),
        "events": list(dict.fromkeys(c.event.id for c in claims)),
    }


def history_json(result: History, catalogue: Catalogue) -> Json:
    """Describe a person's history: ``{person, person_id, tenures, custody, death}``."""
    death = result.death
    return {
        "person": entity_name(catalogue, result.person),
        "person_id": result.person,
        "tenures": [_tenure_json(t, catalogue) for t in result.tenures],
        "custody": [_spell_json(s, catalogue) for s in result.custody],
        "death": None
        if death is None
        else {
            "date": _date(death.date),
            "earliest": _day(death.first),
            "latest": _day(death.last),
            "disputed": death.disputed,
            "sources": _sources(dict.fromkeys(s for c in death.claims for s in c.sources), catalogue),
            "events": [c.event.id for c in death.claims],
        },
    }


def succession_json(result: Succession, catalogue: Catalogue) -> Json:
    """Describe a post's succession: ``{post_id, post, org_id, org, tenures}``, each with its holder."""
    post = catalogue.get(result.post)
    org = post.org if isinstance(post, Post) else None
    return {
        "post_id": result.post,
        "post": entity_name(catalogue, result.post),
        "org_id": org,
        "org": entity_name(catalogue, org),
        "tenures": [
            {"person_id": t.person, "person": entity_name(catalogue, t.person), **_tenure_json(t, catalogue)}
            for t in result.tenures
        ],
    }


def succession_rows(data: Row) -> list[Json]:
    """Flatten a `succession_json` object to one row per tenure."""
    return list(data["tenures"])


def name_json(answer: NameAnswer, catalogue: Catalogue, at: object) -> Json:
    """Describe a name answer: ``{entity_id, kind, name, certainty, alternatives, since, at}``."""
    return {
        "entity_id": answer.entity,
        "kind": catalogue[answer.entity].kind,
        "name": answer.name,
        "certainty": answer.certainty,
        "alternatives": list(answer.alternatives),
        "since": _date(answer.since),
        "at": str(at),
        "events": [e.id for e in answer.events],
    }


def events_json(events: Iterable[Event], codec: Codec) -> list[Json]:
    """Give events in the codec's dict form, each with its ``id`` first."""
    return [{"id": e.id, **codec.to_dict(e)} for e in events]


_UNREGISTERED: RegisteredJson = {
    "id": "",
    "registered": False,
    "citation": None,
    "publisher": None,
    "title": None,
    "date": None,
    "url": None,
    "language": None,
    "archive": None,
    "sha256": None,
    "note": None,
    "cited": 0,
}


def sources_json(catalogue: Catalogue, events: Iterable[Event]) -> list[RegisteredJson]:
    """Describe the sources registry, with how often each source is cited; cited ids it lacks come last."""
    cited = Counter(source.source for _, source in citations(events))
    rows: list[RegisteredJson] = [
        {
            "id": p.id,
            "registered": True,
            "citation": p.citation,
            "publisher": p.publisher,
            "title": p.title,
            "date": str(p.date),
            "url": p.url,
            "language": p.language,
            "archive": p.archive,
            "sha256": p.sha256,
            "note": p.note,
            "cited": cited.get(p.id, 0),
        }
        for p in catalogue.sources.values()
    ]
    rows += [
        {**_UNREGISTERED, "id": source_id, "cited": count}
        for source_id, count in sorted(cited.items())
        if source_id not in catalogue.sources
    ]
    return rows


def findings_json(findings: Iterable[Finding]) -> list[Json]:
    """Describe check findings: ``{severity, rule, message, events, notes}``."""
    return [{**attrs.asdict(f), "events": list(f.events), "notes": list(f.notes)} for f in findings]
