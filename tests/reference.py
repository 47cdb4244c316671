"""A deliberately simple reference implementation of the roster, for the property tests.

It knows nothing of claims, policies or certainty: it filters what was known,
drops what was retracted, and replays exact-day events in date order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from chronos import Appointed, Catalogue, Died, Event, Moved, Organisation, Post, Retracted, TenureEnded
from chronos.dates import Day
from chronos.projections import OPEN_END, Policy, Resolved, Seat, State, When, reconcile, span
from chronos.projections.answers import downgrade, held_reasons, reasons


def standing(events: Iterable[Event], known_at: dt.date | None) -> list[Event]:
    """Facts known on ``known_at`` that no retraction known by then withdrew."""
    known = [e for e in events if known_at is None or e.known.latest <= known_at]
    withdrawn = {e.target for e in known if isinstance(e, Retracted)}
    return [e for e in known if not isinstance(e, Retracted) and e.id not in withdrawn]


def holders(events: Iterable[Event], *, at: dt.date, known_at: dt.date | None = None) -> set[tuple[str, str]]:
    """The (post, person) pairs holding on ``at``: replay the facts dated on or before it."""
    facts = sorted(
        (e for e in standing(events, known_at) if e.occurred.earliest <= at),
        key=lambda e: e.occurred.earliest,
    )
    held: set[tuple[str, str]] = set()
    for event in facts:
        if isinstance(event, Appointed):
            held.add((event.post, event.person))
        elif isinstance(event, TenureEnded):
            held.discard((event.post, event.person))
        elif isinstance(event, Moved):
            held.discard((event.from_post, event.person))
            held.add((event.to_post, event.person))
        elif isinstance(event, Died):
            held = {(post, person) for post, person in held if person != event.person}
    return held


def scanned_roster(
    state: State,
    catalogue: Catalogue,
    org: str,
    *,
    at: When,
    policy: Policy | None = None,
    possibly_known: State | None = None,
) -> tuple[Seat, ...]:
    """`chronos.projections.roster` the slow way: every tenure of every post asked `Tenure.holds`.

    No timelines, no bisection, no sweep, no shared seats, no remembered
    evidence: the definition the indexed rosters must match. A post shows its
    holders, then its empty seats: vacant where a source's roster leaves a seat
    empty on that day or a declaration of completeness covers it, unknown
    elsewhere. Nothing exists before its organisation's founding or after its
    dissolution, and nothing is certain past the state's horizon.
    """
    policy = policy or Policy()
    low, high = span(at)

    def held(source: State) -> dict[tuple[str, str], Seat]:
        found: dict[tuple[str, str], Seat] = {}
        for post in catalogue.posts(org):
            for period in source.tenures_at(post.id):
                tenure = reconcile(period, policy)
                certainty = tenure.holds(at)
                if certainty is None:
                    continue
                key = (post.id, tenure.person)
                known = found.get(key)
                if known is None or (known.certainty == "possible" and certainty == "certain"):
                    why = held_reasons(tenure, low, high, certainty == "certain")
                    found[key] = Seat(post, tenure.person, certainty, tenure, reasons=why)
        return found

    found = held(state)
    if possibly_known is not None:
        other = held(possibly_known)
        for key, seat in other.items():
            mine = found.get(key)
            if mine is None or mine.certainty != seat.certainty:
                found[key] = downgrade(mine or seat, "pending-report")
        for key, seat in found.items():
            if key not in other:
                found[key] = downgrade(seat, "pending-report")
    late = state.horizon is not None and high > state.horizon
    seats: list[Seat] = []
    for post in catalogue.posts(org):
        exists, why = _exists(state, catalogue, policy, post, low, high)
        if exists is None:
            continue
        holders = [seat for (post_id, _), seat in found.items() if post_id == post.id]
        if exists == "possible":
            holders = [downgrade(seat, *why) for seat in holders]
        if late:
            holders = [downgrade(seat, "after-record") for seat in holders]
        holders.sort(key=_seat_order)
        seats.extend(holders)
        seats.extend(_empty(state, catalogue, post, post.seats - len(holders), low, high, why, late))
    return tuple(seats)


def _chain(catalogue: Catalogue, post: Post) -> list[str]:
    """The post's organisation and every organisation above it."""
    chain: list[str] = []
    org: str | None = post.org
    while org is not None and org not in chain:
        chain.append(org)
        entity = catalogue.get(org)
        org = entity.parent if isinstance(entity, Organisation) else None
    return chain


