"""Questions asked of a projected `State`: roster, diff, history, name, and snapshot comparison.

Dates are half-open at day granularity: appointed on D holds on D; dismissed
on D no longer holds on D. Every answer carries a certainty: ``certain`` when
every reading of the claims agrees, ``possible`` when an imprecise or disputed
date leaves it open.
"""

from __future__ import annotations

import bisect
import datetime as dt
from array import array
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Literal

import attrs

from chronos.dates import FuzzyDate
from chronos.entities import Catalogue, Post
from chronos.events import Event, Moved, RosterReported, Source
from chronos.projections.policy import OPEN_END, OPEN_START, Claim, Policy, Resolved
from chronos.projections.state import Custody, Period, State

__all__ = [
    "Certainty",
    "Change",
    "Diff",
    "History",
    "NameAnswer",
    "Seat",
    "SnapshotRow",
    "Spell",
    "Tenure",
    "compare_snapshot",
    "diff",
    "history",
    "holds",
    "name_at",
    "prepare",
    "resolve",
    "resolved",
    "roster",
    "rosters",
    "span",
]

Certainty = Literal["certain", "possible"]
#: A query date: a day, or a `FuzzyDate` (a month, a year, a range) answered with certainty.
When = dt.date | FuzzyDate
#: The policy used when none is given.
DEFAULT_POLICY = Policy()


@attrs.frozen
class Tenure:
    """A tenure with its start and end reconciled by a policy."""

    person: str
    post: str
    start: Resolved
    end: Resolved

    @property
    def open_start(self) -> bool:
        """True when no source dates the start."""
        return not self.start.chosen

    @property
    def disputed(self) -> bool:
        """True when the sources disagree on the start or the end."""
        return self.start.disputed or self.end.disputed

    @property
    def events(self) -> tuple[Event, ...]:
        """The events behind this tenure, start claims first."""
        seen: dict[str, Event] = {}
        for claim in (*self.start.claims, *self.end.claims):
            seen.setdefault(claim.event.id, claim.event)
        return tuple(seen.values())

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source of every claim, without repeats."""
        return _sources(self.start.claims + self.end.claims)

    def holds(self, at: When) -> Certainty | None:
        """Whether the person holds the post on ``at``."""
        return holds(self.start, self.end, at)


def span(at: When) -> tuple[dt.date, dt.date]:
    """The first and last day a query date covers."""
    if isinstance(at, FuzzyDate):
        return at.earliest, at.latest
    return at, at


def holds(start: Resolved, end: Resolved, at: When) -> Certainty | None:
    """``certain``, ``possible`` or None for a period from ``start`` to ``end`` on ``at``.

    For a day: certain when it starts on or before every reading of the start
    and ends after every reading of the end. For a month or a year: certain
    when that holds on every day of it, possible when on some day.
    """
    low, high = span(at)
    if start.latest <= low and high < end.earliest:
        return "certain"
    if start.earliest <= high and low < end.latest:
        return "possible"
    return None


def resolved(state: State, period: Period, policy: Policy) -> Tenure:
    """`resolve`, remembered in the state (which keeps the period alive, so its id is stable)."""
    key = (id(period), policy)
    tenure: Tenure | None = state.cache.get(key)
    if tenure is None:
        tenure = state.cache[key] = resolve(period, policy)
    return tenure


def resolve(period: Period, policy: Policy) -> Tenure:
    """Reconcile a period's claims with a policy."""
    return Tenure(
        period.person,
        period.subject,
        policy.resolve(period.starts, empty=OPEN_START),
        policy.resolve(period.ends, empty=OPEN_END),
    )


def _sources(claims: Sequence[Claim]) -> tuple[Source, ...]:
    seen: dict[tuple[str, str], Source] = {}
    for claim in claims:
        for source in claim.sources:
            seen.setdefault((source.source, source.quote), source)
    return tuple(seen.values())


# Roster -------------------------------------------------------------------------------


