"""Integrity checks over a chronology: the ``chronos check`` report.

Each rule yields `Finding` values with a severity:

- ``error``: the data cannot all be true (a post over its seat count, an event
  after a person's death, an appointment while certainly in custody, a claim
  known before it can have happened, a tenure that ends before it starts),
  and, when the store is given, a database whose triggers that keep the log
  append-only were dropped or altered;
- ``warning``: the data is incomplete or contested and a reader should know
  (a tenure with no known start, sources that disagree on a date, a source's
  own roster that the events contradict, an appointment possibly in custody,
  a tenure whose holder the source does not name);
- ``info``: worth listing (claims withdrawn by a later retraction or correction).

A warning the data explains (an event ``note`` saying why) carries that note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Literal

import attrs

from chronos.chronology import Chronology
from chronos.entities import UNNAMED_PREFIX, Post
from chronos.events import Corrected, Event, Renamed, Retracted
from chronos.projections import Policy, State, Tenure
from chronos.projections.policy import OPEN_END, OPEN_START

__all__ = ["RULES", "Finding", "check"]

Severity = Literal["error", "warning", "info"]
_ORDER = {"error": 0, "warning": 1, "info": 2}


@attrs.frozen
class Finding:
    """One problem found: how bad, which rule, what, and the events concerned (ids)."""

    severity: Severity
    rule: str
    message: str
    events: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _finding(severity: Severity, rule: str, message: str, events: Iterable[Event]) -> Finding:
    events = list(dict.fromkeys(events))
    notes = tuple(dict.fromkeys(e.note for e in events if e.note))
    return Finding(severity, rule, message, tuple(e.id for e in events), notes)


def check(chronology: Chronology, *, store: object = None) -> list[Finding]:
    """Every finding of every rule over everything in the chronology, errors first.

    With ``store``, the store the log was read from is checked too: a database
    whose triggers that keep the log append-only were dropped or altered is an
    error (``unguarded-store``).
    """
    state = chronology.state()
    tenures = list(chronology.tenures(policy=Policy()))
    findings: list[Finding] = []
    unguarded = getattr(store, "unguarded", None)
    problem = unguarded() if unguarded is not None else None
    if problem is not None:
        findings.append(Finding("error", "unguarded-store", problem))
    for rule in RULES:
        findings.extend(rule(chronology, state, tenures))
    findings.sort(key=lambda f: (_ORDER[f.severity], f.rule, f.message))
    return findings


def _name(chronology: Chronology, entity_id: str) -> str:
    entity = chronology.catalogue.get(entity_id)
    return entity.name if entity is not None else entity_id


def _over_seats(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    by_post: dict[str, list[Tenure]] = {}
    for tenure in tenures:
        by_post.setdefault(tenure.post, []).append(tenure)
    for post_id, held in by_post.items():
        post = chronology.catalogue.get(post_id)
        seats = post.seats if isinstance(post, Post) else 1
        if seats == 0:  # no fixed number: never over it
            continue
        # The count of certain holders only changes where a start or an end can fall.
        days = sorted({d for t in held for d in (t.start.latest, t.end.earliest) if d != dt.date.max})
        reported: set[frozenset[str]] = set()
        for day in days:
            certain = [t for t in held if t.holds(day) == "certain"]
            if len(certain) > seats:
                people = frozenset(t.person for t in certain)
                if people in reported:
                    continue
                reported.add(people)
                names = ", ".join(_name(chronology, t.person) for t in certain)
                yield _finding(
                    "error",
                    "over-seats",
                    f"{post_id} has {seats} seat(s) but {len(certain)} certain holders on {day}: {names}",
                    [e for t in certain for e in t.events],
                )


def _open_start(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for tenure in tenures:
        if tenure.open_start:
            ends = ", ".join(f"{c.cause} {c.date}" for c in tenure.end.claims)
            yield _finding(
                "warning",
                "open-start",
                f"{_name(chronology, tenure.person)} ({tenure.person}) {ends} from {tenure.post}, "
                "with no recorded start: the sources do not say when the tenure began",
                tenure.events,
            )


def _reversed(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for tenure in tenures:
        if tenure.start.chosen and tenure.end.chosen and tenure.end.latest < tenure.start.earliest:
            yield _finding(
                "error",
                "ends-before-start",
                f"{tenure.person} at {tenure.post} ends ({tenure.end.date}) "
                f"before it starts ({tenure.start.date})",
                tenure.events,
            )


def _disputed(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for tenure in tenures:
        for part, resolved in (("start", tenure.start), ("end", tenure.end)):
            if resolved.disputed:
                claims = "; ".join(
                    f"{c.cause} {c.date} ({', '.join(s.source for s in c.sources)})" for c in resolved.claims
                )
                yield _finding(
                    "warning",
                    "disputed",
                    f"sources disagree on the {part} of {_name(chronology, tenure.person)} "
                    f"at {tenure.post}: {claims}",
                    [c.event for c in resolved.claims],
                )


def _after_death(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for person, claims in state.deaths.items():
        died = Policy().resolve(claims, empty=OPEN_END).latest
        for event in state.events:
            if person in event.about() and event.occurred.earliest > died and not isinstance(event, Renamed):
                yield _finding(
                    "error",
                    "after-death",
                    f"{event.type} of {_name(chronology, person)} on {event.occurred}, "
                    f"after their death ({died})",
                    [event, *(c.event for c in claims)],
                )


def _in_custody(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    spells_of: dict[str, list[Tenure]] = {}
    for custody in state.custody:
        spell = Tenure(
            custody.person,
            "custody",
            Policy().resolve(custody.starts, empty=OPEN_START),
            Policy().resolve(custody.ends, empty=OPEN_END),
        )
        spells_of.setdefault(custody.person, []).append(spell)
    for tenure in tenures:
        for claim in tenure.start.chosen:
            for spell in spells_of.get(tenure.person, ()):
                certainty = spell.holds(claim.date)
                if certainty is None:
                    continue
                yield _finding(
                    "error" if certainty == "certain" else "warning",
                    "in-custody",
                    f"{_name(chronology, tenure.person)} {claim.cause} to {tenure.post} on {claim.date} "
                    f"while {'certainly' if certainty == 'certain' else 'possibly'} in custody",
                    [claim.event, *spell.events],
                )


def _known_early(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for event in chronology.events:
        if event.known.latest < event.occurred.earliest:
            yield _finding(
                "error",
                "known-before-occurred",
                f"{event.type} known by {event.known} but it happened {event.occurred}",
                [event],
            )


def _withdrawn(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    by_id = {e.id: e for e in chronology.events}
    for event in chronology.events:
        if isinstance(event, Retracted | Corrected):
            target = by_id.get(event.target)
            what = "corrected" if isinstance(event, Corrected) else "retracted"
            described = (
                f"{target.type} {target.occurred} about {', '.join(target.about())}"
                if target
                else event.target
            )
            yield _finding(
                "info", what, f"{described} {what} as of {event.known}", [e for e in (target, event) if e]
            )


def _snapshots(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for snapshot in state.snapshots:
        for row in chronology.compare(snapshot):
            if row.verdict in ("agrees", "agrees-possibly"):
                continue
            yield _finding(
                "warning",
                f"snapshot-{row.verdict}",
                f"{snapshot.sources[0].source} on {snapshot.occurred}, {row.post}: {row.detail}",
                [snapshot],
            )


def _unnamed(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for tenure in tenures:
        if tenure.person.startswith(UNNAMED_PREFIX):
            where = "; ".join(dict.fromkeys(f"{s.source} ({s.locator})" for s in tenure.sources))
            yield _finding(
                "warning",
                "unnamed-holder",
                f"{_name(chronology, tenure.post)} ({tenure.post}) was held from {tenure.start.date or '?'} "
                f"to {tenure.end.date or 'now'} by someone the source does not name: {where}",
                tenure.events,
            )


RULES = (
    _over_seats,
    _open_start,
    _reversed,
    _disputed,
    _after_death,
    _in_custody,
    _known_early,
    _withdrawn,
    _snapshots,
    _unnamed,
)
