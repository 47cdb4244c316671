"""The diff question: who joined, left, moved or changed certainty between two dates, and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import attrs

from chronos.dates import Day
from chronos.entities import Catalogue
from chronos.events import Event, Moved
from chronos.projections.answers import DEFAULT_POLICY, Seat, When, span
from chronos.projections.display import Row, Tabular, named
from chronos.projections.policy import Policy
from chronos.projections.roster import holders_on
from chronos.projections.state import Period, State

__all__ = ["Change", "Diff", "changes", "diff"]


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

    def __repr__(self) -> str:
        def seat(s: Seat | None) -> str:
            return "-" if s is None else f"{s.post.id} ({s.certainty})"

        return f"Change({self.kind} {self.person!r}: {seat(self.before)} -> {seat(self.after)})"


@attrs.frozen
class Diff(Tabular):
    """Who joined, left, moved or changed certainty between ``a`` and ``b``."""

    org: str
    a: When
    b: When
    joined: tuple[Change, ...]
    left: tuple[Change, ...]
    moved: tuple[Change, ...]
    changed: tuple[Change, ...]
    #: Where `rows` and the notebook display find names (ids without one).
    catalogue: Catalogue | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(getattr(self, k))} {k}" for k in ("joined", "left", "moved", "changed"))
        return f"Diff({self.org!r} {self.a} -> {self.b}: {counts})"

    def caption(self) -> str:
        """Of what, between which dates."""
        return f"{named(self.catalogue, self.org)}: {self.a} to {self.b}"

    def rows(self) -> list[Row]:
        """One row per change: who, what change, the post and certainty before and after, the events."""
        rows: list[Row] = []
        for change in (*self.joined, *self.left, *self.moved, *self.changed):
            row: Row = {
                "change": change.kind,
                "person_id": change.person,
                "person": named(self.catalogue, change.person),
            }
            for side, seat in (("before", change.before), ("after", change.after)):
                row[f"{side}_post_id"] = seat.post.id if seat is not None else None
                row[f"{side}_post"] = seat.post.name if seat is not None else None
                row[f"{side}_certainty"] = seat.certainty if seat is not None else None
            row["events"] = [e.id for e in change.events]
            rows.append(row)
        return rows

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
    possibly_known: State | None = None,
) -> Diff:
    """The changes in ``org``'s roster from ``a`` to ``b``, each with its explaining events.

    A person who left one post and joined another in the organisation has
    moved when a `Moved` event links the two posts, or when they left exactly
    one post and took exactly one; otherwise they are listed as left and
    joined. A holder whose certainty changed is listed under ``changed``.
    ``possibly_known`` is as in `roster`.
    """
    policy = policy or DEFAULT_POLICY
    # A day given as a `datetime.date` is kept as the `Day` every other answer uses.
    a, b = (Day.from_date(w) if isinstance(w, dt.date) else w for w in (a, b))
    source = possibly_known if possibly_known is not None else state
    return changes(
        org,
        a,
        b,
        holders_on(state, catalogue, org, a, policy, possibly_known),
        holders_on(state, catalogue, org, b, policy, possibly_known),
        source.tenures_of,
        [p.id for p in catalogue.posts(org)],
        catalogue=catalogue,
    )


def changes(
    org: str,
    a: When,
    b: When,
    held_a: Mapping[str, Sequence[Seat]],
    held_b: Mapping[str, Sequence[Seat]],
    periods_of: Callable[[str], Sequence[Period]],
    posts: Sequence[str],
    *,
    catalogue: Catalogue | None = None,
) -> Diff:
    """The `Diff` of ``org`` from the holders on ``a`` to those on ``b`` (by post id, in seat order).

    ``periods_of`` gives a person's tenures in fold order (their claims explain
    the changes); ``posts`` are the organisation's posts in catalogue order.
    Every engine that finds the holders its own way shares these rules.
    """
    before = {(s.person, post): s for post, seats in held_a.items() for s in seats if s.person is not None}
    after = {(s.person, post): s for post, seats in held_b.items() for s in seats if s.person is not None}
    low, high = min(span(a)[0], span(b)[0]), max(span(a)[1], span(b)[1])

    def explain(person: str, *posts: str) -> tuple[Event, ...]:
        return _explain(periods_of(person), posts, low, high)

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
        for old, new in _pair_moves(periods_of(person), person, from_posts, to_posts, low, high):
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
    order = {post: i for i, post in enumerate(posts)}

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
        catalogue=catalogue,
    )


def _pair_moves(
    periods: Sequence[Period], person: str, gone: list[str], came: list[str], low: Day, high: Day
) -> list[tuple[str, str]]:
    """Which left posts and taken posts of one person form moves (see `diff`)."""
    pairs: list[tuple[str, str]] = []
    free_gone, free_came = list(gone), list(came)
    moves = (c.event for p in periods for c in p.starts)
    for event in moves:
        if (
            isinstance(event, Moved)
            and event.person == person
            and event.from_post in free_gone
            and event.to_post in free_came
            and event.occurred.last > low
            and event.occurred.first <= high
        ):
            pairs.append((event.from_post, event.to_post))
            free_gone.remove(event.from_post)
            free_came.remove(event.to_post)
    if len(free_gone) == 1 and len(free_came) == 1:
        pairs.append((free_gone[0], free_came[0]))
    return pairs


def _explain(periods: Sequence[Period], posts: tuple[str, ...], low: Day, high: Day) -> tuple[Event, ...]:
    """The claims about this person at these posts that can fall in ``(low, high]``."""
    found: dict[str, Event] = {}
    for period in periods:
        if period.subject not in posts:
            continue
        for claim in (*period.starts, *period.ends):
            if claim.date.last > low and claim.date.first <= high:
                found.setdefault(claim.event.id, claim.event)
    return tuple(found.values())
