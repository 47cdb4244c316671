"""From a dataset to catalogue entities and events; from a newer version, only what changed.

Foreign ids become chronos ids through `chronos.interop._entities.Resolver`.
Each record's claims become events that cite the file (``source``: the
dataset and file name, ``quote``: the record's excerpt, ``locator``: the
record's id). Importing a newer version of the same dataset compares, record
by record, what the file now says with the claims of that dataset still
standing in the log, and adds only the difference: a new record's events, the
end of a record that was closed, a `Corrected` for a claim whose date, post or
holder changed, a `Retracted` for a record (or a person link) that vanished.
Nothing is edited: the earlier claims stay, and answers as known before the
new version are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

import attrs

from chronos.dates import End, FuzzyDate, PartialDate
from chronos.entities import UNNAMED_PREFIX, Catalogue, Entity, Organisation, Post
from chronos.errors import RecordError
from chronos.events import (
    Appointed,
    Arrested,
    Born,
    Corrected,
    Died,
    Dismissed,
    Dissolved,
    Event,
    Founded,
    Left,
    Moved,
    Renamed,
    Resigned,
    Retracted,
    RosterReported,
    Source,
    TenureEnded,
    canonical,
)
from chronos.interop._complete import LOCATOR_SUFFIX, declarations
from chronos.interop._entities import Resolver
from chronos.interop._model import ClaimSpec, Dataset, TenureRecord
from chronos.projections import visible

__all__ = ["Plan", "plan_import"]


@attrs.frozen
class Plan:
    """What an import adds: new entities, catalogue ones grown (`Resolver.updated`), events, counts."""

    entities: tuple[Entity, ...]
    events: tuple[Event, ...]
    updates: tuple[Entity, ...] = ()
    records: int = 0
    new: int = 0
    closed: int = 0
    corrected: int = 0
    retracted: int = 0
    unchanged: int = 0


# Events -----------------------------------------------------------------------------------------

_END_EVENTS: dict[str, type[TenureEnded]] = {"dismissed": Dismissed, "resigned": Resigned, "left": Left}


@attrs.frozen
class _Context:
    label: str
    known: FuzzyDate


def _cite(context: _Context, spec_sources: tuple[Source, ...], quote: str, key: str) -> tuple[Source, ...]:
    return spec_sources or (Source(source=context.label, quote=quote, locator=key),)


def _end_event(cause: str, person: str, post: str, common: dict[str, object], where: str) -> Event:
    if cause in _END_EVENTS:
        return _END_EVENTS[cause](person=person, post=post, **common)  # type: ignore[arg-type]
    if cause == "died":
        return Died(person=person, **common)  # type: ignore[arg-type]
    if cause == "arrested":
        return Arrested(person=person, vacates=True, **common)  # type: ignore[arg-type]
    if cause in ("dissolved", "moved"):
        note = common.get("note") or (
            "the organisation was dissolved"
            if cause == "dissolved"
            else "moved to a post the file does not name"
        )
        return Left(person=person, post=post, **{**common, "note": note})  # type: ignore[arg-type]
    raise RecordError(f"{where}: unknown end cause {cause!r} (use dismissed, resigned, left, moved, died)")


#: One side of a move: its role (start or end), its post, whether its claim is the move alone (not
#: one cause of several that a file reconciled into one), and its event fields.
_MoveSide = tuple[str, str, bool, dict[str, object]]


def _move_key(person: str, spec: ClaimSpec, common: Mapping[str, object]) -> tuple[str, ...]:
    """What pairs the two sides of a move: the file's name for it, else who, when and per whom."""
    if spec.move is not None:
        return ("move", spec.move)
    sources = common["sources"]
    assert isinstance(sources, tuple)
    return (person, str(spec.date), str(common["known"]), json.dumps([str(s) for s in sources]))


def _record_events(
    record: TenureRecord,
    person: str,
    post: str,
    context: _Context,
    moves: dict[tuple[str, ...], list[_MoveSide]],
) -> list[tuple[str, ClaimSpec, dict[str, object]]]:
    """The claims of one record with their event fields; moves are collected for pairing."""
    out: list[tuple[str, ClaimSpec, dict[str, object]]] = []
    for role, specs in (("start", record.starts), ("end", record.ends)):
        # A reconciled cause such as "dismissed/resigned" stands for one claim of each.
        parts = [
            (attrs.evolve(spec, cause=cause), "/" not in spec.cause)
            for spec in specs
            for cause in spec.cause.split("/")
        ]
        for spec, alone in parts:
            common: dict[str, object] = {
                "occurred": _undated(context.known) if spec.undated else spec.date,
                "known": spec.known or context.known,
                "sources": _cite(context, spec.sources, record.quote, record.key),
                "note": spec.note,
            }
            if spec.cause == "moved":
                moves.setdefault(_move_key(person, spec, common), []).append((role, post, alone, common))
            out.append((role, spec, common))
    return out


