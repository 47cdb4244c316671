"""Integrity checks over a chronology: the ``chronos check`` report.

Each rule yields `Finding` values with a severity:

- ``error``: the data cannot all be true (a post over its seat count, an event
  after a person's death, an appointment while certainly in custody, a claim
  known before it can have happened, a tenure that ends before it starts),
  and, when the store is given, a database whose triggers that keep the log
  append-only were dropped or altered;
- ``warning``: the data is incomplete or contested and a reader should know
  (a tenure with no known start, sources that disagree on a date, on the dates
  of a spell in custody, or on how a tenure ended, a source's own roster that
  the events contradict, an appointment possibly in custody, a tenure whose
  holder the source does not name, identifications that disagree);
- ``info``: worth listing (claims withdrawn by a later retraction or correction,
  tenures scheduled to end: an end dated after it was known is a forecast).

``check(chronology, quotes=True)`` (``chronos check --quotes``) also finds every
quote in the archived text of its source, where the sources registry has one
(`chronos.sources`), comparing as `normal_text` does.

A warning the data explains (an event ``note`` saying why) carries that note.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import attrs

from chronos.chronology import Chronology
from chronos.dates import Day
from chronos.entities import UNNAMED_PREFIX, Post
from chronos.events import Corrected, Event, Identified, Renamed, Retracted, Source, TenureEnded
from chronos.projections import Claim, Policy, State, Tenure
from chronos.projections.policy import OPEN_END, OPEN_START
from chronos.sources import citations, normal_text, sha256_of
from chronos.stores import _tenures

__all__ = ["RULES", "Finding", "check", "check_quotes"]

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


def _tenures_table_behind(store: object) -> str | None:
    """What is wrong with the store's ``chronos_tenures`` table, when it does not reflect the log's head."""
    derived: Any = store
    if not hasattr(derived, "holds_derived") or not derived.holds_derived():
        return None
    found = derived.derived_query(_tenures.READ_HEAD)
    head = derived.head()
    if found and tuple(found[0][:2]) == (head.position, head.hash):
        return None
    at = f"position {found[0][0]}" if found else "no head"
    return (
        f"chronos_tenures reflects {at}, the log is at {head.position}: SQL clients read an older record "
        "(`chronos tenures-table` brings it current)"
    )


def check(
    chronology: Chronology, *, store: object = None, quotes: bool = False, archives: Path | None = None
) -> list[Finding]:
    """Every finding of every rule over everything in the chronology, errors first.

    With ``store``, the store the log was read from is checked too: a database
    whose triggers that keep the log append-only were dropped or altered is an
    error (``unguarded-store``), and a ``chronos_tenures`` table that does not
    reflect the log's head a warning (``tenures-table-behind``). With
    ``quotes``, every quote is also looked for in its source's archived text
    (`check_quotes`, which ``archives`` is passed to).
    """
    state = chronology.state()
    tenures = list(chronology.tenures(policy=Policy()))
    findings: list[Finding] = []
    unguarded = getattr(store, "unguarded", None)
    problem = unguarded() if unguarded is not None else None
    if problem is not None:
        findings.append(Finding("error", "unguarded-store", problem))
    behind = _tenures_table_behind(store)
    if behind is not None:
        findings.append(Finding("warning", "tenures-table-behind", behind))
    for rule in RULES:
        findings.extend(rule(chronology, state, tenures))
    if quotes:
        findings.extend(check_quotes(chronology, archives=archives))
    findings.sort(key=lambda f: (_ORDER[f.severity], f.rule, f.message))
    return findings


def check_quotes(
    chronology: Chronology, *, base: Path | None = None, archives: Path | None = None
) -> list[Finding]:
    """Find every quote in its source's archived text, whitespace and typographic quotes aside.

    ``base`` (default: the log's folder, `Chronology.home`) is where relative
    archive paths start; ``archives``, a folder to find every archived text
    in by its file name instead (archives moved elsewhere). Errors: a quote not in the text, an archived text
    whose SHA-256 is not the registered one. Warnings: a registered archive
    that is missing. Info: the sources with no archived text, whose quotes
    are left unchecked.
    """
    base = base if base is not None else chronology.home
    cited: dict[str, list[tuple[Event, Source]]] = {}
    for event, source in citations(chronology.events):
        cited.setdefault(source.source, []).append((event, source))
    registry = chronology.catalogue.sources
    findings: list[Finding] = []
    for source_id, uses in cited.items():
        publication = registry.get(source_id)
        events = [event for event, _ in uses]
        path = publication.archive_path(base) if publication is not None else None
        if path is not None and archives is not None:
            path = archives / path.name
        if publication is None or path is None:
            findings.append(
                _finding(
                    "info",
                    "quotes-unchecked",
                    f"{source_id}: no archived text registered; its {len(uses)} quotes are unchecked",
                    [],
                )
            )
            continue
        if not path.is_file():
            findings.append(
                _finding(
                    "warning",
                    "archive-missing",
                    f"{source_id}: the archived text {path} is not there; "
                    f"its {len(uses)} quotes are unchecked",
                    [],
                )
            )
            continue
        if publication.sha256 is not None and sha256_of(path) != publication.sha256:
            findings.append(
                _finding(
                    "error",
                    "archive-changed",
                    f"{source_id}: {path} has SHA-256 {sha256_of(path)[:12]}, the registry says "
                    f"{publication.sha256[:12]}: not the text the quotes were taken from",
                    events,
                )
            )
            continue
        text = normal_text(path.read_text(encoding="utf-8"))
        for event, source in uses:
            if normal_text(source.quote) not in text:
                where = f" ({source.locator})" if source.locator else ""
                findings.append(
                    _finding(
                        "error",
                        "quote-not-in-source",
                        f"{event.type} {event.occurred}: the quote {source.quote!r} is not in "
                        f"{source_id}{where}",
                        [event],
                    )
                )
    findings.sort(key=lambda f: (_ORDER[f.severity], f.rule, f.message))
    return findings


def _cite(chronology: Chronology, source_id: str) -> str:
    """A source as findings name it: as cited when registered (``RFE/RL, 8–9 Jan 2022``), else its id."""
    registered = chronology.catalogue.sources.get(source_id)
    return registered.citation if registered is not None else source_id


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
        days = sorted({d for t in held for d in (t.start.last, t.end.first) if d != Day.max})
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
        if tenure.start.chosen and tenure.end.chosen and tenure.end.last < tenure.start.first:
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
                    f"{c.cause} {c.date} ({', '.join(_cite(chronology, s.source) for s in c.sources)})"
                    for c in resolved.claims
                )
                yield _finding(
                    "warning",
                    "disputed",
                    f"sources disagree on the {part} of {_name(chronology, tenure.person)} "
                    f"at {tenure.post}: {claims}",
                    [c.event for c in resolved.claims],
                )


def _claims_text(claims: Iterable[Claim]) -> str:
    return "; ".join(f"{c.cause} {c.date} ({', '.join(s.source for s in c.sources)})" for c in claims)


def _disputed_custody(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for custody in state.custody:
        for part, claims in (("start", custody.starts), ("end", custody.ends)):
            resolved = Policy().resolve(claims, empty=OPEN_START if part == "start" else OPEN_END)
            if resolved.disputed:
                what = "was taken into custody" if part == "start" else "was released"
                yield _finding(
                    "warning",
                    "disputed-custody",
                    f"sources disagree on when {_name(chronology, custody.person)} {what}: "
                    f"{_claims_text(resolved.claims)}",
                    [c.event for c in resolved.claims],
                )


#: Causes of an end that cannot both be true: removed from a post, or gave it up.
_OPPOSED_CAUSES = ({"dismissed"}, {"resigned"})


def _disputed_cause(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for tenure in tenures:
        causes = {c.cause for c in tenure.end.claims}
        if all(causes & family for family in _OPPOSED_CAUSES):
            opposed = [c for c in tenure.end.claims if any(c.cause in f for f in _OPPOSED_CAUSES)]
            yield _finding(
                "warning",
                "disputed-cause",
                f"sources disagree on how {_name(chronology, tenure.person)} left {tenure.post} "
                f"(removed or gave it up): {_claims_text(opposed)}",
                [c.event for c in opposed],
            )


def _disputed_identity(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    by_placeholder: dict[str, list[Identified]] = {}
    for event in state.events:
        if isinstance(event, Identified):
            by_placeholder.setdefault(event.placeholder, []).append(event)
    for placeholder, claims in by_placeholder.items():
        persons = sorted({e.person for e in claims})
        if len(persons) > 1:
            yield _finding(
                "warning",
                "disputed-identity",
                f"sources identify {_name(chronology, placeholder)} ({placeholder}) as different people: "
                f"{', '.join(persons)}; the holder stays unidentified",
                claims,
            )


def _after_death(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for person, claims in state.deaths.items():
        died = Policy().resolve(claims, empty=OPEN_END).last
        for event in state.events:
            if person in event.about() and event.occurred.first > died and not isinstance(event, Renamed):
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
        if event.known.last < event.occurred.first:
            if isinstance(event, TenureEnded):
                # A term that is to end: a forecast, which the answers never treat as certain.
                yield _finding(
                    "info",
                    "scheduled-end",
                    f"{_name(chronology, event.person)} at {event.post}: {event.type} on {event.occurred} "
                    f"was known by {event.known}, before the day: a scheduled end, not a fact",
                    [event],
                )
                continue
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
                f"{_cite(chronology, snapshot.sources[0].source)} on {snapshot.occurred}, "
                f"{row.post}: {row.detail}",
                [snapshot],
            )


def _unnamed(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    for tenure in tenures:
        if tenure.person.startswith(UNNAMED_PREFIX):
            where = "; ".join(
                dict.fromkeys(f"{_cite(chronology, s.source)} ({s.locator})" for s in tenure.sources)
            )
            yield _finding(
                "warning",
                "unnamed-holder",
                f"{_name(chronology, tenure.post)} ({tenure.post}) was held from {tenure.start.date or '?'} "
                f"to {tenure.end.date or 'now'} by someone the source does not name: {where}",
                tenure.events,
            )


def _unregistered(chronology: Chronology, state: State, tenures: list[Tenure]) -> Iterator[Finding]:
    catalogue = chronology.catalogue
    if not catalogue.require_sources:
        return
    by_source: dict[str, list[Event]] = {}
    for event, source in citations(chronology.events):
        if source.source not in catalogue.sources:
            by_source.setdefault(source.source, []).append(event)
    for source_id, events in by_source.items():
        yield _finding(
            "error",
            "unregistered-source",
            f"{source_id} is cited by {len(events)} events but not in the sources registry",
            events,
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
    _disputed_custody,
    _disputed_cause,
    _disputed_identity,
    _unregistered,
)
