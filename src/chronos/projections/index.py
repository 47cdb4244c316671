"""Which events can change the answers about a post, a person or a name, so only those are replayed.

Projecting what was known on a past date means folding the events known by
then, and a log of millions of events cannot be refolded for every question.
But a post's tenures depend only on a few events: those naming the post
(sources' rosters leaving it empty included), the deaths (and vacating arrests)
of the people holding it, the identifications of those people, the founding,
dissolution and declared completeness of its organisation or a parent, and the
retractions and corrections aimed at any of those. `EventIndex` finds that
set; folding it gives exactly the answers the whole log gives for that post
(the property tests check it against the plain fold).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence

from chronos.dates import Day, FuzzyDate, check_order
from chronos.entities import Catalogue
from chronos.errors import UsageError, did_you_mean
from chronos.events import (
    EVENT_TYPES,
    Arrested,
    Corrected,
    DeclaredComplete,
    Died,
    Dissolved,
    Event,
    Founded,
    Identified,
    Renamed,
    Retracted,
    RosterReported,
)
from chronos.projections.state import sort_key

__all__ = ["EventIndex", "ends_whom", "persons_named", "posts_filed", "select_events"]


class EventIndex:
    """Events by the posts, persons and entities they can affect, and the claims aimed at them."""

    def __init__(self, events: Sequence[Event], catalogue: Catalogue):
        self.catalogue = catalogue
        self._posts: dict[str, list[Event]] = {}
        self._persons: dict[str, list[Event]] = {}
        self._orgs: dict[str, list[Event]] = {}
        self._targeting: dict[str, list[Event]] = {}
        # Who a post's events name, and the events that end whatever a person holds
        # (deaths, vacating arrests): for_posts follows these instead of every event of a person.
        self._post_people: dict[str, set[str]] = {}
        self._enders: dict[str, list[Event]] = {}
        #: `Identified` events by the placeholder and the person they name.
        self._identifying: dict[str, list[Event]] = {}
        latest = Day.min
        #: The events whose knowledge date is a range (undated articles), in log order.
        self.ranged_known: list[Event] = []
        #: Foundings, dissolutions, declarations of completeness and sources' rosters with an empty seat.
        self._seats: list[Event] = []
        for event in events:
            latest = max(latest, event.known.last)
            if event.known.first < event.known.last:
                self.ranged_known.append(event)
            if isinstance(event, Retracted | Corrected):
                self._targeting.setdefault(event.target, []).append(event)
            claim = event.replacement if isinstance(event, Corrected) else event
            posts: list[str] = []
            people: list[str] = []
            for field, kind in type(claim).references.items():
                value = getattr(claim, field)
                if value is None:
                    continue
                if kind == "post":
                    posts.append(value)
                    table = self._posts
                elif kind == "person":
                    people.append(value)
                    table = self._persons
                else:
                    table = self._orgs
                bucket = table.setdefault(value, [])
                if not bucket or bucket[-1] is not event:
                    bucket.append(event)
            if isinstance(claim, RosterReported):
                # A source's roster leaving a seat empty is a vacancy claim about that post.
                for entry in claim.entries:
                    if entry.person is None and entry.name is None:
                        bucket = self._posts.setdefault(entry.post, [])
                        if not bucket or bucket[-1] is not event:
                            bucket.append(event)
                        if not self._seats or self._seats[-1] is not event:
                            self._seats.append(event)
            elif isinstance(claim, Founded | Dissolved | DeclaredComplete):
                self._seats.append(event)
            elif isinstance(claim, Identified):
                for person in dict.fromkeys(people):
                    self._identifying.setdefault(person, []).append(event)
                people = []
            for post in posts:
                self._post_people.setdefault(post, set()).update(people)
            for person in ends_whom(event):
                self._enders.setdefault(person, []).append(event)
        #: The last day any event became (certainly) known: from then on, the whole log stands.
        self.latest_known = latest
        # The events some retraction or correction aims at (by object id), found in a second
        # pass since a log need not hold a target before what targets it.
        self._aimed_at: set[int] = set()
        if self._targeting:
            for event in events:
                if event.id in self._targeting or (
                    isinstance(event, Corrected) and event.replacement.id in self._targeting
                ):
                    self._aimed_at.add(id(event))

    def horizon(self, known_at: Day | None) -> Day:
        """The last day the record covers: ``known_at`` or the last day anything became known, the earlier."""
        return self.latest_known if known_at is None else min(known_at, self.latest_known)

    def for_posts(self, posts: Iterable[str]) -> list[Event]:
        """The events that can change the tenures of these posts."""
        found: dict[int, Event] = {}
        people: set[str] = set()
        orgs: set[str] = set()
        for post in posts:
            for event in self._posts.get(post, ()):
                found[id(event)] = event
            people.update(self._post_people.get(post, ()))
            orgs.update(self.catalogue.above(post))
        # An identified placeholder is its person: each one's deaths end the other's tenures.
        for person in list(people):
            for event in self._identifying.get(person, ()):
                found[id(event)] = event
                people.update(_persons(event))
        for person in people:
            for event in self._enders.get(person, ()):
                found[id(event)] = event
        self._add_lives(found, orgs)
        return self._with_claims_about(found)

    def people_at(self, post: str) -> set[str]:
        """The people a post's events name: whose deaths and vacating arrests `for_posts` follows."""
        return set(self._post_people.get(post, ()))

    def for_seats(self) -> list[Event]:
        """The events that can change what a roster shows besides its holders.

        Every founding, dissolution and declaration of completeness, every
        source's roster leaving a seat empty, and the retractions and
        corrections aimed at them: folding these alone gives the lives,
        vacancies and declarations (`chronos.projections.seating`) the whole
        log gives, for any knowledge date.
        """
        found = self._with_claims_about({id(e): e for e in self._seats})
        order = {id(e): n for n, e in enumerate(self._seats)}
        return sorted(found, key=lambda e: order.get(id(e), len(order)))  # the events, then what aims at them

    def for_person(self, person: str) -> list[Event]:
        """The events that can change one person's tenures, custody and death."""
        found: dict[int, Event] = {id(e): e for e in self._persons.get(person, ())}
        # The events of whoever an identification says this person is (or was recorded as).
        for event in list(found.values()):
            if isinstance(_claim(event), Identified):
                for other in _persons(event):
                    for more in self._persons.get(other, ()):
                        found[id(more)] = more
        orgs: set[str] = set()
        for event in list(found.values()):
            for post in _posts(event):
                orgs.update(self.catalogue.above(post))
        self._add_lives(found, orgs)
        return self._with_claims_about(found)

    def for_entity(self, entity: str) -> list[Event]:
        """The events that can change what an entity was called."""
        found = {id(e): e for e in self._orgs.get(entity, ()) if _renames(e)}
        return self._with_claims_about(found)

    def _add_lives(self, found: dict[int, Event], orgs: set[str]) -> None:
        """Add the foundings, dissolutions and declarations of completeness of ``orgs``."""
        for org in orgs:
            for event in self._orgs.get(org, ()):
                if isinstance(_claim(event), Founded | Dissolved | DeclaredComplete):
                    found[id(event)] = event

    def _with_claims_about(self, found: dict[int, Event]) -> list[Event]:
        """Add every retraction and correction aimed at what was found, and at those, and so on."""
        pending = [event for key, event in found.items() if key in self._aimed_at]
        while pending:
            event = pending.pop()
            ids = [event.id]
            if isinstance(event, Corrected):
                ids.append(event.replacement.id)
            for target in ids:
                for meta in self._targeting.get(target, ()):
                    if id(meta) not in found:
                        found[id(meta)] = meta
                        pending.append(meta)
        return list(found.values())