@attrs.frozen
class Seat:
    """One seat of a post on a date: who holds it (None: vacant), since when, how certainly."""

    post: Post
    person: str | None
    certainty: Certainty
    tenure: Tenure | None = None

    @property
    def vacant(self) -> bool:
        """True for an empty seat."""
        return self.person is None

    @property
    def since(self) -> FuzzyDate | None:
        """The start of the holder's tenure, as reconciled (None: vacant or undated)."""
        return self.tenure.start.date if self.tenure is not None else None

    @property
    def sources(self) -> tuple[Source, ...]:
        """The sources behind the holder's tenure."""
        return self.tenure.sources if self.tenure is not None else ()


def roster(
    state: State,
    catalogue: Catalogue,
    org: str,
    *,
    at: When,
    policy: Policy | None = None,
    also: State | None = None,
) -> tuple[Seat, ...]:
    """The seats of every post of ``org`` and its units on ``at``, vacant seats included.

    A post shows every certain and possible holder (a disputed handover shows
    both people as possible), then as many vacant seats as remain. A post over
    its seat count shows everyone; `chronos.checks` reports it.

    ``also`` is a second state to weigh (what may already have been public on
    the knowledge date): a holder is certain only when certain in both states,
    and possible when in either.
    """
    policy = policy or DEFAULT_POLICY
    held = _held(state, catalogue, org, at, policy, also)
    return _org_lines(state, catalogue, org, policy).assemble(held, held)


def _held(
    state: State, catalogue: Catalogue, org: str, at: When, policy: Policy, also: State | None
) -> dict[str, list[Seat]]:
    """The holders of ``org``'s posts on ``at`` (weighing ``also``), by post id, in seat order."""
    low, high = span(at)
    held = _org_lines(state, catalogue, org, policy).holders(low, high)
    if also is not None:
        held = _merge(held, _org_lines(also, catalogue, org, policy).holders(low, high))
    return held


def rosters(
    state: State,
    catalogue: Catalogue,
    orgs: Iterable[str],
    *,
    at: When,
    policy: Policy | None = None,
    also: State | None = None,
) -> dict[str, tuple[Seat, ...]]:
    """`roster` of each of ``orgs`` on ``at``, found in one sweep over every tenure.

    Equal to asking `roster` for each organisation (the property tests check
    it), but the holders of every post come from one pass over the tenures
    that can overlap ``at`` (see `_Sweep`) rather than one search per post.
    """
    policy = policy or DEFAULT_POLICY
    low, high = span(at)
    held = _sweep(state, catalogue, policy).holders(low, high)
    if also is not None:
        held = _merge(held, _sweep(also, catalogue, policy).holders(low, high))
    wanted = list(orgs)
    asked = set(wanted)
    # Which held posts each organisation's roster shows: the post's organisation and its ancestors.
    shown: dict[str, list[str]] = {}
    for post in held:
        for org in catalogue.above(post):
            if org in asked:
                shown.setdefault(org, []).append(post)
    return {
        org: _org_lines(state, catalogue, org, policy).assemble(held, shown.get(org, ())) for org in wanted
    }


def _merge(mine: Mapping[str, Sequence[Seat]], theirs: Mapping[str, Sequence[Seat]]) -> dict[str, list[Seat]]:
    """Holders by post, weighing a second state: certain only when certain in both, else possible."""
    merged: dict[str, list[Seat]] = {}
    for post in mine.keys() | theirs.keys():
        found = {s.person: s for s in mine.get(post) or ()}
        other = {s.person: s for s in theirs.get(post) or ()}
        for person, seat in other.items():
            here = found.get(person)
            if here is None or here.certainty != seat.certainty:
                found[person] = attrs.evolve(here or seat, certainty="possible")
        for person, seat in found.items():
            if person not in other:
                found[person] = attrs.evolve(seat, certainty="possible")
        if found:
            merged[post] = sorted(found.values(), key=_seat_order)
    return merged


def _seat_order(seat: Seat) -> tuple[bool, dt.date, str]:
    """Certain holders first, then by the start of their tenure, then by id."""
    start = seat.tenure.start.earliest if seat.tenure is not None else dt.date.min
    return (seat.certainty != "certain", start, seat.person or "")


