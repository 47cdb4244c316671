"""The questions chronos answers, asked by name, on any date, as known on any date.

`Chronology` wraps the events of a log and its catalogue. Every question takes
names as users write them (any alias, any spelling), dates as ISO strings,
`datetime.date` values or `FuzzyDate` (``"2016"`` answers with certainty), and an
optional knowledge date ``known_at`` (what the public record said that day).

    >>> from chronos import Chronology
    >>> chronology = Chronology.open("events")               # doctest: +SKIP
    >>> chronology.roster("KNB", at="2022-01-05")            # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

import attrs

from chronos._fast.gc import paused_gc
from chronos.dates import Day, check_order
from chronos.entities import Catalogue, Entity, Organisation, Post, name_key
from chronos.errors import AmbiguousName, LookupFailed
from chronos.events import Event, RosterReported
from chronos.log import EventLog
from chronos.projections import (
    Certainty,
    Diff,
    EventIndex,
    History,
    NameAnswer,
    Policy,
    Roster,
    SnapshotRow,
    State,
    Succession,
    Tenure,
    compare_snapshot,
    diff,
    history,
    name_at,
    prepare,
    project,
    roster,
    rosters,
    succession,
    tenure_of,
)
from chronos.projections.index import select_events
from chronos.projections.names import renamed_keys
from chronos.projections.seating import existence
from chronos.projections.when import DateLike, as_day, as_when, parse_when

__all__ = ["Chronology", "DateLike", "as_day", "as_when", "parse_when"]


class Chronology:
    """Events and a catalogue, and the questions asked of them."""

    #: How many projections at earlier knowledge dates `state` keeps (besides everything known).
    KEPT_STATES = 4

    def __init__(
        self,
        events: Iterable[Event],
        catalogue: Catalogue,
        *,
        policy: Policy | str | None = None,
        home: Path | None = None,
    ):
        self.events: tuple[Event, ...] = tuple(events)
        self.catalogue = catalogue
        #: The folder relative paths (archived source texts) are read from: the log's (`EventLog.directory`).
        self.home = home
        self._states: dict[tuple[Day | None, bool], State] = {}
        self._index: EventIndex | None = None
        self._rename_keys: dict[str, set[str]] | None = None
        self._catalogue_version = catalogue.version
        self._sources: tuple[str, ...] | None = None
        self.policy = self._checked(Policy.parse(policy))

    @classmethod
    def from_log(cls, log: EventLog, *, policy: Policy | str | None = None) -> Chronology:
        """Everything in a log (an `IntegrityError` when an event names an entity the catalogue lacks)."""
        events = cls._read(log)
        log.check_references(events)
        return cls(events, log.catalogue, policy=policy, home=log.directory)

    @classmethod
    def open(cls, location: str | Path, *, policy: Policy | str | None = None) -> Chronology:
        """Everything in the log at ``location`` (see `EventLog.open`)."""
        return cls.from_log(EventLog.open(location), policy=policy)

    @classmethod
    def _read(cls, log: EventLog) -> list[Event]:
        with paused_gc():
            return log.events()

    def __repr__(self) -> str:
        return f"Chronology({len(self.events)} events, {len(self.catalogue)} entities)"

    # Plumbing ---------------------------------------------------------------------

    def state(self, known_at: DateLike | None = None, *, possibly: bool = False) -> State:
        """The projection of what was certainly (or ``possibly``) public on ``known_at``; cached.

        ``known_at=None`` means everything in the log. Besides that one, the
        projections of the last `KEPT_STATES` knowledge dates asked are kept:
        on a large log each costs about as much memory as the log itself.
        """
        self._check_catalogue()
        if known_at is None:
            whole = self._states.get((None, False))
            if whole is None:
                whole = self._states[(None, False)] = project(self.events, self.catalogue)
            return whole
        day = as_day(known_at)
        key = (day, possibly)
        state = self._states.pop(key, None)
        if state is None:
            state = project(self.events, self.catalogue, known_at=day, possibly=possibly)
        self._states[key] = state  # last asked, last in the dict
        earlier = [k for k in self._states if k != (None, False)]
        for old in earlier[: max(0, len(earlier) - self.KEPT_STATES)]:
            del self._states[old]
        return state

    def prepare(self, *, freeze: bool = True) -> Chronology:
        """Build everything the questions use now (projection, timelines, sweep, event index); returns self.

        Questions build what they need on first use anyway; a long-running
        process calls this once so that no question pays for it.

        With ``freeze`` (the default), everything alive is then moved out of
        the cyclic garbage collector's sight (`gc.freeze`). A log's millions
        of objects live as long as the process; left in sight, the first full
        collection after opening would scan them all (about a second per
        million events) in the middle of a later question. Frozen objects are
        still freed when nothing refers to them; only garbage cycles among
        them would stay, and chronos builds none.
        """
        with paused_gc():  # once around it all: each pause ends with work for the collector
            prepare(self.state(), self.catalogue, self.policy)
            _ = self.index
        if freeze:
            gc.freeze()
        return self

    def possibly_known_state(self, known_at: DateLike | None) -> State | None:
        """The projection of what may already have been public on ``known_at``, when it differs.

        An event whose knowledge date is a range (an undated article) may have
        been public on a day inside that range; answers that such events would
        change are ``possible`` rather than certain.
        """
        day = as_day(known_at)
        if day is None or not any(_maybe_public(e, day) for e in self.index.ranged_known):
            return None
        return self.state(day, possibly=True)

    def _check_catalogue(self) -> None:
        """Forget what was built on the catalogue as it was, once something has been added to it."""
        if self._catalogue_version != self.catalogue.version:
            self._states.clear()
            self._index = None
            self._rename_keys = None
            self._catalogue_version = self.catalogue.version

    @property
    def index(self) -> EventIndex:
        """Which events can change which answers (built on first use)."""
        self._check_catalogue()
        if self._index is None:
            with paused_gc():
                self._index = EventIndex(self.events, self.catalogue)
        return self._index

    def _local(
        self, known_at: DateLike | None, relevant: Callable[[EventIndex], list[Event]]
    ) -> tuple[State, State | None]:
        """The projections (certainly, possibly public) for one question on ``known_at``.

        With everything known, the whole log's projection (built once) answers.
        On an earlier day only the events that can change this answer are
        folded (`EventIndex`): the same answer, without replaying the log.
        """
        day = as_day(known_at)
        if self._everything_known(day):
            return self.state(), None
        assert day is not None
        events = relevant(self.index)
        # A part of the log: its horizon is the whole log's.
        horizon = self.horizon(day)
        sure = project(events, self.catalogue, known_at=day, horizon=horizon)
        if any(_maybe_public(e, day) for e in events):
            return sure, project(events, self.catalogue, known_at=day, possibly=True, horizon=horizon)
        return sure, None

    def _everything_known(self, day: Day | None) -> bool:
        """True when the whole log stood on ``day`` (or no day is given): its projection answers."""
        return day is None or day >= self.index.latest_known

    def pending(self, entity: str, *, known_at: DateLike) -> tuple[Event, ...]:
        """Events about ``entity`` that may, but need not, have been public on ``known_at``."""
        day = as_day(known_at)
        entity_id = self._id(entity)
        return tuple(
            e
            for e in self.index.ranged_known
            if day is not None and _maybe_public(e, day) and entity_id in e.about()
        )

    def lookup(self, name: str, *, kind: str | tuple[str, ...] | None = None) -> Entity:
        """The entity with this id, name or alias (`Catalogue.lookup`), or a name it was renamed to or from.

        A `Renamed` event's new and former names find the entity as its
        catalogue names do (Astana, renamed Nur-Sultan, is found by either).
        """
        try:
            return self.catalogue.lookup(name, kind=kind)
        except AmbiguousName:
            raise
        except LookupFailed as failed:
            kinds = (kind,) if isinstance(kind, str) else kind
            ids = sorted(
                i
                for i in self._renamed.get(name_key(name), ())
                if kinds is None or self.catalogue[i].kind in kinds
            )
            if len(ids) == 1:
                return self.catalogue[ids[0]]
            if ids:
                listed = ", ".join(f"{i} ({self.catalogue[i].name})" for i in ids)
                raise AmbiguousName(
                    f"{name!r} could be any of: {listed}", query=name, suggestions=tuple(ids)
                ) from None
            raise failed from None

    @property
    def _renamed(self) -> dict[str, set[str]]:
        """Every name a `Renamed` event gives or takes away, as `name_key` forms it, with the entity's id."""
        if self._rename_keys is None:
            self._rename_keys = renamed_keys(self.events, self.catalogue)
        return self._rename_keys

    def _id(self, name: str, kind: str | tuple[str, ...] | None = None) -> str:
        return self.lookup(name, kind=kind).id

    def called(self, entity: str, *, at: DateLike | None = None, known_at: DateLike | None = None) -> str:
        """The name a title gives an entity: in force on ``at`` (default: latest), as known on ``known_at``.

        Where a rename date leaves it open, both names: ``Astana (or Nur-Sultan)``.
        """
        answer = self.name(entity, at=at if at is not None else dt.date.max, known_at=known_at)
        if answer.certainty == "possible" and answer.alternatives:
            return f"{answer.name} (or {' or '.join(answer.alternatives)})"
        return answer.name

    def called_between(
        self, entity: str, start: DateLike, end: DateLike, *, known_at: DateLike | None = None
    ) -> str:
        """The name a title over a span gives an entity: on ``start``, and ``→`` on ``end`` if it changed."""
        first, last = (
            self.called(entity, at=start, known_at=known_at),
            self.called(entity, at=end, known_at=known_at),
        )
        return first if first == last else f"{first} → {last}"

    def _policy(self, policy: Policy | str | None) -> Policy:
        return self.policy if policy is None else self._checked(Policy.parse(policy))

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source the events cite (file names or ids), sorted."""
        if self._sources is None:
            self._sources = tuple(sorted({s.source for e in self.events for s in e.sources}))
        return self._sources

    def _checked(self, policy: Policy) -> Policy:
        """``policy``, once every source it prefers is cited in the log (else `UsageError`)."""
        return policy.checked_against(self.sources)

    def horizon(self, known_at: DateLike | None = None) -> Day:
        """The last day the record covers: ``known_at`` or the log's last knowledge date, the earlier.

        Answers about later days are forecasts, never ``certain``. `Day.min`
        for an empty log.
        """
        return self.index.horizon(as_day(known_at))

    def existence(
        self, org: str, *, at: DateLike, known_at: DateLike | None = None, policy: Policy | str | None = None
    ) -> tuple[Certainty | None, tuple[Event, ...]]:
        """Whether ``org`` (and every organisation above it) existed on ``at``, and the events that say so.

        ``certain`` when no founding or dissolution recorded leaves it open
        (or none is recorded), ``possible`` when an imprecise date does, None
        when it certainly did not exist: its roster then has no seats.
        """
        org_id = self._id(org, "organisation")
        return existence(self.state(known_at), self.catalogue, org_id, as_when(at), self._policy(policy))

    # Questions ------------------------------------------------------------------------

    def roster(
        self,
        org: str,
        *,
        at: DateLike,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> Roster:
        """Who held each post of ``org`` and its units on ``at``: every seat, held, vacant or unknown.

        Nothing is ``certain`` past `horizon` (the record's last day), and an
        organisation has no seats before its founding (`existence`). ``org``
        may also name a post: then its seats alone. A `Roster` is the
        tuple of seats (equal to a plain one), which also shows itself as a
        table in a notebook and gives `Roster.to_frame`.
        """
        entity = self.lookup(org, kind=("organisation", "post"))
        asked = partial(Roster, org=entity.id, at=at, known_at=known_at, catalogue=self.catalogue)
        if isinstance(entity, Post):
            sure, maybe = self._local(known_at, lambda index: index.for_posts([entity.id]))
            seats = roster(
                sure,
                self.catalogue,
                entity.org,
                at=as_when(at),
                policy=self._policy(policy),
                possibly_known=maybe,
            )
            return asked(s for s in seats if s.post.id == entity.id)
        org_id = entity.id
        sure, maybe = self._local(
            known_at, lambda index: index.for_posts(p.id for p in self.catalogue.posts(org_id))
        )
        seats = roster(
            sure, self.catalogue, org_id, at=as_when(at), policy=self._policy(policy), possibly_known=maybe
        )
        return asked(seats)

    def rosters(
        self,
        orgs: Iterable[str] | None = None,
        *,
        at: DateLike,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> dict[str, Roster]:
        """The `roster` of many organisations on ``at``, by id: every top-level one unless ``orgs`` is given.

        One sweep over the tenures that can overlap ``at`` finds every holder,
        so this is much faster than asking `roster` organisation by
        organisation; the answers are the same. A knowledge date projects the
        whole log as known then (once per day asked, then cached).
        """
        if orgs is None:
            wanted = [
                e.id
                for e in self.catalogue.of_kind("organisation")
                if isinstance(e, Organisation) and e.parent is None
            ]
        else:
            wanted = [self._id(org, "organisation") for org in orgs]
        day = as_day(known_at)
        if self._everything_known(day):
            sure, maybe = self.state(), None
        else:
            sure, maybe = self.state(day), self.possibly_known_state(day)
        found = rosters(
            sure, self.catalogue, wanted, at=as_when(at), policy=self._policy(policy), possibly_known=maybe
        )
        return {
            org: Roster(seats, org=org, at=at, known_at=known_at, catalogue=self.catalogue)
            for org, seats in found.items()
        }

    def diff(
        self,
        org: str,
        a: DateLike,
        b: DateLike,
        *,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> Diff:
        """Who joined, left or moved in ``org`` between ``a`` and ``b``, with the events that explain it.

        Raises `UsageError` when ``a`` lies after ``b``.
        """
        first, second = as_when(a), as_when(b)
        check_order(first, second, names=("the first date", "the second date"))
        org_id = self._id(org, "organisation")
        sure, maybe = self._local(
            known_at, lambda index: index.for_posts(p.id for p in self.catalogue.posts(org_id))
        )
        return diff(
            sure,
            self.catalogue,
            org_id,
            first,
            second,
            policy=self._policy(policy),
            possibly_known=maybe,
        )

    def history(
        self,
        person: str,
        *,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> History:
        """A person's tenures (and how each ended), custody and death, as certainly public on ``known_at``.

        `pending` lists what may already have been public on that day.
        """
        person_id = self._id(person, "person")
        sure, _maybe = self._local(known_at, lambda index: index.for_person(person_id))
        return attrs.evolve(history(sure, person_id, policy=self._policy(policy)), catalogue=self.catalogue)

    def succession(
        self,
        post: str,
        *,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> Succession:
        """Everyone who held a post, in the order their tenures began, as certainly public on ``known_at``."""
        post_id = self._id(post, "post")
        sure, _maybe = self._local(known_at, lambda index: index.for_posts([post_id]))
        return attrs.evolve(succession(sure, post_id, policy=self._policy(policy)), catalogue=self.catalogue)

    def name(self, entity: str, *, at: DateLike, known_at: DateLike | None = None) -> NameAnswer:
        """What an organisation, post or place was called on ``at``.

        When the log holds renames of the entity that were not yet public on
        ``known_at``, the catalogue's name is only ``possible`` then.
        """
        entity_id = self._id(entity)
        sure, _maybe = self._local(known_at, lambda index: index.for_entity(entity_id))
        answer = name_at(sure, self.catalogue, entity_id, at=as_when(at))
        if not answer.events and known_at is not None and self.state().renames.get(entity_id):
            return attrs.evolve(answer, certainty="possible")
        return answer

    def tenures(
        self,
        *,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> tuple[Tenure, ...]:
        """Every tenure, reconciled by the policy."""
        chosen = self._policy(policy)
        state = self.state(known_at)
        return tuple(tenure_of(state, p, chosen) for p in state.tenures)

    def disputes(self, *, known_at: DateLike | None = None) -> tuple[Tenure, ...]:
        """The tenures whose start or end the sources date differently."""
        return tuple(t for t in self.tenures(known_at=known_at, policy="cautious") if t.disputed)

    def snapshots(self, org: str | None = None) -> tuple[RosterReported, ...]:
        """The sources' own rosters (of ``org`` when given), in date order."""
        wanted = None if org is None else self._id(org, "organisation")
        found = [s for s in self.state().snapshots if wanted is None or s.org == wanted]
        return tuple(found)

    def compare(
        self,
        snapshot: RosterReported,
        *,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> tuple[SnapshotRow, ...]:
        """A source's snapshot set against the projection on its date."""
        return compare_snapshot(self.state(known_at), self.catalogue, snapshot, policy=self._policy(policy))

    def events_about(
        self,
        entity: str | None = None,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        kind: str | None = None,
    ) -> tuple[Event, ...]:
        """Events (in valid-time order) about an entity, that can fall between two dates, of one kind."""
        wanted = None if entity is None else self._id(entity)
        return select_events(self.events, wanted, start=start, end=end, kind=kind)


def _maybe_public(event: Event, day: Day) -> bool:
    """True when ``event`` may, but need not, have been public on ``day`` (its knowledge date is a range)."""
    return event.known.first <= day < event.known.last
