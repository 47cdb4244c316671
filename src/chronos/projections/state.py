"""The fold: from the events known at a date to tenures, custody, births, deaths and names.

`visible` selects what was known on a knowledge date K (an event counts once
its ``known`` date has certainly passed, i.e. ``known.last <= K``) and applies
the retractions and corrections known by then. `project` folds the result in
valid-time order (never append order) into a `State`, one handler per event
type.

What the record says about empty seats is kept apart from the tenures: a
source's own roster that leaves a seat empty is a vacancy claim for that post
on its date (`State.vacancies`), and a `DeclaredComplete` says the record holds
every holder of an organisation or post over a period (`State.declared`).
Nothing else makes a seat vacant: a seat nobody is recorded in is unknown.
An `Identified` event names a holder a source left unnamed; every claim about
the placeholder is then folded as a claim about the person.

Claims are grouped by structure, not by guesswork: the start claims of one
person at one post with no end claim between them are alternative claims of
one start (two sources dating one appointment), and the end claims after them
are alternative claims of one end. A policy later reconciles each group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from chronos._fast.gc import paused_gc
from chronos.dates import Day
from chronos.entities import Catalogue
from chronos.events import (
    Appointed,
    Arrested,
    Born,
    Charged,
    Corrected,
    DeclaredComplete,
    Died,
    Dissolved,
    Event,
    Founded,
    Identified,
    Moved,
    Released,
    Renamed,
    Retracted,
    RosterReported,
    TenureEnded,
)
from chronos.projections.derived import Derived
from chronos.projections.policy import Claim

__all__ = ["Custody", "Period", "State", "fold", "identities", "project", "sort_key", "visible"]


@attrs.frozen
class Period:
    """One stretch of something (a tenure of a post, a spell in custody) as its claims give it."""

    person: str
    subject: str
    starts: tuple[Claim, ...]
    ends: tuple[Claim, ...]


@attrs.frozen
class Custody:
    """A spell in custody: arrest claims, release claims, and the charges brought meanwhile."""

    person: str
    starts: tuple[Claim, ...]
    ends: tuple[Claim, ...]
    charges: tuple[Claim, ...]


@attrs.frozen
class State:
    """Everything a projection knows, built by `project`."""

    tenures: tuple[Period, ...]
    custody: tuple[Custody, ...]
    deaths: Mapping[str, tuple[Claim, ...]]
    founded: Mapping[str, tuple[Claim, ...]]
    dissolved: Mapping[str, tuple[Claim, ...]]
    renames: Mapping[str, tuple[Renamed, ...]]
    snapshots: tuple[RosterReported, ...]
    events: tuple[Event, ...]
    known_at: Day | None = None
    possibly: bool = False
    births: Mapping[str, tuple[Claim, ...]] = attrs.field(factory=dict)
    #: Vacancy claims by post: one per empty seat of a source's own roster, dated as the roster.
    vacancies: Mapping[str, tuple[Claim, ...]] = attrs.field(factory=dict)
    #: `DeclaredComplete` events by the organisation or post they declare complete.
    declared: Mapping[str, tuple[DeclaredComplete, ...]] = attrs.field(factory=dict)
    #: The last day the record covers: ``known_at`` or the log's last knowledge date, the
    #: earlier. Past it an answer is a forecast, never certain. None: no limit.
    horizon: Day | None = None
    by_post: Mapping[str, tuple[Period, ...]] = attrs.field(factory=dict, eq=False, repr=False)
    by_person: Mapping[str, tuple[Period, ...]] = attrs.field(factory=dict, eq=False, repr=False)
    custody_of: Mapping[str, tuple[Custody, ...]] = attrs.field(factory=dict, eq=False, repr=False)
    #: What questions derived from this state and keep with it (`Derived`), never compared.
    derived: Derived = attrs.field(factory=Derived, eq=False, repr=False)

    def tenures_at(self, post: str) -> tuple[Period, ...]:
        """Every tenure of one post."""
        return self.by_post.get(post, ())

    def tenures_of(self, person: str) -> tuple[Period, ...]:
        """Every tenure of one person."""
        return self.by_person.get(person, ())

    def custody_spells(self, person: str) -> tuple[Custody, ...]:
        """Every spell in custody of one person."""
        return self.custody_of.get(person, ())


def visible(
    events: Iterable[Event], *, known_at: Day | dt.date | None = None, possibly: bool = False
) -> list[Event]:
    """The claims standing on ``known_at``: known by then, minus what was retracted or corrected by then.

    An event counts once it was certainly public (``known.last <= known_at``),
    or, with ``possibly``, once it may have been (``known.first <= known_at``).
    A correction contributes its replacement; retracting a retraction or a
    correction restores what it had withdrawn.
    """
    if isinstance(known_at, dt.date):
        known_at = Day.from_date(known_at)
    if known_at is None:
        known = list(events)
    elif possibly:
        known = [e for e in events if e.known.first <= known_at]
    else:
        known = [e for e in events if e.known.last <= known_at]
    claims_about_claims: list[Retracted | Corrected] = [
        e for e in known if isinstance(e, Retracted | Corrected)
    ]
    if not claims_about_claims:
        return known  # nothing withdrawn, nothing replaced (the common case, and the cheap one)
    by_id = {e.id: e for e in known}
    # A replacement can itself be targeted: point its id at the Corrected that carries it.
    for claim in claims_about_claims:
        if isinstance(claim, Corrected):
            by_id.setdefault(claim.replacement.id, claim)
    targeted_by: dict[str, list[Event]] = {}
    for claim in claims_about_claims:
        target = by_id.get(claim.target)
        if target is not None:
            targeted_by.setdefault(target.id, []).append(claim)

    memo: dict[str, bool] = {}

    def withdrawn(event: Event) -> bool:
        # Targets always precede what targets them, so this recursion ends.
        if event.id not in memo:
            memo[event.id] = any(not withdrawn(m) for m in targeted_by.get(event.id, ()))
        return memo[event.id]

    out: list[Event] = []
    for event in known:
        if event.id in targeted_by and withdrawn(event):
            continue
        if isinstance(event, Retracted):
            continue
        if isinstance(event, Corrected):
            out.append(event.replacement)
            continue
        out.append(event)
    return out


_STARTS = (Appointed, Founded, Arrested)


def sort_key(event: Event) -> tuple[Day, Day, int, str]:
    """Valid-time order: by earliest then latest possible day; ends before starts on a tie; then id."""
    occurred = event.occurred
    return (occurred.first, occurred.last, 1 if isinstance(event, _STARTS) else 0, event.id)


@attrs.define
class _Open:
    person: str
    subject: str
    starts: list[Claim] = attrs.Factory(list)
    ends: list[Claim] = attrs.Factory(list)
    charges: list[Claim] = attrs.Factory(list)


@attrs.define
class _Fold:
    """The mutable state inside one `project` call; `project` is pure from outside."""

    catalogue: Catalogue
    tenures: dict[tuple[str, str], list[_Open]] = attrs.Factory(dict)
    order: list[_Open] = attrs.Factory(list)
    custody: dict[str, list[_Open]] = attrs.Factory(dict)
    custody_order: list[_Open] = attrs.Factory(list)
    deaths: dict[str, list[Claim]] = attrs.Factory(dict)
    births: dict[str, list[Claim]] = attrs.Factory(dict)
    founded: dict[str, list[Claim]] = attrs.Factory(dict)
    dissolved: dict[str, list[Claim]] = attrs.Factory(dict)
    renames: dict[str, list[Renamed]] = attrs.Factory(dict)
    snapshots: list[RosterReported] = attrs.Factory(list)
    vacancies: dict[str, list[Claim]] = attrs.Factory(dict)
    declared: dict[str, list[DeclaredComplete]] = attrs.Factory(dict)
    #: Placeholder person -> (person, the `Identified` events naming them), from every standing event.
    identities: dict[str, tuple[str, tuple[Event, ...]]] = attrs.Factory(dict)
    # Who was ever at a post, and where a person ever was: deaths and dissolutions
    # end tenures through these instead of scanning every tenure.
    posts_of: dict[str, list[str]] = attrs.Factory(dict)
    holders_at: dict[str, list[str]] = attrs.Factory(dict)

    def claim(self, person: str, event: Event, cause: str) -> tuple[str, Claim]:
        """The person a claim is about (an identified placeholder's person) and the claim."""
        if self.identities:
            found = self.identities.get(person)
            if found is not None:
                return found[0], Claim(event, event.occurred, cause, found[1])
        return person, Claim(event, event.occurred, cause)

    def _periods(self, person: str, post: str) -> list[_Open]:
        periods = self.tenures.get((person, post))
        if periods is None:
            periods = self.tenures[(person, post)] = []
            self.posts_of.setdefault(person, []).append(post)
            self.holders_at.setdefault(post, []).append(person)
        return periods

    def start(self, person: str, post: str, claim: Claim) -> None:
        periods = self._periods(person, post)
        last = periods[-1] if periods else None
        if last is not None and (
            not last.ends
            # An end dated before we saw any start (sorted by earliest day) may
            # still come after this start: "dismissed in 2022", "appointed in March 2022".
            or (not last.starts and max(c.date.last for c in last.ends) >= claim.date.first)
        ):
            last.starts.append(claim)
            return
        period = _Open(person, post, [claim])
        periods.append(period)
        self.order.append(period)

    def end(self, person: str, post: str, claim: Claim) -> None:
        periods = self._periods(person, post)
        if periods:
            periods[-1].ends.append(claim)
            return
        period = _Open(person, post, [], [claim])
        periods.append(period)
        self.order.append(period)

    def end_all(self, person: str, claim: Claim, posts: Iterable[str] | None = None) -> None:
        """End every open tenure of ``person`` (or of anyone, at ``posts``)."""
        if posts is None:
            keys = [(person, post) for post in self.posts_of.get(person, ())]
        else:
            keys = [(holder, post) for post in posts for holder in self.holders_at.get(post, ())]
        for key in keys:
            last = self.tenures[key][-1]
            if not last.ends and last.starts:
                last.ends.append(claim)


def _appointed(fold: _Fold, event: Appointed) -> None:
    person, claim = fold.claim(event.person, event, "appointed")
    fold.start(person, event.post, claim)


def _ended(fold: _Fold, event: TenureEnded) -> None:
    person, claim = fold.claim(event.person, event, type(event).__name__.lower())
    fold.end(person, event.post, claim)


def _moved(fold: _Fold, event: Moved) -> None:
    person, claim = fold.claim(event.person, event, "moved")
    fold.end(person, event.from_post, claim)
    fold.start(person, event.to_post, claim)


def _arrested(fold: _Fold, event: Arrested) -> None:
    person, claim = fold.claim(event.person, event, "arrested")
    spells = fold.custody.setdefault(person, [])
    last = spells[-1] if spells else None
    if last is not None and not last.ends:
        last.starts.append(claim)
    else:
        spell = _Open(person, "custody", [claim])
        spells.append(spell)
        fold.custody_order.append(spell)
    if event.vacates:
        fold.end_all(person, claim)


def _released(fold: _Fold, event: Released) -> None:
    person, claim = fold.claim(event.person, event, "released")
    spells = fold.custody.setdefault(person, [])
    if spells:
        spells[-1].ends.append(claim)
    else:
        spell = _Open(person, "custody", [], [claim])
        spells.append(spell)
        fold.custody_order.append(spell)


def _charged(fold: _Fold, event: Charged) -> None:
    person, claim = fold.claim(event.person, event, "charged")
    spells = fold.custody.setdefault(person, [])
    if not spells:
        # Charged without a recorded arrest: keep the charge on a spell with no start.
        spell = _Open(person, "custody")
        spells.append(spell)
        fold.custody_order.append(spell)
    spells[-1].charges.append(claim)


def _born(fold: _Fold, event: Born) -> None:
    person, claim = fold.claim(event.person, event, "born")
    fold.births.setdefault(person, []).append(claim)


def _died(fold: _Fold, event: Died) -> None:
    person, claim = fold.claim(event.person, event, "died")
    fold.deaths.setdefault(person, []).append(claim)
    fold.end_all(person, claim)


def _founded(fold: _Fold, event: Founded) -> None:
    fold.founded.setdefault(event.org, []).append(Claim(event, event.occurred, "founded"))


def _dissolved(fold: _Fold, event: Dissolved) -> None:
    claim = Claim(event, event.occurred, "dissolved")
    fold.dissolved.setdefault(event.org, []).append(claim)
    if event.org in fold.catalogue:
        fold.end_all("", claim, posts=[p.id for p in fold.catalogue.posts(event.org)])


def _renamed(fold: _Fold, event: Renamed) -> None:
    fold.renames.setdefault(event.entity, []).append(event)


def _reported(fold: _Fold, event: RosterReported) -> None:
    fold.snapshots.append(event)
    for entry in event.entries:
        if entry.person is None and entry.name is None:
            fold.vacancies.setdefault(entry.post, []).append(Claim(event, event.occurred, "reported vacant"))


def _declared(fold: _Fold, event: DeclaredComplete) -> None:
    fold.declared.setdefault(event.subject, []).append(event)


def _identified(fold: _Fold, event: Identified) -> None:
    """Nothing to fold: `identities` read every identification before the fold began."""


HANDLERS: dict[type[Event], Callable[[_Fold, Any], None]] = {
    Appointed: _appointed,
    TenureEnded: _ended,
    Moved: _moved,
    Arrested: _arrested,
    Released: _released,
    Charged: _charged,
    Born: _born,
    Died: _died,
    Founded: _founded,
    Dissolved: _dissolved,
    Renamed: _renamed,
    RosterReported: _reported,
    DeclaredComplete: _declared,
    Identified: _identified,
}


def fold(state: _Fold, event: Event) -> _Fold:
    """Apply one event; kinds without a handler (a user's own kinds) leave the state as it is."""
    handler = _handler(type(event))
    if handler is not None:
        handler(state, event)
    return state


def _handler(kind: type[Event]) -> Callable[[_Fold, Any], None] | None:
    """The handler of the nearest class in ``kind``'s MRO that has one."""
    for cls in kind.__mro__:
        handler = HANDLERS.get(cls)
        if handler is not None:
            return handler
    return None


def project(
    events: Iterable[Event],
    catalogue: Catalogue,
    *,
    known_at: Day | dt.date | None = None,
    possibly: bool = False,
    horizon: Day | None = None,
) -> State:
    """Fold the events standing on ``known_at`` in valid-time order into a `State` (see `visible`).

    The state's horizon, the last day the record covers, is ``horizon`` when
    given, else ``known_at`` or the last day any of ``events`` became known,
    whichever is earlier (`Day.min` when there are no events). Give it when
    ``events`` are a part of a larger log (`chronos.projections.EventIndex`):
    the whole log's last knowledge date is the record's.
    """
    if isinstance(known_at, dt.date):
        known_at = Day.from_date(known_at)
    with paused_gc():
        return _project(events, catalogue, known_at=known_at, possibly=possibly, horizon=horizon)


def _project(
    events: Iterable[Event],
    catalogue: Catalogue,
    *,
    known_at: Day | None,
    possibly: bool,
    horizon: Day | None,
) -> State:
    if horizon is None:
        events = events if isinstance(events, list | tuple) else list(events)
        latest = max((e.known.last for e in events), default=Day.min)
        horizon = latest if known_at is None else min(known_at, latest)
    standing = visible(events, known_at=known_at, possibly=possibly)
    standing.sort(key=sort_key)
    state = _Fold(catalogue, identities=identities(standing))
    # `fold`, with each kind's handler looked up once per call rather than once per event.
    handlers: dict[type[Event], Callable[[_Fold, Any], None] | None] = {}
    for event in standing:
        kind = type(event)
        try:
            handler = handlers[kind]
        except KeyError:
            handler = handlers[kind] = _handler(kind)
        if handler is not None:
            handler(state, event)
    tenures = tuple(Period(p.person, p.subject, tuple(p.starts), tuple(p.ends)) for p in state.order)
    custody = tuple(
        Custody(c.person, tuple(c.starts), tuple(c.ends), tuple(c.charges)) for c in state.custody_order
    )
    return State(
        tenures=tenures,
        custody=custody,
        deaths={k: tuple(v) for k, v in state.deaths.items()},
        founded={k: tuple(v) for k, v in state.founded.items()},
        dissolved={k: tuple(v) for k, v in state.dissolved.items()},
        renames={k: tuple(v) for k, v in state.renames.items()},
        snapshots=tuple(state.snapshots),
        events=tuple(standing),
        known_at=known_at,
        possibly=possibly,
        births={k: tuple(v) for k, v in state.births.items()},
        vacancies={k: tuple(v) for k, v in state.vacancies.items()},
        declared={k: tuple(v) for k, v in state.declared.items()},
        horizon=horizon,
        by_post=_group(tenures, lambda t: t.subject),
        by_person=_group(tenures, lambda t: t.person),
        custody_of=_group(custody, lambda c: c.person),
    )


def identities(events: Iterable[Event]) -> dict[str, tuple[str, tuple[Event, ...]]]:
    """Each placeholder that standing `Identified` events name, and who they say it is.

    Identifications that disagree (one placeholder, two persons) identify
    nobody: the holder stays unidentified, and `chronos check` says why.
    """
    found: dict[str, list[Identified]] = {}
    for event in events:
        if isinstance(event, Identified) and event.placeholder != event.person:
            found.setdefault(event.placeholder, []).append(event)
    out: dict[str, tuple[str, tuple[Event, ...]]] = {}
    for placeholder, claims in found.items():
        persons = {e.person for e in claims}
        if len(persons) == 1:
            out[placeholder] = (persons.pop(), tuple(claims))
    return out


_T = TypeVar("_T")


def _group(items: Iterable[_T], key: Callable[[_T], str]) -> dict[str, tuple[_T, ...]]:
    groups: dict[str, list[_T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return {k: tuple(v) for k, v in groups.items()}