def _post_holders(line: _Line, low: dt.date, high: dt.date, last: int) -> list[Seat]:
    """Who holds the post of ``line`` on ``[low, high]``, in seat order (one seat per person, the surer).

    ``last`` is the last tenure starting by ``high`` (the caller's bisection).
    Tenures of one post mostly follow each other, so walking back from it
    stops after a step or two: the walk ends where no earlier tenure reaches
    past ``low``. Every tenure found starts by ``high`` and ends after
    ``low``, so it holds at least possibly; certainly when every reading of
    its start and end does (`holds`).
    """
    hits: list[int] = []
    index = last
    reach, ends = line.reach, line.ends
    while index >= 0 and reach[index] > low:
        if ends[index] > low:
            hits.append(index)
        index -= 1
    found: dict[str | None, Seat] = {}
    for index in reversed(hits):
        tenure = line.tenures[index]
        certain = tenure.start.latest <= low and high < tenure.end.earliest
        _seat(found, Seat(line.post, tenure.person, "certain" if certain else "possible", tenure))
    return _in_seat_order(found)


def _seat(found: dict[str | None, Seat], seat: Seat) -> None:
    """Seat a holder in ``found`` (by person): the first tenure found, unless a later one is surer."""
    known = found.get(seat.person)
    if known is None or (seat.certainty == "certain" and known.certainty == "possible"):
        found[seat.person] = seat


def _in_seat_order(found: Mapping[str | None, Seat]) -> list[Seat]:
    holders = list(found.values())
    if len(holders) > 1:
        holders.sort(key=_seat_order)
    return holders


@attrs.frozen
class _Line:
    """One post's tenures sorted by earliest start, with the latest end seen so far at each.

    ``vacant`` holds the post's vacant seats, one shared `Seat` per seat, to
    fill a roster without building them again.
    """

    post: Post
    starts: list[dt.date]
    reach: list[dt.date]
    ends: list[dt.date]
    tenures: list[Tenure]
    vacant: tuple[Seat, ...]


def prepare(state: State, catalogue: Catalogue, policy: Policy | None = None) -> None:
    """Build every post's and organisation's timelines and the sweep now, not on first use (a warm-up)."""
    policy = policy or DEFAULT_POLICY
    _sweep(state, catalogue, policy)
    for org in catalogue.of_kind("organisation"):
        _org_lines(state, catalogue, org.id, policy)


def _timeline(state: State, post: Post, policy: Policy) -> _Line:
    key = ("timeline", post.id, policy)
    line: _Line | None = state.cache.get(key)
    if line is None or line.post is not post:
        tenures = sorted(
            (resolved(state, p, policy) for p in state.tenures_at(post.id)), key=lambda t: t.start.earliest
        )
        reach: list[dt.date] = []
        for tenure in tenures:
            reach.append(max(reach[-1], tenure.end.latest) if reach else tenure.end.latest)
        vacant = (Seat(post, None, "certain"),) * post.seats
        line = state.cache[key] = _Line(
            post, [t.start.earliest for t in tenures], reach, [t.end.latest for t in tenures], tenures, vacant
        )
    return line


class _Org:
    """The timelines of an organisation's posts (its units' included), in catalogue order."""

    def __init__(self, catalogue: Catalogue, lines: Iterable[_Line]):
        self.catalogue = catalogue
        self.lines = tuple(lines)
        #: Every seat vacant, and where each post's seats lie in it.
        vacant: list[Seat] = []
        self.slots: dict[str, tuple[int, int]] = {}
        for line in self.lines:
            self.slots[line.post.id] = (len(vacant), len(vacant) + len(line.vacant))
            vacant += line.vacant
        self.vacant = tuple(vacant)

    def holders(self, low: dt.date, high: dt.date) -> dict[str, list[Seat]]:
        """Who holds which of these posts on ``[low, high]``, by post id (see `_post_holders`)."""
        held: dict[str, list[Seat]] = {}
        for line in self.lines:
            # Most posts of an organisation are empty on a given day: rule them out inline.
            last = bisect.bisect_right(line.starts, high) - 1
            if last >= 0 and line.reach[last] > low:
                seats = _post_holders(line, low, high, last)
                if seats:
                    held[line.post.id] = seats
        return held

    def assemble(self, held: Mapping[str, Sequence[Seat]], posts: Collection[str]) -> tuple[Seat, ...]:
        """The seats of every post: its holders (from ``held``, by post id), then its vacant seats.

        ``posts`` are the posts of ``held`` that belong here; the seats between
        them are copied from the all-vacant roster.
        """
        if not posts:
            return self.vacant
        seats: list[Seat] = []
        done = 0
        vacant = self.vacant
        for start, stop, post in sorted((*self.slots[post], post) for post in posts):
            holders = held[post]
            seats += vacant[done:start]
            seats += holders
            seats += vacant[start + len(holders) : stop]
            done = stop
        seats += vacant[done:]
        return tuple(seats)


