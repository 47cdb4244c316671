"""The fold: from the events known at a date to tenures, custody, births, deaths and names.

`visible` selects what was known on a knowledge date K (an event counts once
its ``known`` date has certainly passed, i.e. ``known.latest <= K``) and applies
the retractions and corrections known by then. `project` folds the result in
valid-time order (never append order) into a `State`, one handler per event
type.

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
from chronos.entities import Catalogue
from chronos.events import (
    Appointed,
    Arrested,
    Born,
    Charged,
    Corrected,
    Died,
    Dissolved,
    Event,
    Founded,
    Moved,
    Released,
    Renamed,
    Retracted,
    RosterReported,
    TenureEnded,
)
from chronos.projections.derived import Derived
from chronos.projections.policy import Claim

__all__ = ["Custody", "Period", "State", "fold", "project", "sort_key", "visible"]


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
    known_at: dt.date | None = None
    possibly: bool = False
    births: Mapping[str, tuple[Claim, ...]] = attrs.field(factory=dict)
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
    events: Iterable[Event], *, known_at: dt.date | None = None, possibly: bool = False
) -> list[Event]:
    """The claims standing on ``known_at``: known by then, minus what was retracted or corrected by then.

    An event counts once it was certainly public (``known.latest <= known_at``),
    or, with ``possibly``, once it may have been (``known.earliest <= known_at``).
    A correction contributes its replacement; retracting a retraction or a
    correction restores what it had withdrawn.
    """
    if known_at is None:
        known = list(events)
    elif possibly:
        known = [e for e in events if e.known.earliest <= known_at]
    else:
        known = [e for e in events if e.known.latest <= known_at]
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


def sort_key(event: Event) -> tuple[dt.date, dt.date, int, str]:
    """Valid-time order: by earliest then latest possible day; ends before starts on a tie; then id."""
    occurred = event.occurred
    return (occurred.earliest, occurred.latest, 1 if isinstance(event, _STARTS) else 0, event.id)


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
    # Who was ever at a post, and where a person ever was: deaths and dissolutions
    # end tenures through these instead of scanning every tenure.
    posts_of: dict[str, list[str]] = attrs.Factory(dict)
    holders_at: dict[str, list[str]] = attrs.Factory(dict)

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
            or (not last.starts and max(c.date.latest for c in last.ends) >= claim.date.earliest)
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
    fold.start(event.person, event.post, Claim(event, event.occurred, "appointed"))


def _ended(fold: _Fold, event: TenureEnded) -> None:
    fold.end(event.person, event.post, Claim(event, event.occurred, type(event).__name__.lower()))


def _moved(fold: _Fold, event: Moved) -> None:
    fold.end(event.person, event.from_post, Claim(event, event.occurred, "moved"))
    fold.start(event.person, event.to_post, Claim(event, event.occurred, "moved"))


def _arrested(fold: _Fold, event: Arrested) -> None:
    claim = Claim(event, event.occurred, "arrested")
    spells = fold.custody.setdefault(event.person, [])
    last = spells[-1] if spells else None
    if last is not None and not last.ends:
        last.starts.append(claim)
    else:
        spell = _Open(event.person, "custody", [claim])
        spells.append(spell)
        fold.custody_order.append(spell)
    if event.vacates:
        fold.end_all(event.person, claim)


def _released(fold: _Fold, event: Released) -> None:
    claim = Claim(event, event.occurred, "released")
    spells = fold.custody.setdefault(event.person, [])
    if spells:
        spells[-1].ends.append(claim)
    else:
        spell = _Open(event.person, "custody", [], [claim])
        spells.append(spell)
        fold.custody_order.append(spell)


def _charged(fold: _Fold, event: Charged) -> None:
    claim = Claim(event, event.occurred, "charged")
    spells = fold.custody.setdefault(event.person, [])
    if not spells:
        # Charged without a recorded arrest: keep the charge on a spell with no start.
        spell = _Open(event.person, "custody")
        spells.append(spell)
        fold.custody_order.append(spell)
    spells[-1].charges.append(claim)


def _born(fold: _Fold, event: Born) -> None:
    fold.births.setdefault(event.person, []).append(Claim(event, event.occurred, "born"))


def _died(fold: _Fold, event: Died) -> None:
    claim = Claim(event, event.occurred, "died")
    fold.deaths.setdefault(event.person, []).append(claim)
    fold.end_all(event.person, claim)


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
    known_at: dt.date | None = None,
    possibly: bool = False,
) -> State:
    """Fold the events standing on ``known_at`` in valid-time order into a `State` (see `visible`)."""
    with paused_gc():
        return _project(events, catalogue, known_at=known_at, possibly=possibly)


def _project(
    events: Iterable[Event],
    catalogue: Catalogue,
    *,
    known_at: dt.date | None,
    possibly: bool,
) -> State:
    standing = visible(events, known_at=known_at, possibly=possibly)
    standing.sort(key=sort_key)
    state = _Fold(catalogue)
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
        by_post=_group(tenures, lambda t: t.subject),
        by_person=_group(tenures, lambda t: t.person),
        custody_of=_group(custody, lambda c: c.person),
    )


_T = TypeVar("_T")


def _group(items: Iterable[_T], key: Callable[[_T], str]) -> dict[str, tuple[_T, ...]]:
    groups: dict[str, list[_T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return {k: tuple(v) for k, v in groups.items()}