def _build(
    record: TenureRecord,
    person: str,
    post: str,
    claims: list[tuple[str, ClaimSpec, dict[str, object]]],
    moves: Mapping[tuple[str, ...], list[_MoveSide]],
    origin: str,
) -> list[Event]:
    events: list[Event] = []
    where = f"{origin}: record {record.key}"
    for role, spec, common in claims:
        if spec.cause == "moved":
            sides = moves.get(_move_key(person, spec, common), [])
            froms = [side for side in sides if side[0] == "end"]
            tos = [side for side in sides if side[0] == "start"]
            if len(froms) == 1 and len(tos) == 1:
                # Both records make the same event (kept once): from a side that is the move alone,
                # whose date, knowledge date and sources are the move's own, else from its end.
                fields = next((side[3] for side in (*froms, *tos) if side[2]), froms[0][3])
                events.append(Moved(person=person, from_post=froms[0][1], to_post=tos[0][1], **fields))  # type: ignore[arg-type]
                continue
        if role == "start":
            if spec.cause not in ("appointed", "moved"):
                raise RecordError(f"{where}: unknown start cause {spec.cause!r} (use appointed or moved)")
            events.append(Appointed(person=person, post=post, **common))  # type: ignore[arg-type]
        else:
            events.append(_end_event(spec.cause, person, post, common, where))
    return events


#: Locators of names, births, deaths and foundings: claims about entities, not records across versions.
_NOT_RECORDS = ("#renamed", "#born", "#died", "#founded", "#dissolved", LOCATOR_SUFFIX)


def _undated(known: FuzzyDate) -> FuzzyDate:
    """The date of a claim the file gives no date for: on or before the file was published."""
    return FuzzyDate(End.OPEN, PartialDate.from_day(known.last), "interval")


def _is_undated(event: Event) -> bool:
    return event.occurred.form == "interval" and event.occurred.lower is End.OPEN


def _claim_key(event: Event) -> str:
    """What a claim says, without when it became known, who says so, or notes."""
    data = canonical(event)
    return json.dumps(
        {k: v for k, v in data.items() if k not in ("known", "sources", "note")}, sort_keys=True
    )


def _role(event: Event) -> str:
    return "start" if isinstance(event, Appointed) else "end"


# The plan ---------------------------------------------------------------------------------------------


def plan_import(
    dataset: Dataset,
    *,
    catalogue: Catalogue,
    events: Iterable[Event],
    label: str,
    dataset_name: str,
    known: FuzzyDate,
    resolver: Resolver | None = None,
) -> Plan:
    """The entities and events that importing ``dataset`` adds to a log holding ``events``.

    ``label`` names the file in citations (``dataset_name/file``); the claims of
    earlier versions are those citing ``dataset_name/``. ``known`` is when this
    version became public. Raises `RecordError` for bad data, naming the file.
    A ``resolver`` shared by several plans (one import of many datasets) makes
    their entities once; the plan's entities are then every entity it has made.
    """
    context = _Context(label, known)
    logged = list(events)
    standing = visible(logged)
    carrier = {e.replacement.id: e.id for e in logged if isinstance(e, Corrected)}
    prefix = f"{dataset_name}/"
    earlier: dict[str, list[Event]] = {}
    for event in standing:
        for source in event.sources:
            if (
                source.source.startswith(prefix)
                and source.locator is not None
                and not source.locator.endswith(_NOT_RECORDS)
            ):
                earlier.setdefault(source.locator, []).append(event)
                break
    last = max((e.known.last for found in earlier.values() for e in found), default=None)
    if last is not None and known.last < last:
        raise RecordError(
            f"{label}: known on {known}, before the last import of {dataset_name!r} (known {last}): "
            "import the versions of a dataset in order"
        )
    previous = _named_by(earlier.values(), catalogue)
    if resolver is None:
        resolver = Resolver(catalogue, label, previous=previous)
    else:
        resolver.remember(previous)
    resolver.origin = label
    resolver.resolve_all(dataset.entities)

    moves: dict[tuple[str, ...], list[_MoveSide]] = {}
    prepared = []
    scoped: dict[str, int] = {}
    for record in dataset.records:
        if record.scope is not None:
            # Named by who holds it where: the same key whatever ids a version gives its people.
            holder = resolver.id_of("person", record.person) if record.person is not None else "?"
            base = f"{holder}@{resolver.id_of('organisation', record.scope)}|{record.key}"
            scoped[base] = scoped.get(base, 0) + 1
            record = attrs.evolve(
                record, key=base if scoped[base] == 1 else f"{base}#{scoped[base]}", scope=None
            )
        person = (
            resolver.id_of("person", record.person) if record.person is not None else resolver.unnamed(record)
        )
        post = resolver.id_of("post", record.post)
        prepared.append((record, person, post, _record_events(record, person, post, context, moves)))

    out: list[Event] = []
    counts = {"new": 0, "closed": 0, "corrected": 0, "retracted": 0, "unchanged": 0}
    seen: set[str] = set()
    for record, person, post, claims in prepared:
        if record.key in seen:
            raise RecordError(f"{label}: record {record.key!r} appears twice")
        seen.add(record.key)
        wanted = _build(record, person, post, claims, moves, label)
        before = earlier.get(record.key, [])
        out.extend(_changes(record, wanted, before, carrier, context, counts, resolver))
    for key, found in earlier.items():
        if key not in seen:
            reason = f"{label}: record {key} is no longer in the dataset"
            out.extend(_retract(found, carrier, key, reason, context))
            counts["retracted"] += 1
    standing_keys = {_claim_key(e) for e in standing}
    ids = partial(resolver.id_of, "organisation"), partial(resolver.id_of, "post")
    declared = declarations(dataset.complete, *ids, label=label, known=known)
    other = (*_other_events(dataset, resolver, context), *declared)
    out.extend(e for e in other if _claim_key(e) not in standing_keys)
    out.extend(_history(dataset.history, resolver))
    unique = list({e.id: e for e in out}.values())
    new, updates = tuple(resolver.new.values()), tuple(resolver.updated.values())
    return Plan(new, tuple(unique), updates=updates, records=len(dataset.records), **counts)