def _org_lines(state: State, catalogue: Catalogue, org: str, policy: Policy) -> _Org:
    """``org``'s timelines, kept in the state for this catalogue."""
    key = ("org", org, policy)
    found: _Org | None = state.cache.get(key)
    if found is None or found.catalogue is not catalogue:
        found = state.cache[key] = _Org(
            catalogue, (_timeline(state, p, policy) for p in catalogue.posts(org))
        )
    return found


class _Sweep:
    """Every tenure sorted by earliest start, with checkpoints, to find all holders on a date at once.

    A checkpoint at day T keeps the tenures alive at T (started by T, ending
    after T). The tenures overlapping ``[low, high]`` are then those alive at
    the last checkpoint T <= low that still reach past ``low``, plus those
    starting in ``(T, high]``: one short scan, never the whole log.

    The days are kept as ordinals in typed arrays: on a large log the scan
    then reads a few contiguous arrays instead of following pointers from
    each tenure to its dates, scattered over the heap.
    """

    #: Checkpoints per sweep, so memory stays a small multiple of the tenures alive at once.
    CHECKPOINTS = 64

    def __init__(self, lines: Iterable[_Line]):
        pairs = sorted(
            ((t.start.earliest, t, line.post) for line in lines for t in line.tenures), key=lambda x: x[0]
        )
        self.tenures = [t for _s, t, _p in pairs]
        self.posts = [p for _s, _t, p in pairs]
        self.post_ids = [p.id for p in self.posts]
        self.persons = [t.person for t in self.tenures]
        self.starts = array("l", (start.toordinal() for start, _t, _p in pairs))
        self.ends = array("l", (t.end.latest.toordinal() for t in self.tenures))
        # What makes a holder certain: started by every reading, ending after every reading.
        self.surely_started = array("l", (t.start.latest.toordinal() for t in self.tenures))
        self.surely_ending = array("l", (t.end.earliest.toordinal() for t in self.tenures))
        step = max(1, len(pairs) // self.CHECKPOINTS)
        self.marks = array("l")
        self.alive: list[array[int]] = []
        self.after: list[int] = []
        alive = array("l")
        position = 0
        for index in range(0, len(pairs), step):
            mark = self.starts[index]
            end = bisect.bisect_right(self.starts, mark)
            alive = array("l", (i for i in (*alive, *range(position, end)) if self.ends[i] > mark))
            position = end
            self.marks.append(mark)
            self.alive.append(alive)
            self.after.append(end)

    def holders(self, low: dt.date, high: dt.date) -> dict[str, list[Seat]]:
        """Who holds which post on ``[low, high]``: seats by post id, in seat order."""
        lo, hi = low.toordinal(), high.toordinal()
        which = bisect.bisect_right(self.marks, lo) - 1
        first, alive = (self.after[which], self.alive[which]) if which >= 0 else (0, array("l"))
        ends = self.ends
        hits = [i for i in alive if ends[i] > lo]
        hits += [i for i in range(first, bisect.bisect_right(self.starts, hi)) if ends[i] > lo]
        started, ending = self.surely_started, self.surely_ending
        tenures, posts, post_ids, persons = self.tenures, self.posts, self.post_ids, self.persons
        found: dict[str, dict[str | None, Seat]] = {}
        for index in hits:
            # Ascending index keeps each post's tenures in timeline order, as `_post_holders` sees them.
            certain = started[index] <= lo and hi < ending[index]
            seat = Seat(posts[index], persons[index], "certain" if certain else "possible", tenures[index])
            here = found.get(post_ids[index])
            if here is None:
                found[post_ids[index]] = {seat.person: seat}
            else:
                _seat(here, seat)
        return {post: _in_seat_order(here) for post, here in found.items()}


def _sweep(state: State, catalogue: Catalogue, policy: Policy) -> _Sweep:
    key = ("sweep", policy)
    found: tuple[Catalogue, _Sweep] | None = state.cache.get(key)
    if found is None or found[0] is not catalogue:
        lines = (_timeline(state, p, policy) for p in _posts_of(state, catalogue))
        found = state.cache[key] = (catalogue, _Sweep(lines))
    return found[1]


def _posts_of(state: State, catalogue: Catalogue) -> list[Post]:
    """The catalogue's posts that have tenures in ``state``."""
    posts = []
    for post_id in state.by_post:
        post = catalogue.get(post_id)
        if isinstance(post, Post):
            posts.append(post)
    return posts


# Diff ------------------------------------------------------------------------------------


@attrs.frozen
class Change:
    """A person who joined, left or moved between two dates, and the events that explain it."""

    person: str
    before: Seat | None
    after: Seat | None
    events: tuple[Event, ...]

    @property
    def kind(self) -> Literal["joined", "left", "moved", "changed"]:
        """What happened to the person's seat."""
        if self.before is None:
            return "joined"
        if self.after is None:
            return "left"
        if self.before.post.id != self.after.post.id:
            return "moved"
        return "changed"


@attrs.frozen
class Diff:
    """Who joined, left, moved or changed certainty between ``a`` and ``b``."""

    org: str
    a: When
    b: When
    joined: tuple[Change, ...]
    left: tuple[Change, ...]
    moved: tuple[Change, ...]
    changed: tuple[Change, ...]

    def apply(self, seats: Sequence[Seat]) -> set[tuple[str, str, str]]:
        """The (post, person, certainty) holders of ``seats`` with this diff applied."""
        held: set[tuple[str, str, str]] = {
            (s.post.id, s.person, s.certainty) for s in seats if s.person is not None
        }
        for change in (*self.left, *self.moved, *self.changed):
            assert change.before is not None
            assert change.before.person is not None
            held.discard((change.before.post.id, change.before.person, change.before.certainty))
        for change in (*self.joined, *self.moved, *self.changed):
            assert change.after is not None
            assert change.after.person is not None
            held.add((change.after.post.id, change.after.person, change.after.certainty))
        return held


def diff(
    state: State,
    catalogue: Catalogue,
    org: str,
    a: When,
    b: When,
    *,
    policy: Policy | None = None,
    also: State | None = None,
) -> Diff:
    """The changes in ``org``'s roster from ``a`` to ``b``, each with its explaining events.

    A person who left one post and joined another in the organisation has
    moved when a `Moved` event links the two posts, or when they left exactly
    one post and took exactly one; otherwise they are listed as left and
    joined. A holder whose certainty changed is listed under ``changed``.
    ``also`` is as in `roster`.
    """
    policy = policy or DEFAULT_POLICY
    before = {
        (s.person, post): s
        for post, seats in _held(state, catalogue, org, a, policy, also).items()
        for s in seats
        if s.person is not None
    }
    after = {
        (s.person, post): s
        for post, seats in _held(state, catalogue, org, b, policy, also).items()
        for s in seats
        if s.person is not None
    }
    low, high = min(span(a)[0], span(b)[0]), max(span(a)[1], span(b)[1])
    source = also if also is not None else state

    def explain(person: str, *posts: str) -> tuple[Event, ...]:
        return _explain(source, person, posts, low, high)

    gone: dict[str, list[str]] = {}
    came: dict[str, list[str]] = {}
    for person, post in before:
        if (person, post) not in after:
            gone.setdefault(person, []).append(post)
    for person, post in after:
        if (person, post) not in before:
            came.setdefault(person, []).append(post)
    joined: list[Change] = []
    left: list[Change] = []
    moved: list[Change] = []
    for person in sorted(gone.keys() | came.keys()):
        from_posts, to_posts = gone.get(person, []), came.get(person, [])
        for old, new in _pair_moves(source, person, from_posts, to_posts, low, high):
            moved.append(
                Change(person, before[(person, old)], after[(person, new)], explain(person, old, new))
            )
            from_posts.remove(old)
            to_posts.remove(new)
        left.extend(Change(person, before[(person, p)], None, explain(person, p)) for p in from_posts)
        joined.extend(Change(person, None, after[(person, p)], explain(person, p)) for p in to_posts)
    changed = [
        Change(key[0], seat, after[key], explain(key[0], key[1]))
        for key, seat in before.items()
        if key in after and seat.certainty != after[key].certainty
    ]
    order = {p.id: i for i, p in enumerate(catalogue.posts(org))}

    def key_of(change: Change) -> tuple[int, str]:
        seat = change.before or change.after
        assert seat is not None
        return (order.get(seat.post.id, 0), change.person)

    return Diff(
        org,
        a,
        b,
        tuple(sorted(joined, key=key_of)),
        tuple(sorted(left, key=key_of)),
        tuple(sorted(moved, key=key_of)),
        tuple(sorted(changed, key=key_of)),
    )


def _pair_moves(
    state: State, person: str, gone: list[str], came: list[str], low: dt.date, high: dt.date
) -> list[tuple[str, str]]:
    """Which left posts and taken posts of one person form moves (see `diff`)."""
    pairs: list[tuple[str, str]] = []
    free_gone, free_came = list(gone), list(came)
    moves = (c.event for p in state.tenures_of(person) for c in p.starts)
    for event in moves:
        if (
            isinstance(event, Moved)
            and event.person == person
            and event.from_post in free_gone
            and event.to_post in free_came
            and event.occurred.latest > low
            and event.occurred.earliest <= high
        ):
            pairs.append((event.from_post, event.to_post))
            free_gone.remove(event.from_post)
            free_came.remove(event.to_post)
    if len(free_gone) == 1 and len(free_came) == 1:
        pairs.append((free_gone[0], free_came[0]))
    return pairs


def _explain(
    state: State, person: str, posts: tuple[str, ...], low: dt.date, high: dt.date
) -> tuple[Event, ...]:
    """The claims about this person at these posts that can fall in ``(low, high]``."""
    found: dict[str, Event] = {}
    for period in state.tenures_of(person):
        if period.subject not in posts:
            continue
        for claim in (*period.starts, *period.ends):
            if claim.date.latest > low and claim.date.earliest <= high:
                found.setdefault(claim.event.id, claim.event)
    return tuple(found.values())


# History --------------------------------------------------------------------------------------


@attrs.frozen
class Spell:
    """A spell in custody with its charges, reconciled by a policy."""

    person: str
    start: Resolved
    end: Resolved
    charges: tuple[Claim, ...]

    def holds(self, at: When) -> Certainty | None:
        """Whether the person is in custody on ``at``."""
        return holds(self.start, self.end, at)


@attrs.frozen
class History:
    """A person's tenures and spells in custody, in date order, and their death if recorded."""

    person: str
    tenures: tuple[Tenure, ...]
    custody: tuple[Spell, ...]
    death: Resolved | None


def history(state: State, person: str, *, policy: Policy | None = None) -> History:
    """A person's tenures (with how each ended), custody and death."""
    policy = policy or DEFAULT_POLICY
    tenures = sorted(
        (resolved(state, p, policy) for p in state.tenures_of(person)),
        key=lambda t: (t.start.earliest, t.end.earliest, t.post),
    )
    spells = tuple(_spell(c, policy) for c in state.custody_spells(person))
    deaths = state.deaths.get(person, ())
    death = policy.resolve(deaths, empty=OPEN_END) if deaths else None
    return History(person, tuple(tenures), spells, death)


def _spell(custody: Custody, policy: Policy) -> Spell:
    return Spell(
        custody.person,
        policy.resolve(custody.starts, empty=OPEN_START),
        policy.resolve(custody.ends, empty=OPEN_END),
        custody.charges,
    )


# Names ------------------------------------------------------------------------------------------


@attrs.frozen
class NameAnswer:
    """What an entity was called on a date; ``alternatives`` when a rename date leaves it open."""

    entity: str
    name: str
    certainty: Certainty
    alternatives: tuple[str, ...] = ()
    since: FuzzyDate | None = None
    events: tuple[Event, ...] = ()


def name_at(state: State, catalogue: Catalogue, entity: str, *, at: When) -> NameAnswer:
    """The name of ``entity`` on ``at``, from its `Renamed` events (the catalogue name when none)."""
    low, high = span(at)
    renames = sorted(
        state.renames.get(entity, ()), key=lambda r: (r.occurred.earliest, r.occurred.latest, r.id)
    )
    if not renames:
        return NameAnswer(entity, catalogue[entity].name, "certain")
    current = renames[0].former or catalogue[entity].name
    since: FuzzyDate | None = None
    because: tuple[Event, ...] = ()
    possible: list[str] = []
    for rename in renames:
        if rename.occurred.latest <= low:
            current, since, because = rename.name, rename.occurred, (rename,)
            possible.clear()
        elif rename.occurred.earliest <= high:
            possible.append(rename.name)
            because = (*because, rename)
    if possible:
        return NameAnswer(entity, current, "possible", tuple(possible), since, because)
    return NameAnswer(entity, current, "certain", (), since, because)


# Snapshots ----------------------------------------------------------------------------------------


@attrs.frozen
class SnapshotRow:
    """One line of a source's snapshot set against the projection on the same date.

    ``verdict`` is ``agrees``, ``agrees-possibly``, ``disagrees``, ``unknown-person``
    (the source names someone the catalogue does not know) or ``missing`` (the
    projection has a holder the source's list leaves out).
    """

    post: str
    source_says: str | None
    person: str | None
    projection: tuple[tuple[str, Certainty], ...]
    verdict: str
    detail: str


def compare_snapshot(
    state: State,
    catalogue: Catalogue,
    snapshot: RosterReported,
    *,
    policy: Policy | None = None,
) -> tuple[SnapshotRow, ...]:
    """Set a source's own list of an organisation's leadership against the projection on its date."""
    day = snapshot.occurred.latest
    seats = roster(state, catalogue, snapshot.org, at=day, policy=policy)
    held: dict[str, list[tuple[str, Certainty]]] = {}
    for seat in seats:
        if seat.person is not None:
            held.setdefault(seat.post.id, []).append((seat.person, seat.certainty))
    rows: list[SnapshotRow] = []
    listed: dict[str, set[str]] = {}
    vacancies: dict[str, int] = {}
    for entry in snapshot.entries:
        holders = tuple(held.get(entry.post, ()))
        names = ", ".join(f"{catalogue[p].name} ({c})" for p, c in holders) or "nobody"
        if entry.person is not None:
            listed.setdefault(entry.post, set()).add(entry.person)
            certainty = dict(holders).get(entry.person)
            label = entry.name or catalogue[entry.person].name
            if certainty == "certain":
                verdict, detail = "agrees", f"{label}: the events agree"
            elif certainty == "possible":
                verdict, detail = "agrees-possibly", f"{label}: the events say possibly"
            else:
                verdict, detail = "disagrees", f"the source lists {label}; the events have {names}"
            rows.append(SnapshotRow(entry.post, label, entry.person, holders, verdict, detail))
        elif entry.name is not None:
            near = catalogue.suggest(entry.name, kind="person")
            hint = f" (nearest known: {', '.join(catalogue[n].name for n in near)})" if near else ""
            rows.append(
                SnapshotRow(
                    entry.post,
                    entry.name,
                    None,
                    holders,
                    "unknown-person",
                    f"the source names {entry.name!r}, who is no known person{hint}; the events have {names}",
                )
            )
            listed.setdefault(entry.post, set()).add(f"?{entry.name}")
        else:
            vacancies[entry.post] = vacancies.get(entry.post, 0) + 1
            post = catalogue[entry.post]
            seats_total = post.seats if isinstance(post, Post) else 1
            free = seats_total - len(holders)
            ok = free >= vacancies[entry.post]
            rows.append(
                SnapshotRow(
                    entry.post,
                    None,
                    None,
                    holders,
                    "agrees" if ok else "disagrees",
                    "vacant: the events agree" if ok else f"the source says vacant; the events have {names}",
                )
            )
    for post_id, holders_here in held.items():
        if post_id not in listed and post_id not in vacancies:
            continue
        for person, certainty in holders_here:
            if person not in listed.get(post_id, set()):
                rows.append(
                    SnapshotRow(
                        post_id,
                        None,
                        person,
                        tuple(holders_here),
                        "missing",
                        f"the events have {catalogue[person].name} ({certainty}), "
                        "whom the source does not list",
                    )
                )
    return tuple(rows)
