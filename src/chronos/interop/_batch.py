"""One import of many datasets: Wikidata items, each its own dataset with its own knowledge date.

A Wikidata file may hold thousands of items, and each item's revision is a
version of that item alone: a newer revision of Q1 updates Q1's claims and
leaves Q2's alone. So each item is a `Part` (a dataset, the name its citations
start with, the label they cite and when it was known) planned in turn by
`chronos.interop._plan.plan_import`, every part against the claims of its own
dataset only (and every retraction and correction, which may come from
anywhere), with one shared `Resolver` so that a position many items name is
created once. Nothing is written here.

A part may name records that are *undated*: their start is only bounded by
the version's own date (``../2016-01-08``, "held on or before this revision").
A later version of an undated record keeps the bound an earlier one gave,
which is tighter and still true, rather than correcting it at every revision.

A part may also name records to *withdraw*: claims its source makes but
itself marks as wrong (Wikidata's deprecated rank). The first time such a
record is seen its claims are added together with a `Retracted` of each, so
the log shows what was said and that it was withdrawn; later versions that
still withdraw it add nothing; a record withdrawn after it stood is retracted
with the source's reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from chronos.dates import End, FuzzyDate
from chronos.entities import Catalogue
from chronos.events import Appointed, Corrected, Event, Retracted, Source
from chronos.interop._entities import Resolver
from chronos.interop._model import Dataset, Skipped
from chronos.interop._plan import Plan, plan_import
from chronos.projections import visible

__all__ = ["Part", "plan_parts"]


@attrs.frozen
class Part:
    """One dataset of a many-dataset import: what it says, what it cites, when it was known."""

    dataset: Dataset
    name: str
    label: str
    known: FuzzyDate
    withdrawn: Mapping[str, str] = attrs.field(factory=dict)  # record key -> why the source withdraws it
    undated: frozenset[str] = frozenset()  # keys of records bounded only by the version's date


def _prefix(source: Source) -> str:
    return source.source.rsplit("/", 1)[0]


def plan_parts(
    parts: Iterable[Part], *, catalogue: Catalogue, events: Iterable[Event]
) -> tuple[Plan, tuple[Skipped, ...]]:
    """The entities and events that importing every part, in order, adds to a log holding ``events``.

    A part whose knowledge date is earlier than its dataset's last import is
    left out (a `Skipped` says so) rather than refused, so one stale item does
    not stop a dump.
    """
    order: dict[str, int] = {}
    by_dataset: dict[str, list[Event]] = {}
    by_target: dict[str, list[Retracted | Corrected]] = {}

    def add(event: Event, name: str | None = None) -> None:
        order.setdefault(event.id, len(order))
        if isinstance(event, Retracted | Corrected):
            by_target.setdefault(event.target, []).append(event)
            return
        for dataset_name in {name} if name else {_prefix(s) for s in event.sources}:
            by_dataset.setdefault(dataset_name, []).append(event)

    for event in events:
        add(event)
    resolver: Resolver | None = None
    out: list[Event] = []
    skipped: list[Skipped] = []
    counts = dict.fromkeys(("records", "new", "closed", "corrected", "retracted", "unchanged"), 0)
    for part in parts:
        own = by_dataset.get(part.name, [])
        if not own and not part.dataset.records:
            continue  # nothing said before, nothing said now
        logged = sorted(own + _about(own, by_target), key=lambda e: order[e.id])
        last = max((e.known.last for e in logged if _cites(e, part.name)), default=None)
        if last is not None and part.known.last < last:
            reason = f"known {part.known}, before the version already imported (known {last})"
            skipped.extend(Skipped(f"{part.label}: record {r.key}", reason) for r in part.dataset.records)
            continue
        dataset, recorded = _without_repeated_withdrawals(part, logged)
        dataset = _keep_earlier_bounds(part, dataset, logged)
        if resolver is None:
            resolver = Resolver(catalogue, part.label)
        plan = plan_import(
            dataset,
            catalogue=catalogue,
            events=logged,
            label=part.label,
            dataset_name=part.name,
            known=part.known,
            resolver=resolver,
        )
        planned = [_reason(e, part) for e in plan.events]
        withdrawals = _withdrawals(part, planned, recorded)
        counts["retracted"] += len({e.sources[0].locator for e in withdrawals})
        for key in counts:
            counts[key] += getattr(plan, key)
        for event in planned + withdrawals:
            out.append(event)
            add(event, part.name)
        skipped.extend(dataset.skipped)
    entities = tuple(resolver.new.values()) if resolver is not None else ()
    updates = tuple(resolver.updated.values()) if resolver is not None else ()
    unique = tuple({e.id: e for e in out}.values())
    return Plan(entities, unique, updates=updates, **counts), tuple(skipped)


def _about(events: list[Event], by_target: Mapping[str, list[Retracted | Corrected]]) -> list[Event]:
    """Every retraction and correction of these events, of those, and of the replacements, in turn."""
    found: dict[str, Event] = {}
    frontier = [e.id for e in events]
    while frontier:
        for claim in by_target.get(frontier.pop(), ()):
            if claim.id not in found:
                found[claim.id] = claim
                frontier.append(claim.id)
                if isinstance(claim, Corrected):
                    frontier.append(claim.replacement.id)
    return list(found.values())


def _cites(event: Event, name: str) -> bool:
    return any(_prefix(s) == name for s in event.sources)


def _without_repeated_withdrawals(part: Part, logged: list[Event]) -> tuple[Dataset, set[str]]:
    """The part's dataset less the withdrawn records the log already has claims for; and those keys."""
    if not part.withdrawn:
        return part.dataset, set()
    recorded = {
        s.locator
        for e in logged
        if not isinstance(e, Retracted | Corrected)
        for s in e.sources
        if s.locator in part.withdrawn and _prefix(s) == part.name
    }
    records = tuple(r for r in part.dataset.records if r.key not in recorded)
    return attrs.evolve(part.dataset, records=records), {k for k in recorded if k is not None}