def _named_by(found: Iterable[Iterable[Event]], catalogue: Catalogue) -> set[str]:
    """The persons, posts and organisations (with those above them) that earlier claims name."""
    out: set[str] = set()
    for events in found:
        for event in events:
            out.update(event.about())
    for entity_id in list(out):
        entity = catalogue.get(entity_id)
        org = entity.org if isinstance(entity, Post) else None
        while org is not None and org not in out:
            out.add(org)
            above = catalogue.get(org)
            org = above.parent if isinstance(above, Organisation) else None
    return out


def _retract(
    found: Iterable[Event], carrier: Mapping[str, str], key: str, reason: str, context: _Context
) -> list[Event]:
    return [
        Retracted(
            target=carrier.get(event.id, event.id),
            reason=reason,
            occurred=context.known,
            known=context.known,
            sources=(Source(source=context.label, quote=key, locator=key),),
        )
        for event in found
    ]


def _changes(
    record: TenureRecord,
    wanted: list[Event],
    before: list[Event],
    carrier: Mapping[str, str],
    context: _Context,
    counts: dict[str, int],
    resolver: Resolver,
) -> list[Event]:
    """The events that bring one record's standing claims to what the file now says."""
    if not before:
        counts["new"] += 1
        return wanted
    have = {_claim_key(e): e for e in before}
    # An undated claim says "on or before the file was published": a later version saying
    # nothing more about it is the same claim, not a correction of its date.
    undated = {_claim_key(attrs.evolve(e, occurred="2000")): e for e in before if _is_undated(e)}
    wanted = [
        undated.get(_claim_key(attrs.evolve(e, occurred="2000")), e) if _is_undated(e) else e for e in wanted
    ]
    want = {_claim_key(e): e for e in wanted}
    old = [e for k, e in have.items() if k not in want]
    new = [e for k, e in want.items() if k not in have]
    if not old and not new:
        counts["unchanged"] += 1
        return []
    out: list[Event] = []
    cite = (Source(source=context.label, quote=record.quote, locator=record.key),)
    lost_person = record.person is None and any(
        not p.startswith(UNNAMED_PREFIX) for e in old for p in _people(e)
    )
    if lost_person:
        named = ", ".join(sorted({p for e in old for p in _people(e)}))
        reason = f"{context.label}: record {record.key} no longer names a person (it named {named})"
        out.extend(_retract(old, carrier, record.key, reason, context))
        counts["retracted"] += 1
        return out + new
    for role in ("start", "end"):
        olds = [e for e in old if _role(e) == role]
        news = [e for e in new if _role(e) == role]
        for previous, replacement in zip(olds, news, strict=False):
            note = _what_changed(record, previous, replacement, context, resolver)
            out.append(
                Corrected(
                    target=carrier.get(previous.id, previous.id),
                    replacement=attrs.evolve(replacement, note=replacement.note or note),
                    occurred=context.known,
                    known=context.known,
                    sources=cite,
                    note=note,
                )
            )
            counts["corrected"] += 1
        for previous in olds[len(news) :]:
            reason = f"{context.label}: record {record.key} no longer gives this {role}"
            out.extend(_retract([previous], carrier, record.key, reason, context))
            counts["retracted"] += 1
        for added in news[len(olds) :]:
            out.append(added)
            if role == "end":
                counts["closed"] += 1
    return out