def _claim(event: Event) -> Event:
    return event.replacement if isinstance(event, Corrected) else event


def _persons(event: Event) -> list[str]:
    claim = _claim(event)
    return [getattr(claim, f) for f, kind in type(claim).references.items() if kind == "person"]


def _posts(event: Event) -> list[str]:
    claim = _claim(event)
    return [getattr(claim, f) for f, kind in type(claim).references.items() if kind == "post"]


def persons_named(event: Event) -> list[str]:
    """The people ``event`` (a correction: its replacement) names, each once."""
    return list(dict.fromkeys(p for p in _persons(event) if p is not None))


def posts_filed(event: Event) -> list[str]:
    """The posts `EventIndex` files ``event`` under: those it names, and a source roster's empty seats."""
    claim = _claim(event)
    posts = [p for p in _posts(event) if p is not None]
    if isinstance(claim, RosterReported):
        posts += [e.post for e in claim.entries if e.person is None and e.name is None]
    return list(dict.fromkeys(posts))


def ends_whom(event: Event) -> list[str]:
    """The people whose every tenure ``event`` ends (a death, a vacating arrest), as `EventIndex` files them.

    By the event itself: a correction is not one, whatever it replaces with.
    """
    if isinstance(event, Died) or (isinstance(event, Arrested) and event.vacates):
        return persons_named(event)
    return []


def _renames(event: Event) -> bool:
    return isinstance(_claim(event), Renamed)


def select_events(
    events: Iterable[Event],
    entity_id: str | None,
    *,
    start: FuzzyDate | Day | dt.date | str | None = None,
    end: FuzzyDate | Day | dt.date | str | None = None,
    kind: str | None = None,
) -> tuple[Event, ...]:
    """Events (in valid-time order) about ``entity_id``, that can fall between two dates, of one kind."""
    wanted = entity_id
    if start is not None and end is not None:
        check_order(FuzzyDate.of(start), FuzzyDate.of(end), names=("--from", "--to"))
    low = FuzzyDate.of(start).first if start is not None else Day.min
    high = FuzzyDate.of(end).last if end is not None else Day.max
    if kind is not None and kind not in EVENT_TYPES:
        near = difflib.get_close_matches(kind, list(EVENT_TYPES), n=1)
        hint = did_you_mean(near[:1])
        raise UsageError(f"unknown event kind {kind!r}{hint}")
    found = [
        e
        for e in events
        if (wanted is None or wanted in e.about())
        and e.occurred.last >= low
        and e.occurred.first <= high
        and (kind is None or type(e).__name__ == kind)
    ]
    return tuple(sorted(found, key=sort_key))
