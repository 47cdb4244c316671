"""The roster question: who held each post of an organisation (and its units) on a date."""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Mapping, Sequence

from chronos.dates import Day
from chronos.entities import Catalogue
from chronos.projections.answers import DEFAULT_POLICY, Seat, When, downgrade, seat_order, span
from chronos.projections.policy import Policy
from chronos.projections.seating import Seating, seating
from chronos.projections.state import State
from chronos.projections.sweep import sweep
from chronos.projections.timelines import Timeline, post_holders, timeline

__all__ = ["OrgTimelines", "holders_on", "org_timelines", "prepare", "roster", "rosters"]


def roster(
    state: State,
    catalogue: Catalogue,
    org: str,
    *,
    at: When,
    policy: Policy | None = None,
    possibly_known: State | None = None,
) -> tuple[Seat, ...]:
    """The seats of every post of ``org`` and its units on ``at``: held, vacant or unknown.

    A post shows every certain and possible holder (a disputed handover shows
    both people as possible), then as many empty seats as remain: vacant where
    the record says so, unknown elsewhere (see `chronos.projections.seating`).
    A post over its seat count shows everyone; `chronos.checks` reports it.
    A post whose organisation (or one above it) certainly did not exist on
    ``at`` shows no seats at all.

    ``possibly_known`` is a second state to weigh (what may already have been public on
    the knowledge date): a holder is certain only when certain in both states,
    and possible when in either.
    """
    policy = policy or DEFAULT_POLICY
    held = holders_on(state, catalogue, org, at, policy, possibly_known)
    low, high = span(at)
    return org_timelines(state, catalogue, org, policy).assemble(held, held, low, high)


def holders_on(
    state: State, catalogue: Catalogue, org: str, at: When, policy: Policy, possibly_known: State | None
) -> dict[str, list[Seat]]:
    """The holders of ``org``'s posts on ``at`` (weighing ``possibly_known``), by post id, in seat order."""
    low, high = span(at)
    held = org_timelines(state, catalogue, org, policy).holders(low, high)
    if possibly_known is not None:
        held = _merge(held, org_timelines(possibly_known, catalogue, org, policy).holders(low, high))
    return seating(state, catalogue, policy).settle(held, low, high)


def rosters(
    state: State,
    catalogue: Catalogue,
    orgs: Iterable[str],
    *,
    at: When,
    policy: Policy | None = None,
    possibly_known: State | None = None,
) -> dict[str, tuple[Seat, ...]]:
    """`roster` of each of ``orgs`` on ``at``, found in one sweep over every tenure.

    Equal to asking `roster` for each organisation (the property tests check
    it), but the holders of every post come from one pass over the tenures
    that can overlap ``at`` (see `Sweep`) rather than one search per post.
    """
    policy = policy or DEFAULT_POLICY
    low, high = span(at)
    held = sweep(state, catalogue, policy).holders(low, high)
    if possibly_known is not None:
        held = _merge(held, sweep(possibly_known, catalogue, policy).holders(low, high))
    held = seating(state, catalogue, policy).settle(held, low, high)
    wanted = list(orgs)
    asked = set(wanted)
    # Which held posts each organisation's roster shows: the post's organisation and its ancestors.
    shown: dict[str, list[str]] = {}
    for post in held:
        for org in catalogue.above(post):
            if org in asked:
                shown.setdefault(org, []).append(post)
    return {
        org: org_timelines(state, catalogue, org, policy).assemble(held, shown.get(org, ()), low, high)
        for org in wanted
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
                found[person] = downgrade(here or seat, "pending-report")
        for person, seat in found.items():
            if person not in other:
                found[person] = downgrade(seat, "pending-report")
        if found:
            merged[post] = sorted(found.values(), key=seat_order)
    return merged


def prepare(state: State, catalogue: Catalogue, policy: Policy | None = None) -> None:
    """Build every post's and organisation's timelines and the sweep now, not on first use (a warm-up)."""
    policy = policy or DEFAULT_POLICY
    sweep(state, catalogue, policy)
    for org in catalogue.of_kind("organisation"):
        org_timelines(state, catalogue, org.id, policy)


class OrgTimelines:
    """The timelines of an organisation's posts (its units' included), in catalogue order."""

    def __init__(self, catalogue: Catalogue, lines: Iterable[Timeline], seats: Seating):
        self.catalogue = catalogue
        self.lines = tuple(lines)
        self.seating = seats
        #: Every seat unknown (and past the horizon), and where each post's seats lie in it.
        unknown: list[Seat] = []
        late: list[Seat] = []
        self.slots: dict[str, tuple[int, int]] = {}
        for line in self.lines:
            self.slots[line.post.id] = (len(unknown), len(unknown) + len(line.unknown))
            unknown += line.unknown
            late += line.late
        self.unknown = tuple(unknown)
        self.late = tuple(late)
        #: The posts whose empty seats may need more than the template: vacancies, or lives up their chain.
        self.vacancies = {line.post.id: line.post for line in self.lines if seats.evidence(line.post.id)}
        self.lived = {line.post.id: line.post for line in self.lines if seats.lived(line.post.id)}
        self.special = self.vacancies | self.lived

    def holders(self, low: Day, high: Day) -> dict[str, list[Seat]]:
        """Who holds which of these posts on ``[low, high]``, by post id (see `post_holders`)."""
        held: dict[str, list[Seat]] = {}
        for line in self.lines:
            # Most posts of an organisation are empty on a given day: rule them out inline.
            last = bisect.bisect_right(line.starts, high) - 1
            if last >= 0 and line.reach[last] > low:
                seats = post_holders(line, low, high, last)
                if seats:
                    held[line.post.id] = seats
        return held

    def assemble(
        self, held: Mapping[str, Sequence[Seat]], posts: Collection[str], low: Day, high: Day
    ) -> tuple[Seat, ...]:
        """The seats of every post: its holders (from ``held``, by post id), then its empty seats.

        ``posts`` are the posts of ``held`` that belong here. The empty seats of
        the other posts are copied from the all-unknown template, except where
        the record says more (`Seating.empty_seats`).
        """
        template = self.late if self.seating.late(high) else self.unknown
        touched = set(posts) | self.special.keys() if self.special else posts
        if not touched:
            return template
        seats: list[Seat] = []
        done = 0
        for start, stop, post in sorted((*self.slots[post], post) for post in touched):
            holders = held.get(post, ())
            seats += template[done:start]
            seats += holders
            free = stop - start - len(holders)
            if post in self.vacancies or (
                post in self.lived and self.seating.existence(post, low, high)[0] != "certain"
            ):
                seats += self.seating.empty_seats(self.special[post], free, low, high)
            elif free > 0:
                seats += template[start + len(holders) : stop]
            done = stop
        seats += template[done:]
        return tuple(seats)


def org_timelines(state: State, catalogue: Catalogue, org: str, policy: Policy) -> OrgTimelines:
    """``org``'s timelines, kept in the state for this catalogue."""
    key = (org, policy)
    found = state.derived.organisations.get(key)
    if found is None or found.catalogue is not catalogue:
        found = state.derived.organisations[key] = OrgTimelines(
            catalogue,
            (timeline(state, p, policy) for p in catalogue.posts(org)),
            seating(state, catalogue, policy),
        )
    return found