def _people(event: Event) -> list[str]:
    person = getattr(event, "person", None)
    return [person] if isinstance(person, str) else []


def _what_changed(
    record: TenureRecord, previous: Event, replacement: Event, context: _Context, resolver: Resolver
) -> str:
    def name(entity_id: object) -> str:
        entity = resolver.get(str(entity_id))
        return entity.name if entity is not None else str(entity_id)

    changes = []
    for field in ("person", "post", "from_post", "to_post"):
        a, b = getattr(previous, field, None), getattr(replacement, field, None)
        if a != b:
            changes.append(f"{field} {name(a)!r} -> {name(b)!r}")
    if previous.occurred != replacement.occurred:
        changes.append(f"date {previous.occurred} -> {replacement.occurred}")
    if previous.type != replacement.type:
        changes.append(f"{previous.type} -> {replacement.type}")
    return (
        f"{context.label} changed record {record.key}: {'; '.join(changes)} "
        f"(the earlier claim was known {previous.known})"
    )


def _history(events: Iterable[Event], resolver: Resolver) -> list[Event]:
    """Events a file kept as a log had them, naming the entities as this import does.

    A changed entity id changes the event's id, so what a withdrawal aims at is
    renamed too; and what it aims at comes first, as the log requires.
    """
    pending = list(events)
    inside = {e.id for e in pending} | {e.replacement.id for e in pending if isinstance(e, Corrected)}
    renamed: dict[str, str] = {}
    out: list[Event] = []
    while pending:
        waiting = []
        for event in pending:
            target = event.target if isinstance(event, Retracted | Corrected) else None
            if target is not None and target in inside and target not in renamed:
                waiting.append(event)
                continue
            made = _renamed(event, resolver, renamed)
            renamed[event.id] = made.id
            if isinstance(event, Corrected) and isinstance(made, Corrected):
                renamed[event.replacement.id] = made.replacement.id
            out.append(made)
        if len(waiting) == len(pending):  # aiming at each other: leave them to the log's check
            out.extend(_renamed(e, resolver, renamed) for e in waiting)
            break
        pending = waiting
    return out


def _renamed(event: Event, resolver: Resolver, renamed: Mapping[str, str]) -> Event:
    changes: dict[str, Any] = {}
    for field, kind in type(event).references.items():
        value = getattr(event, field)
        if isinstance(value, str):
            changes[field] = resolver.known_id(kind, value)
    if isinstance(event, RosterReported):
        changes["entries"] = tuple(
            attrs.evolve(
                entry,
                post=resolver.known_id("post", entry.post),
                person=None if entry.person is None else resolver.known_id("person", entry.person),
            )
            for entry in event.entries
        )
    if isinstance(event, Retracted | Corrected):
        changes["target"] = renamed.get(event.target, event.target)
    if isinstance(event, Corrected):
        changes["replacement"] = _renamed(event.replacement, resolver, renamed)
    made = attrs.evolve(event, **changes)
    return event if made == event else made


def _other_events(dataset: Dataset, resolver: Resolver, context: _Context) -> list[Event]:
    """Renames, births, deaths, foundings and dissolutions."""
    out: list[Event] = []
    for spec in dataset.names:
        out.append(
            Renamed(
                entity=resolver.id_of(spec.kind, spec.entity),
                name=spec.name,
                former=spec.former,
                occurred=spec.date,
                known=spec.known or context.known,
                sources=_cite(context, spec.sources, spec.quote or spec.name, f"{spec.entity}#renamed"),
                note=spec.note,
            )
        )
    for life in dataset.lives:
        common: dict[str, object] = {
            "occurred": life.date,
            "known": life.known or context.known,
            "sources": _cite(context, life.sources, life.quote or life.entity, f"{life.entity}#{life.cause}"),
            "note": life.note,
        }
        if life.cause == "born":
            out.append(Born(person=resolver.id_of("person", life.entity), **common))  # type: ignore[arg-type]
        elif life.cause == "died":
            out.append(Died(person=resolver.id_of("person", life.entity), **common))  # type: ignore[arg-type]
        elif life.cause == "founded":
            out.append(Founded(org=resolver.id_of("organisation", life.entity), **common))  # type: ignore[arg-type]
        else:
            out.append(Dissolved(org=resolver.id_of("organisation", life.entity), **common))  # type: ignore[arg-type]
    return out