def _exists(
    state: State, catalogue: Catalogue, policy: Policy, post: Post, low: Day, high: Day
) -> tuple[str | None, tuple[str, ...]]:
    certainty, why = "certain", []
    for org in _chain(catalogue, post):
        founded = state.founded.get(org, ())
        dissolved = state.dissolved.get(org, ())
        if not founded and not dissolved:
            continue
        start = policy.resolve(founded, empty=Resolved(Day.min, Day.min, None, ()))
        end = policy.resolve(dissolved, empty=OPEN_END)
        # Like a tenure (`Tenure.holds`): certainly on every day of the span, possibly on some.
        if not (start.first <= high and low < end.last):
            return None, ()
        if not (start.last <= low and high < end.first):
            certainty = "possible"
            if start.last > low:
                why.append("before-founding")
            if end.first <= high:
                why.append("after-dissolution")
    return certainty, reasons(why)


def _empty(
    state: State,
    catalogue: Catalogue,
    post: Post,
    count: int,
    low: Day,
    high: Day,
    why: tuple[str, ...],
    late: bool,
) -> list[Seat]:
    if count <= 0:
        return []
    # (first day possibly covered, last day possibly covered, id, event, code, empty seats, surely covered)
    claims: list[tuple[Day, Day, str, Event, str, int | None, bool]] = []
    reported = [c.event for c in state.vacancies.get(post.id, ())]
    for event in dict.fromkeys(reported):
        d = event.occurred
        sure = d.first == d.last == low == high
        claims.append((d.first, d.last, event.id, event, "vacancy-reported", reported.count(event), sure))
    for subject in (post.id, *_chain(catalogue, post)):
        for declared in state.declared.get(subject, ()):
            until = declared.until
            last_maybe = until.last if until is not None else Day.max
            last_sure = until.first if until is not None else Day.max
            sure = declared.occurred.last <= low and high <= last_sure
            claims.append(
                (
                    declared.occurred.first,
                    last_maybe,
                    declared.id,
                    declared,
                    "declared-complete",
                    None,
                    sure,
                )
            )
    claims.sort(key=lambda c: c[:3])
    sure_claims = [c for c in claims if c[6]]
    maybe_claims = [c for c in claims if not c[6] and c[0] <= high and low <= c[1]]

    def most(found: list[tuple[Day, Day, str, Event, str, int | None, bool]]) -> int:
        return min(count, max((count if c[5] is None else c[5] for c in found), default=0))

    certain = most(sure_claims)
    possible = most(sure_claims + maybe_claims) - certain
    extra = [*why, "after-record"] if late else list(why)
    seats: list[Seat] = []
    for n, found, certainty, more in (
        (certain, sure_claims, "certain", ()),
        (possible, maybe_claims, "possible", ("imprecise-vacancy",)),
    ):
        for _ in range(n):
            seat = Seat(
                post,
                None,
                certainty,  # type: ignore[arg-type]
                state="vacant",
                reasons=reasons((*(c[4] for c in found), *more)),
                evidence=tuple(dict.fromkeys(c[3] for c in found)),
            )
            seats.append(downgrade(seat, *extra) if extra else seat)
    unknown = ("unknown-holder", *why, "after-record") if late else ("unknown-holder", *why)
    rest = count - certain - possible
    seats.extend(Seat(post, None, "possible", state="unknown", reasons=reasons(unknown)) for _ in range(rest))
    return seats


def _seat_order(seat: Seat) -> tuple[bool, Day, str]:
    """Certain holders first, then by the start of their tenure, then by id."""
    start = seat.tenure.start.first if seat.tenure is not None else Day.min
    return (seat.certainty != "certain", start, seat.person or "")