def _keep_earlier_bounds(part: Part, dataset: Dataset, logged: list[Event]) -> Dataset:
    """Undated records whose standing start is an earlier version's bound keep that bound."""
    if not part.undated:
        return dataset
    bounds: dict[str, FuzzyDate] = {}
    for event in visible(logged):
        if isinstance(event, Appointed) and isinstance(event.occurred.lower, End):
            for source in event.sources:
                if source.locator in part.undated and _prefix(source) == part.name:
                    bounds[source.locator] = event.occurred
    if not bounds:
        return dataset
    records = tuple(
        attrs.evolve(r, starts=tuple(attrs.evolve(c, date=bounds[r.key]) for c in r.starts))
        if r.key in bounds and not r.ends
        else r
        for r in dataset.records
    )
    return attrs.evolve(dataset, records=records)


def _reason(event: Event, part: Part) -> Event:
    """A retraction of a record the source now withdraws gives the source's reason."""
    key = event.sources[0].locator
    if isinstance(event, Retracted) and key is not None and key in part.withdrawn:
        return attrs.evolve(event, reason=f"{part.label}: record {key} is withdrawn: {part.withdrawn[key]}")
    return event


def _withdrawals(part: Part, planned: list[Event], recorded: set[str]) -> list[Event]:
    """A `Retracted` of each claim planned for a record the source withdraws, seen for the first time."""
    out: list[Event] = []
    for event in planned:
        if isinstance(event, Retracted | Corrected):
            continue
        key = next((s.locator for s in event.sources if s.source == part.label), None)
        if key is None or key not in part.withdrawn or key in recorded:
            continue
        common: dict[str, Any] = {"occurred": part.known, "known": part.known}
        out.append(
            Retracted(
                target=event.id,
                reason=f"{part.label}: record {key} is withdrawn: {part.withdrawn[key]}",
                sources=(Source(source=part.label, quote=key, locator=key),),
                **common,
            )
        )
    return out
